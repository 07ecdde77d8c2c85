"""Text from outside never acts on the terminal: what the sub-commands print and what the
wizard shows has every control, format or bidi character as a visible escape.

The characters come from where an attacker or a broken system puts them: a pasted
SAML response (only what XML 1.0 allows: CR, tab, C1 controls such as U+009B CSI,
bidi overrides, zero-width characters), a metadata file, and Pulumi's JSON answers
(anything, ESC and BEL included).
"""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import saml_factory as f
from tests.pulumi_fake import FakePulumi, make_cert, metadata_xml
from wizard.cli import main
from wizard.findings import Finding, Severity
from wizard.inert import inert

# what XML 1.0 lets a document carry that a terminal acts on or that reorders text
XML_DANGEROUS = "\r\t\n\x7f\x85\x9b\x9d\u202e\u202d\u2066\u2069\u200b\u200f\u2028\ufeff"
# what JSON can carry on top: every C0 control, ESC and BEL first among them
JSON_DANGEROUS = XML_DANGEROUS + "\x1b\x07\x08\x00\x0c"
TOKEN = "pul-c1i5ecret0123456789abcdef0123456789abcd"
ORG = "acme-corp"


def inert_output(text: str) -> bool:
    """Nothing but printable characters and line feeds."""
    return all(c.isprintable() or c == "\n" for c in text)


# ---- the rule itself ------------------------------------------------------------------


@given(st.text())
def test_inert_leaves_nothing_that_acts_and_changes_nothing_printable(text):
    shown = inert(text)
    assert shown.isprintable()
    if text.isprintable():
        assert shown == text
    # every character that was not printable is named, in order
    named = [f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}" for c in text if not c.isprintable()]
    position = 0
    for escape in named:
        position = shown.index(escape, position) + len(escape)


@given(st.text(alphabet=JSON_DANGEROUS + "ab", max_size=30))
def test_a_finding_quoting_a_value_is_inert_wherever_it_is_shown(value):
    found = Finding("response.nameid.comment", Severity.ERROR, f"The value is {value!s}.", f"Fix {value}")
    assert found.message.isprintable() and found.fix.isprintable()
    assert json.loads(json.dumps(found.to_dict()))["message"] == found.message


# ---- diagnose: values from a pasted response -------------------------------------------


def _response_with(where: str, value: str) -> bytes:
    """A signed response with ``value`` put (after signing) into one place an attacker controls."""
    from lxml import etree

    root = f.parse(f.signed_response(in_response_to="_req1"))
    saml = "{urn:oasis:names:tc:SAML:2.0:assertion}"
    if where == "InResponseTo":
        f.find(root, ".//saml:SubjectConfirmationData").set("InResponseTo", value)
    elif where == "NameID":
        f.find(root, ".//saml:NameID").text = value
    elif where == "Issuer":
        root.find(f"{saml}Issuer").text = value
    else:
        root.set("Destination", value)
    return etree.tostring(root)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    where=st.sampled_from(["InResponseTo", "NameID", "Issuer", "Destination"]),
    value=st.text(alphabet=XML_DANGEROUS + "a@.", min_size=1, max_size=20),
    as_json=st.booleans(),
)
def test_diagnose_prints_values_from_the_response_inert(tmp_path_factory, where, value, as_json):
    import contextlib
    import io

    path = tmp_path_factory.mktemp("r") / "response.xml"
    path.write_bytes(_response_with(where, value))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["diagnose", str(path), "--org", f.ORG, "--at", "2026-11-27T21:01:00Z", *(["--json"] * as_json)])
    assert code == 1
    assert inert_output(out.getvalue()) and inert_output(err.getvalue())
    if as_json:
        json.loads(out.getvalue())


def test_the_issues_example_shows_each_character_by_name(tmp_path, capsys):
    path = tmp_path / "response.xml"
    path.write_bytes(_response_with("InResponseTo", "_a\rb\x9bc\u202ed"))
    main(["diagnose", str(path), "--org", f.ORG, "--at", "2026-11-27T21:01:00Z"])
    out = capsys.readouterr().out
    assert inert_output(out)
    assert "_a\\u000db\\u009bc\\u202ed" in out


# ---- check-metadata: values from a file -------------------------------------------------


@pytest.mark.parametrize("value", ["Jump\u202eduolC", "Jump\x85Cloud", "Jump\u200bCloud\x9b2J"])
def test_check_metadata_prints_the_entity_id_inert(tmp_path, capsys, value):
    xml = f.metadata_xml().decode().replace('entityID="JumpCloud"', f"entityID={quoteattr(value)}")
    path = tmp_path / "md.xml"
    path.write_text(xml, encoding="utf-8")
    main(["check-metadata", str(path)])
    main(["check-metadata", str(path), "--json"])
    out, err = capsys.readouterr()
    assert inert_output(out) and inert_output(err)


# ---- status: values from Pulumi's answer ------------------------------------------------


@pytest.fixture
def fake(monkeypatch):
    from datetime import UTC, datetime, timedelta

    monkeypatch.delenv("PULUMI_HOME", raising=False)
    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", TOKEN)
    now = datetime.now(UTC)
    with FakePulumi(TOKEN) as server:
        server.add_org(ORG, metadata_xml(make_cert(now - timedelta(days=10), now + timedelta(days=400))))
        yield server


@pytest.mark.parametrize("as_json", [False, True])
def test_status_prints_pulumis_values_inert(fake, capsys, as_json):
    fake.orgs[ORG]["entityId"] = "\x1b]0;pwned\x07JumpCloud\x1b[2J"
    fake.orgs[ORG]["validationError"] = "bad\rgood \u202eyenom\x1b[31m"
    main(["status", "--org", ORG, "--api-url", fake.url, *(["--json"] * as_json)])
    out, err = capsys.readouterr()
    assert inert_output(out) and inert_output(err)
    if as_json:
        body = json.loads(out)
        assert body["findings"]
    else:
        assert "\\u001b]0;pwned\\u0007JumpCloud" in out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(alphabet=JSON_DANGEROUS + "ab", min_size=1, max_size=20))
def test_status_prints_any_api_value_inert(fake, value):
    import contextlib
    import io

    fake.orgs[ORG]["entityId"] = value
    fake.orgs[ORG]["validationError"] = value
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(["status", "--org", ORG, "--api-url", fake.url])
    assert inert_output(out.getvalue()) and inert_output(err.getvalue())


# ---- arguments ---------------------------------------------------------------------------


def test_a_usage_error_quoting_an_argument_is_inert(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["values", "acme", "--bogus\x1b[2J\u202e"])
    assert stopped.value.code == 2
    out, err = capsys.readouterr()
    assert inert_output(out) and inert_output(err)
    assert "\\u001b[2J" in err
