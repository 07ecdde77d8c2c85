"""Property test: whatever a good response is mutated into, the diagnosis returns findings.

Mutations: truncation, byte flips, deleted and duplicated slices, inserted text, and
the same on the base64 form an admin pastes.  Never an exception; every code is a
known one; ``response.ok`` exactly when there is no error.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import saml_factory as f
from wizard.findings import Finding, Severity
from wizard.response import RESPONSE_CODES, XML_CODES, Diagnosis, ExpectedIdp, diagnose

GOOD = f.signed_response(in_response_to="_req1")
GOOD_B64 = f.as_base64(GOOD, wrap=76).encode()
IDP = ExpectedIdp(f.IDP_ENTITY_ID, (f.identity().cert_der,))

_SNIPPETS = [
    b"<",
    b">",
    b"</saml:Assertion>",
    b"<!-- x -->",
    b"&amp;",
    b"&lol;",
    b"\x00",
    b"\xff\xfe",
    b"<!DOCTYPE r>",
    b'ID="_asrt0b8e5d2c47a94f31b6c2"',
    b"<ds:Signature/>",
    b"%3D",
    b"=",
    b"\n",
    "é".encode(),
    b"<saml:Assertion>",
    b"]]>",
    b"<![CDATA[x",
]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from([GOOD, GOOD_B64])))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "delete", "duplicate", "insert", "snippet"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if kind == "truncate":
            del data[i:]
        elif kind == "flip":
            data[i] ^= draw(st.integers(1, 255))
        elif kind == "delete":
            del data[i : i + draw(st.integers(1, 200))]
        elif kind == "duplicate":
            j = min(len(data), i + draw(st.integers(1, 400)))
            data[j:j] = data[i:j]
        elif kind == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=40))
        else:
            data[i:i] = draw(st.sampled_from(_SNIPPETS))
    return bytes(data)


@st.composite
def restructured(draw) -> bytes:
    """Element-level edits that keep the XML well-formed, so the deeper checks run."""
    root = f.parse(GOOD)
    for _ in range(draw(st.integers(1, 3))):
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        target = elements[draw(st.integers(0, len(elements) - 1))]
        kind = draw(st.sampled_from(["delete", "duplicate", "text", "attr", "drop_attrs", "move"]))
        parent = target.getparent()
        if kind == "delete" and parent is not None:
            parent.remove(target)
        elif kind == "duplicate" and parent is not None:
            import copy

            target.addnext(copy.deepcopy(target))
        elif kind == "text":
            target.text = draw(st.text(max_size=30).filter(lambda t: all(c.isprintable() for c in t)))
        elif kind == "attr":
            name = draw(
                st.sampled_from(
                    [
                        "ID",
                        "Format",
                        "Value",
                        "URI",
                        "Algorithm",
                        "NotBefore",
                        "NotOnOrAfter",
                        "Recipient",
                        "Destination",
                        "Method",
                    ]
                )
            )
            target.set(name, draw(st.text(max_size=30).filter(lambda t: all(c.isprintable() for c in t))))
        elif kind == "drop_attrs":
            target.attrib.clear()
        elif kind == "move" and parent is not None and parent.getparent() is not None:
            parent.remove(target)
            parent.getparent().append(target)
    return f.to_bytes(root)


def _check(result: Diagnosis) -> None:
    assert isinstance(result, Diagnosis)
    assert result.findings and all(isinstance(x, Finding) for x in result.findings)
    known = RESPONSE_CODES | XML_CODES
    assert {x.code for x in result.findings} <= known
    has_error = any(x.severity is Severity.ERROR for x in result.findings)
    assert ("response.ok" in {x.code for x in result.findings}) == (not has_error)
    if not has_error:  # "ok" only ever with a signature verified against the metadata
        assert result.summary["signature_verified"] == "yes"
    ranks = [x.severity.rank for x in result.findings]
    assert ranks == sorted(ranks, reverse=True)
    assert all(isinstance(v, str) for v in result.summary.values())
    result.to_dict()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_responses_only_ever_give_findings(data):
    _check(diagnose(data, org=f.ORG, idp=IDP, now=f.NOW))


@settings(max_examples=60, deadline=None)
@given(mutated())
def test_mutated_responses_without_metadata_only_ever_give_findings(data):
    _check(diagnose(data.decode("latin-1"), org=f.ORG, now=f.NOW))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(restructured())
def test_restructured_responses_only_ever_give_findings(data):
    _check(diagnose(data, org=f.ORG, idp=IDP, now=f.NOW))


_DS = "{http://www.w3.org/2000/09/xmldsig#}"
_SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
# the values Pulumi reads from an element's text
_READ = {f"{_SAML}Issuer", f"{_SAML}Audience", f"{_SAML}NameID"}


@st.composite
def hidden_node(draw, kind: str) -> tuple[bytes, str]:
    """The signed response with a processing instruction or comment put, after signing,
    anywhere inside the Assertion outside its ds:Signature: inside an element's text,
    or between its children.  Returns the bytes and the local name of that element."""
    from lxml import etree

    root = f.parse(GOOD)
    assertion = root.find(f"{_SAML}Assertion")
    places = [
        e
        for e in assertion.iter()
        if isinstance(e.tag, str) and not any(a.tag == f"{_DS}Signature" for a in (e, *e.iterancestors()))
    ]
    element = places[draw(st.integers(0, len(places) - 1))]
    content = draw(st.text(alphabet="abcxyz ", max_size=8))
    node = etree.ProcessingInstruction("x", content) if kind == "pi" else etree.Comment(content)
    slot = draw(st.integers(-1, len(element) - 1))  # -1: inside the element's own text
    if slot < 0:
        text = element.text or ""
        at = draw(st.integers(0, len(text)))
        element.text, node.tail = text[:at], text[at:] or None
        element.insert(0, node)
    else:
        child = element[slot]
        node.tail, child.tail = child.tail, None
        child.addnext(node)
    return f.to_bytes(root), element.tag


@settings(max_examples=120, deadline=None)
@given(hidden_node("pi"))
def test_a_processing_instruction_added_after_signing_is_never_ok(case):
    data, _ = case
    result = diagnose(data, org=f.ORG, idp=IDP, now=f.NOW)
    _check(result)
    assert result.summary["signature_verified"] == "no"
    assert "response.signature.invalid" in {x.code for x in result.findings}


@settings(max_examples=120, deadline=None)
@given(hidden_node("comment"))
def test_a_comment_added_after_signing_is_named_where_a_value_is_read(case):
    # exclusive c14n leaves comments out: the signature holds, so what matters is
    # whether the comment splits a value that is read
    data, tag = case
    result = diagnose(data, org=f.ORG, idp=IDP, now=f.NOW)
    _check(result)
    assert result.summary["signature_verified"] == "yes"
    found = {x.code for x in result.findings if x.severity is Severity.ERROR}
    if tag in _READ:
        assert found in ({"response.value.split"}, {"response.nameid.comment"}), found
    else:
        assert found == set()


def test_the_unmutated_response_is_ok():
    result = diagnose(GOOD, org=f.ORG, idp=IDP, now=f.NOW)
    assert [x.code for x in result.findings] == ["response.ok"]
