"""The troubleshooting catalogue: well-formed data, real codes, searchable."""

from __future__ import annotations

import json

import pytest

from wizard.catalogue import (
    STEP_IDS,
    CatalogueError,
    Entry,
    entries_for_response,
    load_catalogue,
    parse_catalogue,
    search,
)
from wizard.codes import REGISTRY


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


def test_every_catalogue_link_in_the_registry_names_an_entry(entries):
    ids = {e.id for e in entries}
    for code in REGISTRY.values():
        assert set(code.catalogue) <= ids, f"{code.code} links to {set(code.catalogue) - ids}, which is no entry"


def test_an_entry_lists_exactly_the_codes_the_registry_links_to_it(entries):
    for entry in entries:
        linked = {c.code for c in REGISTRY.values() if entry.id in (*c.catalogue, *(c.in_response or ()))}
        assert set(entry.checks) == linked
    assert sum(len(e.checks) for e in entries) >= 50


def test_every_response_problem_has_an_entry():
    # not reading the admin's file (its message is the fix), and "not checked" (it says how to check)
    exempt = {"response.signature.unchecked"}
    unexplained = [
        c.code
        for c in REGISTRY.values()
        if c.code.startswith("response.")
        and not c.code.startswith("response.file.")
        and c.severity.value in ("error", "warning")
        and c.code not in exempt
        and not c.catalogue
    ]
    assert not unexplained, unexplained


def test_the_pulumi_topics_are_there(entries):
    titles = " | ".join(e.title.lower() for e in entries)
    for topic in (
        "locked out",
        "metadata",
        "nameid format",
        "sso binding",
        "email already in use",
        "scim",
        "bound group",
        "certificate",
        "relaystate",
        "audience",
        "clock skew",
        "rotated",
    ):
        assert any(topic in e.haystack() for e in entries), topic
    assert "email already in use" in titles


@pytest.mark.parametrize(
    ("query", "expected_id"),
    [
        ("email already in use", "email-already-in-use"),
        ('"Email already in use"', "email-already-in-use"),
        ("LOCKED OUT", "locked-out"),
        ("sso binding", "sso-binding-not-found"),
        ("409", "scim-409"),
        ("response.audience.mismatch", "audience-mismatch"),
        ("clock skew", "clock-skew"),
        ("relaystate tile", "idp-initiated-no-relaystate"),
        ("certificate rotated", "signature-invalid-after-rotation"),
    ],
)
def test_search_finds(entries, query, expected_id):
    found = search(entries, query)
    assert expected_id in [e.id for e in found]


def test_search_needs_every_word(entries):
    assert search(entries, "email already in use") != entries
    assert search(entries, "locked out zebra") == []


def test_empty_search_returns_everything(entries):
    assert search(entries, "") == entries
    assert search(entries, "   ") == entries


def test_entries_for_a_response_s_codes(entries):
    found = [e.id for e in entries_for_response(entries, ["response.cert.mismatch"])]
    assert found == ["signature-invalid-after-rotation"]
    # the one parser's codes: in a pasted response they are about the paste, not the metadata
    assert [e.id for e in entries_for_response(entries, ["xml.malformed"])] == ["wrong-paste"]
    # in the order of the codes given (the findings' fix-first order), not the file's
    both = ["response.cert.mismatch", "response.signature.invalid"]
    # signed with another certificate: that explains the invalid signature, not tampering
    assert [e.id for e in entries_for_response(entries, both)] == ["signature-invalid-after-rotation"]
    assert next(e.id for e in entries_for_response(entries, both[1:])) == "tampered-response"
    assert "xml.malformed" in next(e for e in entries if e.id == "metadata-refused").checks


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


def test_filled_entries_name_where_to_act_in_the_wizard_or_on_the_command_line(entries):
    """No placeholder is left in any entry; the rotation and the capture time are named as
    the admin finds them where they are (a control in the wizard, a command or flag outside)."""
    from wizard.where import on_command_line

    def text(entry) -> str:
        return " ".join([entry.title, *entry.symptoms, entry.cause, entry.fix])

    filled = [e.filled(org="acme-corp", api_base="https://api.pulumi.com") for e in entries]
    assert not [e.id for e in filled if "{" in text(e)]
    fixes = " ".join(e.fix for e in filled)
    assert "with Rotate the certificate (step 1)" in fixes and "in Captured (UTC) above the paste" in fixes
    assert "--at" not in fixes and "rotate command" not in fixes
    with on_command_line():
        cli = " ".join(e.filled(org="acme-corp", api_base="https://api.pulumi.com").fix for e in entries)
    assert "jumpcloud-pulumi-sso rotate --org ORG FILE" in cli and "with --at" in cli and "step 1" not in cli
