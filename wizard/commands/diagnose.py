"""``diagnose [PATH|-] --org ORG [--api-url URL] [--metadata FILE] [--at ISO-8601] [--json]``.

Reads a SAML response (raw XML, base64, URL-encoded, a form body, DEFLATE, or a
SAML-tracer export) and prints what Pulumi would reject and how to fix it.
Exit code 0 when no error finding, 1 when any, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from wizard.commands import add_api_url_argument, add_org_argument

if TYPE_CHECKING:  # imported when a command runs, so that --help stays light
    from wizard.response import Diagnosis, ExpectedIdp

PROG = "jumpcloud-pulumi-sso diagnose"
MAX_INPUT = 8 * 1024 * 1024  # bytes read at most; the decoder applies the real cap


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        default="-",
        metavar="PATH|-",
        help="file holding the response or SAML-tracer export ('-' or nothing: standard input)",
    )
    add_org_argument(parser)
    add_api_url_argument(parser)
    parser.add_argument(
        "--metadata",
        metavar="FILE",
        help="the metadata exported from JumpCloud: the signature is checked against its certificate",
    )
    parser.add_argument(
        "--at",
        metavar="ISO-8601",
        help="check the times as of this moment (e.g. when the response was captured), default now",
    )
    parser.add_argument(
        "--json", action="store_true", help='print one JSON object {"findings": [...], "summary": {...}}'
    )


def _usage(message: str) -> int:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    return 2


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read(MAX_INPUT + 1)
    with open(path, "rb") as handle:
        return handle.read(MAX_INPUT + 1)


def _expected_idp(path: str, now: datetime | None) -> tuple[ExpectedIdp | None, str | None]:
    """(ExpectedIdp, None) or (None, error message)."""
    from wizard.metadata import check_metadata
    from wizard.response import expected_idp_from_metadata

    try:
        data = _read(path)
    except OSError as exc:
        return None, f"cannot read the metadata file {path!r}: {exc.strerror or exc}"
    report = check_metadata(data, now=now)
    if report.metadata is None:
        errors = [f.message for f in report.findings if f.is_error]
        return None, "the metadata file is not usable: " + (errors[0] if errors else "unreadable")
    return expected_idp_from_metadata(report.metadata), None


def run(args: argparse.Namespace) -> int:
    from wizard.response import diagnose
    from wizard.values import InvalidValue, org_values

    try:
        org_values(args.org, args.api_url)
    except InvalidValue as exc:
        return _usage(str(exc))
    now: datetime | None = None
    if args.at:
        try:
            from wizard.clock import parse_utc

            now = parse_utc(args.at)
        except ValueError:
            return _usage(f"--at {args.at!r} is not an ISO 8601 date and time (e.g. 2026-01-31T12:00:00Z)")
    idp = None
    if args.metadata:
        idp, problem = _expected_idp(args.metadata, now)
        if problem:
            return _usage(problem)
    try:
        data = _read(args.path)
    except OSError as exc:
        return _usage(f"cannot read {args.path!r}: {exc.strerror or exc}")
    result = diagnose(data, org=args.org, api_base=args.api_url, idp=idp, now=now)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        _print_human(result, has_metadata=idp is not None)
    return 1 if not result.ok else 0


def _print_human(result: Diagnosis, *, has_metadata: bool) -> None:
    marks = {"error": "ERROR", "warning": "WARN ", "info": "INFO ", "ok": "OK   "}
    print(f"SAML response ({result.encoding})")
    for finding in result.findings:
        print(f"  {marks.get(finding.severity.value, '?')} {finding.code}: {finding.message}")
        if finding.fix and finding.severity.value != "ok":
            print(f"        fix: {finding.fix}")
    from wizard.troubleshoot import SUMMARY_LABELS  # the screen's labels, so both read alike

    rows = [(label, result.summary[key]) for key, label in SUMMARY_LABELS.items() if result.summary.get(key)]
    if rows:
        print()
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            print(f"  {label:<{width}}  {value}")
    if not has_metadata:
        print()
        print("  (give --metadata FILE, the metadata exported from JumpCloud, to check the signature)")
