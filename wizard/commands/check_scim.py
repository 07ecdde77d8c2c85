"""``check-scim --org ORG [--api-url URL | --base-url URL] [--json] [--timeout S]``.

Checks a SCIM token against the live endpoint with one read-only request.
The token comes from ``PULUMI_SCIM_TOKEN`` or standard input (one line; a
hidden prompt on a terminal), never from the command line: arguments show
up in process lists and shell history.

Exit status: 0 the token works, 1 a failing finding, 2 a usage error (bad
org, bad URL, no token).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from wizard.commands import add_api_url_argument, add_org_argument
from wizard.values import InvalidValue, org_values

if TYPE_CHECKING:  # httpx loads only when the check runs
    from wizard.scim import ScimProbeResult

TOKEN_ENV = "PULUMI_SCIM_TOKEN"
PROG = "jumpcloud-pulumi-sso check-scim"
_MAX_LINE = 64 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_org_argument(parser)
    where = parser.add_mutually_exclusive_group()
    add_api_url_argument(where, extra_help="; the SCIM base URL is {api}/scim/v2/{org}")
    where.add_argument(
        "--base-url",
        metavar="URL",
        help="the full SCIM base URL, when it is not {api}/scim/v2/{org}",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--timeout", type=float, default=10.0, metavar="S", help="seconds to wait for each try (default 10)"
    )
    # Refused on purpose, without echoing the value (argparse would echo an unknown option).
    parser.add_argument("--token", dest="token_argument", nargs="?", const="", default=None, help=argparse.SUPPRESS)


def _fail(message: str) -> int:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    return 2


def _read_token() -> str:
    """The token from the environment, else standard input (hidden prompt on a terminal)."""
    from wizard.commands import read_secret

    return read_secret(TOKEN_ENV, "Pulumi SCIM token (input hidden): ", max_line=_MAX_LINE)


def _print_text(result: ScimProbeResult, base_url: str) -> None:
    print(f"SCIM base URL: {base_url}")
    for finding in result.findings:
        print(f"  {finding.severity.value:<7} {finding.code}: {finding.message}")
        if finding.fix and finding.severity.value != "ok":
            print(f"          fix: {finding.fix}")


def run(args: argparse.Namespace) -> int:
    if args.token_argument is not None:
        return _fail(
            f"the token is never passed as an argument (process lists and shell history would "
            f"show it): set {TOKEN_ENV} or pipe it on standard input"
        )
    if not (0 < args.timeout <= 300):
        return _fail("--timeout must be a number of seconds between 0 and 300")
    try:
        values = org_values(args.org, args.api_url)
    except InvalidValue as exc:
        return _fail(str(exc))

    from dataclasses import replace

    from wizard.scim import SCIM, ScimProbeResult, normalize_scim_base, probe_scim_sync

    base_url = args.base_url if args.base_url is not None else values.scim_base_url
    refused = SCIM.url_refusal(base_url)  # reported before the token is asked for
    token = "" if refused else _read_token()
    refused = refused or SCIM.secret_refusal(token)
    if refused is None:
        result = probe_scim_sync(base_url, token, timeout=args.timeout)
    else:
        if refused.code == "scim.no_token":
            refused = replace(refused, message=f"No SCIM token: set {TOKEN_ENV} or pipe the token on standard input.")
        sys.stderr.write(f"{PROG}: error: {refused.message}\n")
        result = ScimProbeResult([refused], base_url=normalize_scim_base(base_url))
    del token

    if args.json:
        out = {"findings": [f.to_dict() for f in result.findings], "scim": result.to_dict()}
        print(json.dumps(out, indent=2))
    elif refused is None:
        _print_text(result, result.base_url)
    if refused is not None:
        return 2
    return 0 if result.ok else 1
