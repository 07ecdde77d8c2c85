"""Start-up: the garbage-collector pause (wizard/cli.py) ends with the first screen.

The pause makes start-up faster (bench/bench_startup.py); these tests guard the
other half, that the collector always runs again, so a long session does not grow.
"""

from __future__ import annotations

import gc

import pytest

from screens.base import StepScreen
from tests.wizard_helpers import make_app
from wizard.cli import main


@pytest.fixture
def collector_restored():
    yield
    gc.unfreeze()
    gc.enable()


async def collector_at_first_screen(tmp_path) -> tuple[bool, int]:
    """Start the wizard; (collector enabled?, objects frozen) once step 1 is shown."""
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        return gc.isenabled(), gc.get_freeze_count()


async def test_a_paused_collector_runs_again_once_the_first_screen_is_painted(tmp_path, collector_restored):
    gc.disable()  # what wizard.cli does before importing the TUI
    enabled, frozen = await collector_at_first_screen(tmp_path)
    assert enabled
    assert frozen > 0  # start-up's objects are kept out of later collections


async def test_a_running_collector_is_left_as_it_is(tmp_path, collector_restored):
    assert gc.isenabled()
    before = gc.get_freeze_count()
    enabled, frozen = await collector_at_first_screen(tmp_path)
    assert enabled and frozen == before
    assert gc.isenabled()


def test_sub_commands_never_pause_the_collector(capsys, collector_restored):
    assert main(["values", "acmecorp", "--json"]) == 0
    assert gc.isenabled()
