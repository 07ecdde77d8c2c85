"""Text from outside made inert before anyone sees it.

Values read from a pasted response, a metadata file or an API answer can carry
characters a terminal acts on instead of showing: ESC and CSI sequences (which
can retitle the window, clear the screen or fake other lines), carriage returns
and backspaces (which overwrite what was printed), and bidirectional overrides
such as U+202E (which make text read differently than it is).  ``inert`` shows
each such character as a visible ``\\uXXXX`` escape instead, so the admin sees
that it is there, and nothing acts on it.
"""

from __future__ import annotations


def _escape(char: str) -> str:
    return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


def inert(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every non-printable character (control, format, separator other
    than the space, surrogate, private-use or unassigned) shown as an escape;
    ``keep_newlines`` leaves line feeds alone (for whole outputs, never for a value)."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or (keep_newlines and char == "\n") else _escape(char) for char in text)


__all__ = ["inert"]
