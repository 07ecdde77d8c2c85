"""Pilot: steps 1 to 5 with a JumpCloud API key, against the local stand-in: the wizard
checks each step in JumpCloud, fixes the SSO tab and binds a group when asked, loads
the metadata itself, and records every step as verified.  Without a key the same
steps work by ticks (tests/test_wizard_flow.py walks that path)."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Button, Input, TextArea

from screens.create_app import CreateAppScreen
from screens.groups import GroupsScreen
from screens.metadata import MetadataScreen
from screens.pulumi import PulumiScreen
from screens.sso_tab import SsoTabScreen
from tests.jumpcloud_fake import FakeJumpCloud, pulumi_app
from tests.wizard_helpers import make_app, next_step, set_value, settle, tick
from wizard.state import StepId, StepStatus
from wizard.values import org_values

KEY = "jc-0123456789abcdef0123456789abcdef01234567"
VALUES = org_values("acmecorp")
SIZE = (100, 30)
APP_ID = "64a1b2c3d4e5f60718293a4b"


@pytest.fixture
def jumpcloud(monkeypatch):
    with FakeJumpCloud(KEY) as server:
        app = server.add_app(pulumi_app(VALUES, acsUrl=VALUES.acs_url + "/", relayState=""))
        server.add_group("Engineering")
        server.add_group("Everyone")
        server.bind(app["_id"], "Engineering")
        yield server


def shown(pilot, selector: str) -> str:
    return str(pilot.app.screen.query_one(selector).render())


async def press(pilot, selector: str) -> None:
    button = pilot.app.screen.query_one(selector, Button)
    assert not button.disabled, f"{selector} is disabled"
    button.press()
    await settle(pilot)


async def through_step_one(pilot, jumpcloud_url: str | None = None) -> None:
    """Step 1 for acmecorp (with ``jumpcloud_url`` as JumpCloud's API URL when given),
    both boxes ticked, then on to step 2."""
    await set_value(pilot, "#org", "acmecorp")
    if jumpcloud_url is not None:
        await set_value(pilot, "#jumpcloud_url", jumpcloud_url)
    await tick(pilot, "#has_sso_package")
    await tick(pilot, "#has_saml_edition")
    await next_step(pilot)


async def test_steps_one_to_five_verified_in_jumpcloud_with_a_key(tmp_path, jumpcloud, monkeypatch):
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # 1. the key came from the environment; the API URL is the stand-in's
        assert "from JUMPCLOUD_API_KEY" in shown(pilot, "#jumpcloud-key-source")
        await through_step_one(pilot, jumpcloud.url)
        assert isinstance(app.screen, CreateAppScreen)
        assert app.state.jumpcloud_url == jumpcloud.url

        # 2. a typo in the IdP URL value: JumpCloud has no such app, and says which it has
        await set_value(pilot, "#idp_url_value", "pulumi-typo")
        await tick(pilot, "#acknowledged")
        await press(pilot, "#jc-check")
        assert "No JumpCloud application uses" in shown(pilot, "#jc-findings")
        assert "'Pulumi Cloud' at https://sso.jumpcloud.com/saml2/pulumi" in shown(pilot, "#jc-findings")
        await next_step(pilot)
        assert isinstance(app.screen, CreateAppScreen)  # refused: JumpCloud says otherwise
        await set_value(pilot, "#idp_url_value", "pulumi")
        await tick(pilot, "#acknowledged")
        await press(pilot, "#jc-check")
        assert "JumpCloud's API shows the application 'Pulumi Cloud'" in shown(pilot, "#jc-findings")
        await next_step(pilot)
        assert isinstance(app.screen, SsoTabScreen)
        record = app.state.record(StepId.CREATE_APP)
        assert record.status is StepStatus.VERIFIED and "JumpCloud's API" in record.note

        # 3. two rows differ: the difference, then Fix in JumpCloud after a tick, then verified
        await press(pilot, "#jc-check")
        diff = shown(pilot, "#jc-diff")
        assert f"ACS URL\n  now:\n    {VALUES.acs_url}/\n  will be:\n    {VALUES.acs_url}\n" in diff
        assert f"Default RelayState\n  now:\n    (empty)\n  will be:\n    {VALUES.relay_state}" in diff
        assert app.screen.query_one("#jc-fix-run", Button).disabled  # not before the tick
        await next_step(pilot)
        assert isinstance(app.screen, SsoTabScreen)
        before = json.loads(json.dumps(jumpcloud.apps[APP_ID]))
        await tick(pilot, "#jc-fix-confirm")
        await press(pilot, "#jc-fix-run")
        assert "JumpCloud now holds the Pulumi values for: ACS URL, Default RelayState" in shown(
            pilot, "#jc-fix-findings"
        )
        after = jumpcloud.apps[APP_ID]
        before["config"]["acsUrl"]["value"] = VALUES.acs_url
        before["config"]["relayState"]["value"] = VALUES.relay_state
        assert after == before  # those two fields, and nothing else
        await next_step(pilot)  # no row ticked by hand: JumpCloud's answer is the evidence
        assert isinstance(app.screen, GroupsScreen)
        assert app.state.status(StepId.SSO_TAB) is StepStatus.VERIFIED

        # 4. the bound group is read, another is bound when chosen
        await press(pilot, "#jc-check")
        assert app.screen.query_one("#groups", TextArea).text == "Engineering"
        await tick(pilot, "#jc-group-list Checkbox")
        await tick(pilot, "#jc-bind-confirm")
        await press(pilot, "#jc-bind-run")
        assert "Bound to the app in JumpCloud: Everyone" in shown(pilot, "#jc-bind-findings")
        await next_step(pilot)
        assert isinstance(app.screen, MetadataScreen)
        assert app.state.groups == ["Engineering", "Everyone"]
        assert app.state.status(StepId.GROUPS) is StepStatus.VERIFIED

        # 5. the metadata, fetched through the API and checked like a file; its button is
        # on screen beside its line (the line once took the row and pushed it off the edge)
        button = app.screen.query_one("#jc-load")
        assert app.screen.query_one("#body").content_region.contains_region(button.region), button.region
        await press(pilot, "#jc-load")
        await settle(pilot)
        assert app.screen.report is not None and app.screen.report.ok, app.screen.report.findings
        await next_step(pilot)
        assert isinstance(app.screen, PulumiScreen)
        assert "JumpCloud's API" in app.state.record(StepId.METADATA).note
        assert app.state.metadata_summary["sso_url"] == "https://sso.jumpcloud.com/saml2/pulumi"

    # the key is nowhere on disk
    for path in (tmp_path / "state").rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes()


async def test_a_key_typed_on_step_one_is_used_and_never_saved(tmp_path, jumpcloud):
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.screen.query("#jumpcloud_key")  # made only when asked for
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert "No JumpCloud API key" in shown(pilot, "#jumpcloud-key-source")
        # the URL field names the three regions the step accepts
        labels = " ".join(str(w.render()) for w in app.screen.query(".field-label"))
        assert "console.eu.jumpcloud.com" in labels and "console.in.jumpcloud.com" in labels
        await set_value(pilot, "#jumpcloud_key", KEY)
        await pilot.pause()
        assert app.screen.query_one("#jumpcloud_key", Input).password
        assert "typed here" in shown(pilot, "#jumpcloud-key-source")
        await through_step_one(pilot, jumpcloud.url)
        await set_value(pilot, "#idp_url_value", "pulumi")
        await tick(pilot, "#acknowledged")
        await press(pilot, "#jc-check")
        assert all(r.headers.get("x-api-key") == KEY for r in jumpcloud.requests)
        await next_step(pilot)
        assert app.state.status(StepId.CREATE_APP) is StepStatus.VERIFIED
        await pilot.press("ctrl+q")
    for path in (tmp_path / "state").rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes()


async def test_without_a_key_the_check_says_where_to_give_one_and_ticks_decide(tmp_path):
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await through_step_one(pilot)
        assert app.screen.query_one("#jc-check", Button).disabled
        assert "No JumpCloud API key" in shown(pilot, "#jc-source")
        await set_value(pilot, "#idp_url_value", "pulumi")
        await tick(pilot, "#acknowledged")
        await next_step(pilot)
        assert app.state.status(StepId.CREATE_APP) is StepStatus.CONFIRMED


async def test_jumpcloud_unreachable_leaves_the_step_to_the_admin(tmp_path, refused_port, monkeypatch):
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await through_step_one(pilot, f"http://127.0.0.1:{refused_port}")
        await set_value(pilot, "#idp_url_value", "pulumi")
        await tick(pilot, "#acknowledged")
        await press(pilot, "#jc-check")
        assert "connection refused" in shown(pilot, "#jc-findings")
        # the answer is in sight (it is below the fold at this size), and says where the URL is set
        body = app.screen.query_one("#body")
        answer = app.screen.query_one("#jc-findings")
        assert body.content_region.contains_region(answer.region) or answer.region.y == body.content_region.y
        assert "JumpCloud URL (step 1, ctrl+j)" in " ".join(shown(pilot, "#jc-findings").split())
        await next_step(pilot)  # not refuted: the admin's confirmation stands, recorded as such
        assert app.state.status(StepId.CREATE_APP) is StepStatus.CONFIRMED


async def test_step_two_creates_the_missing_app_from_the_catalogue_when_asked(tmp_path, jumpcloud, monkeypatch):
    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    jumpcloud.apps.clear()
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await through_step_one(pilot, jumpcloud.url)
        await set_value(pilot, "#idp_url_value", "pulumi-acme")
        await set_value(pilot, "#display_name", "Pulumi Cloud")
        await press(pilot, "#jc-check")
        assert "'Pulumi Cloud' at https://sso.jumpcloud.com/saml2/pulumi-acme" in shown(pilot, "#jc-create-what")
        assert app.screen.query_one("#jc-create-run", Button).disabled  # not before the tick
        await tick(pilot, "#jc-create-confirm")
        await press(pilot, "#jc-create-run")
        assert "Created in JumpCloud" in shown(pilot, "#jc-create-findings")
        [made] = jumpcloud.apps.values()
        assert (
            made["ssoUrl"] == "https://sso.jumpcloud.com/saml2/pulumi-acme" and made["displayLabel"] == "Pulumi Cloud"
        )
        await tick(pilot, "#acknowledged")
        await next_step(pilot)
        assert app.state.status(StepId.CREATE_APP) is StepStatus.VERIFIED


async def test_a_bug_in_the_check_is_a_finding_not_a_crash(tmp_path, jumpcloud, monkeypatch):
    import wizard.jumpcloud_step as step

    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
    monkeypatch.setattr(step, "run_check", broken)
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await through_step_one(pilot)
        await set_value(pilot, "#idp_url_value", "pulumi")
        await press(pilot, "#jc-check")
        assert "failed unexpectedly (RuntimeError)" in shown(pilot, "#jc-findings")
        assert isinstance(app.screen, CreateAppScreen)


async def test_ctrl_j_off_step_one_says_where_the_key_is_given(tmp_path):
    """Step 4's text says 'ctrl+j there' (step 1): pressed elsewhere, the key is not silent."""
    from screens.groups import GroupsScreen
    from tests.wizard_helpers import resume, saved_app

    app = saved_app(tmp_path, StepId.GROUPS)
    async with app.run_test(size=SIZE) as pilot:
        await resume(pilot, GroupsScreen)
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert isinstance(app.screen, GroupsScreen)
        assert "given on step 1" in str(list(app._notifications)[-1].message)
