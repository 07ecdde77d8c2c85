"""One decoder for XML text: a metadata file and a pasted response in UTF-8, UTF-16 or
UTF-32, with or without a byte-order mark, with or without a declaration naming the
encoding, read the same by check-metadata, diagnose, the wizard's file loader and the
text reader; and a DOCTYPE is refused in every one of them."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import saml_factory as f
from wizard.files import decode_text
from wizard.metadata import check_metadata
from wizard.response import ExpectedIdp, diagnose
from wizard.xmlsafe import parse_xml, wide_encoding

BOMS = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
}
FORMS = [(enc, bom) for enc in BOMS for bom in (False, True)]
IDP = ExpectedIdp(f.IDP_ENTITY_ID, (f.identity().cert_der,))


def encode(text: str, encoding: str, bom: bool, *, declare: bool = False, lead: str = "") -> bytes:
    if declare:
        name = encoding.upper().replace("-LE", "").replace("-BE", "") if bom else encoding.upper()
        text = text.replace("<?xml version='1.0' encoding='UTF-8'?>", "").replace(
            '<?xml version="1.0" encoding="UTF-8"?>', ""
        )
        text = f'<?xml version="1.0" encoding="{name}"?>' + text
    return (BOMS[encoding] if bom else b"") + (lead + text).encode(encoding)


@pytest.mark.parametrize(("encoding", "bom"), FORMS)
@pytest.mark.parametrize("declare", [False, True])
def test_a_response_reads_the_same_in_every_form(encoding, bom, declare):
    good = f.signed_response(in_response_to="_req1").decode()
    result = diagnose(encode(good, encoding, bom, declare=declare), org=f.ORG, idp=IDP, now=f.NOW)
    assert [x.code for x in result.findings] == ["response.ok"], (encoding, bom, result.findings)
    assert result.summary["nameid"] == "alice@example.com"


@pytest.mark.parametrize(("encoding", "bom"), FORMS)
@pytest.mark.parametrize("declare", [False, True])
def test_metadata_reads_the_same_in_every_form(encoding, bom, declare, tmp_path):
    from wizard.cli import main

    xml = f.metadata_xml().decode()
    data = encode(xml, encoding, bom, declare=declare)
    report = check_metadata(data)
    assert report.ok and report.metadata.entity_id == f.IDP_ENTITY_ID, report.findings
    path = tmp_path / "JumpCloud-pulumi-metadata.xml"
    path.write_bytes(data)
    assert main(["check-metadata", str(path)]) == 0
    assert decode_text(data).lstrip("\ufeff").endswith("</md:EntityDescriptor>")


@pytest.mark.parametrize(("encoding", "bom"), FORMS)
def test_a_doctype_is_refused_in_every_form(encoding, bom):
    doc = '<!DOCTYPE r [<!ENTITY x "y">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'
    data = encode(doc, encoding, bom)
    assert [x.code for x in parse_xml(data).findings] == ["xml.forbidden"]
    assert [x.code for x in diagnose(data, org=f.ORG, idp=IDP, now=f.NOW).findings] == ["xml.forbidden"]


def test_a_base64_paste_saved_as_utf16_is_read():
    good = f.signed_response(in_response_to="_req1")
    data = codecs.BOM_UTF16_LE + f.as_base64(good, wrap=76).encode("utf-16-le")
    result = diagnose(data, org=f.ORG, idp=IDP, now=f.NOW)
    assert result.encoding == "base64" and [x.code for x in result.findings] == ["response.ok"]


def test_broken_utf16_is_a_finding_not_a_traceback():
    data = codecs.BOM_UTF16_LE + "<r>".encode("utf-16-le") + b"\x00\xd8"  # a lone surrogate half
    assert [x.code for x in parse_xml(data).findings] == ["xml.malformed"]
    assert diagnose(data, org=f.ORG, idp=IDP, now=f.NOW).findings[0].severity.value == "error"


@given(
    encoding=st.sampled_from(list(BOMS)),
    bom=st.booleans(),
    lead=st.text(alphabet=" \t\r\n", max_size=3),
    body=st.text(alphabet="abcé€😀 <>/=\"'", max_size=40),
)
def test_the_rule_finds_the_encoding_the_text_is_written_in(encoding, bom, lead, body):
    data = encode("<" + body, encoding, bom, lead=lead)
    found = wide_encoding(data)
    if encoding == "utf-8":
        assert found is None
    else:
        assert found == encoding
