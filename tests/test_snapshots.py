"""Snapshots: every screen at 100x30, the first and the SSO-table screens at 80x24.

Each snapshot starts the real app on a saved state (as a returning admin would)
with the clock, the Downloads folder and the clipboard replaced by test doubles.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.exports import GOOD_EXPORT
from tests.wizard_helpers import finished_setup, make_app, until
from tests.wizard_helpers import settle as checks_done
from wizard.state import StateStore, StepId, StepStatus, WizardState


def saved_state(step: StepId) -> WizardState:
    """Every step before ``step`` taken through its real gate, as an admin leaves them."""
    from wizard import flow

    state = finished_setup(Path("unused"), through=step)
    state.record_path = "pulumi-sso-acmecorp.md"  # relative: no temporary path on screen
    if step is StepId.SSO_TAB:  # two rows ticked so far
        flow.keep_draft(state, step, {"rows": ["sp_entity_id", "acs_url"]})
    if step is StepId.METADATA:  # XML pasted, not yet accepted
        flow.keep_draft(state, step, {"metadata_path": "", "metadata_xml": GOOD_EXPORT.read_text()})
    return state


def app_at(tmp_path: Path, step: StepId | None):
    state_dir = tmp_path / "state"
    if step is not None:
        StateStore(state_dir).save(saved_state(step))
    return make_app(state_dir)


async def settle(pilot) -> None:
    """Every check done, and its outcome painted."""
    await checks_done(pilot)
    await pilot.pause(0.1)
    await pilot.pause()


def resume_then(*keys: str):
    async def run_before(pilot) -> None:
        from screens.resume import ResumeScreen

        await until(pilot, lambda: isinstance(pilot.app.screen, ResumeScreen), what="the resume prompt")
        await pilot.press("r")
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("step", list(StepId), ids=[s.value for s in StepId])
def test_every_step_at_100x30(step, snap_compare, tmp_path):
    if step is StepId.WELCOME:
        app = app_at(tmp_path, None)
        assert snap_compare(app, terminal_size=(100, 30), run_before=lambda pilot: settle(pilot))
    else:
        assert snap_compare(app_at(tmp_path, step), terminal_size=(100, 30), run_before=resume_then())


def test_welcome_at_80x24(snap_compare, tmp_path):
    assert snap_compare(app_at(tmp_path, None), terminal_size=(80, 24), run_before=lambda pilot: settle(pilot))


def test_sso_table_at_80x24(snap_compare, tmp_path):
    assert snap_compare(app_at(tmp_path, StepId.SSO_TAB), terminal_size=(80, 24), run_before=resume_then())


def test_sso_table_row_7_at_80x24(snap_compare, tmp_path):
    """The IdP Entity ID row, reached by focus: its suggested value and note in view."""

    async def run_before(pilot) -> None:
        await resume_then()(pilot)
        pilot.app.screen.query_one("#tick-idp_entity_id").focus()
        await settle(pilot)

    assert snap_compare(app_at(tmp_path, StepId.SSO_TAB), terminal_size=(80, 24), run_before=run_before)


def test_pulumi_step_at_80x24(snap_compare, tmp_path):
    assert snap_compare(app_at(tmp_path, StepId.PULUMI), terminal_size=(80, 24), run_before=resume_then())


def test_troubleshooting_screen_at_80x24(snap_compare, tmp_path):
    assert snap_compare(app_at(tmp_path, StepId.SIGNIN), terminal_size=(80, 24), run_before=resume_then("ctrl+t"))


def test_resume_prompt(snap_compare, tmp_path):
    StateStore(tmp_path / "state").save(saved_state(StepId.GROUPS))

    async def run_before(pilot) -> None:
        await settle(pilot)

    assert snap_compare(make_app(tmp_path / "state"), terminal_size=(100, 30), run_before=run_before)


def test_troubleshooting_screen(snap_compare, tmp_path):
    assert snap_compare(app_at(tmp_path, StepId.SIGNIN), terminal_size=(100, 30), run_before=resume_then("ctrl+t"))


def test_refused_gate_shows_reasons_beside_fields(snap_compare, tmp_path):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)

    assert snap_compare(app_at(tmp_path, None), terminal_size=(100, 30), run_before=run_before)


def test_too_small_window(snap_compare, tmp_path):
    assert snap_compare(app_at(tmp_path, None), terminal_size=(60, 20), run_before=lambda pilot: settle(pilot))


def test_metadata_checked_shows_the_verdict(snap_compare, tmp_path):
    async def run_before(pilot) -> None:
        await resume_then()(pilot)
        pilot.app.screen.query_one("#check-paste").focus()
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app_at(tmp_path, StepId.METADATA), terminal_size=(100, 30), run_before=run_before)


def evidence_state(tmp_path: Path, current: StepId) -> WizardState:
    """A setup whose steps carry between them every kind of evidence the wizard records."""
    from tests.wizard_helpers import finished_setup
    from wizard.state import StepRecord

    state = finished_setup(tmp_path)
    state.record_path = "pulumi-sso-acmecorp.md"  # shown in the summary's field: no temporary path

    def put(step: StepId, status: StepStatus, note: str) -> None:
        basis = {} if status is StepStatus.REOPENED else state.record(step).basis  # as reconcile leaves it
        state.set_record(step, StepRecord(status, note, basis))

    put(
        StepId.METADATA,
        StepStatus.WARNINGS,
        "the exported metadata (JumpCloud-Pulumi-metadata.xml) passed the "
        "metadata checks Pulumi documents; 1 warning(s) acknowledged",
    )
    put(
        StepId.PULUMI,
        StepStatus.VERIFIED,
        "Pulumi's API returned metadata matching this export (certificate, SSO URL, entity ID)",
    )
    if current is StepId.SIGNIN:
        put(
            StepId.SIGNIN,
            StepStatus.FAILED,
            "Sign in from Pulumi's SSO sign-in page with the organisation name, then tick it here.",
        )
        state.sp_initiated_ok = False  # as the refusal left it: the step shows why it is not accepted
        put(StepId.SCIM, StepStatus.REOPENED, "reopened: the SCIM base URL changed")
        state.set_record(StepId.SUMMARY, StepRecord())
    else:
        put(StepId.SUMMARY, StepStatus.REOPENED, "reopened: what the setup record says changed")
    state.current_step = current.value
    return state


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
@pytest.mark.parametrize("current", [StepId.SIGNIN, StepId.SUMMARY], ids=["step-list", "summary"])
def test_every_kind_of_evidence(snap_compare, tmp_path, current, size):
    """The step list (verified, with warnings, confirmed, failed, reopened, not started) and
    the summary (verified, with warnings, confirmed, skipped; itself reopened): each state
    with its own mark and word."""
    StateStore(tmp_path / "state").save(evidence_state(tmp_path, current))
    assert snap_compare(make_app(tmp_path / "state"), terminal_size=size, run_before=resume_then())
