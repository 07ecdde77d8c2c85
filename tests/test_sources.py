"""docs/sources.md keeps up with what the wizard enforces and links to (issue 15).

Every error-severity finding code and every troubleshooting catalogue entry has a row
naming its source (a link to a source of section 1, an inline https link, or a named
standard), or, for a code, is listed under "Gates without a source"; every step guide
has a row in section 7; every address in ``wizard.links`` is one of the page's https
sources.  The markdown is read simply: table rows are lines starting with ``|``, sections
start with ``## ``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wizard import links, values
from wizard.codes import REGISTRY
from wizard.findings import Severity
from wizard.pulumi_step import ADVICE_KEYS, CHECKLIST_KEYS, SWITCH_CHECKLIST

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "docs" / "sources.md"
CATALOGUE = ROOT / "assets" / "troubleshooting.json"
GUIDES = ROOT / "assets" / "guides"

_REFERENCE = re.compile(r"^\[([^\]]+)\]:\s*(\S+)\s*$", re.MULTILINE)
_USED_REFERENCE = re.compile(r"\[([^\]]+)\](?![(:\[])")
_STANDARD = re.compile(r"\b(?:RFC \d{3,5}|XML 1\.0|SAML 2\.0 (?:Core|Metadata|Profiles|Bindings))\b")
_TICKED = re.compile(r"`([^`]+)`")
_SEPARATOR = re.compile(r"^\|[\s:|-]+\|$")
_FAMILIES = {code.split(".", 1)[0] for code in REGISTRY}
_CODE = re.compile(r"^[a-z_]+(?:\.[a-z_]+)+$")

NO_SOURCE = "Gates without a source"
GATES = "Hard gates"
CATALOGUE_SECTION = "troubleshooting catalogue"
ADVICE = "Advice"
GUIDES_SECTION = "step guides"


def _sections(text: str) -> dict[str, list[str]]:
    """Heading of each ``## `` section -> its lines (the text before the first is ``""``)."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        else:
            sections[current].append(line)
    return sections


def _section(sections: dict[str, list[str]], words: str) -> list[str]:
    found = [lines for heading, lines in sections.items() if words.casefold() in heading.casefold()]
    assert len(found) == 1, f"docs/sources.md has {len(found)} sections named like {words!r}"
    return found[0]


def _rows(lines: list[str]) -> list[list[str]]:
    """The cells of each table row (header rows included; separators left out)."""
    rows = []
    for line in lines:
        line = line.strip()
        if line.startswith("|") and not _SEPARATOR.match(line):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _first_cell_names(row: list[str]) -> set[str]:
    return set(_TICKED.findall(row[0])) if row else set()


@pytest.fixture(scope="module")
def text() -> str:
    return SOURCES.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def references(text: str) -> dict[str, str]:
    return {label.casefold(): url for label, url in _REFERENCE.findall(text)}


@pytest.fixture(scope="module")
def sections(text: str) -> dict[str, list[str]]:
    return _sections(text)


def _has_source(row: list[str], references: dict[str, str]) -> bool:
    joined = " | ".join(row)
    if "](https://" in joined or _STANDARD.search(joined):
        return True
    return any(references.get(label.casefold(), "").startswith("https://") for label in _USED_REFERENCE.findall(joined))


def test_every_reference_is_defined_once_and_is_https(text, references):
    labels = [label.casefold() for label, _ in _REFERENCE.findall(text)]
    assert len(labels) == len(set(labels)), "a source is defined twice"
    for label, url in references.items():
        assert url.startswith("https://"), f"[{label}] is not an https address: {url}"
    body = _REFERENCE.sub("", text)
    undefined = {label for label in _USED_REFERENCE.findall(body) if label.casefold() not in references}
    assert not undefined, f"sources used but never defined: {sorted(undefined)}"


def test_every_error_code_has_a_source_or_is_listed_without_one(sections, references):
    gate_rows = _rows(_section(sections, GATES))
    unsourced = set().union(*(_first_cell_names(row) for row in _rows(_section(sections, NO_SOURCE))))
    errors = sorted(c.code for c in REGISTRY.values() if c.severity is Severity.ERROR)
    missing, bare = [], []
    for code in errors:
        rows = [row for row in gate_rows if code in _first_cell_names(row)]
        if not rows:
            missing.append(code)
        elif not any(_has_source(row, references) for row in rows) and code not in unsourced:
            bare.append(code)
    assert not missing, f"error codes with no row in docs/sources.md section 2: {missing}"
    assert not bare, f"error codes whose row names no source and that are not under {NO_SOURCE!r}: {bare}"


def test_the_codes_named_are_real(sections):
    """A code named in sections 2 and 5 is in the registry, unless its row says it is not."""
    for words in (GATES, NO_SOURCE):
        for row in _rows(_section(sections, words)):
            for name in _first_cell_names(row):
                if _CODE.match(name) and name.split(".", 1)[0] in _FAMILIES and name not in REGISTRY:
                    assert "not in the registry" in " ".join(row) or "missing from" in " ".join(row), (
                        f"docs/sources.md names {name}, which wizard.codes does not declare"
                    )


def test_every_catalogue_entry_has_a_sourced_row(sections, references):
    ids = [entry["id"] for entry in json.loads(CATALOGUE.read_text(encoding="utf-8"))]
    rows = _rows(_section(sections, CATALOGUE_SECTION))
    for entry_id in ids:
        found = [row for row in rows if entry_id in _first_cell_names(row)]
        assert found, f"catalogue entry {entry_id} has no row in docs/sources.md section 3"
        assert any(_has_source(row, references) for row in found), f"catalogue entry {entry_id} names no source"
    listed = set().union(*(_first_cell_names(row) for row in rows[1:]))
    assert listed <= set(ids), f"docs/sources.md lists catalogue entries that do not exist: {listed - set(ids)}"


def test_every_link_the_wizard_shows_is_an_https_source(references):
    constants = [value for name, value in vars(links).items() if name.isupper() and isinstance(value, str)]
    assert sorted(constants) == sorted(links.ALL_LINKS), "ALL_LINKS lists every address of wizard.links, once"
    assert len(set(links.ALL_LINKS)) == len(links.ALL_LINKS)
    for url in links.ALL_LINKS:
        assert url.startswith("https://"), url
        assert url in references.values(), f"{url} is not a source of docs/sources.md"


def test_the_admin_portal_links_are_the_wizard_s_jumpcloud_hosts():
    assert links.JUMPCLOUD_ADMIN_PORTAL == values.JUMPCLOUD_CONSOLE
    assert links.JUMPCLOUD_ADMIN_PORTAL_EU == values.JUMPCLOUD_CONSOLE_EU


def test_advice_is_shown_never_required_and_documented_as_advice(sections):
    assert not set(ADVICE_KEYS) & set(CHECKLIST_KEYS)
    assert all(not item.required for item in SWITCH_CHECKLIST if item.key in ADVICE_KEYS)
    advice = "\n".join(_section(sections, ADVICE))
    for key in ADVICE_KEYS:
        assert f"`{key}`" in advice, f"the advice item {key} is not listed in docs/sources.md section 4"


def test_every_step_guide_has_a_row(sections):
    names = sorted(path.name for path in GUIDES.glob("*.md"))
    assert names, f"no step guides in {GUIDES}"
    rows = _rows(_section(sections, GUIDES_SECTION))
    listed = set().union(*(_first_cell_names(row) for row in rows[1:]))
    missing = [name for name in names if name not in listed]
    assert not missing, f"step guides with no row in docs/sources.md section 7: {missing}"
    assert listed <= set(names), f"docs/sources.md section 7 names guides that do not exist: {listed - set(names)}"
