"""Launch an app headless and exit right after its first screen is painted.

Used by bench_startup.py as a child process: ``python bench/_launch.py wizard|bare STATE_DIR``.
Prints nothing; the parent measures wall time and peak memory of the process.
"""

from __future__ import annotations

import sys


def bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Footer()

        def on_mount(self) -> None:
            self._probe = self.set_interval(0.001, self._painted)

        def _painted(self) -> None:
            if self.screen.is_mounted and self.screen.query("HeaderTitle"):
                self._probe.stop()
                self.call_after_refresh(self.exit)

    Bare().run(headless=True)


def wizard(state_dir: str) -> None:
    from screens.app import WizardApp
    from screens.base import StepScreen

    class Timed(WizardApp):
        def on_mount(self) -> None:
            super().on_mount()
            self._probe = self.set_interval(0.001, self._painted)

        def _painted(self) -> None:
            if isinstance(self.screen, StepScreen) and self.screen.is_mounted and self.screen.query("HeaderTitle"):
                self._probe.stop()
                self.call_after_refresh(self.exit)

    Timed(state_dir).run(headless=True)


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    else:
        wizard(sys.argv[2])
