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


def test_the_unmutated_response_is_ok():
    result = diagnose(GOOD, org=f.ORG, idp=IDP, now=f.NOW)
    assert [x.code for x in result.findings] == ["response.ok"]
