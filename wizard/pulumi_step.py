"""Step 6 ("Configure the Pulumi organisation") and the rotation screen: their gates
and the choices behind them, as plain functions (no Textual).

The screens gather input, run the network calls in workers and call these to decide
what is acceptable; every ``if`` about Pulumi or SAML lives here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wizard.codes import finding
from wizard.files import decode_text
from wizard.findings import Finding, has_errors
from wizard.values import api_base_problem, org_problem

if TYPE_CHECKING:  # httpx stays out of the import of this module
    from wizard.pulumi_api import ApiResult, TokenSource
    from wizard.rotation import RotationPlan

VERIFIED = "verified by API"
CONFIRMED_BY_HAND = "confirmed by the admin, not verified"


# --------------------------------------------------------------------------- the checklist


@dataclass(frozen=True)
class ChecklistItem:
    key: str  # stable: the screen's checkbox is #switch-<key>
    title: str  # what the admin ticks
    explanation: str  # why it matters, what to do
    # A gate only when a source says so (docs/sources.md); otherwise advice: shown, never required
    required: bool = True


# What switching an organisation to SAML does (Pulumi's SAML SSO documentation).
SWITCH_CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "saml_admin",
        "I apply it from the account that is to be the SAML admin.",
        "The admin who switches the organisation to SAML becomes its SAML admin, the break-glass "
        "login that still works when JumpCloud sign-in fails. Apply it from the account you want "
        "in that role.",
    ),
    ChecklistItem(
        "own_account",
        "That account: no other orgs, no stacks or environments.",
        "Pulumi's Identity Providers page: to switch an organisation to SAML you must not belong "
        "to unrelated Pulumi organisations, and your own account must not own any stacks or "
        "environments. Leave the other organisations and transfer or delete those first.",
    ),
    ChecklistItem(
        "members",
        "Members know how to link their SAML identity.",
        "Members without a SAML identity are locked out (not deleted) until they link it: "
        'Account Settings > Connect SAML SSO. Otherwise they see "Email already in use" '
        "when they sign in through JumpCloud.",
    ),
    ChecklistItem(
        "immediate",
        "I know the switch applies at once.",
        "Pulumi does not check in advance whether members can sign in through SAML: finish the "
        "JumpCloud side (values, groups, this metadata) first, and plan a moment when members can re-link.",
    ),
)

CHECKLIST_KEYS: tuple[str, ...] = tuple(item.key for item in SWITCH_CHECKLIST if item.required)
ADVICE_KEYS: tuple[str, ...] = tuple(item.key for item in SWITCH_CHECKLIST if not item.required)


def check_checklist(ticked: Iterable[str]) -> list[Finding]:
    """Every required item of the "Before you switch" checklist must be ticked (advice need not be)."""
    missing = [item for item in SWITCH_CHECKLIST if item.required and item.key not in set(ticked)]
    if not missing:
        return []
    numbers = ", ".join(str(SWITCH_CHECKLIST.index(item) + 1) for item in missing)
    return [
        finding(
            "step.pulumi.checklist",
            f'Tick each item of "Before you switch" once it is true (not yet: {numbers}).',
            "Read each item: the switch locks members out until they link their SAML identity.",
            "checklist",
        )
    ]


# --------------------------------------------------------------------------- the token


def token_source_label(found_source: str | None, entered: bool) -> str:
    """Which token a verification will use, in words (never the token)."""
    if entered:
        if found_source:
            return f"the token entered below (instead of the one from {found_source})"
        return "the token entered below"
    if found_source:
        return f"from {found_source}"
    return "none found (PULUMI_ACCESS_TOKEN is not set and the Pulumi CLI has no login for this API)"


def choose_token(found: TokenSource | None, entered_text: str) -> TokenSource | None:
    """The token to use: what the admin entered wins over what was found."""
    from wizard.pulumi_api import entered_token

    if entered_text and entered_text.strip():
        return entered_token(entered_text)
    return found


# --------------------------------------------------------------------------- step 6 gate

# Pulumi answered and said what it has differs, or that it cannot use it: the admin's
# word cannot overrule that.  No token, no network, 401/403: the admin may confirm.
_DEFINITIVE_PREFIXES = ("pulumi.mismatch.",)
_DEFINITIVE_CODES = frozenset({"pulumi.validation_error", "pulumi.not_configured"})


def definitive_codes(codes: Iterable[str]) -> list[str]:
    return sorted({c for c in codes if c in _DEFINITIVE_CODES or c.startswith(_DEFINITIVE_PREFIXES)})


@dataclass(frozen=True)
class PulumiGate:
    findings: list[Finding]
    verification: str  # what the state and the setup record keep ("" when refused)

    @property
    def passed(self) -> bool:
        return not has_errors(self.findings)


def check_pulumi_step(
    result_codes: list[str] | None,
    verified: bool,
    ticked: Iterable[str],
    applied: bool,
    *,
    earlier_verified: bool = False,
) -> PulumiGate:
    """Step 6's gate.

    ``result_codes``: the codes of this visit's last "Verify with Pulumi" (None: not
    run); ``verified``: that run matched everything.  A match passes; a definitive
    answer from Pulumi (a differing field, its validation error, no metadata stored)
    refuses until verified again; otherwise the admin confirms by hand (checklist
    ticked and "Apply changes" confirmed), recorded as not verified.
    """
    if verified:
        return PulumiGate([finding("step.ok", "Pulumi has loaded this metadata (verified through its API).")], VERIFIED)
    definitive = definitive_codes(result_codes or [])
    if definitive:
        return PulumiGate(
            [
                finding(
                    "step.pulumi.mismatch",
                    "Pulumi's answer says its configuration differs from this metadata (see above): "
                    "fix it in Pulumi, then verify again.",
                    "Usually the metadata pasted in Pulumi is an older export: copy the XML above, paste it "
                    "in Pulumi, Apply changes, and verify again.",
                    "verify",
                )
            ],
            "",
        )
    if result_codes is None and earlier_verified:
        # verified on an earlier visit, and nothing since says otherwise
        return PulumiGate([finding("step.ok", "Verified through Pulumi's API earlier.")], VERIFIED)
    findings = check_checklist(ticked)
    if not applied:
        findings.append(
            finding(
                "step.pulumi.applied",
                "Confirm that you pasted the metadata in Pulumi and chose Apply changes, or verify with Pulumi.",
                "Settings > Access Management > Membership Requirements > Change requirements > SAML SSO.",
                "applied",
            )
        )
    if findings:
        return PulumiGate(findings, "")
    return PulumiGate(
        [finding("step.ok", "Confirmed by the admin, not verified through Pulumi's API.")], CONFIRMED_BY_HAND
    )


def unexpected_failure(what: str, exc: BaseException) -> Finding:
    """A bug rather than a network answer: shown as a finding, never a traceback.
    Only the exception's type is shown (its text could quote a request)."""
    return finding(
        "pulumi.unexpected",
        f"{what} failed unexpectedly ({type(exc).__name__}).",
        "Try again; if it persists, run 'jumpcloud-pulumi-sso status --org ORG' for details.",
    )


# --------------------------------------------------------------------------- rotation


def check_rotation_target(org: str, api_base: str) -> list[Finding]:
    """The organisation and API URL typed on the rotation screen."""
    findings: list[Finding] = []
    problem = org_problem(org)
    if problem:
        findings.append(finding("pulumi.bad_org", problem, "Copy the name from app.pulumi.com/<org>.", "org"))
    problem = api_base_problem(api_base)
    if problem:
        findings.append(
            finding(
                "pulumi.bad_url",
                problem,
                "Pulumi Cloud: https://api.pulumi.com; self-hosted: your API domain.",
                "api_base",
            )
        )
    return findings


decode_metadata = decode_text  # a metadata file as text (UTF-8 as JumpCloud writes it; UTF-16 with a BOM)


def load_new_metadata(path_text: str) -> tuple[str | None, list[Finding]]:
    """The new export named by a path: its text, or why it cannot be used."""
    from wizard.steps import load_metadata_file

    data, problems = load_metadata_file(path_text)
    if data is None:
        return None, problems
    text = decode_metadata(data)
    if text is None:
        return None, [
            finding(
                "metadata.file.encoding",
                "The file is not text (neither UTF-8 nor UTF-16).",
                "Use the .xml file exactly as JumpCloud's Export Metadata saved it.",
                "metadata_path",
            )
        ]
    return text, []


def check_new_metadata_text(text: str) -> list[Finding]:
    if not text.strip():
        return [
            finding(
                "rotate.no_metadata",
                "Load the new metadata: type its path and Load, or paste the XML.",
                "In JumpCloud: the application's SSO tab > Export Metadata.",
                "metadata_path",
            )
        ]
    return []


def check_apply(plan: RotationPlan | None, confirmed: bool, plan_inputs_changed: bool = False) -> list[Finding]:
    """May the rotation be applied now?  A compared, passing plan and an explicit yes."""
    if plan is None or plan_inputs_changed:
        return [
            finding(
                "rotate.compare_first",
                "Compare the new metadata with what Pulumi has first.",
                "Press Compare.",
                "compare",
            )
        ]
    if plan.unchanged:
        from wizard.rotation import unchanged_finding

        return [unchanged_finding(plan)]
    if not plan.ok:
        return [
            finding(
                "rotate.not_ready",
                "The new metadata did not pass the checks (see above): nothing is sent.",
                "Fix the findings, then Compare again.",
                "compare",
            )
        ]
    if not confirmed:
        return [
            finding(
                "rotate.unconfirmed_by_admin",
                "Tick the confirmation: Pulumi's metadata is replaced as soon as you apply.",
                "Check the difference above first.",
                "confirm",
            )
        ]
    return []


def rotation_live(result: ApiResult) -> bool:
    """The rotation is done only when a fresh read proved the new certificate live."""
    return result.ok and any(f.code == "rotate.live" for f in result.findings)
