"""Helpers for driving the wizard with Pilot (imported by the Pilot and snapshot tests)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from screens.app import WizardApp

FIXED_NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


class CopyRecorder:
    """Stands in for the system clipboard: records, never touches the real one."""

    def __init__(self) -> None:
        self.copied: list[str] = []

    def __call__(self, text: str) -> str | None:
        self.copied.append(text)
        return None


def make_app(state_dir: Path, downloads: Path | None = None, recorder: CopyRecorder | None = None) -> WizardApp:
    folders = [downloads] if downloads else []
    return WizardApp(
        state_dir,
        now=lambda: FIXED_NOW,
        export_folders=lambda: list(folders),
        system_copy=recorder if recorder is not None else CopyRecorder(),
        cursor_blink=False,
    )


async def type_into(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    if hasattr(widget, "clear"):
        widget.clear()
    await pilot.pause()
    if text:
        await pilot.press(*[_key(c) for c in text])
    await pilot.pause()


def _key(char: str) -> str:
    return {" ": "space", "\n": "enter", "/": "slash", ".": "full_stop", "-": "minus", "_": "underscore",
            ":": "colon", "~": "tilde", ",": "comma"}.get(char, char)


async def tick(pilot, selector: str, value: bool = True) -> None:
    box = pilot.app.screen.query_one(selector)
    if box.value != value:
        box.focus()
        await pilot.press("space")
    await pilot.pause()
    assert box.value == value


async def next_step(pilot) -> None:
    await pilot.press("ctrl+n")
    await pilot.pause()
    await pilot.pause()


def error_text(pilot, field: str) -> str:
    return str(pilot.app.screen.query_one(f"#err-{field}").render())
