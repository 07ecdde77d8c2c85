"""Every way an admin can paste a SAML response, and hostile or wrong pastes."""

from __future__ import annotations

import base64
import json
import time
import zlib

import pytest

from tests import saml_factory as f
from wizard.findings import Severity
from wizard.response import ExpectedIdp, decode_response, diagnose

IDP = ExpectedIdp(f.IDP_ENTITY_ID, (f.identity().cert_der,))


@pytest.fixture(scope="module")
def good() -> bytes:
    return f.signed_response()


def run(data):
    return diagnose(data, org=f.ORG, idp=IDP, now=f.NOW)


def error_codes(result) -> set[str]:
    return {x.code for x in result.findings if x.severity is Severity.ERROR}


def only_finding(decoded):
    assert decoded.xml is None
    assert len(decoded.findings) == 1
    return decoded.findings[0]


# ---- the encodings --------------------------------------------------------------------

ENCODINGS = {
    "xml": lambda x: x,
    "xml-str": lambda x: x.decode(),
    "xml-bom": lambda x: b"\xef\xbb\xbf" + x,
    "base64": lambda x: f.as_base64(x),
    "base64-wrapped": lambda x: f.as_base64(x, wrap=76),
    "base64-crlf-indented": lambda x: "\r\n".join("    " + line for line in f.as_base64(x, wrap=64).split("\n")),
    "base64-unpadded": lambda x: f.as_base64(x).rstrip("="),
    "urlencoded-base64": lambda x: f.as_urlencoded(x),
    "form": lambda x: f.as_form(x),
    "form-unencoded-plus": lambda x: "SAMLResponse=" + f.as_base64(x) + "&RelayState=x",
    "form-url": lambda x: f"{f.ACS_URL}?SAMLResponse={f.as_urlencoded(x)}&RelayState=abc",
    "deflate-base64": lambda x: f.as_deflate(x),
    "deflate-form": lambda x: "SAMLResponse=" + f.as_deflate(x).replace("+", "%2B").replace("/", "%2F"),
    "saml-tracer": lambda x: f.as_saml_tracer(x),
}
EXPECTED_ENCODING = {
    "xml": "xml",
    "xml-str": "xml",
    "xml-bom": "xml",
    "base64": "base64",
    "base64-wrapped": "base64",
    "base64-crlf-indented": "base64",
    "base64-unpadded": "base64",
    "urlencoded-base64": "urlencoded-base64",
    "form": "form",
    "form-unencoded-plus": "form",
    "form-url": "form",
    "deflate-base64": "deflate-base64",
    "deflate-form": "form",
    "saml-tracer": "saml-tracer",
}


@pytest.mark.parametrize("name", ENCODINGS)
def test_every_encoding_is_decoded_and_verifies(name, good):
    pasted = ENCODINGS[name](good)
    decoded = decode_response(pasted)
    assert decoded.findings == []
    assert decoded.encoding == EXPECTED_ENCODING[name]
    result = run(pasted)
    assert error_codes(result) == set(), result.findings
    assert result.encoding == EXPECTED_ENCODING[name]
    assert result.summary["signature_verified"] == "yes"
    assert result.summary["nameid"] == "alice@example.com"


def test_base64_of_a_tampered_response_is_still_caught(good):
    assert "response.signature.invalid" in error_codes(run(f.as_base64(f.tamper_nameid(good))))


def test_saml_tracer_uses_the_last_response(good):
    first = f.signed_response(nameid="first@example.com")
    export = json.loads(f.as_saml_tracer(first))
    later = json.loads(f.as_saml_tracer(f.signed_response(nameid="last@example.com"), with_request=False))
    export["requests"].extend(later["requests"])
    result = run(json.dumps(export))
    assert result.summary["nameid"] == "last@example.com"


def test_saml_tracer_with_hashed_saml_field_falls_back_to_the_post_field(good):
    export = json.loads(f.as_saml_tracer(good))
    for request in export["requests"]:
        if request.get("post"):
            del request["saml"]
    decoded = decode_response(json.dumps(export))
    assert decoded.encoding == "saml-tracer"
    assert b"alice@example.com" in decoded.xml


def test_saml_tracer_with_only_the_request_says_so():
    export = json.loads(f.as_saml_tracer(b"<x/>"))
    export["requests"] = [r for r in export["requests"] if "AuthnRequest" in r.get("saml", "")]
    found = only_finding(decode_response(json.dumps(export)))
    assert found.code == "response.not_decodable"
    assert "AuthnRequest" in found.message


def test_saml_tracer_without_saml():
    found = only_finding(decode_response(json.dumps({"requests": [{"url": "https://x"}], "timestamp": "t"})))
    assert found.code == "response.not_decodable"
    assert "no SAML message" in found.message


# ---- what it looks like when it is not a response ------------------------------------------


@pytest.mark.parametrize(
    ("pasted", "said"),
    [
        ("SAMLRequest=" + base64.b64encode(b"<samlp:AuthnRequest/>").decode(), "SAMLRequest"),
        ('{"foo": 1}', "not a SAML-tracer export"),
        ('{"requests": ', "JSON that does not parse"),
        ("https://app.pulumi.com/acme-corp", "web address"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "JSON Web Token"),
        ("hello there, this is not it", "plain text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe", "binary"),
        (base64.b64encode(bytes(range(256)) * 4).decode(), "binary data"),
        (f.as_base64(b"<samlp:Response/>" * 10)[:101], "cut short"),
        ("RelayState=abc&foo=bar&SAMLResponse", "plain text"),
    ],
)
def test_not_decodable_says_what_it_looks_like(pasted, said):
    found = only_finding(decode_response(pasted))
    assert found.code == "response.not_decodable"
    assert found.severity is Severity.ERROR
    assert said in found.message
    assert found.fix


def test_html_page_is_named():
    result = run("<!DOCTYPE html><html><head><title>Pulumi</title></head><body>Error</body></html>")
    assert error_codes(result) <= {"response.not_response", "xml.not_xml", "xml.forbidden"}
    assert any("HTML" in x.message for x in result.findings)


def test_empty_paste():
    for pasted in ("", "   \n", b""):
        result = run(pasted)
        assert error_codes(result) == {"xml.empty"}
        assert "SAMLResponse" in result.findings[0].fix


def test_not_decodable_diagnosis_has_empty_summary_and_no_xml():
    result = run("hello")
    assert result.pretty_xml == ""
    assert set(result.summary.values()) == {""}
    assert result.to_dict()["findings"][0]["code"] == "response.not_decodable"


# ---- hostile input --------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + ']><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol9;</samlp:Response>'
)


def _xxe(target: str) -> str:
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "{target}">]>'
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Destination="&xxe;"/>'
    )


@pytest.mark.parametrize("wrap", [lambda s: s, lambda s: f.as_base64(s.encode()), lambda s: f.as_deflate(s.encode())])
@pytest.mark.parametrize("doc", [BILLION_LAUGHS, "XXE-FILE", "XXE-URL", "EXT-DTD"])
def test_entities_and_dtds_are_refused_in_every_encoding(doc, wrap, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    if doc == "XXE-FILE":
        doc = _xxe(secret.as_uri())
    elif doc == "XXE-URL":
        doc = _xxe("http://127.0.0.1:9/evil")
    elif doc == "EXT-DTD":
        doc = (
            '<?xml version="1.0"?><!DOCTYPE samlp:Response SYSTEM "' + secret.as_uri() + '">'
            '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'
        )
    result = run(wrap(doc))
    assert error_codes(result) == {"xml.forbidden"}
    assert "TOP-SECRET" not in json.dumps(result.to_dict()) + result.pretty_xml


def test_ten_megabytes_are_refused_quickly():
    start = time.perf_counter()
    result = run("A" * (10 * 1024 * 1024))
    assert time.perf_counter() - start < 1.0
    assert error_codes(result) == {"xml.too_large"}


def test_large_xml_over_the_cap():
    result = run(
        b"<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'>"
        + b"<a/>" * 400_000
        + b"</samlp:Response>"
    )
    assert error_codes(result) == {"xml.too_large"}


def test_deflate_bomb_is_refused_without_inflating_it_all():
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = comp.compress(b"<samlp:Response>" + b" " * (50 * 1024 * 1024)) + comp.flush()
    pasted = base64.b64encode(bomb).decode()
    start = time.perf_counter()
    result = run(pasted)
    assert time.perf_counter() - start < 1.0
    assert error_codes(result) == {"xml.too_large"}
    assert "decompressed" in result.findings[0].message


def test_deeply_nested_xml():
    deep = (
        "<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'>"
        + "<a>" * 5000
        + "</a>" * 5000
        + "</samlp:Response>"
    )
    assert error_codes(run(deep)) <= {"xml.forbidden", "xml.malformed"}
    assert error_codes(run(f.as_base64(deep.encode())))


def test_deeply_nested_json():
    result = run("[" * 200_000 + "]" * 200_000)
    assert error_codes(result) == {"response.not_decodable"}


def test_truncated_xml_is_malformed_with_a_response_fix(good):
    result = run(good[: len(good) // 2])
    assert error_codes(result) == {"xml.malformed"}
    assert "SAMLResponse" in result.findings[0].fix
    assert "line" in result.findings[0].message


def test_truncated_base64_is_reported(good):
    result = run(f.as_base64(good)[:1001])
    assert error_codes(result) & {"response.not_decodable", "xml.malformed"}


def test_signature_with_garbage_inside_is_a_finding(good):
    root = f.parse(good)
    f.find(root, ".//ds:SignatureValue").text = "!!!not base64!!!"
    f.find(root, ".//ds:SignatureMethod").set("Algorithm", "urn:made-up")
    result = run(f.to_bytes(root))
    assert "response.signature.invalid" in error_codes(result)


def test_unsigned_response_with_keyinfo_only_is_not_trusted(good):
    root = f.parse(good)
    f.find(root, ".//ds:SignedInfo").clear()
    result = run(f.to_bytes(root))
    assert error_codes(result) & {"response.signature.invalid", "response.signature.wrapping"}


def test_non_text_input_is_a_finding():
    decoded = decode_response(12345)  # type: ignore[arg-type]
    assert decoded.findings[0].code == "response.not_decodable"


def test_a_tracer_export_of_a_million_empty_objects_is_refused_before_parsing(monkeypatch):
    def no_parse(*args, **kwargs):
        raise AssertionError("parsed although over the limit")

    monkeypatch.setattr("wizard.response_decode.json.loads", no_parse)
    pasted = b'{"requests":[' + b"{}," * 1_390_000 + b"{}]}"
    result = run(pasted)
    assert [x.code for x in result.findings] == ["response.not_decodable"]
    assert "objects and lists" in result.findings[0].message


def test_a_real_sized_tracer_export_is_still_read(good):
    # a long session: hundreds of requests, each with its headers as small objects
    export = json.loads(f.as_saml_tracer(good))
    filler = {"method": "GET", "url": "https://example.test/", "requestHeaders": [{"name": "h", "value": "v"}] * 20}
    export["requests"] = [filler] * 500 + export["requests"]
    assert [x.code for x in run(json.dumps(export)).findings if x.severity is Severity.ERROR] == []
