"""Data shipped with the wizard: the stylesheets, step guides, troubleshooting catalogue."""

from __future__ import annotations

from importlib.resources import files


def read_text(name: str) -> str:
    """A shipped asset by its path under assets/, e.g. ``guides/welcome.md``."""
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def path(name: str) -> str:
    """The file system path of a shipped asset (for Textual's CSS_PATH)."""
    return str(files(__name__) / name)


def guide(step_id: str) -> str:
    return read_text(f"guides/{step_id}.md")
