"""``rotate --org ORG METADATA_FILE [--api-url URL] [--yes] [--json]``: load a new
JumpCloud certificate into Pulumi.

The new export is checked first, on its own and before any request (metadata checks
must pass: a file that is empty, not XML or has an expired certificate is refused
even when Pulumi cannot be reached), then against Pulumi (its SSO URL must be the one
Pulumi uses), the old-vs-new difference is shown, an explicit confirmation is asked
(``--yes`` for scripts; without a terminal and without ``--yes`` nothing is changed),
then ``PATCH /api/orgs/{org}/saml`` and a fresh ``GET`` proving the new certificate is live.

Exit codes: 0 rotated (and proven live); 1 the new file failed its checks, the
admin declined, Pulumi refused it, or it is not live; 2 usage or access errors;
3 nothing to rotate: the file has the certificate Pulumi already uses, and nothing
was sent.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from wizard.codes import finding
from wizard.commands import add_api_url_argument, add_org_argument
from wizard.commands.status import EXIT_ACCESS, print_findings
from wizard.files import decode_text
from wizard.findings import Finding

PROG = "jumpcloud-pulumi-sso rotate"
EXIT_DONE, EXIT_FAILED, EXIT_UNCHANGED = 0, 1, 3
MAX_FILE = 2 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("metadata_file", metavar="METADATA_FILE", help="the metadata XML exported from JumpCloud")
    add_org_argument(parser)
    add_api_url_argument(parser)
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation (for scripts)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    from wizard.rotation import JUMPCLOUD_STEPS

    steps = "\n".join(
        textwrap.fill(f"{i}. {step}", 88, subsequent_indent="   ") for i, step in enumerate(JUMPCLOUD_STEPS, 1)
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        f"Before running it, in JumpCloud:\n{steps}\n\n"
        "The access token comes from PULUMI_ACCESS_TOKEN or the Pulumi CLI's login\n"
        "(~/.pulumi/credentials.json); it is never an argument.\n"
        "The file is checked on its own before Pulumi is contacted.\n"
        "Exit codes: 0 rotated and live, 1 refused or not confirmed, 2 usage or access error,\n"
        "3 nothing to rotate (Pulumi already has this certificate; nothing was sent)."
    )


class _Out:
    """Human text to stdout, or (with --json) to stderr so stdout stays one JSON object."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.stream = sys.stderr if as_json else sys.stdout

    def __call__(self, text: str = "") -> None:
        print(text, file=self.stream)


def _finish(
    args: argparse.Namespace, out: _Out, code: int, findings: list[Finding], *, shown: int = 0, **extra: Any
) -> int:
    if args.json:
        body = {
            "org": args.org,
            "ok": code == EXIT_DONE,
            "exit_code": code,
            **extra,
            "findings": [f.to_dict() for f in findings],
        }
        print(json.dumps(body, indent=2))
    elif findings[shown:]:
        out()
        print_findings(findings[shown:], sys.stdout if code != EXIT_ACCESS else sys.stderr)
    return code


def _confirm(out: _Out, org: str) -> bool | None:
    """True/False from the admin; None when nobody can be asked (no terminal)."""
    if not sys.stdin or not sys.stdin.isatty():
        return None
    out()
    prompt = f"Replace the metadata Pulumi uses for '{org}' with this file? Type 'yes' to continue: "
    try:
        print(prompt, end="", file=out.stream, flush=True)
        answer = sys.stdin.readline()
    except (EOFError, OSError):
        return False
    return answer.strip().lower() == "yes"


def _jumpcloud_steps_if_stale(out: _Out, findings: list[Finding]) -> None:
    """JumpCloud's regeneration steps, when the file looks like one exported before them."""
    from wizard.rotation import JUMPCLOUD_STEPS

    stale = {"rotate.same_certificate", "rotate.older_certificate", "rotate.metadata_invalid"}
    if any(f.code in stale for f in findings):
        out()
        out("If you have not regenerated the certificate yet, in JumpCloud:")
        for i, step in enumerate(JUMPCLOUD_STEPS, 1):
            out(f"  {i}. {step}")


def run(args: argparse.Namespace) -> int:
    from wizard import pulumi_api as api
    from wizard.findings import error
    from wizard.metadata import check_metadata
    from wizard.rotation import apply_rotation, plan_rotation, precheck_rotation, unchanged_finding
    from wizard.values import InvalidValue, normalize_api_base, org_problem

    out = _Out(args.json)

    def usage(message: str, code: str = "usage") -> int:
        return _finish(args, out, EXIT_ACCESS, [error(code, message)])

    problem = org_problem(args.org)
    if problem:
        return usage(problem, "pulumi.bad_org")
    try:
        api_base = normalize_api_base(args.api_url)
    except InvalidValue as exc:
        return usage(str(exc), "pulumi.bad_url")
    path = Path(args.metadata_file)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE + 1)
    except FileNotFoundError:
        return usage(f"{path} does not exist: give the metadata file exported from JumpCloud.", "rotate.no_file")
    except IsADirectoryError:
        return usage(f"{path} is a folder: give the metadata file exported from JumpCloud.", "rotate.no_file")
    except OSError as exc:
        return usage(f"{path} cannot be read: {exc.strerror or exc}.", "rotate.no_file")
    if len(data) > MAX_FILE:
        return usage(
            f"{path} is larger than {MAX_FILE // (1024 * 1024)} MB; metadata is a few kilobytes.", "rotate.no_file"
        )

    out(f"Pulumi organisation: {args.org}    API: {api_base}")
    out(f"New metadata: {path}")
    # the file on its own first, before the token and any request: an empty, non-XML or
    # expired export is reported as such even when Pulumi cannot be reached
    report = check_metadata(data)
    text = decode_text(data) if report.metadata is not None else None
    refused = precheck_rotation(report, new_xml=text)
    if refused is not None:
        _jumpcloud_steps_if_stale(out, refused.findings)
        return _finish(args, out, EXIT_FAILED, refused.findings, diff=[])

    token = api.find_token(api_base)
    if token is None:
        return _finish(args, out, EXIT_ACCESS, [api.no_token_finding(api_base)])
    out(f"Access token: from {token.source}")

    async def current() -> api.ApiResult:
        async with api.PulumiClient(api_base, token) as client:
            return await client.get_saml(args.org)

    got = api.run_sync(current())
    if not got.ok or got.saml is None:
        return _finish(args, out, EXIT_ACCESS, got.findings)

    plan = plan_rotation(got.saml, report, new_xml=text)
    diff = [{"label": r.label, "old": r.old, "new": r.new, "changed": r.changed} for r in plan.rows]
    if plan.rows:
        width = max(len(r.label) for r in plan.rows)
        out()
        out("What changes in Pulumi (* = different):")
        for row in plan.rows:
            if row.changed:
                out(f"* {row.label:<{width}}  now: {row.old or '-'}")
                out(f"  {'':<{width}}  new: {row.new or '-'}")
            else:
                out(f"  {row.label:<{width}}  {row.new or '-'}  (unchanged)")
    _jumpcloud_steps_if_stale(out, plan.findings)
    if plan.unchanged and not any(f.is_error for f in plan.findings):
        return _finish(args, out, EXIT_UNCHANGED, [*plan.findings, unchanged_finding(plan)], diff=diff, changed=False)
    if not plan.ok:
        return _finish(args, out, EXIT_FAILED, plan.findings, diff=diff)
    out()
    print_findings(plan.findings, out.stream)

    if not args.yes:
        answer = _confirm(out, args.org)
        if answer is None:
            return _finish(
                args,
                out,
                EXIT_ACCESS,
                [
                    *plan.findings,
                    finding(
                        "rotate.needs_confirmation",
                        "Nothing was changed: there is no terminal to confirm the rotation.",
                        "Run it in a terminal, or add --yes in a script once you have checked the difference above.",
                    ),
                ],
                diff=diff,
                shown=len(plan.findings),
            )
        if not answer:
            return _finish(
                args,
                out,
                EXIT_FAILED,
                [
                    *plan.findings,
                    finding("rotate.declined", "Nothing was changed: the rotation was not confirmed.", ""),
                ],
                diff=diff,
                shown=len(plan.findings),
            )

    async def apply() -> api.ApiResult:
        async with api.PulumiClient(api_base, token) as client:
            return await apply_rotation(client, args.org, plan)

    result = api.run_sync(apply())
    code = EXIT_DONE if result.ok and any(f.code == "rotate.live" for f in result.findings) else EXIT_FAILED
    if any(f.code in _ACCESS_CODES for f in result.findings):
        code = EXIT_ACCESS
    return _finish(
        args,
        out,
        code,
        [*plan.findings, *result.findings],
        diff=diff,
        new_fingerprint=plan.new_fingerprint,
        shown=len(plan.findings),
    )


_ACCESS_CODES = frozenset(
    {
        "pulumi.unauthorized",
        "pulumi.forbidden",
        "pulumi.not_found",
        "pulumi.timeout",
        "pulumi.dns",
        "pulumi.refused",
        "pulumi.tls",
        "pulumi.network",
        "pulumi.rate_limited",
        "pulumi.server_error",
        "pulumi.unexpected",
    }
)
