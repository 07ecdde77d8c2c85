"""The troubleshooting catalogue: symptoms an admin sees, their cause, the fix, the checks.

The entries are data (``assets/troubleshooting.json``), not code; each names the wizard
step where the fix is made.  Which finding codes detect an entry is declared with the
codes, in ``wizard.codes``: an entry's ``checks`` are read from there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

STEP_IDS = ("welcome", "create_app", "sso_tab", "groups", "metadata", "pulumi", "signin", "scim", "summary")
CATALOGUE_FILE = "troubleshooting.json"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    symptoms: tuple[str, ...]
    cause: str
    fix: str
    checks: tuple[str, ...]
    step: str

    def filled(self, *, org: str, api_base: str) -> Entry:
        """This entry with ``{org}`` and ``{api}`` replaced by the org's real values, and
        ``{place_rotate}``... by where the admin does it (``wizard.where``)."""
        from wizard.where import here

        values = {"{api}": api_base.rstrip("/"), "{org}": org}
        values.update({f"{{{name}}}": value for name, value in here().template_values().items()})

        def fill(text: str) -> str:
            for placeholder, value in values.items():
                text = text.replace(placeholder, value)
            return text

        return replace(
            self,
            title=fill(self.title),
            symptoms=tuple(fill(s) for s in self.symptoms),
            cause=fill(self.cause),
            fix=fill(self.fix),
        )

    def haystack(self) -> str:
        return "\n".join([self.id, self.title, *self.symptoms, self.cause, self.fix, *self.checks]).casefold()


class CatalogueError(ValueError):
    """The shipped catalogue is not what this module expects (a packaging bug)."""


def _entry(raw: object, index: int) -> Entry:
    if not isinstance(raw, dict):
        raise CatalogueError(f"entry {index} is not an object")
    try:
        entry = Entry(
            id=str(raw["id"]),
            title=str(raw["title"]),
            symptoms=tuple(str(s) for s in raw["symptoms"]),
            cause=str(raw["cause"]),
            fix=str(raw["fix"]),
            checks=(),
            step=str(raw["step"]),
        )
    except (KeyError, TypeError) as exc:
        raise CatalogueError(f"entry {index} lacks or mistypes {exc}") from None
    if entry.step not in STEP_IDS:
        raise CatalogueError(f"entry {entry.id!r} names an unknown step {entry.step!r}")
    return entry


def parse_catalogue(text: str) -> list[Entry]:
    """The entries of a catalogue file, each with the codes that detect it."""
    from wizard.codes import catalogue_links

    data = json.loads(text)
    if not isinstance(data, list):
        raise CatalogueError("the catalogue is not a list")
    links = catalogue_links()
    return [replace(entry, checks=links.get(entry.id, ())) for entry in (_entry(raw, i) for i, raw in enumerate(data))]


def load_catalogue() -> list[Entry]:
    """The shipped catalogue, in its file's order."""
    import assets

    return parse_catalogue(assets.read_text(CATALOGUE_FILE))


_WORD_RE = re.compile(r"[^\s\"'“”‘’]+")


def search(entries: list[Entry], query: str) -> list[Entry]:
    """Entries whose text (title, symptoms, cause, fix, codes) contains every word of ``query``.

    Case-insensitive; quotes are ignored; an empty query returns every entry.
    """
    words = [w.casefold() for w in _WORD_RE.findall(query or "")]
    if not words:
        return list(entries)
    return [entry for entry in entries if all(word in entry.haystack() for word in words)]


def entries_for_response(entries: list[Entry], codes: list[str]) -> list[Entry]:
    """Entries that explain the given finding codes of a pasted SAML response (for showing
    beside its diagnosis): in the order of ``codes``, each code's in the order it declares them;
    none for a code another found code explains (``Code.explained_by``)."""
    from wizard.codes import REGISTRY, response_catalogue

    found = set(codes)
    explained = {c for c in codes if c in REGISTRY and found.intersection(REGISTRY[c].explained_by)}
    by_id = {entry.id: entry for entry in entries}
    wanted = dict.fromkeys(entry for code in codes if code not in explained for entry in response_catalogue(code))
    return [by_id[entry] for entry in wanted if entry in by_id]
