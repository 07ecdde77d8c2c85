"""The gate of each wizard step, as plain functions returning findings.

A screen gathers the admin's input, calls the step's check and shows each
finding beside the field it names; the step is done when no finding is an
error.  Every rule about what is acceptable lives here, not in ``screens/``.
"""

from __future__ import annotations

import re
from pathlib import Path

from wizard.files import FileKind, read_named_file
from wizard.findings import Finding, error, has_errors, ok, warning
from wizard.values import (
    api_base_problem,
    idp_sso_url,
    idp_url_value_problem,
    org_problem,
    OrgValues,
)

APP_KINDS = {
    "connector": "Pre-built Pulumi connector",
    "custom": "Custom SAML application",
}


def check_prerequisites(
    org: str, api_base: str, has_sso_package: bool, has_saml_edition: bool
) -> list[Finding]:
    findings: list[Finding] = []
    problem = org_problem(org)
    if problem:
        findings.append(error("step.org.invalid", problem, "", "org"))
    problem = api_base_problem(api_base)
    if problem:
        findings.append(error(
            "step.api_base.invalid", problem,
            "Leave the default https://api.pulumi.com unless you run self-hosted Pulumi Cloud.", "api_base",
        ))
    if not has_sso_package:
        findings.append(error(
            "step.prereq.sso_package",
            "Confirm that your JumpCloud organisation has the SSO Package (or the SSO add-on).",
            "Without it JumpCloud cannot create SSO applications; ask your JumpCloud account owner.",
            "has_sso_package",
        ))
    if not has_saml_edition:
        findings.append(error(
            "step.prereq.saml_edition",
            "Confirm that your Pulumi edition supports SAML SSO (a paid edition; SCIM needs Enterprise).",
            "See Settings > Billing in Pulumi Cloud.",
            "has_saml_edition",
        ))
    return findings or [ok("step.ok", "Prerequisites confirmed.")]


def check_create_app(app_kind: str, idp_url_value: str, display_name: str, acknowledged: bool) -> list[Finding]:
    findings: list[Finding] = []
    if app_kind not in APP_KINDS:
        findings.append(error("step.app.kind", "Choose the pre-built connector or a custom application.", "", "app_kind"))
    problem = idp_url_value_problem(idp_url_value)
    if problem:
        findings.append(error(
            "step.app.idp_url_value", problem,
            "Type the value exactly as you entered it under Advanced Settings > IdP URL.", "idp_url_value",
        ))
    if not display_name.strip():
        findings.append(error(
            "step.app.display_name", "Enter the application's display name (what users see on the tile).",
            "For example: Pulumi.", "display_name",
        ))
    if not acknowledged and not problem:
        findings.append(error(
            "step.app.acknowledge",
            f"Confirm that the app is saved with IdP URL {idp_sso_url(idp_url_value)}: it can never be changed.",
            "If it is wrong, delete the application in JumpCloud and create it again.",
            "acknowledged",
        ))
    return findings or [ok("step.ok", "Application recorded.")]


def check_sso_tab(values: OrgValues, ticked: set[str] | list[str]) -> list[Finding]:
    missing = [row for row in values.sso_rows() if row.key not in set(ticked)]
    if missing:
        names = ", ".join(row.label for row in missing)
        return [error(
            "step.sso_tab.unticked",
            f"Tick each row once it is entered in JumpCloud; not yet ticked: {names}.",
            "Copy each value into JumpCloud's SSO tab, then tick its row.",
            "rows",
        )]
    return [ok("step.ok", "All six SSO values entered.")]


_SPLIT_RE = re.compile(r"[,\n;]+")


def parse_groups(text: str) -> list[str]:
    """Group names from a comma-, semicolon- or line-separated list, in order, without duplicates."""
    seen: dict[str, None] = {}
    for part in _SPLIT_RE.split(text):
        name = part.strip()
        if name and name.casefold() not in {k.casefold() for k in seen}:
            seen[name] = None
    return list(seen)


def check_groups(groups: list[str]) -> list[Finding]:
    if not groups:
        return [error(
            "step.groups.none",
            "Record at least one JumpCloud user group bound to the application.",
            "In JumpCloud: the application > User Groups tab > tick the groups > Save. "
            "Users get nothing until a group is bound.",
            "groups",
        )]
    long = [g for g in groups if len(g) > 200]
    if long:
        return [error("step.groups.too_long", "A group name is longer than 200 characters.", "Check the list.", "groups")]
    return [ok("step.ok", f"{len(groups)} group(s) recorded.")]


def check_signin(idp_initiated_ok: bool, sp_initiated_ok: bool) -> list[Finding]:
    findings = []
    if not idp_initiated_ok:
        findings.append(error(
            "step.signin.idp",
            "Sign in from the Pulumi tile in the JumpCloud User Console, then tick it here.",
            "If it fails, open troubleshooting (ctrl+t) and paste the SAML response.",
            "idp_initiated_ok",
        ))
    if not sp_initiated_ok:
        findings.append(error(
            "step.signin.sp",
            "Sign in from Pulumi's SSO sign-in page with the organisation name, then tick it here.",
            "If it fails, open troubleshooting (ctrl+t) and paste the SAML response.",
            "sp_initiated_ok",
        ))
    return findings or [ok("step.ok", "Sign-in works both ways.")]


def check_scim_skip(reason: str) -> list[Finding]:
    if len(reason.strip()) < 3:
        return [error(
            "step.scim.reason",
            "Say why SCIM is skipped (it is kept in the setup record).",
            "For example: 'Pulumi edition has no SCIM' or 'provisioning later'.",
            "skip_reason",
        )]
    return [ok("step.ok", "SCIM skipped.")]


# A probe that reached the server and was told "no" is definitive: the admin
# cannot overrule it by hand.  A probe that could not reach it can be.
_SCIM_DEFINITIVE = {
    "scim.unauthorized", "scim.forbidden", "scim.not_found", "scim.bad_request",
    "scim.not_scim", "scim.redirect", "scim.invalid_url", "scim.bad_token",
}


def check_scim_step(probe_codes: list[str] | None, probe_ok: bool, confirmed: bool) -> list[Finding]:
    """The SCIM gate when not skipped: a passing live check, or the admin's word
    when the check could not reach the endpoint from this machine."""
    if probe_ok:
        return [ok("step.ok", "SCIM token checked against the live endpoint.")]
    definitive = sorted(set(probe_codes or []) & _SCIM_DEFINITIVE)
    if definitive:
        return [error(
            "step.scim.failed",
            "The last check says the token or base URL is wrong (see above); fix it and check again, "
            "or skip SCIM with a reason.",
            "", "scim_token",
        )]
    if not confirmed:
        return [error(
            "step.scim.confirm",
            "Check the token (paste it, then Check), or, if this machine cannot reach the endpoint, "
            "confirm that JumpCloud's Test Connection passed; or skip SCIM with a reason.",
            "", "scim_confirmed",
        )]
    return [ok("step.ok", "SCIM configured (confirmed by the admin, not verified).")]


def check_record_path(path_text: str) -> list[Finding]:
    if not path_text.strip():
        return [error("step.record.path", "Choose where to write the setup record.", "For example: ./pulumi-sso-setup.md", "record_path")]
    path = Path(path_text).expanduser()
    if path.is_dir():
        return [error("step.record.path", f"{path} is a folder; name a file in it.", f"For example: {path / 'pulumi-sso-setup.md'}", "record_path")]
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        return [error("step.record.path", f"The folder {parent} does not exist.", "Create it first or pick another folder.", "record_path")]
    if path.exists():
        return [warning("step.record.exists", f"{path} exists and will be replaced.", "", "record_path")]
    return [ok("step.ok", "Ready to write.")]


# -- step 5: metadata -------------------------------------------------------

METADATA_CAP = 1024 * 1024


def export_search_folders() -> list[Path]:
    """Where a browser puts JumpCloud's export: the Downloads folder, then the current folder."""
    from platformdirs import user_downloads_path

    folders: list[Path] = []
    try:
        folders.append(user_downloads_path())
    except Exception:  # platformdirs can fail on odd systems; the current folder still works
        pass
    folders.append(Path.cwd())
    unique: list[Path] = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique


METADATA_FILE = FileKind(
    prefix="metadata.file",
    field="metadata_path",
    ask="Enter the path of the exported metadata file.",
    none_fix="JumpCloud's Export Metadata downloads JumpCloud-<name>-metadata.xml.",
    missing_fix="Check the path, or export the metadata from JumpCloud again.",
)


def load_metadata_file(path_text: str, *, cap: int = METADATA_CAP) -> tuple[bytes | None, list[Finding]]:
    """Read a metadata file the admin named, or say precisely why it cannot be read.
    Over the cap, ``cap + 1`` bytes come back and the parser reports ``xml.too_large``."""
    return read_named_file(path_text, METADATA_FILE, cap=cap)


def summarize_metadata(metadata, source: str) -> dict[str, str]:
    """The facts about the loaded metadata kept in the state and the setup record."""
    cert = metadata.signing_certificate
    summary = {
        "source": source,
        "entity_id": metadata.entity_id or "",
        "sso_url": metadata.sso_url or "",
        "nameid_format": ", ".join(metadata.nameid_formats),
    }
    if cert is not None:
        summary.update(
            cert_subject=cert.subject,
            cert_sha256=cert.sha256_fingerprint,
            cert_not_after=cert.not_after.strftime("%Y-%m-%d %H:%M UTC"),
        )
    return summary


def metadata_replaced(old_summary: dict[str, str], new_summary: dict[str, str]) -> bool:
    """True when newly accepted metadata carries another certificate or SSO URL than the one
    accepted before: whatever was loaded into or verified in Pulumi is then out of date."""
    if not old_summary:
        return False
    keys = ("cert_sha256", "sso_url", "entity_id")
    return any(old_summary.get(k, "") != new_summary.get(k, "") for k in keys)


def check_metadata_gate(report, acknowledged_warnings: bool) -> list[Finding]:
    """The export step's gate: the metadata findings, plus an acknowledgement for warnings."""
    if report is None:
        return [error("metadata.none", "Load the exported metadata: use the file found, type a path, or paste the XML.",
                      "In JumpCloud: the application's SSO tab > Export Metadata.", "source")]
    findings = list(report.findings)
    warnings = [f for f in findings if f.severity.value == "warning"]
    if warnings and not has_errors(findings) and not acknowledged_warnings:
        findings.append(error("metadata.warnings.unacknowledged",
                              "Read the warnings above and tick that you have.", "", "ack_warnings"))
    return findings


# -- step 7 ------------------------------------------------------------------

JUMPCLOUD_USER_CONSOLE = "https://console.jumpcloud.com/userconsole"
