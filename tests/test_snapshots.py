"""Snapshots: every screen at 100x30, the first and the SSO-table screens at 80x24.

Each snapshot starts the real app on a saved state (as a returning admin would)
with the clock, the Downloads folder and the clipboard replaced by test doubles.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from conftest import GOOD_EXPORT  # noqa: E402
from wizard_helpers import make_app  # noqa: E402

from wizard.state import STEP_ORDER, StateStore, StepId, StepStatus, WizardState  # noqa: E402


def saved_state(step: StepId) -> WizardState:
    state = WizardState(
        org="acmecorp",
        has_sso_package=True,
        has_saml_edition=True,
        idp_url_value="bitdefender",
        idp_url_acknowledged=True,
        groups=["Engineering", "SRE"],
        metadata_xml=GOOD_EXPORT.read_text(),
        record_path="pulumi-sso-acmecorp.md",
        ticked_rows=["sp_entity_id", "acs_url"] if step is StepId.SSO_TAB else [
            "sp_entity_id", "acs_url", "relay_state", "nameid", "nameid_format", "signature_algorithm"],
    )
    for earlier in STEP_ORDER[: STEP_ORDER.index(step)]:
        state.set_status(earlier, StepStatus.DONE)
    state.current_step = step.value
    return state


def app_at(tmp_path: Path, step: StepId | None):
    state_dir = tmp_path / "state"
    if step is not None:
        StateStore(state_dir).save(saved_state(step))
    return make_app(state_dir)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    for screen in pilot.app.screen_stack:
        await screen.workers.wait_for_complete() if hasattr(screen.workers, "wait_for_complete") else None
    await pilot.pause(0.1)
    await pilot.pause()


def resume_then(*keys: str):
    async def run_before(pilot) -> None:
        from screens.resume import ResumeScreen

        for _ in range(100):
            await pilot.pause(0.01)
            if isinstance(pilot.app.screen, ResumeScreen):
                break
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
