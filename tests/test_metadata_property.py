"""Property: whatever a real export is mutated into, the checker only returns findings.

Mutations: truncation, byte flips, inserted bytes, attribute deletion, element
deletion and duplication, applied one to three at a time to the real exports.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.exports import EXPIRED_EXPORT, GOOD_EXPORT
from wizard.findings import Finding, Severity
from wizard.metadata import IdpMetadata, MetadataReport, check_metadata

SOURCES = [GOOD_EXPORT.read_bytes(), EXPIRED_EXPORT.read_bytes()]
ATTRIBUTE = re.compile(rb'\s[A-Za-z:]+="[^"]*"')


def truncate(data: bytes, draw) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def flip(data: bytes, draw) -> bytes:
    if not data:
        return data
    at = draw(st.integers(0, len(data) - 1))
    return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]


def insert(data: bytes, draw) -> bytes:
    at = draw(st.integers(0, len(data)))
    piece = draw(
        st.sampled_from([b"<", b">", b"&", b'"', b"<!--", b"]]>", b"&amp;", b"\xef\xbb\xbf", b"\x00"])
        | st.binary(min_size=1, max_size=8)
    )
    return data[:at] + piece + data[at:]


def drop_attribute(data: bytes, draw) -> bytes:
    spans = [m.span() for m in ATTRIBUTE.finditer(data)]
    if not spans:
        return data
    start, end = draw(st.sampled_from(spans))
    return data[:start] + data[end:]


def _restructure(data: bytes, draw, duplicate: bool) -> bytes:
    try:
        root = etree.fromstring(data)  # trusted: a mutation of our own test data
    except etree.XMLSyntaxError:
        return data
    elements = [e for e in root.iter() if e is not root and isinstance(e.tag, str)]
    if not elements:
        return data
    element = draw(st.sampled_from(elements))
    if duplicate:
        element.addnext(etree.fromstring(etree.tostring(element)))
    else:
        element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=draw(st.booleans()), encoding="UTF-8")


def drop_element(data: bytes, draw) -> bytes:
    return _restructure(data, draw, duplicate=False)


def duplicate_element(data: bytes, draw) -> bytes:
    return _restructure(data, draw, duplicate=True)


MUTATIONS = [truncate, flip, insert, drop_attribute, drop_element, duplicate_element]


@st.composite
def mutated_exports(draw) -> bytes | str:
    data = draw(st.sampled_from(SOURCES))
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        data = mutation(data, draw)
    if draw(st.booleans()):
        return data.decode("utf-8", errors="replace")  # the same thing pasted
    return data


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=mutated_exports(),
    idp_url_value=st.none() | st.sampled_from(["bitdefender", "saml2", "x"]),
    now=st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2031, 1, 1), timezones=st.just(UTC)),
)
def test_mutated_exports_only_ever_give_findings(data, idp_url_value, now):
    report = check_metadata(data, idp_url_value=idp_url_value, now=now)
    assert isinstance(report, MetadataReport)
    assert report.findings, "every input gets at least one finding"
    assert all(isinstance(f, Finding) and isinstance(f.severity, Severity) for f in report.findings)
    assert all(f.code and f.message and f.fix for f in report.findings)
    ranks = [f.severity.rank for f in report.findings]
    assert ranks == sorted(ranks, reverse=True)
    has_error = any(f.is_error for f in report.findings)
    assert report.ok is not has_error
    assert ("metadata.ok" in [f.code for f in report.findings]) is not has_error
    assert report.metadata is None or isinstance(report.metadata, IdpMetadata)
    json.dumps(report.to_dict())
    if report.ok:
        md = report.metadata
        assert md.entity_id and md.sso_url and md.signing_certificate is not None
