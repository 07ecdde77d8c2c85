"""The hardened parser on its own: encodings it accepts, what it names, what it refuses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.exports import GOOD_EXPORT
from wizard.xmlsafe import DEFAULT_MAX_BYTES, parse_xml

SMALL = b'<?xml version="1.0" encoding="UTF-8"?><r a="1"><c>t\xc3\xa9</c></r>'


def only_code(data, **kwargs) -> str:
    parsed = parse_xml(data, **kwargs)
    assert parsed.root is None and not parsed.ok
    assert len(parsed.findings) == 1
    finding = parsed.findings[0]
    assert finding.severity.value == "error" and finding.message and finding.fix
    return finding.code


@pytest.mark.parametrize(
    "data",
    [
        SMALL,
        b"\xef\xbb\xbf" + SMALL,  # UTF-8 byte-order mark
        b"\n  \t" + SMALL,  # blank lines before the declaration
        SMALL.decode("utf-8"),  # pasted text
        "\ufeff" + SMALL.decode("utf-8"),  # pasted text with a BOM
        SMALL.decode().replace("UTF-8", "UTF-16"),  # pasted text whose declaration names another encoding
        SMALL.decode().replace("UTF-8", "UTF-16").encode("utf-16"),  # UTF-16 with BOM
        SMALL.decode().replace("UTF-8", "UTF-16").encode("utf-16-le"),  # UTF-16 without BOM
        SMALL.decode().replace("UTF-8", "ISO-8859-1").encode("latin-1"),
        b"<r a='1'><c>t&#233;</c></r>",  # no declaration, a character reference
    ],
)
def test_accepted_encodings_give_the_same_tree(data):
    parsed = parse_xml(data)
    assert parsed.ok, parsed.findings
    assert parsed.findings == []
    assert parsed.root.tag == "r" and parsed.root.get("a") == "1"
    assert parsed.root[0].text == "t\u00e9"


def test_size_is_reported_and_capped():
    assert parse_xml(SMALL).size == len(SMALL)
    assert parse_xml(SMALL, max_bytes=len(SMALL)).ok
    assert only_code(SMALL, max_bytes=len(SMALL) - 1) == "xml.too_large"
    big = b"<r>" + b" " * DEFAULT_MAX_BYTES + b"</r>"
    parsed = parse_xml(big)
    assert parsed.findings[0].code == "xml.too_large"
    assert f"{len(big):,}" in parsed.findings[0].message and "1,048,576" in parsed.findings[0].message
    assert only_code("<r>" + "é" * 600_000 + "</r>") == "xml.too_large"  # 1.2 MB once encoded
    assert only_code("x" * (DEFAULT_MAX_BYTES + 1)) == "xml.too_large"


@pytest.mark.parametrize("data", [b"", b"   \r\n\t", b"\xef\xbb\xbf", "", "\ufeff  \n"])
def test_empty(data):
    assert only_code(data) == "xml.empty"


@pytest.mark.parametrize(
    ("data", "word"),
    [
        (b'{"requests": [{"saml": "<samlp:Response/>"}]}', "JSON"),
        (b"[1, 2]", "JSON"),
        (b"<!DOCTYPE html>\n<html><head><title>JumpCloud</title></head></html>", "HTML"),
        (b"<html><body>Sign in</body></html>", "HTML"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary"),
        (b"PK\x03\x04\x14\x00\x00\x00", "binary"),
        (bytes(range(256)), "binary"),
        (b"MIIFkzCCA3ugAwIBAgIVANah5B3rv5v/Qr9tm18TGQFVN73OMA0GCSqGSIb3DQEBCwUA", "plain text"),
    ],
)
def test_not_xml_is_named(data, word):
    parsed = parse_xml(data, what="metadata")
    assert parsed.findings[0].code == "xml.not_xml"
    assert word in parsed.findings[0].message
    assert parsed.findings[0].message.startswith("The metadata is ")


def test_malformed_gives_line_column_and_text():
    data = b'<r>\n  <a>one</a>\n  <b attr="x>two</b>\n</r>\n'
    parsed = parse_xml(data)
    finding = parsed.findings[0]
    assert finding.code == "xml.malformed"
    assert "(line 3, column 17)" in finding.message
    assert finding.message.endswith('near:   <b attr="x>two</b>')
    mismatch = parse_xml(b"<r>\n  <a>one</a>\n  <b>two</c>\n</r>\n").findings[0]
    assert "mismatch" in mismatch.message and "(line 3, column 13)" in mismatch.message
    assert "<b>two</c>" in mismatch.message


def test_malformed_truncated_export():
    data = GOOD_EXPORT.read_bytes()[:1000]
    finding = parse_xml(data).findings[0]
    assert finding.code == "xml.malformed" and "line 1, column" in finding.message


def test_malformed_smart_quote_is_explained():
    data = "<r><a href=\u201dhttps://sso.jumpcloud.com/saml2/x\u201d/></r>".encode()
    finding = parse_xml(data).findings[0]
    assert finding.code == "xml.malformed" and "typographic quote" in finding.message


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE r><r/>",
        b'<?xml version="1.0"?>\n<!doctype r SYSTEM "r.dtd"><r/>',
        b'<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>',
        b"<!DOCTYPE r [<!ELEMENT r ANY>]><r/>",
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'.encode("utf-16"),
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r><r/>'.encode("utf-16-be"),
        '<?xml version="1.0" encoding="UTF-32"?><!DOCTYPE r><r/>'.encode("utf-32"),
    ],
)
def test_any_doctype_is_forbidden(data):
    parsed = parse_xml(data)
    assert parsed.findings[0].code == "xml.forbidden"
    assert "DOCTYPE" in parsed.findings[0].message


def test_undeclared_entity_is_malformed_not_resolved():
    assert only_code(b"<r>&ext;</r>") == "xml.malformed"


@pytest.mark.parametrize("depth", [101, 300, 19_000])  # 19,000: under the element limit
def test_deep_nesting_is_refused(depth):
    data = b"<a>" * depth + b"</a>" * depth
    parsed = parse_xml(data)
    assert parsed.findings[0].code == "xml.forbidden"
    assert "nests elements more than 100 deep" in parsed.findings[0].message


def test_depth_limit_is_inclusive_and_settable():
    assert parse_xml(b"<a>" * 100 + b"</a>" * 100).ok
    assert only_code(b"<a>" * 11 + b"</a>" * 11, max_depth=10) == "xml.forbidden"


def test_processing_instructions_and_comments_are_kept_as_received_and_never_acted_on():
    # kept, so that a signature is checked over exactly what arrived and the checks see
    # what splits a value; a stylesheet instruction is a node, nothing is fetched
    parsed = parse_xml(b'<?xml-stylesheet href="http://127.0.0.1:9/x.xsl"?><r><?pi x?><n>a<!--c-->b</n></r>')
    assert parsed.ok
    assert [pi.target for pi in parsed.root.xpath("//processing-instruction()")] == ["xml-stylesheet", "pi"]
    n = parsed.root.find("n")
    assert n.text == "a"  # a comment inside a value stays visible to the checks
    assert n.xpath("text()") == ["a", "b"]


def test_real_export_parses():
    parsed = parse_xml(GOOD_EXPORT.read_bytes(), what="metadata")
    assert parsed.ok and parsed.root.get("entityID") == "strategicgroupnw"


def _deeper_by_walking(root, max_depth: int) -> bool:
    """The plain definition: some node (element, comment, PI) lies below max_depth levels."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


_KINDS = ("element", "comment", "pi", "text")


@given(st.lists(st.tuples(st.integers(0, 12), st.sampled_from(_KINDS)), min_size=1, max_size=40), st.integers(1, 10))
@settings(max_examples=300, deadline=None)
def test_the_depth_cap_agrees_with_walking_the_tree(shape, max_depth):
    from lxml import etree

    from wizard.xmlsafe import _depth_exceeds

    root = etree.Element("root")
    chain = [root]  # chain[i] is an element at level i + 1
    for level, kind in shape:
        parent = chain[min(level, len(chain) - 1)]
        if kind == "element":
            child = etree.SubElement(parent, "e")
            del chain[chain.index(parent) + 1 :]
            chain.append(child)
        elif kind == "comment":
            parent.append(etree.Comment("c"))
        elif kind == "pi":
            parent.append(etree.ProcessingInstruction("p", "x"))
        else:
            parent.text = (parent.text or "") + "t"
    assert _depth_exceeds(root, max_depth) == _deeper_by_walking(root, max_depth)


_GOOD = GOOD_EXPORT.read_bytes()
_DECL_END = _GOOD.index(b"?>") + 2
_ROOT_END = _GOOD.index(b">", _DECL_END) + 1  # end of the EntityDescriptor start tag


@given(
    st.sampled_from([b"<!DOCTYPE x>", b"<!doctype r [<!ENTITY a 'b'>]>", b"<!ENTITY x 'y'>", b"<!ELEMENT a ANY>"]),
    st.sampled_from(["in-a-comment-inside", "in-cdata-inside", "in-a-comment-before-the-root"]),
)
@settings(max_examples=60, deadline=None)
def test_a_declaration_written_where_it_declares_nothing_is_not_refused(declaration, where):
    if where == "in-a-comment-inside":
        data = _GOOD[:_ROOT_END] + b"<!-- " + declaration + b" -->" + _GOOD[_ROOT_END:]
    elif where == "in-cdata-inside":
        data = (
            _GOOD[:_ROOT_END] + b"<md:Extensions><![CDATA[" + declaration + b"]]></md:Extensions>" + _GOOD[_ROOT_END:]
        )
    else:
        data = _GOOD[:_DECL_END] + b"<!-- " + declaration + b" -->" + _GOOD[_DECL_END:]
    parsed = parse_xml(data, what="metadata")
    assert "xml.forbidden" not in [f.code for f in parsed.findings]


@given(st.lists(st.sampled_from([b"<!-- note -->", b"<?pi x?>", b"\n", b"  "]), max_size=4), st.booleans())
@settings(max_examples=60, deadline=None)
def test_a_document_type_in_the_prolog_is_refused_whatever_comes_before_it(before, utf16):
    data = (
        _GOOD[:_DECL_END] + b"".join(before) + b"<!DOCTYPE md:EntityDescriptor [<!ENTITY a 'b'>]>" + _GOOD[_DECL_END:]
    )
    if utf16:
        data = data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert [f.code for f in parse_xml(data, what="metadata").findings] == ["xml.forbidden"]


# ---- counts bounded before the tree is built ---------------------------------------------


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"<r>" + b"<a/>" * 250_000 + b"</r>", "elements"),
        (b"<r>" + b"<!--c-->" * 30_000 + b"</r>", "elements"),
        (b"<r>" + b"<?p?>" * 30_000 + b"</r>", "elements"),
        (b"<r " + b" ".join(b'a%d="x"' % i for i in range(25_000)) + b"/>", "attributes"),
        (b"<r>" + b"<a b='1' c='2'/>" * 12_000 + b"</r>", "attributes"),
    ],
)
def test_too_many_elements_or_attributes_are_refused_before_parsing(data, said, monkeypatch):
    def no_parse(*args, **kwargs):
        raise AssertionError("parsed although over the limit")

    monkeypatch.setattr("wizard.xmlsafe.etree.fromstring", no_parse)
    parsed = parse_xml(data)
    assert [f.code for f in parsed.findings] == ["xml.too_large"]
    assert said in parsed.findings[0].message and "20,000" in parsed.findings[0].message


def test_the_counts_are_limits_not_guesses():
    at_limit = b"<r>" + b"<a/>" * 19_999 + b"</r>"  # 20,000 elements with the root
    assert parse_xml(at_limit).ok
    assert not parse_xml(b"<r>" + b"<a/>" * 20_000 + b"</r>").ok
    assert parse_xml(b"<r>" + b"<a/>" * 50 + b"</r>", max_nodes=51).ok
    assert not parse_xml(b"<r>" + b"<a/>" * 51 + b"</r>", max_nodes=51).ok
    assert parse_xml(b"<r " + b" ".join(b'a%d="x"' % i for i in range(20_000)) + b"/>").ok
