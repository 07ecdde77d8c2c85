"""The step model: every step of the wizard, its gate and what it rests on.

``STEPS`` is the one table naming each step: its title, guide, the screen that
shows it, how the screen's form goes into the state, the gate that decides whether
the step is complete (and with what evidence), the inputs it rests on, and the
confirmations cleared when one of those inputs changes.  ``wizard.flow`` runs the
table; the screens only gather a form and show findings.

The gates are plain functions returning findings; a finding names the field it is
about by meaning (``org``, ``api_base``, ``metadata_path``...), and each screen
shows it beside the widget it maps that meaning to.  Every rule about what is
acceptable lives here, not in ``screens/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.codes import finding
from wizard.files import FileKind, named_path, read_named_file
from wizard.findings import Finding, has_errors
from wizard.inert import inert
from wizard.state import STEP_ORDER, StepId, StepStatus, WizardState
from wizard.values import (
    DEFAULT_API_BASE,
    OrgValues,
    api_base_problem,
    idp_sso_url,
    idp_url_value_problem,
    idp_value_from_url,
    normalize_api_base,
    org_problem,
    recommended_idp_entity_id,
)

if TYPE_CHECKING:  # lxml and cryptography stay out of the import of this module
    from wizard.metadata import IdpMetadata, MetadataReport

Form = Mapping[str, Any]
"""What a step's screen holds: field values by meaning, plus the last result of any
check it ran (a metadata report, Pulumi's answer, the SCIM probe).  Never a token."""

APP_KINDS = {
    "connector": "Pre-built Pulumi connector",
    "custom": "Custom SAML application",
}


def check_prerequisites(org: str, api_base: str, has_sso_package: bool, has_saml_edition: bool) -> list[Finding]:
    findings: list[Finding] = []
    problem = org_problem(org)
    if problem:
        findings.append(finding("step.org.invalid", problem, "", "org"))
    problem = api_base_problem(api_base)
    if problem:
        findings.append(
            finding(
                "step.api_base.invalid",
                problem,
                "Leave the default https://api.pulumi.com unless you run self-hosted Pulumi Cloud.",
                "api_base",
            )
        )
    if not has_sso_package:
        findings.append(
            finding(
                "step.prereq.sso_package",
                "Confirm that your JumpCloud organisation has the SSO Package (or the SSO add-on).",
                "Without it JumpCloud cannot create SSO applications; ask your JumpCloud account owner.",
                "has_sso_package",
            )
        )
    if not has_saml_edition:
        findings.append(
            finding(
                "step.prereq.saml_edition",
                "Confirm that your Pulumi edition supports SAML SSO (a paid edition; SCIM needs Enterprise).",
                "See Settings > Billing in Pulumi Cloud.",
                "has_saml_edition",
            )
        )
    return findings or [finding("step.ok", "Prerequisites confirmed.")]


def check_create_app(app_kind: str, idp_url_value: str, display_name: str, acknowledged: bool) -> list[Finding]:
    findings: list[Finding] = []
    if app_kind not in APP_KINDS:
        findings.append(
            finding("step.app.kind", "Choose the pre-built connector or a custom application.", "", "app_kind")
        )
    problem = idp_url_value_problem(idp_url_value)
    if problem:
        findings.append(
            finding(
                "step.app.idp_url_value",
                problem,
                "Type the value exactly as you entered it under Advanced Settings > IdP URL.",
                "idp_url_value",
            )
        )
    if not display_name.strip():
        findings.append(
            finding(
                "step.app.display_name",
                "Enter the application's display name (what users see on the tile).",
                "For example: Pulumi Cloud.",
                "display_name",
            )
        )
    if not acknowledged and not problem:
        findings.append(
            finding(
                "step.app.acknowledge",
                f"Confirm that the app is saved with IdP URL {idp_sso_url(idp_url_value)}: it can never be changed.",
                "If it is wrong, delete the application in JumpCloud and create it again.",
                "acknowledged",
            )
        )
    return findings or [finding("step.ok", "Application recorded.")]


IDP_ENTITY_ROW = "idp_entity_id"  # JumpCloud's own field on the SSO tab: free text, not computed


def check_sso_tab(values: OrgValues, ticked: set[str] | list[str], idp_entity_id: str) -> list[Finding]:
    """Every row ticked, the IdP Entity ID's too, and a value in it (JumpCloud requires
    one; the export carries it as its entityID)."""
    findings: list[Finding] = []
    labels = [(row.key, row.label) for row in values.sso_rows()] + [(IDP_ENTITY_ROW, "IdP Entity ID")]
    if not idp_entity_id.strip():
        findings.append(
            finding(
                "step.sso_tab.idp_entity_id",
                "Enter the IdP Entity ID you put in JumpCloud's SSO tab: JumpCloud requires one, "
                "and the exported metadata carries it as its entity ID.",
                "Use the value suggested here (any text unique to this app works), enter it in "
                "JumpCloud's IdP Entity ID field, then tick its row.",
                IDP_ENTITY_ROW,
            )
        )
    missing = [label for key, label in labels if key not in set(ticked)]
    if missing:
        findings.append(
            finding(
                "step.sso_tab.unticked",
                f"Tick each row once it is entered in JumpCloud; not yet ticked: {', '.join(missing)}.",
                "Copy each value into JumpCloud's SSO tab, then tick its row.",
                "rows",
            )
        )
    return findings or [finding("step.ok", f"All {len(labels)} SSO tab values entered.")]


_SPLIT_RE = re.compile(r"[,\n;]+")


def parse_groups(text: str) -> list[str]:
    """Group names from a comma-, semicolon- or line-separated list, in order, without
    repeats.  Names differing only in case are kept: nothing says JumpCloud takes them for
    one group (``check_groups`` points them out)."""
    seen: dict[str, None] = {}
    for part in _SPLIT_RE.split(text):
        name = part.strip()
        if name:
            seen[name] = None
    return list(seen)


def check_groups(groups: list[str]) -> list[Finding]:
    if not groups:
        return [
            finding(
                "step.groups.none",
                "Record at least one JumpCloud user group bound to the application.",
                "In JumpCloud: the application > User Groups tab > tick the groups > Save. "
                "Users get nothing until a group is bound.",
                "groups",
            )
        ]
    by_case: dict[str, list[str]] = {}
    for name in groups:
        by_case.setdefault(name.casefold(), []).append(name)
    alike = [names for names in by_case.values() if len(names) > 1]
    notes = [
        finding(
            "step.groups.case_only",
            " and ".join(f"'{n}'" for n in names) + " differ only in case: both are recorded, as written.",
            "Keep both only if JumpCloud has both groups; otherwise remove the one that is not its name.",
            "groups",
        )
        for names in alike
    ]
    long = [g for g in groups if len(g) > 200]
    if long:
        return [
            finding("step.groups.too_long", "A group name is longer than 200 characters.", "Check the list.", "groups"),
            *notes,
        ]
    return [*notes, finding("step.ok", f"{len(groups)} group(s) recorded.")]


def check_signin(idp_initiated_ok: bool, sp_initiated_ok: bool) -> list[Finding]:
    findings = []
    if not idp_initiated_ok:
        findings.append(
            finding(
                "step.signin.idp",
                "Sign in from the Pulumi tile in the JumpCloud User Console, then tick it here.",
                "If it fails, open troubleshooting (ctrl+t) and paste the SAML response.",
                "idp_initiated_ok",
            )
        )
    if not sp_initiated_ok:
        findings.append(
            finding(
                "step.signin.sp",
                "Sign in from Pulumi's SSO sign-in page with the organisation name, then tick it here.",
                "If it fails, open troubleshooting (ctrl+t) and paste the SAML response.",
                "sp_initiated_ok",
            )
        )
    return findings or [finding("step.ok", "Sign-in works both ways.")]


def check_scim_skip(reason: str) -> list[Finding]:
    if len(reason.strip()) < 3:
        return [
            finding(
                "step.scim.reason",
                "Say why SCIM is skipped (it is kept in the setup record).",
                "For example: 'Pulumi edition has no SCIM' or 'provisioning later'.",
                "skip_reason",
            )
        ]
    return [finding("step.ok", "SCIM skipped.")]


# A probe that reached the server and was told "no" is definitive: the admin
# cannot overrule it by hand.  A probe that could not reach it can be.
_SCIM_DEFINITIVE = {
    "scim.unauthorized",
    "scim.forbidden",
    "scim.not_found",
    "scim.bad_request",
    "scim.not_scim",
    "scim.redirect",
    "scim.invalid_url",
    "scim.bad_token",
}


def check_scim_step(probe_codes: list[str] | None, probe_ok: bool, confirmed: bool) -> list[Finding]:
    """The SCIM gate when not skipped: a passing live check, or the admin's word
    when the check could not reach the endpoint from this machine."""
    if probe_ok:
        return [finding("step.ok", "SCIM token checked against the live endpoint.")]
    definitive = sorted(set(probe_codes or []) & _SCIM_DEFINITIVE)
    if definitive:
        return [
            finding(
                "step.scim.failed",
                "The last check says the token or base URL is wrong (see above); fix it and check again, "
                "or skip SCIM with a reason.",
                "",
                "scim_token",
            )
        ]
    if not confirmed:
        return [
            finding(
                "step.scim.confirm",
                "Check the token (paste it, then Check), or, if this machine cannot reach the endpoint, "
                "confirm that JumpCloud's Test Connection passed; or skip SCIM with a reason.",
                "",
                "scim_confirmed",
            )
        ]
    return [finding("step.ok", "SCIM configured (confirmed by the admin, not verified).")]


def record_file_name(org: str) -> str:
    """The setup record's file name unless the admin names another: pulumi-sso-<org>.md."""
    return f"pulumi-sso-{org or 'setup'}.md"


def record_target(path_text: str, org: str) -> str:
    """Where the record goes for what the admin entered: a folder that exists means the
    record's usual file name in it (a folder alone was refused: 'name a file in it')."""
    try:
        folder = named_path(path_text) if path_text.strip() else None
        if folder is not None and folder.is_dir() and not folder.is_symlink():
            return str(folder / record_file_name(org))
    except (OSError, ValueError):
        pass  # check_record_path says what is wrong with it
    return path_text


def check_record_path(path_text: str) -> list[Finding]:
    if not path_text.strip():
        return [
            finding(
                "step.record.path",
                "Choose where to write the setup record.",
                "For example: ./pulumi-sso-setup.md",
                "record_path",
            )
        ]
    path = named_path(path_text)
    if path.is_symlink():
        return [
            finding(
                "step.record.path",
                f"{path} is a symbolic link; the record is never written through a link, "
                "which would replace the file it points to.",
                "Name a plain file, for example: ./pulumi-sso-setup.md",
                "record_path",
            )
        ]
    if path.exists() and not path.is_dir() and not path.is_file():
        return [
            finding(
                "step.record.path",
                f"{path} is not a regular file (a device, a pipe or a socket).",
                "Name a plain file, for example: ./pulumi-sso-setup.md",
                "record_path",
            )
        ]
    if path.is_dir():
        return [
            finding(
                "step.record.path",
                f"{path} is a folder; name a file in it.",
                f"For example: {path / 'pulumi-sso-setup.md'}",
                "record_path",
            )
        ]
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        return [
            finding(
                "step.record.path",
                f"The folder {parent} does not exist.",
                "Create it first or pick another folder.",
                "record_path",
            )
        ]
    if path.exists():
        return [finding("step.record.exists", f"{path} exists and will be replaced.", "", "record_path")]
    return [finding("step.ok", "Ready to write.")]


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


def summarize_metadata(metadata: IdpMetadata, source: str) -> dict[str, str]:
    """The facts about the loaded metadata kept in the state and the setup record, inert
    (``wizard.inert``): they came from the file and are shown and written as they are."""
    cert = metadata.signing_certificate
    summary = {
        "source": inert(source),
        "entity_id": inert(metadata.entity_id or ""),
        "sso_url": inert(metadata.sso_url or ""),
        "nameid_format": inert(", ".join(metadata.nameid_formats)),
    }
    if cert is not None:
        summary.update(
            cert_subject=inert(cert.subject),
            cert_sha256=cert.sha256_fingerprint,
            cert_not_after=cert.not_after.strftime("%Y-%m-%d %H:%M UTC"),
        )
    return summary


def check_metadata_gate(report: MetadataReport | None, acknowledged_warnings: bool) -> list[Finding]:
    """The export step's gate: the metadata findings, plus an acknowledgement for warnings."""
    if report is None:
        return [
            finding(
                "metadata.none",
                "Load the exported metadata: type its path (or use a file the wizard found), or paste the XML.",
                "In JumpCloud: the application's SSO tab > Export Metadata.",
                "source",
            )
        ]
    findings = list(report.findings)
    warnings = [f for f in findings if f.severity.value == "warning"]
    if warnings and not has_errors(findings) and not acknowledged_warnings:
        findings.append(
            finding(
                "metadata.warnings.unacknowledged",
                "Read the warnings above and tick that you have.",
                "",
                "ack_warnings",
            )
        )
    return findings


# -- step 7 ------------------------------------------------------------------

JUMPCLOUD_USER_CONSOLE = "https://console.jumpcloud.com/userconsole"


# ===========================================================================
# The step model
# ===========================================================================


def org_values_of(state: WizardState) -> OrgValues:
    """The values built from the state's org and API base (a placeholder org while none is set)."""
    try:
        api = normalize_api_base(state.api_base)
    except ValueError:
        api = DEFAULT_API_BASE
    return OrgValues(state.org or "<org>", api)


def effective_scim_base_url(state: WizardState) -> str:
    return state.scim_base_url or org_values_of(state).scim_base_url


@dataclass(frozen=True)
class Input:
    """Something steps rest on: when its value changes, they are reopened."""

    words: str  # "the organisation name"
    read: Callable[[WizardState], str]
    shown: bool = True  # False: too long to quote old and new values in a reason


def record_digest(state: WizardState) -> str:
    """What the setup record would say now (its date aside), as a short digest."""
    import hashlib
    from datetime import datetime

    from wizard.report import build_record

    text = build_record(state, now=datetime(2000, 1, 1, tzinfo=UTC))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


INPUTS: dict[str, Input] = {
    "org": Input("the organisation name", lambda s: s.org),
    "api_base": Input("the Pulumi API base URL", lambda s: s.api_base),
    "app_kind": Input("the kind of JumpCloud application", lambda s: APP_KINDS.get(s.app_kind, s.app_kind)),
    "idp_url_value": Input("the IdP URL value", lambda s: s.idp_url_value),
    "groups": Input("the user groups", lambda s: ", ".join(s.groups)),
    "metadata_cert": Input(
        "the metadata's signing certificate", lambda s: s.metadata_summary.get("cert_sha256", ""), shown=False
    ),
    "metadata_sso_url": Input("the metadata's SSO URL", lambda s: s.metadata_summary.get("sso_url", "")),
    "metadata_entity_id": Input("the metadata's IdP entity ID", lambda s: s.metadata_summary.get("entity_id", "")),
    "idp_entity_id": Input("the IdP Entity ID entered in JumpCloud", lambda s: s.idp_entity_id),
    # the self-hosted override (the default is built from the org and API base, which are inputs already)
    "scim_base_url": Input("the SCIM base URL", lambda s: s.scim_base_url),
    "record": Input("what the setup record says", record_digest, shown=False),
}

_APP = ("app_kind", "idp_url_value")  # a JumpCloud application: neither can change once it is saved
_SP_VALUES = ("org", "api_base")  # everything built from the organisation
_METADATA = ("metadata_cert", "metadata_sso_url", "metadata_entity_id")


@dataclass(frozen=True)
class Verdict:
    """A gate's answer: the findings, and when they hold no error, how the step is
    complete (verified, confirmed, with warnings, skipped) and in what words."""

    findings: list[Finding]
    status: StepStatus = StepStatus.CONFIRMED
    note: str = ""
    # A check of the real thing said no (rather than input still missing): a step that
    # was complete is failed at once, without waiting for Next.
    refuted: bool = False
    # Fields of the state set only when the step passes (the accepted metadata's facts).
    updates: Mapping[str, Any] = field(default_factory=dict)
    # What the last check answered, shown with the verdict but not deciding it (an
    # unreachable endpoint does not stop an admin who confirms by hand).
    context: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not has_errors(self.findings)

    @property
    def shown(self) -> list[Finding]:
        """Everything to show the admin: the check's answer, then the verdict."""
        return self.context + self.findings


def _text(form: Form, key: str, default: str) -> str:
    value = form.get(key, default)
    return value if isinstance(value, str) else default


def _flag(form: Form, key: str, default: bool) -> bool:
    value = form.get(key, default)
    return value if isinstance(value, bool) else default


def _names(form: Form, key: str, default: list[str]) -> list[str]:
    value = form.get(key, default)
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else list(default)


# -- 1. prerequisites ---------------------------------------------------------


def _apply_welcome(state: WizardState, form: Form) -> None:
    from wizard.values import JUMPCLOUD_CONSOLE, jumpcloud_url_problem, normalize_jumpcloud_url

    url = _text(form, "jumpcloud_url", state.jumpcloud_url or JUMPCLOUD_CONSOLE).strip() or JUMPCLOUD_CONSOLE
    normal = url if jumpcloud_url_problem(url) else normalize_jumpcloud_url(url)
    state.jumpcloud_url = "" if normal == JUMPCLOUD_CONSOLE else normal
    state.jumpcloud_org_id = _text(form, "jumpcloud_org_id", state.jumpcloud_org_id).strip()
    state.org = _text(form, "org", state.org)
    api_base = _text(form, "api_base", state.api_base) or DEFAULT_API_BASE
    state.api_base = api_base if api_base_problem(api_base) else normalize_api_base(api_base)
    state.has_sso_package = _flag(form, "has_sso_package", state.has_sso_package)
    state.has_saml_edition = _flag(form, "has_saml_edition", state.has_saml_edition)


def _gate_welcome(state: WizardState, form: Form) -> Verdict:
    from wizard.values import JUMPCLOUD_URL_FIX, jumpcloud_url_problem

    check = form.get("pulumi")
    if check is not None and (check.org != state.org or check.api_base != state.api_base):
        check = None  # a check of another organisation proves nothing about this one
    proven = check is not None and check.proves_saml
    findings = check_prerequisites(state.org, state.api_base, state.has_sso_package, state.has_saml_edition or proven)
    problem = jumpcloud_url_problem(state.jumpcloud_url) if state.jumpcloud_url else None
    if problem:
        findings = [f for f in findings if f.is_error or f.severity.value == "warning"] + [
            finding(
                "step.jumpcloud_url",
                problem,
                JUMPCLOUD_URL_FIX,
                "jumpcloud_url",
            )
        ]
    answer = list(check.findings) if check is not None else []
    refuted = [f for f in answer if f.is_error and f.code.startswith("pulumi.org.")]
    if refuted:
        return Verdict([*refuted, *(f for f in findings if f.is_error)], refuted=True, context=[])
    if proven:
        return Verdict(
            findings,
            StepStatus.CONFIRMED,
            f"verified through Pulumi's API: SAML SSO is available to {state.org} and the token's user is an "
            "admin; confirmed by the admin: JumpCloud's SSO Package",
            context=answer,
            updates={"has_saml_edition": True, "pulumi_scim": _scim_word(check)},
        )
    return Verdict(
        findings,
        StepStatus.CONFIRMED,
        "the admin confirmed JumpCloud's SSO Package and a Pulumi edition with SAML SSO",
        context=answer,
        updates={"pulumi_scim": _scim_word(check)} if check is not None else {},
    )


def _scim_word(check: Any) -> str:
    """What step 1's check of Pulumi said of SCIM: "yes", "no", or "" when it could not tell."""
    info = getattr(check, "info", None)
    scim = getattr(info, "scim", None)
    return "" if scim is None else ("yes" if scim else "no")


# -- 2. the application -------------------------------------------------------


def _apply_create_app(state: WizardState, form: Form) -> None:
    kind = _text(form, "app_kind", state.app_kind)
    state.app_kind = kind or state.app_kind
    old_value = state.idp_url_value
    typed = _text(form, "idp_url_value", state.idp_url_value).strip()
    state.idp_url_value = idp_value_from_url(typed) or typed  # the guide allows the whole IdP URL
    if state.idp_url_value != old_value and state.idp_entity_id == recommended_idp_entity_id(old_value):
        # the old app's suggested IdP Entity ID: step 3 suggests the new app's instead (a value
        # the admin typed themselves is kept: it may be what their JumpCloud holds)
        state.idp_entity_id = ""
    state.display_name = _text(form, "display_name", state.display_name)
    state.idp_url_acknowledged = _flag(form, "acknowledged", state.idp_url_acknowledged)


def _gate_create_app(state: WizardState, form: Form) -> Verdict:
    kind = _text(form, "app_kind", state.app_kind)
    findings = check_create_app(kind, state.idp_url_value, state.display_name, state.idp_url_acknowledged)
    what = APP_KINDS.get(state.app_kind, "application")
    proven = _jumpcloud_evidence(state, form, "app")
    if proven is not None and proven.proof == "refuted":
        return Verdict(findings + proven.findings, refuted=True)
    if proven is not None and proven.proof == "verified":
        return Verdict(findings, StepStatus.VERIFIED, proven.note)
    return Verdict(
        findings,
        StepStatus.CONFIRMED,
        f"the admin confirmed the application ({what}) is saved with IdP URL {idp_sso_url(state.idp_url_value)}",
        context=proven.findings if proven is not None else [],
    )


def _jumpcloud_evidence(state: WizardState, form: Form, part: str) -> Any:
    """What a check through JumpCloud's API (handed in with the form) proves about ``part``."""
    check = form.get("jumpcloud")
    if check is None:
        return None
    from wizard.jumpcloud_step import evidence

    return evidence(check, state, part)  # type: ignore[arg-type]  # "app", "sso" or "groups"


# -- 3. SSO tab ---------------------------------------------------------------


def _apply_sso_tab(state: WizardState, form: Form) -> None:
    keys = {row.key for row in org_values_of(state).sso_rows()} | {IDP_ENTITY_ROW}
    state.ticked_rows = sorted(k for k in _names(form, "rows", state.ticked_rows) if k in keys)
    state.idp_entity_id = _text(form, IDP_ENTITY_ROW, state.idp_entity_id).strip()


def _gate_sso_tab(state: WizardState, form: Form) -> Verdict:
    values = org_values_of(state)
    proven = _jumpcloud_evidence(state, form, "sso")
    if proven is not None and proven.proof == "refuted":
        return Verdict(proven.findings, refuted=True)
    if proven is not None and proven.proof == "verified":
        # the IdP Entity ID is JumpCloud's own answer here, not what was typed on this step
        return Verdict(
            [finding("step.ok", "JumpCloud holds the six SSO values and an IdP Entity ID.")],
            StepStatus.VERIFIED,
            f"{proven.note}; IdP Entity ID {proven.idp_entity_id}",
            context=proven.findings,
            updates={"idp_entity_id": proven.idp_entity_id},
        )
    return Verdict(
        check_sso_tab(values, state.ticked_rows, state.idp_entity_id),
        StepStatus.CONFIRMED,
        f"the admin ticked the six values for {state.org} and the IdP Entity ID "
        f"{state.idp_entity_id} as entered in JumpCloud's SSO tab",
        context=proven.findings if proven is not None else [],
    )


# -- 4. groups ----------------------------------------------------------------


def _apply_groups(state: WizardState, form: Form) -> None:
    text = form.get("groups")
    if isinstance(text, str):
        state.groups = parse_groups(text)


def _gate_groups(state: WizardState, form: Form) -> Verdict:
    proven = _jumpcloud_evidence(state, form, "groups")
    if proven is not None and proven.proof == "refuted":
        return Verdict(proven.findings, refuted=True)
    if proven is not None and proven.proof == "verified":
        return Verdict(
            check_groups(proven.groups), StepStatus.VERIFIED, proven.note, updates={"groups": list(proven.groups)}
        )
    return Verdict(
        check_groups(state.groups),
        StepStatus.CONFIRMED,
        f"the admin recorded the groups bound to the application: {', '.join(state.groups)}",
    )


# -- 5. metadata --------------------------------------------------------------


def _apply_metadata(state: WizardState, form: Form) -> None:
    state.metadata_path = _text(form, "metadata_path", state.metadata_path)
    state.metadata_xml = _text(form, "metadata_xml", state.metadata_xml)


def _gate_metadata(state: WizardState, form: Form) -> Verdict:
    report = form.get("report")
    findings = check_metadata_gate(report, _flag(form, "ack_warnings", False))
    if report is not None and report.metadata is not None and report.ok and state.idp_entity_id:
        from wizard.metadata import check_entity_matches

        mismatch = check_entity_matches(report.metadata, state.idp_entity_id)
        if mismatch:  # a report made before step 3's value was known is held to it too
            return Verdict([*mismatch, *(f for f in findings if f.code != "step.ok")], refuted=True)
    if report is None or report.metadata is None or not report.ok:
        # the export itself was checked and refused: a step accepted earlier no longer holds
        return Verdict(findings, refuted=report is not None and not report.ok)
    source = _text(form, "source", "") or state.metadata_path or "pasted XML"
    warnings = [f.message for f in report.findings if f.severity.value == "warning"]
    status = StepStatus.WARNINGS if warnings else StepStatus.VERIFIED
    note = f"the exported metadata ({source}) passed the metadata checks Pulumi documents"
    if warnings:
        note += f"; {len(warnings)} warning(s) acknowledged"
    updates = {"metadata_summary": summarize_metadata(report.metadata, source), "metadata_warnings": warnings}
    return Verdict(findings, status, note, updates=updates)


# -- 6. Pulumi ----------------------------------------------------------------


def _apply_pulumi(state: WizardState, form: Form) -> None:
    from wizard.pulumi_step import CHECKLIST_KEYS

    ticked = set(_names(form, "checklist", list(CHECKLIST_KEYS) if state.pulumi_confirmed else []))
    applied = _flag(form, "applied", state.pulumi_confirmed)
    state.pulumi_confirmed = applied and ticked >= set(CHECKLIST_KEYS)


def _gate_pulumi(state: WizardState, form: Form) -> Verdict:
    from wizard.pulumi_step import VERIFIED, check_pulumi_step, definitive_codes

    result = form.get("result")
    codes = [f.code for f in result.findings] if result is not None else None
    gate = check_pulumi_step(
        codes,
        bool(result is not None and result.verified),
        _names(form, "checklist", []),
        _flag(form, "applied", False),
        earlier_verified=state.status(StepId.PULUMI) is StepStatus.VERIFIED,
    )
    answer = list(result.findings) if result is not None else []
    if gate.verification == VERIFIED:
        return Verdict(
            gate.findings,
            StepStatus.VERIFIED,
            "Pulumi's API returned metadata matching this export (certificate, SSO URL, entity ID)",
            context=answer,
        )
    return Verdict(
        gate.findings,
        StepStatus.CONFIRMED,
        "the admin confirmed the metadata was pasted in Pulumi and applied; not verified through Pulumi's API",
        refuted=bool(definitive_codes(codes or [])),
        context=answer,
    )


# -- 7. sign-in ---------------------------------------------------------------


def _apply_signin(state: WizardState, form: Form) -> None:
    state.idp_initiated_ok = _flag(form, "idp_initiated_ok", state.idp_initiated_ok)
    state.sp_initiated_ok = _flag(form, "sp_initiated_ok", state.sp_initiated_ok)


def _gate_signin(state: WizardState, form: Form) -> Verdict:
    watched = form.get("signins")
    if watched is not None and (watched.org != state.org or watched.api_base != state.api_base):
        watched = None  # another organisation's log proves nothing here
    answer = list(watched.findings) if watched is not None else []
    if watched is not None and watched.seen:
        last = watched.seen[0]
        return Verdict(
            [finding("step.ok", "Pulumi recorded a sign-in.")],
            StepStatus.VERIFIED,
            f"Pulumi's audit log shows {len(watched.seen)} sign-in(s) after the step was opened, the last by "
            f"{last.user} at {last.at:%Y-%m-%d %H:%M} UTC",
            context=answer,
        )
    return Verdict(
        check_signin(state.idp_initiated_ok, state.sp_initiated_ok),
        StepStatus.CONFIRMED,
        "the admin reported signing in from the JumpCloud tile and from Pulumi's SSO page",
        context=answer,
    )


# -- 8. SCIM ------------------------------------------------------------------


def _apply_scim(state: WizardState, form: Form) -> None:
    from wizard.scim import scim_base_problem

    state.scim_skipped = _flag(form, "skip", state.scim_skipped)
    state.scim_skip_reason = _text(form, "skip_reason", state.scim_skip_reason)
    state.scim_confirmed = _flag(form, "scim_confirmed", state.scim_confirmed)
    base = _text(form, "scim_base_url", effective_scim_base_url(state)).strip()
    if not scim_base_problem(base):
        state.scim_base_url = "" if base == org_values_of(state).scim_base_url else base


def _gate_scim(state: WizardState, form: Form) -> Verdict:
    if state.scim_skipped:
        return Verdict(
            check_scim_skip(state.scim_skip_reason), StepStatus.SKIPPED, f"skipped: {state.scim_skip_reason.strip()}"
        )
    from wizard.scim import normalize_scim_base

    base = effective_scim_base_url(state)
    probe = form.get("probe")
    if probe is not None and probe.base_url != normalize_scim_base(base):
        probe = None  # a check of another base URL proves nothing about this one
    earlier = state.record(StepId.SCIM)
    if probe is None and earlier.status is StepStatus.VERIFIED:
        return Verdict(
            [finding("step.ok", "SCIM token checked against the live endpoint earlier.")],
            StepStatus.VERIFIED,
            earlier.note,
        )
    codes = [f.code for f in probe.findings] if probe is not None else None
    findings = check_scim_step(codes, bool(probe is not None and probe.ok), state.scim_confirmed)
    refuted = bool(probe is not None and set(codes or []) & _SCIM_DEFINITIVE)
    answer = list(probe.findings) if probe is not None else []
    if probe is not None and probe.ok:
        users = f"; {probe.total_results} user(s) provisioned so far" if probe.total_results is not None else ""
        return Verdict(
            findings, StepStatus.VERIFIED, f"the SCIM token was accepted by {probe.base_url}{users}", context=answer
        )
    return Verdict(
        findings,
        StepStatus.CONFIRMED,
        f"the admin confirmed JumpCloud's Test Connection passed and that this machine cannot reach {base}"
        + ("" if probe is not None else " (the wizard did not try)"),
        refuted=refuted,
        context=answer,
    )


# -- 9. summary ---------------------------------------------------------------


def _apply_summary(state: WizardState, form: Form) -> None:
    state.record_path = _text(form, "record_path", state.record_path)


def _gate_summary(state: WizardState, form: Form) -> Verdict:
    incomplete = [s for s in STEP_ORDER if s is not StepId.SUMMARY and not state.status(s).complete]
    if incomplete:
        names = ", ".join(STEPS[s].title for s in incomplete)
        return Verdict(
            [finding("step.summary.incomplete", f"Finish these steps first: {names}.", "Choose them in the step list.")]
        )
    written = _text(form, "written", "")
    if not written or form.get("written_digest") != record_digest(state):
        return Verdict(
            [
                finding(
                    "step.summary.unwritten",
                    "Write the setup record first.",
                    "Choose where to write it, then Write.",
                    "record_path",
                )
            ]
        )
    return Verdict(
        [finding("step.ok", f"Setup record written to {written}.")],
        StepStatus.VERIFIED,
        f"the setup record was written to {written}",
        updates={"record_path": written},
    )


# -- the table ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One row of the step model."""

    id: StepId
    title: str
    screen: str  # "module:Class" of the screen that shows it (imported when first shown)
    apply: Callable[[WizardState, Form], None]  # the form's fields into the state
    gate: Callable[[WizardState, Form], Verdict]  # on the state with the form applied
    rests_on: tuple[str, ...] = ()  # names in INPUTS: a change to one reopens the step
    clears: tuple[str, ...] = ()  # state fields that hold the admin's confirmations
    # On the screen: a tick that vouches for other fields of the same form is cleared
    # when one of them changes (the admin confirmed that value, not the new one).
    vouches: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def number(self) -> int:
        return STEP_ORDER.index(self.id) + 1

    @property
    def guide(self) -> str:
        return self.id.value  # assets/guides/<id>.md


STEPS: dict[StepId, Step] = {
    step.id: step
    for step in (
        Step(StepId.WELCOME, "Prerequisites", "screens.welcome:WelcomeScreen", _apply_welcome, _gate_welcome),
        Step(
            StepId.CREATE_APP,
            "Create the app",
            "screens.create_app:CreateAppScreen",
            _apply_create_app,
            _gate_create_app,
            vouches={"acknowledged": ("app_kind", "idp_url_value")},
        ),
        Step(
            StepId.SSO_TAB,
            "SSO tab values",
            "screens.sso_tab:SsoTabScreen",
            _apply_sso_tab,
            _gate_sso_tab,
            rests_on=_SP_VALUES + _APP,
            clears=("ticked_rows",),
        ),
        Step(StepId.GROUPS, "User groups", "screens.groups:GroupsScreen", _apply_groups, _gate_groups, rests_on=_APP),
        Step(
            StepId.METADATA,
            "Export metadata",
            "screens.metadata:MetadataScreen",
            _apply_metadata,
            _gate_metadata,
            rests_on=_APP + ("idp_entity_id",),
            clears=("metadata_warnings",),
            vouches={"ack_warnings": ("report",)},
        ),
        Step(
            StepId.PULUMI,
            "Configure Pulumi",
            "screens.pulumi:PulumiScreen",
            _apply_pulumi,
            _gate_pulumi,
            rests_on=_SP_VALUES + _APP + _METADATA,
            clears=("pulumi_confirmed",),
        ),
        Step(
            StepId.SIGNIN,
            "Sign in",
            "screens.signin:SigninScreen",
            _apply_signin,
            _gate_signin,
            rests_on=_SP_VALUES + _APP + _METADATA,
            clears=("idp_initiated_ok", "sp_initiated_ok"),
        ),
        Step(
            StepId.SCIM,
            "SCIM (optional)",
            "screens.scim:ScimScreen",
            _apply_scim,
            _gate_scim,
            rests_on=_SP_VALUES + _APP + ("scim_base_url",),
            clears=("scim_confirmed", "scim_skipped"),
            vouches={"scim_confirmed": ("scim_base_url",)},
        ),
        Step(
            StepId.SUMMARY,
            "Summary",
            "screens.summary:SummaryScreen",
            _apply_summary,
            _gate_summary,
            rests_on=_SP_VALUES + _APP + ("groups",) + _METADATA + ("scim_base_url", "record"),
            clears=("completed_at",),
        ),
    )
}
assert tuple(STEPS) == STEP_ORDER, "the step table lists every step, in order"
