"""Snapshots of the SSO tab after *Check with JumpCloud* found two fields that differ:
the difference (now / will be) shown before anything is changed, at 100x30 and 80x24."""

from __future__ import annotations

import pytest

from tests.jumpcloud_fake import FakeJumpCloud, pulumi_app
from tests.test_snapshots import app_at, resume_then, settle
from tests.wizard_helpers import make_app
from wizard.state import StateStore, StepId
from wizard.values import org_values

KEY = "jc-0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def jumpcloud(monkeypatch):
    values = org_values("acmecorp")
    with FakeJumpCloud(KEY) as server:
        server.add_app(pulumi_app(values, "bitdefender", acsUrl=values.acs_url + "/", relayState=""))
        monkeypatch.setenv("JUMPCLOUD_API_KEY", KEY)
        yield server


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_the_difference_is_shown_before_fix_in_jumpcloud(snap_compare, tmp_path, jumpcloud, size):
    app_at(tmp_path, StepId.SSO_TAB)  # saves the state at step 3
    store = StateStore(tmp_path / "state")
    state = store.load().state
    state.jumpcloud_url = jumpcloud.url  # not on screen
    store.save(state)
    app = make_app(tmp_path / "state")  # made after the environment holds the key
    resume = resume_then()

    async def run_before(pilot) -> None:
        await resume(pilot)
        pilot.app.screen.query_one("#jc-check").press()
        await settle(pilot)
        pilot.app.screen.query_one("#jc-fix-confirm").scroll_visible(animate=False)
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
