"""The troubleshooting catalogue: well-formed data, real codes, searchable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wizard.catalogue import STEP_IDS, CatalogueError, Entry, entries_for_codes, load_catalogue, parse_catalogue, search
from wizard.response import RESPONSE_CODES, XML_CODES

ROOT = Path(__file__).parent.parent
WIZARD = ROOT / "wizard"
CODE_LITERAL = re.compile(r"""["']((?:[a-z_]+)(?:\.[a-z0-9_]+)+)["']""")

# The metadata codes issue 3 fixes by name; used only while wizard/metadata.py is not there yet.
ISSUE_3_METADATA_CODES = {
    "metadata.not_metadata", "metadata.no_idp_descriptor", "metadata.protocol.missing",
    "metadata.entityid.missing", "metadata.entityid.placeholder", "metadata.sso.missing",
    "metadata.sso.not_https", "metadata.sso.not_jumpcloud", "metadata.sso.slug_mismatch",
    "metadata.cert.missing", "metadata.cert.unreadable", "metadata.cert.expired",
    "metadata.cert.not_yet_valid", "metadata.cert.expiring", "metadata.cert.weak_key",
    "metadata.nameid.missing", "metadata.nameid.unsupported", "metadata.valid_until.past", "metadata.ok",
}
# code prefix -> the module that emits those codes
EMITTERS = {"response": "response.py", "metadata": "metadata.py", "step": "steps.py", "scim": "scim.py",
            "pulumi": "pulumi_api.py", "xml": "xmlsafe.py"}


def _literals(module: str) -> set[str]:
    path = WIZARD / module
    return set(CODE_LITERAL.findall(path.read_text(encoding="utf-8"))) if path.exists() else set()


def emittable_codes() -> tuple[set[str], set[str]]:
    """(codes the project's checks can emit, prefixes whose module is absent)."""
    known = set(RESPONSE_CODES) | set(XML_CODES) | _literals("xmlsafe.py")
    absent: set[str] = set()
    for prefix, module in EMITTERS.items():
        if (WIZARD / module).exists():
            known |= {c for c in _literals(module) if c.startswith(prefix + ".")}
        else:
            absent.add(prefix)
    if "metadata" in absent:
        known |= ISSUE_3_METADATA_CODES
        absent.discard("metadata")
    return known, absent


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return load_catalogue()


def test_catalogue_loads_from_the_package(entries):
    assert len(entries) >= 12
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry.title and entry.symptoms and entry.cause and entry.fix
        assert entry.step in STEP_IDS


def test_every_code_named_exists_among_the_codes_the_checks_emit(entries):
    known, absent = emittable_codes()
    for entry in entries:
        for code in entry.checks:
            prefix = code.split(".", 1)[0]
            assert prefix in EMITTERS, f"{entry.id}: {code} has an unknown prefix"
            if prefix in absent:
                continue
            assert code in known, f"{entry.id} names {code}, which no check emits"


def test_the_response_codes_of_issue_6_are_all_covered_by_an_entry(entries):
    named = {code for entry in entries for code in entry.checks}
    wanted = {c for c in RESPONSE_CODES if c not in {"response.ok", "response.signature.unchecked"}}
    assert wanted <= named, wanted - named


def test_the_pulumi_topics_are_there(entries):
    titles = " | ".join(e.title.lower() for e in entries)
    for topic in ("locked out", "metadata", "nameid format", "sso binding", "email already in use", "scim",
                  "bound group", "certificate", "relaystate", "audience", "clock skew", "rotated"):
        assert any(topic in e.haystack() for e in entries), topic
    assert "email already in use" in titles


@pytest.mark.parametrize(("query", "expected_id"), [
    ("email already in use", "email-already-in-use"),
    ('"Email already in use"', "email-already-in-use"),
    ("LOCKED OUT", "locked-out"),
    ("sso binding", "sso-binding-not-found"),
    ("409", "scim-409"),
    ("response.audience.mismatch", "audience-mismatch"),
    ("clock skew", "clock-skew"),
    ("relaystate tile", "idp-initiated-no-relaystate"),
    ("certificate rotated", "signature-invalid-after-rotation"),
])
def test_search_finds(entries, query, expected_id):
    found = search(entries, query)
    assert expected_id in [e.id for e in found]


def test_search_needs_every_word(entries):
    assert search(entries, "email already in use") != entries
    assert search(entries, "locked out zebra") == []


def test_empty_search_returns_everything(entries):
    assert search(entries, "") == entries
    assert search(entries, "   ") == entries


def test_entries_for_codes(entries):
    found = [e.id for e in entries_for_codes(entries, {"response.cert.mismatch"})]
    assert found == ["signature-invalid-after-rotation"]


def test_a_bad_catalogue_is_refused():
    good = {"id": "x", "title": "t", "symptoms": ["s"], "cause": "c", "fix": "f", "checks": [], "step": "signin"}
    assert parse_catalogue(json.dumps([good]))[0].step == "signin"
    with pytest.raises(CatalogueError):
        parse_catalogue(json.dumps([dict(good, step="nowhere")]))
    with pytest.raises(CatalogueError):
        parse_catalogue(json.dumps([{"id": "x"}]))
    with pytest.raises(CatalogueError):
        parse_catalogue(json.dumps({"not": "a list"}))


def test_entries_can_be_filled_with_the_orgs_values(entries):
    entry = next(e for e in entries if e.id == "idp-initiated-no-relaystate")
    assert "{api}/login/{org}/sso" in entry.fix
    filled = entry.filled(org="acme-corp", api_base="https://api.pulumi.com")
    assert "https://api.pulumi.com/login/acme-corp/sso" in filled.fix
    assert "{" not in filled.fix and filled.checks == entry.checks
