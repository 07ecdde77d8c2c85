"""``check-jumpcloud --org ORG --idp-url-value VALUE [--api-url URL] [--jumpcloud-url URL]
[--json] [--fix [--yes]]``: prove JumpCloud's side through JumpCloud's admin API.

Reads the app whose SSO URL is ``https://sso.jumpcloud.com/saml2/VALUE``, its SSO tab,
certificate, bound user groups and metadata (``wizard.jumpcloud``).  With ``--fix`` it
shows the SSO-tab fields that differ (now / will be), asks for ``yes`` on a terminal
(``--yes`` in a script; without either nothing is changed), then sets exactly those
fields and reads the app back.

The API key comes from ``JUMPCLOUD_API_KEY`` or standard input (a hidden prompt on a
terminal), never from the command line; ``JUMPCLOUD_ORG_ID`` names the organisation
for administrators of several; ``JUMPCLOUD_URL`` (or ``--jumpcloud-url``) the API.

Exit: 0 no error finding; 1 an error finding (or a fix declined or not proven);
2 usage, no key, or the API refused the key or could not be reached.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from wizard.commands import add_api_url_argument, add_org_argument
from wizard.values import JUMPCLOUD_CONSOLE, JUMPCLOUD_CONSOLE_EU, JUMPCLOUD_CONSOLE_IN, JUMPCLOUD_SSO_BASE

PROG = "jumpcloud-pulumi-sso check-jumpcloud"
_MAX_LINE = 64 * 1024
# outcomes that mean JumpCloud was not read at all: exit 2
_ACCESS = frozenset(
    {
        "jumpcloud.unauthorized",
        "jumpcloud.forbidden",
        "jumpcloud.unreachable",
        "jumpcloud.not_found",
        "jumpcloud.bad_url",
        "jumpcloud.no_key",
        "jumpcloud.bad_key",
        "jumpcloud.org_id_needed",
        "jumpcloud.network",
        "jumpcloud.rate_limited",
        "jumpcloud.server_error",
        "jumpcloud.bad_response",
        "jumpcloud.http_error",
        "jumpcloud.unexpected",
    }
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_org_argument(parser)
    parser.add_argument(
        "--idp-url-value",
        required=True,
        metavar="VALUE",
        help="the IdP URL value of the app (the part after https://sso.jumpcloud.com/saml2/)",
    )
    add_api_url_argument(parser)
    parser.add_argument(
        "--jumpcloud-url",
        default=None,
        metavar="URL",
        help=f"JumpCloud's API (default $JUMPCLOUD_URL, else {JUMPCLOUD_CONSOLE}; EU: {JUMPCLOUD_CONSOLE_EU}; India: {JUMPCLOUD_CONSOLE_IN})",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="set the SSO-tab fields that differ (or create the app from JumpCloud's catalogue when none "
        "uses the IdP URL), after showing what changes and a confirmation",
    )
    parser.add_argument("--yes", action="store_true", help="with --fix: do not ask (for scripts)")
    parser.add_argument(
        "--timeout", type=float, default=10.0, metavar="S", help="seconds to wait for each try (default 10)"
    )
    # Refused on purpose, without echoing the value (argparse would echo an unknown option).
    parser.add_argument("--api-key", dest="key_argument", nargs="?", const="", default=None, help=argparse.SUPPRESS)
    parser.epilog = (
        "The API key comes from JUMPCLOUD_API_KEY or standard input; it is never an argument.\n"
        "Exit codes: 0 no error, 1 an error finding or a fix not made, 2 usage, no key or no access."
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def _fail(message: str) -> int:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    return 2


def _read_key() -> str:
    from wizard.commands import read_secret
    from wizard.jumpcloud import API_KEY_ENV

    return read_secret(API_KEY_ENV, "JumpCloud API key (input hidden): ", max_line=_MAX_LINE)


def _confirm(out: Any) -> bool | None:
    """True/False from the admin at a terminal; None when nobody can be asked."""
    if sys.stdin is None or not sys.stdin.isatty():
        return None
    try:
        print("Set these fields in JumpCloud? Type 'yes' to continue: ", end="", file=out, flush=True)
        return sys.stdin.readline().strip().lower() == "yes"
    except (EOFError, OSError):
        return None


def run(args: argparse.Namespace) -> int:
    if args.key_argument is not None:
        return _fail(
            "the API key is never passed as an argument (process lists and shell history would show it): "
            "set JUMPCLOUD_API_KEY or pipe it on standard input"
        )
    if args.yes and not args.fix:
        return _fail("--yes goes with --fix")
    if not (0 < args.timeout <= 300):
        return _fail("--timeout must be a number of seconds between 0 and 300")
    from wizard.values import InvalidValue, idp_url_value_problem, org_values

    try:
        values = org_values(args.org, args.api_url)
    except InvalidValue as exc:
        return _fail(str(exc))
    problem = idp_url_value_problem(args.idp_url_value)
    if problem:
        return _fail(problem)

    from wizard import jumpcloud as jc
    from wizard.codes import finding
    from wizard.commands.status import print_findings
    from wizard.findings import Finding
    from wizard.pulumi_api import run_sync

    url = args.jumpcloud_url or os.environ.get(jc.URL_ENV, "").strip() or JUMPCLOUD_CONSOLE
    refused = jc.JUMPCLOUD.url_refusal(url)
    key = "" if refused else _read_key()
    org_id = os.environ.get(jc.ORG_ID_ENV, "")
    out = sys.stderr if args.json else sys.stdout

    def show_diff(check: jc.JumpCloudCheck) -> None:
        label = check.application["displayLabel"] if check.application else ""
        print(f"What changes in JumpCloud's app '{label}' (only these fields):", file=out)
        width = max(len(f.label) for f in check.mismatched)
        for f in check.mismatched:
            print(f"* {f.label:<{width}}  now:     {f.now or '(empty)'}", file=out)
            print(f"  {'':<{width}}  will be: {f.want}", file=out)

    async def fix(client: jc.JumpCloudClient, check: jc.JumpCloudCheck) -> list[Finding]:
        """The fix's findings: nothing to do, not confirmed, or what it did and the check after it."""
        if not check.mismatched:
            return [finding("jumpcloud.fix.nothing", "Nothing to fix: the SSO tab already matches.")]
        show_diff(check)
        refused = confirmed()
        if refused:
            return refused
        assert check.application is not None
        done, _ = await jc.fix_sso_fields(client, check.application["id"], check.mismatched)
        if not any(f.code == "jumpcloud.fix.applied" for f in done):
            return done
        again = await jc.check_jumpcloud(client, values, args.idp_url_value, metadata=False)
        return done + [f for f in again.findings if f.code.startswith("jumpcloud.sso.") or f.code == "jumpcloud.ok"]

    def confirmed() -> list[Finding]:
        """[] when the admin said yes (or --yes), else why nothing was changed."""
        if args.yes:
            return []
        answer = _confirm(out)
        if answer is None:
            return [
                finding(
                    "jumpcloud.fix.needs_confirmation",
                    "Nothing was changed: there is no terminal to confirm.",
                    "Run it in a terminal, or add --yes in a script once you have checked what is shown above.",
                )
            ]
        return [] if answer else [finding("jumpcloud.fix.declined", "Nothing was changed: it was not confirmed.", "")]

    async def create(client: jc.JumpCloudClient) -> list[Finding]:
        """No app uses the SSO URL: create it from the catalogue's Pulumi connector, when confirmed."""
        templates, problems = await client.list_templates()
        if problems:
            return problems
        template, missing = jc.pulumi_template(templates)
        if template is None:
            return [missing] if missing is not None else []
        _, rows = jc.new_application(template, values, args.idp_url_value, "Pulumi")
        print(
            f"What is created in JumpCloud, from the catalogue's {template.get('displayName') or template.get('name')} connector:",
            file=out,
        )
        print("  Display label: Pulumi", file=out)
        print(f"  IdP URL:       {JUMPCLOUD_SSO_BASE}{args.idp_url_value}  (it can never be changed)", file=out)
        for row in rows:
            print(
                f"  {row.label + ':':<27}{row.now if row.matched else '(not in the catalogue entry: set it by hand)'}",
                file=out,
            )
        refused = confirmed()
        if refused:
            return refused
        made = await jc.create_pulumi_app(client, values, args.idp_url_value, "Pulumi")
        if any(f.code == "jumpcloud.app.created" for f in made):
            again = await jc.check_jumpcloud(client, values, args.idp_url_value, metadata=False)
            made += [f for f in again.findings if f.is_error or f.code == "jumpcloud.ok"]
        return made

    async def work() -> tuple[jc.JumpCloudCheck, list[Finding]]:
        async with jc.JumpCloudClient(url, key, org_id=org_id, timeout=args.timeout) as client:
            check = await jc.check_jumpcloud(client, values, args.idp_url_value)
            fixed: list[Finding] = []
            if args.fix and check.app is not None:
                fixed = await fix(client, check)
            elif args.fix and any(f.code == "jumpcloud.app.not_found" for f in check.findings):
                fixed = await create(client)
            return check, fixed

    fixed: list[Finding] = []
    if refused is not None:
        check = jc.JumpCloudCheck([refused])
    else:
        check, fixed = run_sync(work())
    applied = any(f.code == "jumpcloud.fix.applied" for f in fixed)
    created = any(f.code == "jumpcloud.app.created" for f in fixed)
    before = [
        f
        for f in check.findings
        if not (applied and f.code == "jumpcloud.sso.mismatch")
        and not (created and f.code == "jumpcloud.app.not_found")
    ]
    findings = [*before, *fixed]
    if any(f.code in _ACCESS for f in findings):
        code = 2
    else:
        code = 1 if any(f.is_error for f in findings) else 0
    if args.json:
        body = check.to_dict()
        body["findings"] = [f.to_dict() for f in findings]
        body["exit_code"] = code
        if args.fix:
            body["diff"] = [{"label": f.label, "now": f.now or "", "will_be": f.want} for f in check.mismatched]
        print(json.dumps(body, indent=2))
    else:
        if check.application:
            app = check.application
            state = "active" if app["active"] else "NOT active"
            print(f"JumpCloud application: {app['displayLabel']} ({app['ssoUrl']}, {state})")
            print(f"User groups bound: {', '.join(check.groups) or 'none'}")
        print_findings(findings, sys.stdout if code != 2 else sys.stderr)
    return code
