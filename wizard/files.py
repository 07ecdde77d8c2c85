"""Reading a file the admin named: its bytes, or a finding that says why not."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from wizard.findings import Finding, error


@dataclass(frozen=True)
class FileKind:
    """What the file holds, for the findings: codes ``<prefix>.none`` … ``<prefix>.unreadable``."""

    prefix: str  # "metadata.file", "response.file"
    field: str  # the input the findings belong beside
    ask: str  # "Enter the path of …"
    none_fix: str
    missing_fix: str


def named_path(path_text: str) -> Path:
    """The file a typed or pasted path names, ``~`` expanded.

    Terminals and file managers paste a dragged file's path quoted (``'/a b/c.xml'``), with
    its spaces escaped (``/a\\ b/c.xml``) or as a ``file://`` URL: such a path is read as
    the shell would read it, unless the text as it stands names something that exists.
    """
    text = path_text.strip()
    literal = Path(text).expanduser()
    try:
        if literal.exists() or literal.is_symlink():
            return literal
    except (OSError, ValueError):  # a name too long, a NUL: the caller's open says why
        return literal
    unwrapped = _unwrap_pasted_path(text)
    return Path(unwrapped).expanduser() if unwrapped and unwrapped != text else literal


def _unwrap_pasted_path(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text.lower().startswith("file://"):
        parts = urlsplit(text)
        return unquote(parts.path) if parts.netloc in ("", "localhost") else text
    if "\\" in text and os.sep == "/":  # a backslash-escaped path (a Windows path keeps its backslashes)
        return re.sub(r"\\(.)", r"\1", text)
    return text


def read_named_file(path_text: str, kind: FileKind, *, cap: int) -> tuple[bytes | None, list[Finding]]:
    """At most ``cap + 1`` bytes of the file (so a caller can tell it is over the cap), or why not."""

    def problem(code: str, message: str, fix: str) -> tuple[None, list[Finding]]:
        return None, [error(f"{kind.prefix}.{code}", message, fix, kind.field)]

    if not path_text.strip():
        return problem("none", kind.ask, kind.none_fix)
    path = named_path(path_text)
    try:
        if path.is_dir():
            return problem("is_dir", f"{path} is a folder, not a file.", "Name the file inside it.")
        with path.open("rb") as handle:
            data = handle.read(cap + 1)
    except FileNotFoundError:
        return problem("missing", f"There is no file at {path}.", kind.missing_fix)
    except PermissionError:
        return problem(
            "denied",
            f"{path} cannot be read (permission denied).",
            "Copy it somewhere you can read, or fix its permissions.",
        )
    except OSError as exc:
        return problem(
            "unreadable", f"{path} cannot be read: {exc.strerror or exc}.", "Choose another copy of the file."
        )
    return data, []


def decode_text(data: bytes) -> str | None:
    """A text file as written by JumpCloud, a browser or an editor: UTF-8 (a BOM allowed),
    or XML in UTF-16 or UTF-32 (with or without a BOM; ``xmlsafe.wide_encoding``, the rule
    the XML parser uses too).  None when it is none of these."""
    from wizard.xmlsafe import decode_wide, wide_encoding

    wide = wide_encoding(data)
    if wide is not None:
        return decode_wide(data, wide)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
