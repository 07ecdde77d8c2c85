"""Snapshots of the troubleshooting screen: a diagnosis with a finding (100x30 and 80x24), a catalogue search.

Deterministic: the app's clock is fixed (FIXED_NOW) and the response is signed with the
test-only key kept in tests/data (see test_troubleshoot_screen), so the certificate
fingerprint and the signature shown are the same on every run.
"""

from __future__ import annotations

import pytest

from tests import test_troubleshoot_screen as ts
from wizard.state import StepId


def wrong_audience() -> str:
    return ts.response(audience=ts.VALUES.sp_entity_id.replace("acmecorp", "AcmeCorp"), in_response_to="_req1").decode()


def after_diagnosis(text: str, *, scroll_to_summary: bool = False):
    async def run_before(pilot) -> None:
        await ts.resume(pilot, ts.SigninScreen)
        screen = await ts.open_troubleshooting(pilot)
        screen.query_one("#response").cursor_blink = False
        await ts.diagnose_paste(pilot, text)
        await pilot.pause()
        if scroll_to_summary:  # what the admin sees after scrolling down to the decoded values
            screen.query_one("#ts-results").scroll_to_widget(screen.query_one("#ts-summary"), animate=False, top=True)
            await pilot.pause()

    return run_before


def after_search(query: str):
    async def run_before(pilot) -> None:
        await ts.resume(pilot, ts.SigninScreen)
        await ts.open_troubleshooting(pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        await ts.type_into(pilot, "#catalogue-search", query)
        search = pilot.app.screen.query_one("#catalogue-search")
        search.cursor_blink = False
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_diagnosis_with_a_wrong_audience(size, snap_compare, tmp_path):
    app = ts.app_at(tmp_path, StepId.SIGNIN)
    assert snap_compare(app, terminal_size=size, run_before=after_diagnosis(wrong_audience()))


def test_decoded_summary_with_the_expected_value(snap_compare, tmp_path):
    app = ts.app_at(tmp_path, StepId.SIGNIN)
    assert snap_compare(
        app, terminal_size=(100, 30), run_before=after_diagnosis(wrong_audience(), scroll_to_summary=True)
    )


def test_catalogue_search(snap_compare, tmp_path):
    app = ts.app_at(tmp_path, StepId.SIGNIN)
    assert snap_compare(app, terminal_size=(100, 30), run_before=after_search("certificate expired"))
