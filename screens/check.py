"""One way for a screen to run a check: the metadata check, Verify with Pulumi, the
SCIM probe, the rotation's compare and apply, the diagnosis of a SAML response.

While a check runs its buttons are disabled, the one pressed says what is going on,
and a line says what is being checked; the check runs in a worker, so no key waits
for it.  An error in the check becomes the screen's own "failed" result instead of
closing the app.  A result that comes back after the admin left the screen, or after
a newer run of the same check started, is dropped.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Static

from screens.widgets.findings_view import FindingsView

T = TypeVar("T")


class CheckRunner(Generic[T]):
    def __init__(self, screen: Screen, name: str, *, buttons: tuple[str, ...] = (), status: str | None = None) -> None:
        self.screen = screen
        self.name = name  # the worker group: a new run replaces the one still running
        self.buttons = buttons  # ids of the buttons disabled while it runs
        self.status = status  # the selector of the Static that says what is being checked
        self.busy = False
        self._run = 0
        self._labels: dict[str, Any] = {}
        self._focus_back: Widget | None = None

    def start(
        self,
        work: Callable[[], Awaitable[T] | T],
        done: Callable[[T], Awaitable[None] | None],
        failed: Callable[[Exception], T],
        *,
        running: str = "",
        button: str = "",
        busy_label: str = "",
        delay: float = 0.0,
    ) -> None:
        """Run ``work`` in a worker, then ``done`` with its result (or ``failed(error)``'s).

        ``work`` holds whatever it needs (a token too): the reference is dropped as
        soon as it returns.  ``delay`` lets a paste arrive whole before the check."""
        self._run += 1
        self._set_busy(True, running, button, busy_label)
        self.screen.run_worker(self._go(self._run, work, done, failed, delay), group=self.name, exclusive=True)

    async def _go(
        self,
        run: int,
        work: Callable[[], Any] | None,
        done: Callable[[T], Any],
        failed: Callable[[Exception], T],
        delay: float,
    ) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            assert work is not None
            result = work()
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:  # a bug must not close the wizard and lose the admin's input
            result = failed(exc)
        finally:
            work = None
            if run == self._run:
                self._set_busy(False)
        if run != self._run or not self.screen.is_attached:
            return
        try:
            outcome = done(result)
            if inspect.isawaitable(outcome):
                await outcome
        except NoMatches:  # the admin left as the answer came: nothing to show it on
            return

    def _set_busy(self, busy: bool, running: str = "", button: str = "", busy_label: str = "") -> None:
        self.busy = busy
        screen = self.screen
        if not screen.is_attached:  # the admin left while it ran
            return
        screen.set_class(busy, "-busy")
        try:
            widgets = [screen.query_one(f"#{name}", Button) for name in self.buttons]
        except NoMatches:  # the screen is being taken down as the check ends
            return
        if busy:
            self._focus_back = screen.focused if screen.focused in widgets else self._focus_back
            for widget in widgets:
                widget.disabled = True
                if widget.id == button and busy_label:
                    self._labels.setdefault(button, widget.label)
                    widget.label = busy_label
            if running and self.status:
                status = screen.query_one(self.status, Static)
                status.running(running) if isinstance(status, FindingsView) else status.update(running)
            return
        for widget in widgets:
            widget.disabled = False
            if widget.id in self._labels:
                widget.label = self._labels.pop(widget.id)
        if self._focus_back is not None:
            # disabling moved the focus on: give it back to the button that was pressed
            self._focus_back.focus(scroll_visible=False)
            self._focus_back = None
