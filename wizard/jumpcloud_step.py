"""What a check through JumpCloud's API proves about steps 2, 3 and 4.

A step is *verified* when JumpCloud's answer shows what the step is about (the app at
its SSO URL and active; the six SSO-tab values; at least one bound group), *refuted*
when the answer shows it is wrong (no such app, a value that differs, no group), and
left to the admin's ticks when the answer says nothing about it (no key, the API not
reached, an SSO-tab row whose label JumpCloud's answer does not carry).  A check run
for another organisation, API base or IdP URL value proves nothing here.

No Textual here: the gates in ``wizard.steps`` call ``evidence``; the screens run the
check (``run_check``) in a worker and hand its result in with the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from wizard.findings import Finding
from wizard.state import WizardState
from wizard.values import JUMPCLOUD_CONSOLE

if TYPE_CHECKING:
    from wizard.jumpcloud import JumpCloudCheck

Part = Literal["app", "sso", "groups"]
Proof = Literal["verified", "refuted", "silent"]

_APP_CODES = ("jumpcloud.app.not_found", "jumpcloud.app.ambiguous", "jumpcloud.app.inactive")
_SSO_ERRORS = ("jumpcloud.sso.mismatch", "jumpcloud.idp_entity_id.missing", "jumpcloud.unsigned")
_SSO_WARNINGS = ("jumpcloud.sso.unchecked", "jumpcloud.idp_entity_id.placeholder", "jumpcloud.idp_entity_id.pulumi_url")


@dataclass(frozen=True)
class Evidence:
    proof: Proof
    findings: list[Finding] = field(default_factory=list)  # what the check says about this part
    note: str = ""
    groups: list[str] = field(default_factory=list)  # the bound groups' names (part "groups")
    idp_entity_id: str = ""  # the IdP Entity ID JumpCloud holds (part "sso")


def applies(check: JumpCloudCheck | None, state: WizardState) -> bool:
    """Whether ``check`` was run for the inputs the state holds now."""
    return (
        check is not None
        and check.org == state.org
        and check.api_base == state.api_base
        and check.idp_url_value == state.idp_url_value
    )


def evidence(check: JumpCloudCheck | None, state: WizardState, part: Part) -> Evidence | None:
    """What ``check`` proves about ``part``; None when there is no check for these inputs."""
    if check is None or not applies(check, state):
        return None
    app_findings = [f for f in check.findings if f.code in _APP_CODES]
    if check.application is None:
        if app_findings:  # JumpCloud answered: the app is not there (or not only once)
            return Evidence("refuted", app_findings)
        return Evidence("silent", list(check.findings))  # no key, no access, not reached
    label, url = check.application["displayLabel"], check.application["ssoUrl"]
    if part == "app":
        if app_findings:
            return Evidence("refuted", app_findings)
        return Evidence("verified", note=f"JumpCloud's API shows the application '{label}' at {url}, active")
    if part == "sso":
        errors = [f for f in check.findings if f.code in _SSO_ERRORS]
        warnings = [f for f in check.findings if f.code in _SSO_WARNINGS]
        if errors:
            return Evidence("refuted", errors + warnings)
        if any(not f.matched for f in check.fields):
            return Evidence("silent", warnings)
        return Evidence(
            "verified",
            warnings,
            note=f"JumpCloud's API shows the six values on the SSO tab of '{label}'",
            idp_entity_id=check.idp_entity_id,
        )
    group_findings = [f for f in check.findings if f.code.startswith("jumpcloud.groups.")]
    if any(f.is_error for f in group_findings):
        return Evidence("refuted", group_findings)
    if check.groups:
        names = ", ".join(check.groups)
        return Evidence(
            "verified",
            note=f"JumpCloud's API shows these groups bound to '{label}': {names}",
            groups=list(check.groups),
        )
    return Evidence("silent", list(check.findings))


def jumpcloud_url(state: WizardState) -> str:
    return state.jumpcloud_url or JUMPCLOUD_CONSOLE


async def run_check(state: WizardState, key: str, *, metadata: bool, timeout: float) -> JumpCloudCheck:
    """Check JumpCloud for the state's organisation and IdP URL value with ``key``."""
    from wizard.jumpcloud import JumpCloudClient, check_jumpcloud
    from wizard.steps import org_values_of

    async with JumpCloudClient(jumpcloud_url(state), key, org_id=state.jumpcloud_org_id, timeout=timeout) as client:
        return await check_jumpcloud(client, org_values_of(state), state.idp_url_value, metadata=metadata)


async def run_fix(
    state: WizardState, key: str, check: JumpCloudCheck, *, timeout: float
) -> tuple[list[Finding], JumpCloudCheck]:
    """Set the SSO-tab fields ``check`` found different (as shown), then check again."""
    from wizard.jumpcloud import JumpCloudClient, check_jumpcloud, fix_sso_fields
    from wizard.steps import org_values_of

    assert check.application is not None
    async with JumpCloudClient(jumpcloud_url(state), key, org_id=state.jumpcloud_org_id, timeout=timeout) as client:
        done, _ = await fix_sso_fields(client, check.application["id"], check.mismatched)
        again = await check_jumpcloud(client, org_values_of(state), state.idp_url_value, metadata=False)
        return done, again


async def run_create(state: WizardState, key: str, *, timeout: float) -> tuple[list[Finding], JumpCloudCheck]:
    """Create the app from JumpCloud's catalogue (the state's IdP URL value and display
    name), then check again."""
    from wizard.jumpcloud import JumpCloudClient, check_jumpcloud, create_pulumi_app
    from wizard.steps import org_values_of

    values = org_values_of(state)
    label = state.display_name.strip() or "Pulumi"
    async with JumpCloudClient(jumpcloud_url(state), key, org_id=state.jumpcloud_org_id, timeout=timeout) as client:
        done = await create_pulumi_app(client, values, state.idp_url_value, label)
        again = await check_jumpcloud(client, values, state.idp_url_value, metadata=False)
        return done, again


async def run_bind(
    state: WizardState, key: str, check: JumpCloudCheck, names: list[str], *, timeout: float
) -> tuple[list[Finding], JumpCloudCheck]:
    """Bind the groups named (chosen from ``check.all_groups``), then check again."""
    from wizard.jumpcloud import JumpCloudClient, bind_groups, check_jumpcloud
    from wizard.steps import org_values_of

    assert check.application is not None
    async with JumpCloudClient(jumpcloud_url(state), key, org_id=state.jumpcloud_org_id, timeout=timeout) as client:
        done = await bind_groups(client, check.application["id"], names, check.all_groups)
        again = await check_jumpcloud(client, org_values_of(state), state.idp_url_value, metadata=False)
        return done, again


__all__ = ["Evidence", "applies", "evidence", "jumpcloud_url", "run_bind", "run_check", "run_create", "run_fix"]
