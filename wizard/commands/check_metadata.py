"""``check-metadata PATH|- [--idp-url-value VALUE] [--at ISO-8601] [--json]``.

Checks an IdP metadata file (JumpCloud's export) the way Pulumi will when it is
pasted.  Exit code 0 when no finding is an error, 1 when any is, 2 for a usage
error (bad option, missing or unreadable file).  No Textual import; lxml and
cryptography are imported inside ``run``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from wizard.clock import parse_utc
from wizard.values import idp_url_value_problem

if TYPE_CHECKING:
    from wizard.metadata import MetadataReport

PROG = "jumpcloud-pulumi-sso check-metadata"
# Read at most this much: anything larger is refused by the check without being read.
_READ_CAP = 1024 * 1024 + 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        metavar="PATH",
        help="the metadata file (JumpCloud-<app>-metadata.xml), or - to read it from standard input",
    )
    parser.add_argument(
        "--idp-url-value",
        metavar="VALUE",
        help="the IdP URL value chosen in JumpCloud (the part after https://sso.jumpcloud.com/saml2/); "
        "when given, the SSO URL must match it",
    )
    parser.add_argument(
        "--at",
        metavar="ISO-8601",
        help="check dates as of this moment instead of now (e.g. 2027-01-15 or 2027-01-15T09:00:00Z; "
        "no zone means UTC)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object: {"findings": [{"code", "severity", "message", "fix"}...], "metadata": {...}}',
    )


def _usage_error(message: str) -> int:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    return 2


def parse_at(text: str) -> datetime | None:
    """``--at`` as an aware UTC datetime, or None when it is not ISO-8601."""
    try:
        return parse_utc(text)
    except ValueError:
        return None


def _read(path: str) -> tuple[bytes | None, str | None]:
    if path == "-":
        try:
            return sys.stdin.buffer.read(_READ_CAP), None
        except OSError as exc:
            return None, f"cannot read standard input: {exc.strerror or exc}"
    try:
        with open(path, "rb") as handle:
            return handle.read(_READ_CAP), None
    except FileNotFoundError:
        return None, f"no such file: {path}"
    except IsADirectoryError:
        return None, f"{path} is a folder; name the metadata .xml file inside it"
    except PermissionError:
        return None, f"cannot read {path}: permission denied"
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror or exc}"


def _print_human(report: MetadataReport, source: str) -> None:
    from wizard.metadata import show

    errors = sum(1 for f in report.findings if f.is_error)
    warnings = sum(1 for f in report.findings if f.severity.value == "warning")
    if errors:
        verdict = f"NOT ready for Pulumi: {errors} error{'s' if errors != 1 else ''}"
    else:
        verdict = "ready for Pulumi"
    if warnings:
        verdict += f", {warnings} warning{'s' if warnings != 1 else ''}"
    print(f"{show(source, 200)}: {verdict}")
    md = report.metadata
    if md is not None:
        rows = [
            ("IdP entity ID", show(md.entity_id) if md.entity_id else "(none)"),
            ("SSO URL", show(md.sso_url) if md.sso_url else "(none)"),
            ("NameID format", ", ".join(show(f) for f in md.nameid_formats) or "(none)"),
        ]
        cert = md.signing_certificate
        if cert is not None:
            key = f"{cert.key_type} {cert.key_size}" if cert.key_size else cert.key_type
            rows += [
                ("Certificate", show(cert.subject, 200)),
                ("  valid", f"{cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d %H:%M} UTC ({key})"),
                ("  SHA-256", cert.sha256_fingerprint),
            ]
        else:
            rows.append(("Certificate", "(none readable)"))
        if md.valid_until is not None:
            rows.append(("validUntil", f"{md.valid_until:%Y-%m-%d %H:%M} UTC"))
        print()
        for label, value in rows:
            print(f"  {label:<14} {value}")
    print()
    for finding in report.findings:
        print(f"{finding.severity.value.upper():<8}{finding.code}")
        print(f"        {finding.message}")
        if finding.fix:
            print(f"        fix: {finding.fix}")


def run(args: argparse.Namespace) -> int:
    now = None
    if args.at is not None:
        now = parse_at(args.at)
        if now is None:
            return _usage_error(
                f"--at {args.at!r} is not an ISO-8601 date or date and time (e.g. 2027-01-15T09:00:00Z)"
            )
    if args.idp_url_value is not None:
        problem = idp_url_value_problem(args.idp_url_value)
        if problem:
            return _usage_error(f"--idp-url-value: {problem}")
    data, problem = _read(args.path)
    if data is None:
        return _usage_error(problem or f"cannot read {args.path}")

    from wizard.metadata import check_metadata  # lxml and cryptography load here

    report = check_metadata(data, idp_url_value=args.idp_url_value, now=now)
    if hasattr(sys.stdout, "reconfigure"):
        # A value from the document must not crash an ASCII-only terminal.
        sys.stdout.reconfigure(errors="replace")
    if args.json:
        import json

        print(json.dumps(report.to_dict(), indent=2))
    else:
        _print_human(report, "standard input" if args.path == "-" else args.path)
    return 0 if report.ok else 1
