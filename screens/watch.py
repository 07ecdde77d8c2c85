"""Watching Pulumi while a step is open: sign-ins in the audit log (step 7), teams SCIM
pushed (step 8).

A watch asks Pulumi every ``app.poll_interval`` seconds, at most ``WATCH_ROUNDS``
times, in a worker (no key ever waits for it), and says so on screen ("watching…
round 3 of 40"); it stops when what it waits for has arrived, when the admin stops
it, and when the step is left.  What Pulumi answered is handed to the app with the
form; the step model decides what it proves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from textual.css.query import NoMatches
from textual.widgets import Button, Static

WATCH_ROUNDS = 40


class Watch:
    """One watch on a screen: ``start`` runs ``ask`` until ``done(answer)`` says enough."""

    def __init__(self, screen: Any, name: str, *, button: str, status: str, label: str) -> None:
        self.screen = screen
        self.name = name
        self.button = button  # the Start/Stop button's id
        self.status = status  # the Static that says what is going on
        self.label = label  # the button's label when not watching
        self.running = False
        self.rounds = 0

    def toggle(self, ask: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], what: str) -> None:
        if self.running:
            self.stop("Stopped watching.")
        else:
            self.start(ask, done, what)

    def start(self, ask: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], what: str) -> None:
        self.running = True
        self.rounds = 0
        self._button().label = "Stop watching"
        self.screen.run_worker(self._loop(ask, done, what), group=self.name, exclusive=True)

    def stop(self, why: str = "") -> None:
        self.running = False
        if not self.screen.is_attached:
            return  # the step was left: its widgets are gone
        try:
            self._button().label = self.label
            if why:
                self.screen.query_one(self.status, Static).update(why)
        except NoMatches:
            pass

    def _button(self) -> Button:
        return self.screen.query_one(f"#{self.button}", Button)

    async def _loop(self, ask: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], what: str) -> None:
        interval = float(getattr(self.screen.app, "poll_interval", 5.0))
        try:
            while self.running and self.rounds < WATCH_ROUNDS:
                self.rounds += 1
                if not self.screen.is_attached:
                    return
                try:
                    self.screen.query_one(self.status, Static).update(
                        f"Watching {what} … (asking Pulumi, round {self.rounds} of {WATCH_ROUNDS})"
                    )
                except NoMatches:
                    return
                try:
                    answer = await ask()
                except Exception as exc:  # a bug is a line on screen, not a closed wizard
                    self.stop(f"Stopped watching: the check failed unexpectedly ({type(exc).__name__}).")
                    return
                if not self.screen.is_attached or not self.running:
                    return
                try:
                    enough = done(answer)
                except NoMatches:  # the step is being left: its widgets are going
                    return
                if enough:
                    self.stop(f"Done watching {what}.")
                    return
                await asyncio.sleep(interval)
            if self.running:
                self.stop(f"Stopped watching {what} after {WATCH_ROUNDS} rounds; start again to go on.")
        finally:
            self.running = False
