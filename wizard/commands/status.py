"""``status --org ORG [--api-url URL] [--json] [--warn-days N]``: what Pulumi has loaded.

Exit codes (for cron and CI): 0 healthy; 1 the IdP certificate expires within N days
(or has expired), Pulumi reports a validation error, or nothing is loaded; 2 usage or
access errors (no token, 401/403/404, network).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC
from typing import TYPE_CHECKING, Any, TextIO

from wizard.commands import add_api_url_argument, add_json_argument, add_org_argument
from wizard.findings import Finding, Severity

if TYPE_CHECKING:  # httpx loads only when a command runs
    from datetime import datetime

    from wizard.pulumi_api import SamlOrganization, TokenSource

PROG = "jumpcloud-pulumi-sso status"

EXIT_HEALTHY, EXIT_ATTENTION, EXIT_ACCESS = 0, 1, 2

_MARK = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "·", Severity.OK: "✓"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_org_argument(parser)
    add_api_url_argument(parser)
    add_json_argument(parser)
    parser.add_argument(
        "--warn-days",
        type=int,
        default=30,
        metavar="N",
        help="exit 1 when the certificate expires within N days (default 30)",
    )
    parser.epilog = (
        "The access token comes from PULUMI_ACCESS_TOKEN or the Pulumi CLI's login "
        "(~/.pulumi/credentials.json); it is never an argument. Exit codes: 0 healthy, "
        "1 certificate expiring or validation error, 2 usage or access error."
    )


def print_findings(findings: list[Finding], stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    for f in findings:
        print(f"  {_MARK[f.severity]} {f.message}", file=stream)
        if f.fix and f.severity in (Severity.ERROR, Severity.WARNING):
            print(f"      fix: {f.fix}", file=stream)


def usage_error(message: str, *, as_json: bool, code: str = "usage") -> int:
    if as_json:
        print(
            json.dumps(
                {
                    "ok": False,
                    "exit_code": EXIT_ACCESS,
                    "findings": [{"code": code, "severity": "error", "message": message, "fix": ""}],
                },
                indent=2,
            )
        )
    else:
        sys.stderr.write(f"{PROG}: error: {message}\n")
    return EXIT_ACCESS


def run(args: argparse.Namespace) -> int:
    from datetime import datetime

    from wizard import pulumi_api as api
    from wizard.values import InvalidValue, normalize_api_base, org_problem

    if args.warn_days < 0:
        return usage_error("--warn-days must be 0 or more.", as_json=args.json)
    problem = org_problem(args.org)
    if problem:
        return usage_error(problem, as_json=args.json)
    try:
        api_base = normalize_api_base(args.api_url)
    except InvalidValue as exc:
        return usage_error(str(exc), as_json=args.json)

    token = api.find_token(api_base)
    if token is None:
        finding = api.no_token_finding(api_base)
        return _emit(args, api_base, None, None, [finding], EXIT_ACCESS)

    async def fetch() -> tuple[api.ApiResult, dict[str, Any]]:
        async with api.PulumiClient(api_base, token) as client:
            result = await client.get_saml(args.org)
            extra = await _organisation(client, args.org) if result.ok and result.saml is not None else {}
            return result, extra

    result, extra = api.run_sync(fetch())
    if not result.ok or result.saml is None:
        return _emit(args, api_base, token, None, result.findings, EXIT_ACCESS)
    now = datetime.now(UTC)
    findings = [*result.findings, *api.status_findings(result.saml, now=now, warn_days=args.warn_days)]
    attention = any(f.severity in (Severity.ERROR, Severity.WARNING) for f in findings)
    return _emit(
        args, api_base, token, result.saml, findings, EXIT_ATTENTION if attention else EXIT_HEALTHY, now, extra
    )


async def _organisation(client: Any, org: str) -> dict[str, Any]:
    """The organisation's kind and features, its SAML admins and (with audit logs) its last
    SAML sign-ins: shown beside the SAML settings, never changing the exit code."""
    from datetime import datetime, timedelta

    from wizard import pulumi_org as po

    extra: dict[str, Any] = {"organization": None, "saml_admins": None, "sign_ins": None, "notes": []}
    info, problems = await po.org_info(client, org)
    extra["notes"] += [f.message for f in problems]
    if info is not None:
        extra["organization"] = info.to_dict()
    admins = await client.get_saml_admins(org)
    if admins.admins is not None:
        extra["saml_admins"] = [str(a.get("githubLogin") or a.get("name") or "") for a in admins.admins]
    else:
        extra["notes"] += [f.message for f in admins.findings]
    if info is not None and info.audit_logs:
        now = datetime.now(UTC)
        events, problems = await po.sign_ins(client, org, now - timedelta(days=30), now)
        extra["notes"] += [f.message for f in problems]
        if not problems:
            ok = next((e for e in events if e.ok), None)
            failed = next((e for e in events if not e.ok), None)
            extra["sign_ins"] = {
                "last_ok": ok.at.isoformat() if ok else None,
                "last_ok_user": ok.user if ok else None,
                "last_failed": failed.at.isoformat() if failed else None,
                "last_failed_description": failed.description if failed else None,
            }
    return extra


def _emit(
    args: argparse.Namespace,
    api_base: str,
    token: TokenSource | None,
    saml: SamlOrganization | None,
    findings: list[Finding],
    exit_code: int,
    now: datetime | None = None,
    extra: dict[str, Any] | None = None,
) -> int:
    from wizard import pulumi_api as api

    extra = extra or {}
    expiry = api.certificate_expiry(saml) if saml is not None else None
    left = api.days_left(expiry, now) if expiry is not None else None
    if args.json:
        out = {
            "org": args.org,
            "api_base": api_base,
            "token_source": token.source if token is not None else None,
            "ok": exit_code == EXIT_HEALTHY,
            "exit_code": exit_code,
            "saml": None
            if saml is None
            else {
                "entity_id": saml.entity_id,
                "sso_url": saml.sso_url,
                "name_id_format": saml.name_id_format,
                "valid_until": expiry.isoformat() if expiry else None,
                "days_left": left,
                "validation_error": saml.validation_error,
            },
            "organization": extra.get("organization"),
            "saml_admins": extra.get("saml_admins"),
            "sign_ins": extra.get("sign_ins"),
            "findings": [f.to_dict() for f in findings],
        }
        print(json.dumps(out, indent=2))
        return exit_code
    print(f"Pulumi organisation: {args.org}    API: {api_base}")
    if token is not None:
        print(f"Access token: from {token.source}")
    if saml is not None:
        rows = [
            ("IdP entity ID", saml.entity_id or "(empty)"),
            ("SSO URL", saml.sso_url or "(empty)"),
            ("NameID format", saml.name_id_format or "(empty)"),
            ("Certificate expires", api.format_time(expiry) + (f" ({left} days left)" if left is not None else "")),
            ("Validation error", saml.validation_error or "none"),
        ]
        organization = extra.get("organization")
        if organization:
            features = [
                name
                for name, on in (
                    ("SAML SSO", organization["samlSsoEnabled"]),
                    ("SCIM", organization["scimEnabled"]),
                    ("audit logs", organization["auditLogsEnabled"]),
                )
                if on
            ]
            rows.append(
                ("Organisation", f"{organization['kind'] or '?'}; your role: {organization['userRole'] or '?'}")
            )
            rows.append(("Features", ", ".join(features) or "none of SAML SSO, SCIM, audit logs"))
        if extra.get("saml_admins") is not None:
            rows.append(("SAML admins", ", ".join(extra["saml_admins"]) or "none"))
        sign_ins = extra.get("sign_ins")
        if sign_ins:
            rows.append(
                (
                    "Last sign-in",
                    f"{sign_ins['last_ok']} by {sign_ins['last_ok_user']}"
                    if sign_ins["last_ok"]
                    else "none in 30 days",
                )
            )
            if sign_ins["last_failed"]:
                rows.append(
                    ("Last failed sign-in", f"{sign_ins['last_failed']}: {sign_ins['last_failed_description']}")
                )
        width = max(len(k) for k, _ in rows)
        print()
        for key, value in rows:
            print(f"  {key:<{width}}  {value}")
    print()
    stream = sys.stdout if exit_code != EXIT_ACCESS else sys.stderr
    print_findings(findings, stream)
    for note in extra.get("notes", []):
        print(f"  (not shown: {note})", file=stream)
    return exit_code
