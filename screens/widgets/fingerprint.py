"""Certificate fingerprints laid out so that a narrow window never breaks a pair."""

from __future__ import annotations

import re

# A SHA-256 fingerprint as the wizard shows it: 32 hex pairs joined by ':' (95 columns).
_SHA256 = re.compile(r"\b(?:[0-9A-F]{2}:){31}[0-9A-F]{2}\b")
_FIRST_LINE = 16 * 3  # 16 pairs and their colons


def fold_fingerprints(text: str) -> str:
    """Each SHA-256 fingerprint in ``text`` on two lines of 16 pairs: wider than 80
    columns, it was folded wherever the window ended, often inside a pair."""
    return _SHA256.sub(lambda m: m.group(0)[:_FIRST_LINE] + "\n" + m.group(0)[_FIRST_LINE:], text)
