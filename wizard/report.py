"""The setup record: a Markdown file the admin keeps.  Never holds a secret."""

from __future__ import annotations

import errno
from datetime import UTC, datetime
from pathlib import Path

from wizard import __version__
from wizard.atomic import write_atomic
from wizard.files import named_path
from wizard.state import STEP_ORDER, StepId, StepStatus, WizardState
from wizard.steps import APP_KINDS, STEPS
from wizard.values import OrgValues, idp_sso_url


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _evidence(state: WizardState, step: StepId) -> str:
    """The step's state in words with its mark: never "done" for the admin's word."""
    status = state.status(step)
    return f"{status.glyph} {status.words}"


def _metadata_facts(state: WizardState) -> dict[str, str]:
    """The exported metadata's facts: as accepted at the export step, or read again from
    the saved XML when the state holds the XML but not the facts."""
    if state.metadata_summary.get("cert_sha256") or not state.metadata_xml.strip():
        return state.metadata_summary
    from wizard.metadata import check_metadata
    from wizard.steps import summarize_metadata

    report = check_metadata(state.metadata_xml)
    if report.metadata is None:
        return state.metadata_summary
    return summarize_metadata(report.metadata, state.metadata_path or "pasted XML")


def evidence_counts(state: WizardState) -> str:
    """How the setup steps (1 to 8) stand, in a line: "1 verified, 6 confirmed by you, 1 skipped".

    The summary step is left out: writing the record is not a check of the setup."""
    words = {StepStatus.WARNINGS: "verified (with warnings)", StepStatus.CONFIRMED: "confirmed by you"}
    statuses = [state.status(step) for step in STEP_ORDER if step is not StepId.SUMMARY]
    return ", ".join(
        f"{statuses.count(status)} {words.get(status, status.words)}" for status in StepStatus if status in statuses
    )


def build_record(state: WizardState, *, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    values = OrgValues(state.org, state.api_base)
    meta = _metadata_facts(state)
    lines = [
        f"# Pulumi SAML SSO with JumpCloud: setup record for `{state.org}`",
        "",
        f"Written {now.strftime('%Y-%m-%d %H:%M UTC')} by jumpcloud-pulumi-sso {__version__}.",
        "",
        "## Steps",
        "",
        "Verified: a check against the file, JumpCloud's API, Pulumi's API or the SCIM endpoint passed. "
        "Confirmed: the admin's word, not checked by the wizard. Each section below says which "
        "step stands behind it.",
        "",
        "| Step | Evidence | How it was established |",
        "| --- | --- | --- |",
    ]
    for step in STEP_ORDER:
        if step is StepId.SUMMARY:  # this record is the summary
            continue
        record = state.record(step)
        lines.append(f"| {STEPS[step].title} | {_evidence(state, step)} | {_md(record.note) or '-'} |")
    lines += [
        "",
        "## Pulumi organisation",
        "",
        f"- Organisation: `{state.org}`",
        f"- API base: {values.api_base}" + (" (self-hosted)" if values.self_hosted else ""),
        "",
        "## JumpCloud application",
        "",
        f"- Created in JumpCloud: {_evidence(state, StepId.CREATE_APP)}",
        f"- Kind: {APP_KINDS.get(state.app_kind, state.app_kind)}",
        f"- Display name: {_md(state.display_name)}",
        f"- IdP URL value: `{state.idp_url_value}` ({idp_sso_url(state.idp_url_value)}; cannot be changed)",
        "",
        "### SSO tab",
        "",
        f"Entered in JumpCloud: {_evidence(state, StepId.SSO_TAB)}",
        "",
        "| Field | Value |",
        "| --- | --- |",
    ]
    for row in values.sso_rows():
        lines.append(f"| {row.label} | `{row.value}` |")
    if state.idp_entity_id:
        lines.append(f"| IdP Entity ID | `{_md(state.idp_entity_id)}` |")
    lines += [
        "",
        "### User groups bound to the application",
        "",
        f"Bound in JumpCloud: {_evidence(state, StepId.GROUPS)}",
        "",
    ]
    lines += [f"- {_md(g)}" for g in state.groups] or ["- (none recorded)"]
    lines += [
        "",
        "## Metadata exported from JumpCloud",
        "",
        f"- Checked: {_evidence(state, StepId.METADATA)}",
        f"- Loaded into Pulumi: {_evidence(state, StepId.PULUMI)} (see Steps)",
        f"- Source: {_md(meta.get('source', state.metadata_path or 'pasted'))}",
        f"- IdP entity ID: `{_md(meta.get('entity_id', ''))}`",
        f"- SSO URL: {meta.get('sso_url', '')}",
        f"- NameID format: `{meta.get('nameid_format', '')}`",
        f"- Signing certificate subject: {_md(meta.get('cert_subject', ''))}",
        f"- Certificate SHA-256 fingerprint: `{meta.get('cert_sha256', '')}`",
        f"- Certificate expires: **{meta.get('cert_not_after', 'unknown')}**"
        " (regenerate it in JumpCloud and load the new metadata into Pulumi before then)",
    ]
    if state.metadata_warnings:
        lines += ["", "Warnings acknowledged at export:", ""]
        lines += [f"- {_md(w)}" for w in state.metadata_warnings]
    lines += [
        "",
        "## Sign-in",
        "",
        f"- Signed in: {_evidence(state, StepId.SIGNIN)}"
        + (f" ({_md(state.record(StepId.SIGNIN).note)})" if state.record(StepId.SIGNIN).note else ""),
        "- Where to sign in, IdP-initiated: the Pulumi tile in the JumpCloud User Console",
        f"- Where to sign in, SP-initiated: {values.sp_signin_url or 'the /signin/sso/ page of your Pulumi console'}"
        f" (organisation `{state.org}`)",
        "",
        "## SCIM provisioning",
        "",
    ]
    if state.scim_skipped:
        lines.append(f"- Skipped: {_md(state.scim_skip_reason)}")
    else:
        lines.append(f"- Set up: {_evidence(state, StepId.SCIM)}")
        lines.append(f"- Base URL: {state.scim_base_url or values.scim_base_url}")
        lines.append("- Token: never recorded here (nor anywhere else by the wizard).")
    lines.append("")
    return "\n".join(lines)


def write_record(state: WizardState, path: Path | str, *, now: datetime | None = None) -> Path:
    """Write the record atomically, readable by its owner only (0600: it names the
    organisation, its groups and its IdP); returns the absolute path written.

    A path that is a symbolic link, or anything but a regular file, is refused
    (``OSError``): writing through a link would replace the file it points to.
    """
    given = named_path(str(path))
    target = given.parent.resolve() / given.name  # the folder may be a link; the file itself may not
    if target.is_symlink():
        raise OSError(errno.ELOOP, "it is a symbolic link; name a plain file", str(target))
    if target.exists() and not target.is_file():
        raise OSError(errno.EINVAL, "it is not a regular file; name a plain file", str(target))
    text = build_record(state, now=now)
    write_atomic(target, text, mode=0o600)
    return target
