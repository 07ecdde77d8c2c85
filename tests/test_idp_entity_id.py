"""The IdP Entity ID: JumpCloud's own field on the SSO tab (free text, required there),
a row of step 3 with a suggested value, and the rule that the export carries it."""

from __future__ import annotations

from screens.metadata import MetadataScreen
from screens.sso_tab import SsoTabScreen
from tests.exports import GOOD_EXPORT
from tests.wizard_helpers import finished_setup, make_app, resume, set_value, settle, tick
from wizard import flow
from wizard.metadata import check_metadata
from wizard.report import build_record
from wizard.state import StateStore, StepId, StepStatus
from wizard.steps import check_sso_tab
from wizard.values import org_values, recommended_idp_entity_id

SIX = ["sp_entity_id", "acs_url", "relay_state", "nameid", "nameid_format", "signature_algorithm"]


def test_the_suggestion_is_the_app_s_own_idp_url():
    assert recommended_idp_entity_id("pulumi-acme") == "https://sso.jumpcloud.com/saml2/pulumi-acme"
    assert recommended_idp_entity_id("") == ""


def test_step_3_needs_the_idp_entity_id_entered_and_ticked():
    values = org_values("acmecorp")
    empty = check_sso_tab(values, [*SIX, "idp_entity_id"], "  ")
    assert [(f.code, f.field) for f in empty] == [("step.sso_tab.idp_entity_id", "idp_entity_id")]
    unticked = check_sso_tab(values, SIX, "JumpCloud")
    assert [f.code for f in unticked] == ["step.sso_tab.unticked"] and "IdP Entity ID" in unticked[0].message
    assert [f.code for f in check_sso_tab(values, [*SIX, "idp_entity_id"], "JumpCloud")] == ["step.ok"]


def test_an_export_carrying_another_entity_id_is_refused_with_both_values():
    report = check_metadata(GOOD_EXPORT.read_bytes(), idp_url_value="bitdefender", idp_entity_id="JumpCloud")
    assert not report.ok
    mismatch = next(f for f in report.findings if f.code == "metadata.entityid.mismatch")
    assert "strategicgroupnw" in mismatch.message and "JumpCloud" in mismatch.message
    assert "step 3" in mismatch.fix
    same = check_metadata(GOOD_EXPORT.read_bytes(), idp_url_value="bitdefender", idp_entity_id="strategicgroupnw")
    assert same.ok


def test_the_gate_holds_an_earlier_report_to_step_3_s_value():
    """A report checked before the value was known still cannot pass step 5."""
    state = finished_setup("/nonexistent", through=StepId.METADATA)
    state.idp_entity_id = "JumpCloud"
    form = {
        "metadata_path": str(GOOD_EXPORT),
        "metadata_xml": GOOD_EXPORT.read_text(),
        "source": GOOD_EXPORT.name,
        "ack_warnings": False,
        "report": check_metadata(GOOD_EXPORT.read_bytes(), idp_url_value="bitdefender"),
    }
    outcome = flow.submit(state, StepId.METADATA, form)
    assert not outcome.passed
    assert [f.code for f in outcome.verdict.findings if f.is_error] == ["metadata.entityid.mismatch"]


def test_the_record_states_the_idp_entity_id(tmp_path):
    state = finished_setup(tmp_path)
    assert "| IdP Entity ID | `strategicgroupnw` |" in build_record(state)


async def test_changing_it_on_step_3_reopens_step_5_which_then_refuses_the_old_export(tmp_path):
    state_dir = tmp_path / "state"
    state = finished_setup(tmp_path, through=StepId.PULUMI)
    state.current_step = StepId.SSO_TAB.value
    StateStore(state_dir).save(state)
    app = make_app(state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, SsoTabScreen)
        assert screen.query_one("#idp_entity_id").value == "strategicgroupnw"
        assert screen.query_one("#tick-idp_entity_id").value
        await set_value(pilot, "#idp_entity_id", "pulumi-jumpcloud")
        await pilot.pause()
        assert not screen.query_one("#tick-idp_entity_id").value  # it vouched for the old value
        await tick(pilot, "#tick-idp_entity_id")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.state.idp_entity_id == "pulumi-jumpcloud"
        assert app.state.status(StepId.METADATA) is StepStatus.REOPENED
        await pilot.press("ctrl+n")  # step 4, unchanged
        await settle(pilot)
        metadata = app.screen
        assert isinstance(metadata, MetadataScreen)
        await settle(pilot)
        codes = [f.code for f in metadata.report.findings]
        assert "metadata.entityid.mismatch" in codes
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, MetadataScreen)  # refused: the export predates the change


async def test_refused_for_an_unticked_row_the_focus_is_on_its_tick_so_space_ticks_it(tmp_path):
    state_dir = tmp_path / "state"
    state = finished_setup(tmp_path, through=StepId.SSO_TAB)
    StateStore(state_dir).save(state)
    app = make_app(state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resume(pilot, SsoTabScreen)
        for key in SIX:
            await tick(pilot, f"#tick-{key}")
        await set_value(pilot, "#idp_entity_id", "strategicgroupnw")
        await pilot.press("ctrl+n")  # focus is in the field: refused for row 7's tick
        await settle(pilot)
        assert isinstance(app.screen, SsoTabScreen)
        assert screen.focused is screen.query_one("#tick-idp_entity_id")
        await pilot.press("space")
        assert screen.query_one("#idp_entity_id").value == "strategicgroupnw"  # no space typed into it
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.state.idp_entity_id == "strategicgroupnw"
        assert app.state.status(StepId.SSO_TAB) is StepStatus.CONFIRMED


async def test_the_guide_s_copy_then_space_ticks_the_row_just_copied(tmp_path):
    """The guide says: copy a value with its key, paste it in JumpCloud, then tick its row
    (space). The key moves the focus to that row's tick, so space never ticks or unticks
    another row; at 80x24 the row copied is brought into view."""
    state_dir = tmp_path / "state"
    StateStore(state_dir).save(finished_setup(tmp_path, through=StepId.SSO_TAB))
    app = make_app(state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resume(pilot, SsoTabScreen)
        rows = screen.query_one("#rows")
        screen.query_one("#tick-sp_entity_id").focus()
        await pilot.press("space")  # row 1 ticked where it has the focus
        for n, key in enumerate(SIX[1:], start=2):
            await pilot.press(str(n), "space")
            await pilot.pause()
            tick_box = screen.query_one(f"#tick-{key}")
            assert screen.focused is tick_box and tick_box.value, key
            assert screen.query_one("#body").scrollable_content_region.contains_region(tick_box.region)
        await pilot.press("7", "space")
        await pilot.pause()
        assert app.clipboard == screen.query_one("#idp_entity_id").value
        assert all(box.value for box in rows.query(".sso-row Checkbox")), "every row ticked once, none unticked"


def test_a_new_idp_url_value_drops_the_old_app_s_suggested_entity_id_not_a_typed_one(tmp_path):
    """A new IdP URL value is a new JumpCloud app: the IdP Entity ID step 3 suggested for
    the old one (its IdP URL) is not carried over; a value the admin typed is kept."""
    from wizard.steps import STEPS

    state = finished_setup(tmp_path, through=StepId.GROUPS)
    state.idp_url_value, state.idp_entity_id = "pulumi-acme", recommended_idp_entity_id("pulumi-acme")
    STEPS[StepId.CREATE_APP].apply(state, {"idp_url_value": "bitdefender"})
    assert state.idp_entity_id == ""  # step 3 now suggests https://sso.jumpcloud.com/saml2/bitdefender
    state.idp_entity_id = "strategicgroupnw"
    STEPS[StepId.CREATE_APP].apply(state, {"idp_url_value": "pulumi-acme"})
    assert state.idp_entity_id == "strategicgroupnw"
