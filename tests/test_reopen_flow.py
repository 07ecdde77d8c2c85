"""Pilot: an earlier answer changed after later steps were done reopens exactly the
steps resting on it; the step list, the summary and the record say so; a reason beside
a field goes as soon as the field is fixed."""

from __future__ import annotations

import pytest

from screens.create_app import CreateAppScreen
from screens.groups import GroupsScreen
from screens.metadata import MetadataScreen
from screens.pulumi import PulumiScreen
from screens.scim import ScimScreen
from screens.signin import SigninScreen
from screens.sso_tab import SsoTabScreen
from screens.summary import SummaryScreen
from screens.welcome import WelcomeScreen
from tests.wizard_helpers import error_text, finished_setup, make_app, next_step, set_value, settle, tick, until
from wizard.report import build_record
from wizard.state import STEP_ORDER, StateStore, StepId, StepStatus

SIZE = (100, 30)
V, W, C, S, R, F, N = (
    StepStatus.VERIFIED,
    StepStatus.WARNINGS,
    StepStatus.CONFIRMED,
    StepStatus.SKIPPED,
    StepStatus.REOPENED,
    StepStatus.FAILED,
    StepStatus.NOT_STARTED,
)
ROWS = ("sp_entity_id", "acs_url", "relay_state", "nameid", "nameid_format", "signature_algorithm", "idp_entity_id")


def statuses(app) -> list[StepStatus]:
    return [app.state.status(step) for step in STEP_ORDER]


def step_list_marks(app) -> str:
    lines = str(app.screen.query_one("#steps").render()).splitlines()
    return "".join(line[1] for line in lines[:9])


def wide_text(renderable) -> str:
    import io

    from rich.console import Console

    console = Console(width=300, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def palette_steps(app) -> list[str]:
    """The palette's steps that open (the others are listed saying why not yet)."""
    return [
        c.title
        for c in app.get_system_commands(app.screen)
        if c.title.startswith("Go to step") and not c.help.startswith("Not yet")
    ]


def palette_blocked(app) -> dict[str, str]:
    return {
        c.title: c.help
        for c in app.get_system_commands(app.screen)
        if c.title.startswith("Go to step") and c.help.startswith("Not yet")
    }


async def resume(pilot, screen_type):
    await pilot.pause()
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(pilot.app.screen, screen_type)
    return pilot.app.screen


async def wait_for_metadata_check(pilot, screen: MetadataScreen) -> None:
    await settle(pilot)
    assert screen.report is not None, "the metadata check did not report"


async def test_changing_the_org_after_the_end_reopens_only_what_rests_on_it(tmp_path):
    StateStore(tmp_path / "state").save(finished_setup(tmp_path))
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await resume(pilot, SummaryScreen)
        assert statuses(app) == [C, C, C, C, V, C, C, S, V]
        await pilot.click("#steps", offset=(4, 1))  # step 1 in the step list
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        await set_value(pilot, "#org", "acmecorp2")
        # said before Next, beside it: what accepting the change reopens, and why
        gate = " ".join(str(app.screen.query_one("#gate-message").render()).split())
        assert gate == (
            "Accepting this reopens steps 3, 6, 7, 8 and 9: the organisation name changed (acmecorp → acmecorp2)."
        )
        await set_value(pilot, "#org", "acmecorp")  # changed back: nothing would be reopened
        assert str(app.screen.query_one("#gate-message").render()) == ""
        await set_value(pilot, "#org", "acmecorp2")
        await next_step(pilot)

        # the app, its groups and its metadata do not rest on the org: they keep their state
        assert isinstance(app.screen, CreateAppScreen)
        assert statuses(app) == [C, C, R, C, V, R, R, R, R]
        assert step_list_marks(app) == "✎✎↺✎✓↺↺↺↺"
        assert any(
            "Reopened 3. SSO tab values, 6. Configure Pulumi, 7. Sign in, 8. SCIM (optional), 9. Summary: "
            "the organisation name changed (acmecorp → acmecorp2)." in str(n.message)
            for n in app._notifications
        )
        # neither the palette nor the step list passes the first reopened step
        assert palette_steps(app) == [
            "Go to step 1: Prerequisites",
            "Go to step 2: Create the app",
            "Go to step 3: SSO tab values",
        ]
        # the others are listed too, saying which step to finish first
        assert palette_blocked(app)["Go to step 5: Export metadata"] == (
            "Not yet: finish step 3 (SSO tab values) first"
        )
        app.go_to(StepId.SIGNIN)
        await pilot.pause()
        assert isinstance(app.screen, CreateAppScreen)

        await next_step(pilot)  # step 2 stays as it was
        assert isinstance(app.screen, SsoTabScreen)
        screen = app.screen
        assert "↺ reopened: the organisation name changed (acmecorp → acmecorp2)" in str(
            screen.query_one("#step-title").render()
        )
        assert not any(screen.query_one(f"#tick-{key}").value for key in ROWS)  # ticked for acmecorp's values
        assert "/login/acmecorp2/sso/saml/acs" in str(screen.query_one("#copy-acs_url .copy-text").render())
        await next_step(pilot)
        assert isinstance(app.screen, SsoTabScreen)
        for key in ROWS:
            await tick(pilot, f"#tick-{key}")
        await next_step(pilot)
        assert isinstance(app.screen, GroupsScreen)
        await next_step(pilot)
        assert isinstance(app.screen, MetadataScreen)
        await wait_for_metadata_check(pilot, app.screen)
        await next_step(pilot)
        assert isinstance(app.screen, PulumiScreen)
        assert not app.screen.query_one("#applied").value  # confirmed for acmecorp, not acmecorp2
        for key in ("saml_admin", "own_account", "members", "immediate"):
            await tick(pilot, f"#switch-{key}")
        await tick(pilot, "#applied")
        await next_step(pilot)
        assert isinstance(app.screen, SigninScreen)
        assert not app.screen.query_one("#idp_initiated_ok").value
        await tick(pilot, "#idp_initiated_ok")
        await tick(pilot, "#sp_initiated_ok")
        await next_step(pilot)
        assert isinstance(app.screen, ScimScreen)
        assert not app.screen.query_one("#skip").value  # the skip was decided for the other org
        assert app.screen.query_one("#skip_reason").value == "no Enterprise edition yet"  # what was typed is kept
        await tick(pilot, "#skip")
        await next_step(pilot)

        assert isinstance(app.screen, SummaryScreen)
        table = wide_text(app.screen._table())  # what the summary's table says, unwrapped
        assert "the admin ticked the six values for acmecorp2" in table
        assert "✓ verified" in table and "✎ confirmed" in table and "» skipped" in table
        assert "done" not in table.split()
        record = tmp_path / "record.md"
        await set_value(pilot, "#record_path", str(record))
        await next_step(pilot)  # Finish writes the record
        assert statuses(app) == [C, C, C, C, V, C, C, S, V]

    text = record.read_text()
    assert "setup record for `acmecorp2`" in text
    assert "https://api.pulumi.com/login/acmecorp2/sso/saml/acs" in text
    assert "/login/acmecorp/" not in text  # nothing of the old organisation's values
    assert "| SSO tab values | ✎ confirmed | the admin ticked the six values for acmecorp2" in text
    assert "| Configure Pulumi | ✎ confirmed |" in text and "not verified through Pulumi's API" in text
    assert "done" not in text.lower().split()


async def test_changing_the_idp_url_value_after_the_export_reopens_the_app_s_steps(tmp_path):
    state = finished_setup(tmp_path, through=StepId.SIGNIN)
    StateStore(tmp_path / "state").save(state)
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await resume(pilot, SigninScreen)
        assert statuses(app) == [C, C, C, C, V, C, N, N, N]
        await pilot.click("#steps", offset=(4, 2))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CreateAppScreen) and screen.query_one("#acknowledged").value
        await set_value(pilot, "#idp_url_value", "pulumi-acmecorp")
        # the tick vouched for bitdefender's URL: it goes as soon as the value changes
        assert not screen.query_one("#acknowledged").value
        await next_step(pilot)
        assert isinstance(app.screen, CreateAppScreen)
        assert "saml2/pulumi-acmecorp: it can never be changed" in error_text(pilot, "acknowledged")
        await tick(pilot, "#acknowledged")
        assert error_text(pilot, "acknowledged") == ""  # gone without another Next
        await next_step(pilot)

        assert isinstance(app.screen, SsoTabScreen)
        assert statuses(app) == [C, C, R, R, R, R, N, N, N]
        assert app.state.record(StepId.METADATA).note == (
            "reopened: the IdP URL value changed (bitdefender → pulumi-acmecorp)"
        )
        assert "Go to step 7: Sign in" not in palette_steps(app)
        app.go_to(StepId.SIGNIN)
        await pilot.pause()
        assert isinstance(app.screen, SsoTabScreen)

        for key in ROWS:
            await tick(pilot, f"#tick-{key}")
        await next_step(pilot)
        await next_step(pilot)
        screen = app.screen
        assert isinstance(screen, MetadataScreen)
        await wait_for_metadata_check(pilot, screen)
        # bitdefender's export is not this app's: it cannot be accepted again
        assert "metadata.sso.slug_mismatch" in [f.code for f in screen.report.findings]
        await next_step(pilot)
        assert isinstance(app.screen, MetadataScreen)
        assert statuses(app) == [C, C, C, C, F, R, N, N, N]
        app.go_to(StepId.SUMMARY)
        await pilot.pause()
        assert isinstance(app.screen, MetadataScreen)

    record = build_record(app.state)
    assert "- IdP URL value: `pulumi-acmecorp`" in record
    assert "| Export metadata | ✗ failed |" in record  # the bitdefender facts are not passed off as checked
    assert "- Loaded into Pulumi: ↺ reopened" in record


async def test_a_reason_goes_as_soon_as_its_field_is_fixed(tmp_path):
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        gate = app.screen.query_one("#gate-message")
        await next_step(pilot)
        assert "SSO Package" in error_text(pilot, "has_sso_package")
        assert str(gate.render()) == "Not yet: 3 things to fix (shown above)."
        await tick(pilot, "#has_sso_package")
        assert error_text(pilot, "has_sso_package") == ""
        assert str(gate.render()) == "Not yet: 2 things to fix (shown above)."
        await tick(pilot, "#has_saml_edition")
        assert error_text(pilot, "has_saml_edition") == ""
        # the one reason left fits beside Next at 80x24: quoted, not pointed to
        assert str(gate.render()) == f"Not yet: {error_text(pilot, 'org').splitlines()[0]}"
        await set_value(pilot, "#org", "acme corp")
        assert "no spaces" in error_text(pilot, "org")  # still refused: the reason follows the field
        await set_value(pilot, "#org", "acmecorp")
        assert error_text(pilot, "org") == "" and str(gate.render()) == "Passes now: press Next."
        await tick(pilot, "#has_sso_package", False)
        assert "SSO Package" in error_text(pilot, "has_sso_package")
        await tick(pilot, "#has_sso_package")
        await next_step(pilot)

        assert isinstance(app.screen, CreateAppScreen)
        assert str(app.screen.query_one("#gate-message").render()) == ""  # a new step starts without reasons
        await set_value(pilot, "#idp_url_value", "pulumi-acme")
        await tick(pilot, "#acknowledged")
        await next_step(pilot)
        for key in ROWS:
            await tick(pilot, f"#tick-{key}")
        await next_step(pilot)

        assert isinstance(app.screen, GroupsScreen)
        await next_step(pilot)
        assert "at least one" in error_text(pilot, "groups")
        await set_value(pilot, "#groups", "Engineering")
        assert error_text(pilot, "groups") == ""
        assert str(app.screen.query_one("#gate-message").render()) == "Passes now: press Next."


@pytest.mark.parametrize("leave", ["back", "quit"])
async def test_what_was_entered_but_not_submitted_is_kept_as_a_draft(tmp_path, leave):
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await set_value(pilot, "#org", "acmecorp")
        await tick(pilot, "#has_sso_package")
        await tick(pilot, "#has_saml_edition")
        await next_step(pilot)
        await set_value(pilot, "#idp_url_value", "pulumi-acme")
        if leave == "back":
            await pilot.press("ctrl+b")
            await pilot.pause()
            await next_step(pilot)
            assert app.screen.query_one("#idp_url_value").value == "pulumi-acme"
        else:
            await pilot.press("ctrl+q")
            await pilot.pause()
    assert app.state.idp_url_value == ""  # never submitted: not part of the setup
    saved = StateStore(tmp_path / "state").load().state
    assert saved.drafts["create_app"]["form"]["idp_url_value"] == "pulumi-acme"
    again = make_app(tmp_path / "state")
    async with again.run_test(size=SIZE) as pilot:
        # the prompt says input was kept, and where: it is not a surprise on the step
        await until(pilot, lambda: type(again.screen).__name__ == "ResumeScreen", what="the resume prompt")
        prompt = " ".join(str(again.screen.query_one("#resume-text").render()).split())
        assert "Input entered but not submitted is kept (2. Create the app)" in prompt
        await resume(pilot, CreateAppScreen)
        assert again.screen.query_one("#idp_url_value").value == "pulumi-acme"
        assert again.state.idp_url_value == ""
