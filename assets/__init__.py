"""Data shipped with the wizard: the stylesheets, step guides, troubleshooting catalogue.

Found next to this file, in the installed package (never the current directory).
The package is always installed as plain files (pip unpacks wheels), so the path of
this module is enough; importlib.resources would add ~2 ms to every start-up.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def path(name: str) -> str:
    """The file system path of a shipped asset, e.g. ``wizard.tcss``."""
    return str(_HERE / name)


def read_text(name: str) -> str:
    """A shipped asset by its path under assets/, e.g. ``guides/welcome.md``."""
    return (_HERE / name).read_text(encoding="utf-8")


def guide(step_id: str) -> str:
    return read_text(f"guides/{step_id}.md")
