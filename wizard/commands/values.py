"""``values ORG [--api-url URL] [--json]``: the SSO table and SCIM base URL."""

from __future__ import annotations

import argparse
import json
import sys

from wizard.commands import ORG_HELP, add_api_url_argument, add_json_argument
from wizard.values import InvalidValue, org_values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("org", metavar="ORG", help=ORG_HELP)
    add_api_url_argument(parser)
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    try:
        values = org_values(args.org, args.api_url)
    except InvalidValue as exc:
        sys.stderr.write(f"jumpcloud-pulumi-sso values: error: {exc}\n")
        return 2
    rows = values.all_rows()
    if args.json:
        out = {
            "org": values.org,
            "api_base": values.api_base,
            "self_hosted": values.self_hosted,
            "values": {row.key: row.value for row in rows},
            "labels": {row.key: row.label for row in rows},
        }
        print(json.dumps(out, indent=2))
        return 0
    print(f"Pulumi organisation: {values.org}    API: {values.api_base}")
    if values.self_hosted:
        print("(self-hosted: these paths are inferred from Pulumi Cloud's; check them with your install)")
    print()
    print("JumpCloud > SSO Applications > your Pulumi app > SSO tab:")
    width = max(len(r.label) for r in rows)
    for row in values.sso_rows():
        print(f"  {row.label:<{width}}  {row.value}")
    print()
    print("JumpCloud > your Pulumi app > Identity Management tab (SCIM):")
    print(f"  {'Base URL':<{width}}  {values.scim_base_url}")
    if values.sp_signin_url:
        print()
        print(f"  {'SP-initiated sign-in':<{width}}  {values.sp_signin_url}")
    return 0
