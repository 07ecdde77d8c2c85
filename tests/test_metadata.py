"""The metadata check against the real JumpCloud exports, variants of them built here
(certificates made with ``cryptography``), and metadata shaped like other IdPs'."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from tests.exports import EXPIRED_EXPORT, GOOD_EXPORT, MALFORMED_EXPORT
from wizard.findings import Severity
from wizard.metadata import (
    Certificate,
    IdpMetadata,
    MetadataReport,
    check_metadata,
    find_exports,
    is_export_name,
)
from wizard.values import NAMEID_EMAIL, NAMEID_PERSISTENT
from wizard.where import on_command_line

UTC = UTC
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"md": MD, "ds": DS}
# A moment when the good export's certificate (not after 2027-03-23 20:02:07 UTC) is fine.
BEFORE = datetime(2026, 6, 1, tzinfo=UTC)
# A moment 67 days before it expires: inside the 90-day warning window.
NEAR_EXPIRY = datetime(2027, 1, 15, tzinfo=UTC)


# -- builders shared with the other metadata test files ----------------------------


@cache
def private_key(kind: str = "rsa2048"):
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(kind)


def make_cert(
    not_before: datetime,
    not_after: datetime,
    *,
    key: str = "rsa2048",
    cn: str = "JumpCloudSAMLUser",
    crl_url: str | None = None,
) -> x509.Certificate:
    """A self-signed certificate shaped like JumpCloud's (OU=JumpCloudSAMLIdP)."""
    private = private_key(key)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "JumpCloudSAMLIdP"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(private, hashes.SHA256())


def cert_b64(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def edit(source: Path | bytes, change: Callable[[etree._Element], None]) -> bytes:
    """The export with ``change`` applied to its tree (trusted test data, plain lxml)."""
    data = source.read_bytes() if isinstance(source, Path) else source
    root = etree.fromstring(data)
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def one(root: etree._Element, path: str) -> etree._Element:
    return root.xpath(path, namespaces=NS)[0]


def remove_all(path: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        for element in root.xpath(path, namespaces=NS):
            element.getparent().remove(element)

    return change


def set_attr(path: str, name: str, value: str | None) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        for element in root.xpath(path, namespaces=NS):
            if value is None:
                element.attrib.pop(name, None)
            else:
                element.set(name, value)

    return change


def set_text(path: str, value: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        for element in root.xpath(path, namespaces=NS):
            element.text = value

    return change


def with_cert(cert: x509.Certificate) -> bytes:
    return edit(GOOD_EXPORT, set_text("//ds:X509Certificate", cert_b64(cert)))


def codes(report: MetadataReport) -> list[str]:
    return [f.code for f in report.findings]


def assert_well_formed_report(report: MetadataReport) -> None:
    """What every report must satisfy, whatever the input."""
    ranks = [f.severity.rank for f in report.findings]
    assert ranks == sorted(ranks, reverse=True), "errors, then warnings, then info, then ok"
    has_error = any(f.severity is Severity.ERROR for f in report.findings)
    assert report.ok is (not has_error)
    assert (codes(report).count("metadata.ok") == 1) is (not has_error)
    assert all(f.message and f.fix for f in report.findings), "every finding says what and what to do"
    json.dumps(report.to_dict())


def good_text_fingerprint() -> str:
    text = GOOD_EXPORT.read_text()
    b64 = re.search(r"<ds:X509Certificate>([^<]+)<", text).group(1)
    return hashlib.sha256(base64.b64decode(b64)).hexdigest().upper()


# -- the three real exports ----------------------------------------------------------


def test_good_export_passes_with_an_expiry_note_near_expiry():
    report = check_metadata(GOOD_EXPORT.read_bytes(), idp_url_value="bitdefender", now=NEAR_EXPIRY)
    assert_well_formed_report(report)
    assert report.ok
    assert codes(report) == ["metadata.cert.expiring", "metadata.ok"]
    expiring = report.findings[0]
    assert expiring.severity is Severity.WARNING
    assert "2027-03-23" in expiring.message and "67 days" in expiring.message
    assert "IdP Certificate" in expiring.fix and "Export Metadata" in expiring.fix


def test_good_export_far_from_expiry_says_when_it_expires():
    report = check_metadata(GOOD_EXPORT.read_bytes(), idp_url_value="bitdefender", now=BEFORE)
    assert codes(report) == ["metadata.cert.expires", "metadata.ok"]
    assert report.findings[0].severity is Severity.INFO
    assert "2027-03-23" in report.findings[0].message
    assert "2027-03-23" in report.findings[1].message


def test_good_export_model():
    md = check_metadata(GOOD_EXPORT.read_bytes(), now=BEFORE).metadata
    assert isinstance(md, IdpMetadata)
    assert md.entity_id == "strategicgroupnw"
    assert md.has_idp_descriptor
    assert md.protocols == ("urn:oasis:names:tc:SAML:2.0:protocol",)
    assert md.sso_url == "https://sso.jumpcloud.com/saml2/bitdefender"
    assert [s.binding.rsplit(":", 1)[1] for s in md.sso_services] == ["HTTP-POST"]
    assert md.nameid_formats == (NAMEID_EMAIL,)
    assert md.want_authn_requests_signed is True
    assert md.valid_until is None
    cert = md.signing_certificate
    assert isinstance(cert, Certificate)
    assert cert.use == "signing"
    assert "CN=JumpCloudSAMLUser" in cert.subject and "OU=JumpCloudSAMLIdP" in cert.subject
    assert cert.issuer == cert.subject
    assert (cert.key_type, cert.key_size) == ("RSA", 4096)
    assert cert.not_before == datetime(2022, 3, 23, 20, 2, 7, tzinfo=UTC)
    assert cert.not_after == datetime(2027, 3, 23, 20, 2, 7, tzinfo=UTC)
    assert cert.sha256_fingerprint.replace(":", "") == good_text_fingerprint()
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", cert.sha256_fingerprint)


def test_good_export_to_dict_is_json_without_der():
    report = check_metadata(GOOD_EXPORT.read_bytes(), now=BEFORE)
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) == {"findings", "metadata"}
    assert {"code", "severity", "message", "fix"} <= set(data["findings"][0])
    meta = data["metadata"]
    assert meta["entity_id"] == "strategicgroupnw"
    assert meta["sso_url"] == "https://sso.jumpcloud.com/saml2/bitdefender"
    assert meta["signing_certificate"]["not_after"] == "2027-03-23T20:02:07+00:00"
    assert "der" not in meta["certificates"][0]


def test_expired_export_fails_on_certificate_and_nameid_format():
    report = check_metadata(EXPIRED_EXPORT.read_bytes(), idp_url_value="saml2", now=BEFORE)
    assert_well_formed_report(report)
    assert not report.ok
    assert codes(report) == ["metadata.cert.expired", "metadata.nameid.unsupported"]
    expired, nameid = report.findings
    assert "2025-05-13" in expired.message
    assert "SAML:1.0:nameid-format:unspecified" in nameid.message
    assert "SAMLSubject NameID Format" in nameid.fix and NAMEID_EMAIL in nameid.fix
    # The model is still there for the screen to show what was read.
    assert report.metadata.entity_id == "https://bugdaddy.container.danielnet.ca/saml/acs/"
    assert report.metadata.want_authn_requests_signed is False
    assert len(report.metadata.sso_services) == 2


def test_malformed_export_reports_the_line_and_the_text():
    report = check_metadata(MALFORMED_EXPORT.read_bytes(), now=BEFORE)
    assert codes(report) == ["xml.malformed"]
    assert report.metadata is None
    message = report.findings[0].message
    assert "line 1, column" in message
    assert "convergentbitdefender" in message  # the text around the broken quote
    assert "typographic quote" in message


# -- every code ----------------------------------------------------------------------

NOW = BEFORE
Case = Callable[[], tuple[bytes | str, dict]]


def _valid_cert(**kw) -> x509.Certificate:
    return make_cert(NOW - timedelta(days=30), NOW + timedelta(days=1000), **kw)


CASES: dict[str, tuple[str, list[Case]]] = {
    "xml.empty": ("error", [lambda: (b"", {}), lambda: ("  \n\t", {}), lambda: (b"\xef\xbb\xbf\n", {})]),
    "xml.malformed": (
        "error",
        [
            lambda: (GOOD_EXPORT.read_bytes()[:-40], {}),
            lambda: (GOOD_EXPORT.read_bytes().replace(b"</md:IDPSSODescriptor>", b""), {}),
        ],
    ),
    "xml.forbidden": (
        "error",
        [
            lambda: (GOOD_EXPORT.read_bytes().replace(b"?>", b"?><!DOCTYPE md:EntityDescriptor>", 1), {}),
            lambda: (b"<a>" * 200 + b"</a>" * 200, {}),
        ],
    ),
    "xml.too_large": (
        "error",
        [
            lambda: (GOOD_EXPORT.read_bytes() + b"<!--" + b"x" * (1024 * 1024) + b"-->", {}),
            lambda: (GOOD_EXPORT.read_text(), {"max_bytes": 1000}),
        ],
    ),
    "xml.not_xml": (
        "error",
        [
            lambda: (b'{"requests": []}', {}),
            lambda: (b"<!DOCTYPE html><html><body>Sign in</body></html>", {}),
            lambda: (b"%PDF-1.7\n\x00\x01\x02", {}),
        ],
    ),
    "metadata.not_metadata": (
        "error",
        [
            lambda: (
                b'<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">'
                + GOOD_EXPORT.read_bytes().split(b"?>", 1)[1]
                + b"</md:EntitiesDescriptor>",
                {},
            ),
            lambda: (
                b'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
                b'entityID="https://api.pulumi.com/login/acme/sso/saml/metadata"><md:SPSSODescriptor '
                b'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:AssertionConsumerService '
                b'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
                b'Location="https://api.pulumi.com/login/acme/sso/saml/acs" index="0"/></md:SPSSODescriptor>'
                b"</md:EntityDescriptor>",
                {},
            ),
            lambda: (
                b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0" '
                b'IssueInstant="2026-01-01T00:00:00Z"/>',
                {},
            ),
            lambda: (
                b"<!-- " + b"saved page " * 80 + b'-->\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
                {},
            ),
            lambda: (b'<EntityDescriptor entityID="x"><IDPSSODescriptor/></EntityDescriptor>', {}),
        ],
    ),
    "metadata.no_idp_descriptor": (
        "error",
        [
            lambda: (edit(GOOD_EXPORT, remove_all("//md:IDPSSODescriptor")), {}),
        ],
    ),
    "metadata.protocol.missing": (
        "error",
        [
            lambda: (
                edit(
                    GOOD_EXPORT,
                    set_attr(
                        "//md:IDPSSODescriptor", "protocolSupportEnumeration", "urn:oasis:names:tc:SAML:1.1:protocol"
                    ),
                ),
                {},
            ),
            lambda: (edit(GOOD_EXPORT, set_attr("//md:IDPSSODescriptor", "protocolSupportEnumeration", None)), {}),
        ],
    ),
    "metadata.entityid.missing": (
        "error",
        [
            lambda: (edit(GOOD_EXPORT, set_attr("/md:EntityDescriptor", "entityID", None)), {}),
            lambda: (edit(GOOD_EXPORT, set_attr("/md:EntityDescriptor", "entityID", "  ")), {}),
        ],
    ),
    "metadata.entityid.placeholder": (
        "warning",
        [
            lambda: (edit(GOOD_EXPORT, set_attr("/md:EntityDescriptor", "entityID", "IdP Entity ID")), {}),
        ],
    ),
    "metadata.sso.missing": (
        "error",
        [
            lambda: (edit(GOOD_EXPORT, remove_all("//md:SingleSignOnService")), {}),
            lambda: (
                edit(
                    GOOD_EXPORT,
                    set_attr("//md:SingleSignOnService", "Binding", "urn:oasis:names:tc:SAML:2.0:bindings:SOAP"),
                ),
                {},
            ),
        ],
    ),
    "metadata.sso.not_https": (
        "error",
        [
            lambda: (
                edit(
                    GOOD_EXPORT,
                    set_attr("//md:SingleSignOnService", "Location", "http://sso.jumpcloud.com/saml2/bitdefender"),
                ),
                {},
            ),
            lambda: (edit(GOOD_EXPORT, set_attr("//md:SingleSignOnService", "Location", None)), {}),
        ],
    ),
    "metadata.sso.not_jumpcloud": (
        "warning",
        [
            lambda: (
                edit(GOOD_EXPORT, set_attr("//md:SingleSignOnService", "Location", "https://idp.example.com/sso/saml")),
                {},
            ),
        ],
    ),
    "metadata.sso.slug_mismatch": (
        "error",
        [
            lambda: (GOOD_EXPORT.read_bytes(), {"idp_url_value": "pulumi"}),
            lambda: (
                edit(
                    GOOD_EXPORT,
                    set_attr("//md:SingleSignOnService", "Location", "https://sso.jumpcloud.com/saml2/bitdefender-old"),
                ),
                {"idp_url_value": "bitdefender"},
            ),
        ],
    ),
    "metadata.cert.missing": (
        "error",
        [
            lambda: (edit(GOOD_EXPORT, remove_all("//md:KeyDescriptor")), {}),
            lambda: (edit(GOOD_EXPORT, set_attr("//md:KeyDescriptor", "use", "encryption")), {}),
        ],
    ),
    "metadata.cert.unreadable": (
        "error",
        [
            lambda: (edit(GOOD_EXPORT, set_text("//ds:X509Certificate", "not base64 at all!")), {}),
            lambda: (
                edit(
                    GOOD_EXPORT, set_text("//ds:X509Certificate", base64.b64encode(b"\x30\x82\x01\x00garbage").decode())
                ),
                {},
            ),
            lambda: (edit(GOOD_EXPORT, set_text("//ds:X509Certificate", "")), {}),
        ],
    ),
    "metadata.cert.expired": (
        "error",
        [
            lambda: (with_cert(make_cert(NOW - timedelta(days=400), NOW - timedelta(days=1))), {}),
        ],
    ),
    "metadata.cert.not_yet_valid": (
        "error",
        [
            lambda: (with_cert(make_cert(NOW + timedelta(days=2), NOW + timedelta(days=1000))), {}),
        ],
    ),
    "metadata.cert.expiring": (
        "warning",
        [
            lambda: (with_cert(make_cert(NOW - timedelta(days=400), NOW + timedelta(days=30))), {}),
        ],
    ),
    "metadata.cert.expires": (
        "info",
        [
            lambda: (with_cert(_valid_cert()), {}),
        ],
    ),
    "metadata.cert.weak_key": (
        "warning",
        [
            lambda: (with_cert(_valid_cert(key="rsa1024")), {}),
        ],
    ),
    "metadata.nameid.missing": (
        "error",
        [
            lambda: (edit(GOOD_EXPORT, remove_all("//md:NameIDFormat")), {}),
            lambda: (edit(GOOD_EXPORT, set_text("//md:NameIDFormat", "  ")), {}),
        ],
    ),
    "metadata.nameid.unsupported": (
        "error",
        [
            lambda: (
                edit(
                    GOOD_EXPORT, set_text("//md:NameIDFormat", "urn:oasis:names:tc:SAML:1.0:nameid-format:unspecified")
                ),
                {},
            ),
            lambda: (
                edit(GOOD_EXPORT, set_text("//md:NameIDFormat", "urn:oasis:names:tc:SAML:2.0:nameid-format:transient")),
                {},
            ),
        ],
    ),
    "metadata.valid_until.past": (
        "error",
        [
            lambda: (edit(GOOD_EXPORT, set_attr("/md:EntityDescriptor", "validUntil", "2026-05-31T23:59:59Z")), {}),
            lambda: (
                edit(
                    GOOD_EXPORT, set_attr("//md:IDPSSODescriptor", "validUntil", "2026-05-31T16:00:00.123456789-07:00")
                ),
                {},
            ),
        ],
    ),
    "metadata.valid_until.unreadable": (
        "warning",
        [
            lambda: (edit(GOOD_EXPORT, set_attr("/md:EntityDescriptor", "validUntil", "next tuesday")), {}),
        ],
    ),
    "metadata.ok": ("ok", [lambda: (GOOD_EXPORT.read_bytes(), {"idp_url_value": "bitdefender"})]),
}

REQUIRED_CODES = {
    "xml.empty",
    "xml.malformed",
    "xml.forbidden",
    "xml.too_large",
    "metadata.not_metadata",
    "metadata.no_idp_descriptor",
    "metadata.protocol.missing",
    "metadata.entityid.missing",
    "metadata.entityid.placeholder",
    "metadata.sso.missing",
    "metadata.sso.not_https",
    "metadata.sso.not_jumpcloud",
    "metadata.sso.slug_mismatch",
    "metadata.cert.missing",
    "metadata.cert.unreadable",
    "metadata.cert.expired",
    "metadata.cert.not_yet_valid",
    "metadata.cert.expiring",
    "metadata.cert.weak_key",
    "metadata.nameid.missing",
    "metadata.nameid.unsupported",
    "metadata.valid_until.past",
    "metadata.ok",
}


def test_every_code_of_the_issue_has_a_case():
    assert set(CASES) >= REQUIRED_CODES


@pytest.mark.parametrize(
    ("code", "index"),
    [(code, i) for code, (_, cases) in CASES.items() for i in range(len(cases))],
)
def test_each_code_is_produced(code: str, index: int):
    severity, cases = CASES[code]
    data, kwargs = cases[index]()
    report = check_metadata(data, now=NOW, **kwargs)
    assert_well_formed_report(report)
    produced = [f for f in report.findings if f.code == code]
    assert produced, f"{code} not in {codes(report)}"
    assert all(f.severity.value == severity for f in produced)
    # A variant breaks one thing: the other findings of the good export stay quiet.
    if severity == "error":
        assert not report.ok
    others = {c for c in codes(report) if c != code} - {"metadata.ok", "metadata.cert.expires"}
    assert not others, f"{code}: unexpected {others}"


def test_not_metadata_says_what_it_is():
    cases = CASES["metadata.not_metadata"][1]
    messages = [check_metadata(c()[0], now=NOW).findings[0].message for c in cases]
    assert "EntitiesDescriptor aggregate" in messages[0] and "1 entities" in messages[0]
    assert "service provider" in messages[1]
    assert "SAML response" in messages[2]
    assert "HTML" in messages[3]
    assert "no namespace" in messages[4]


def test_html_and_json_are_named():
    html = check_metadata(b"<!DOCTYPE html><html><body>JumpCloud sign in</body></html>").findings[0]
    assert html.code == "xml.not_xml" and "HTML" in html.message
    js = check_metadata(b'{"requests":[{"saml":"..."}]}').findings[0]
    assert js.code == "xml.not_xml" and "JSON" in js.message


def test_several_problems_come_errors_first_in_a_stable_order():
    def change(root):
        root.set("entityID", "IdP Entity ID")
        one(root, "//md:NameIDFormat").text = "urn:oasis:names:tc:SAML:1.0:nameid-format:unspecified"
        one(root, "//ds:X509Certificate").text = cert_b64(
            make_cert(NOW - timedelta(days=9), NOW + timedelta(days=9), key="rsa1024")
        )
        one(root, "//md:SingleSignOnService").set("Location", "https://idp.example.com/x")

    data = edit(GOOD_EXPORT, change)
    first = check_metadata(data, now=NOW, idp_url_value="bitdefender")
    assert_well_formed_report(first)
    assert codes(first) == [
        "metadata.sso.slug_mismatch",
        "metadata.nameid.unsupported",
        "metadata.entityid.placeholder",
        "metadata.sso.not_jumpcloud",
        "metadata.cert.expiring",
        "metadata.cert.weak_key",
    ]
    assert codes(check_metadata(data, now=NOW, idp_url_value="bitdefender")) == codes(first)


def test_expired_message_gives_the_date_and_days():
    cert = make_cert(datetime(2020, 1, 1, tzinfo=UTC), datetime(2026, 5, 22, 12, tzinfo=UTC))
    finding = check_metadata(with_cert(cert), now=NOW).findings[0]
    assert finding.code == "metadata.cert.expired"
    assert "2026-05-22" in finding.message and "9 days ago" in finding.message


def test_naive_now_is_utc_and_default_now_is_the_clock():
    cert = make_cert(datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(days=10))
    assert "metadata.cert.expiring" in codes(check_metadata(with_cert(cert)))
    naive = check_metadata(GOOD_EXPORT.read_bytes(), now=datetime(2027, 3, 24))
    assert "metadata.cert.expired" in codes(naive)


def test_slug_check_only_with_a_value_and_tolerates_a_trailing_slash_or_whole_url():
    data = GOOD_EXPORT.read_bytes()
    assert "metadata.sso.slug_mismatch" not in codes(check_metadata(data, now=NOW))
    assert check_metadata(data, now=NOW, idp_url_value="https://sso.jumpcloud.com/saml2/bitdefender").ok
    slash = edit(
        GOOD_EXPORT, set_attr("//md:SingleSignOnService", "Location", "https://sso.jumpcloud.com/saml2/bitdefender/")
    )
    assert check_metadata(slash, now=NOW, idp_url_value="bitdefender").ok
    mismatch = check_metadata(data, now=NOW, idp_url_value="pulumi").findings[0]
    assert '"bitdefender"' in mismatch.message and "https://sso.jumpcloud.com/saml2/pulumi" in mismatch.fix
    # where to enter it: the wizard's step, or the command line's flag, each only where it is
    assert "on step 2 (Create the app)" in mismatch.fix and "--idp-url-value" not in mismatch.fix
    with on_command_line():
        cli_fix = check_metadata(data, now=NOW, idp_url_value="pulumi").findings[0].fix
    assert "with --idp-url-value" in cli_fix and "step 2" not in cli_fix


def test_persistent_nameid_and_a_second_accepted_format_pass():
    persistent = edit(GOOD_EXPORT, set_text("//md:NameIDFormat", NAMEID_PERSISTENT))
    assert check_metadata(persistent, now=NOW).ok

    def two(root):
        first = one(root, "//md:NameIDFormat")
        first.text = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
        extra = etree.Element(f"{{{MD}}}NameIDFormat")
        extra.text = NAMEID_EMAIL
        first.addnext(extra)

    report = check_metadata(edit(GOOD_EXPORT, two), now=NOW)
    assert report.ok
    assert report.metadata.nameid_formats[1] == NAMEID_EMAIL


def test_a_comment_inside_a_value_does_not_cut_it():
    data = GOOD_EXPORT.read_bytes().replace(b"SAML:1.1:nameid-format:", b"SAML:1.1:<!-- x -->nameid-format:")
    report = check_metadata(data, now=NOW)
    assert report.ok
    assert report.metadata.nameid_formats == (NAMEID_EMAIL,)


def test_signing_certificate_choice_and_encryption_only_keys():
    signing = _valid_cert(cn="signing")
    encryption = _valid_cert(cn="encryption", key="ec")

    def change(root):
        kd = one(root, "//md:KeyDescriptor")
        enc = etree.fromstring(etree.tostring(kd))
        enc.set("use", "encryption")
        one(enc, ".//ds:X509Certificate").text = cert_b64(encryption)
        one(kd, ".//ds:X509Certificate").text = cert_b64(signing)
        kd.addprevious(enc)

    md = check_metadata(edit(GOOD_EXPORT, change), now=NOW).metadata
    assert [c.use for c in md.certificates] == ["encryption", "signing"]
    assert md.certificates[0].key_type == "EC" and md.certificates[0].key_size == 256
    assert "CN=signing" in md.signing_certificate.subject
    # Without use=, a key serves signing too.
    no_use = check_metadata(edit(GOOD_EXPORT, set_attr("//md:KeyDescriptor", "use", None)), now=NOW)
    assert no_use.ok and no_use.metadata.signing_certificate.use is None


def test_two_signing_certificates_one_expired_names_which():
    old = make_cert(NOW - timedelta(days=2000), NOW - timedelta(days=5), cn="old")

    def change(root):
        kd = one(root, "//md:KeyDescriptor")
        copy = etree.fromstring(etree.tostring(kd))
        one(copy, ".//ds:X509Certificate").text = cert_b64(old)
        kd.addnext(copy)

    report = check_metadata(edit(GOOD_EXPORT, change), now=NOW)
    expired = [f for f in report.findings if f.code == "metadata.cert.expired"]
    assert len(expired) == 1 and "CN=old" in expired[0].message
    assert "JumpCloudSAMLUser" in report.metadata.signing_certificate.subject


def test_sso_url_prefers_post():
    def change(root):
        post = one(root, "//md:SingleSignOnService")
        redirect = etree.fromstring(etree.tostring(post))
        redirect.set("Binding", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect")
        redirect.set("Location", "https://sso.jumpcloud.com/saml2/bitdefender?redirect")
        post.addprevious(redirect)

    md = check_metadata(edit(GOOD_EXPORT, change), now=NOW).metadata
    assert md.sso_services[0].binding.endswith("HTTP-Redirect")
    assert md.sso_url == "https://sso.jumpcloud.com/saml2/bitdefender"


def test_values_from_the_document_are_shown_without_control_characters():
    nasty = "https://idp.example.com/\u202egnp.exe\u200b" + "x" * 500
    report = check_metadata(edit(GOOD_EXPORT, set_attr("//md:SingleSignOnService", "Location", nasty)), now=NOW)
    warning = next(f for f in report.findings if f.code == "metadata.sso.not_jumpcloud")
    assert "\u202e" not in warning.message
    slug = check_metadata(
        edit(GOOD_EXPORT, set_attr("//md:SingleSignOnService", "Location", nasty)), now=NOW, idp_url_value="v"
    )
    mismatch = next(f for f in slug.findings if f.code == "metadata.sso.slug_mismatch")
    assert "\u202e" not in mismatch.message and "\\u202e" in mismatch.message
    assert len(mismatch.message) < 400


def test_pasted_text_with_bom_and_declaration_is_the_same_as_the_file():
    text = "\ufeff" + GOOD_EXPORT.read_text() + "\n"
    assert codes(check_metadata(text, now=NOW)) == codes(check_metadata(GOOD_EXPORT.read_bytes(), now=NOW))
    utf16 = GOOD_EXPORT.read_text().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert check_metadata(utf16, now=NOW).ok


# -- other identity providers ----------------------------------------------------------

OKTA = """<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk1fcia6d6EMsf331d8"><md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://acme.okta.com/app/acme_pulumi_1/exk1fcia6d6EMsf331d8/sso/saml"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://acme.okta.com/app/acme_pulumi_1/exk1fcia6d6EMsf331d8/sso/saml"/></md:IDPSSODescriptor></md:EntityDescriptor>"""

ENTRA = """<?xml version="1.0" encoding="utf-8"?>
<EntityDescriptor ID="_9d1c3e2a-1f4e-4b7a-9a51-2f1f6f3f0c11" entityID="https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
  <RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
  </RoleDescriptor>
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing">
      <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo>
    </KeyDescriptor>
    <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2"/>
    <NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2"/>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2"/>
  </IDPSSODescriptor>
</EntityDescriptor>"""

GOOGLE = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://accounts.google.com/o/saml2?idpid=C01abcdef" validUntil="{valid_until}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>{cert}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://accounts.google.com/o/saml2/idp?idpid=C01abcdef"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://accounts.google.com/o/saml2/idp?idpid=C01abcdef"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""


def _wrapped_b64(cert: x509.Certificate) -> str:
    b64 = cert_b64(cert)
    return "\n" + "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64)) + "\n"


def signed_entra(cert: x509.Certificate) -> bytes:
    """Entra ID's federation metadata: signed (enveloped, rsa-sha256) and with a UTF-8 BOM."""
    from signxml import XMLSigner

    root = etree.fromstring(ENTRA.format(cert=cert_b64(cert)).encode())
    signed = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#").sign(
        root, key=private_key("rsa2048"), cert=[cert], reference_uri=root.get("ID")
    )
    signed.insert(0, signed[-1])  # Entra puts the Signature first
    return b"\xef\xbb\xbf" + etree.tostring(signed, xml_declaration=True, encoding="utf-8")


def _jumpcloud_findings(report: MetadataReport) -> list[str]:
    return [c for c in codes(report) if c not in ("metadata.ok", "metadata.cert.expires")]


def test_okta_shaped_metadata():
    data = OKTA.format(cert=cert_b64(_valid_cert())).encode()
    report = check_metadata(data, now=NOW)
    assert_well_formed_report(report)
    assert report.ok
    assert _jumpcloud_findings(report) == ["metadata.sso.not_jumpcloud"]
    assert report.metadata.sso_url.startswith("https://acme.okta.com/")
    with_value = check_metadata(data, now=NOW, idp_url_value="pulumi")
    assert _jumpcloud_findings(with_value) == ["metadata.sso.slug_mismatch", "metadata.sso.not_jumpcloud"]
    assert "not even a JumpCloud URL" in with_value.findings[0].message


def test_another_idps_host_is_a_fact_with_its_likely_causes_not_one_asserted():
    report = check_metadata(OKTA.format(cert=cert_b64(_valid_cert())).encode(), now=NOW)
    found = next(f for f in report.findings if f.code == "metadata.sso.not_jumpcloud")
    assert "this metadata comes from another identity provider" not in found.message
    assert found.message.startswith("The SSO Location's host is acme.okta.com, not sso.jumpcloud.com")
    assert (
        "Likely causes: the metadata is another identity provider's; the SSO Location was edited after the export."
        in found.message
    )
    assert found.fix.startswith("Another identity provider's: ") and "Edited: export it again" in found.fix


def test_entra_shaped_metadata_signed_with_bom():
    cert = _valid_cert()
    data = signed_entra(cert)
    assert data.startswith(b"\xef\xbb\xbf") and b"SignatureValue" in data
    for variant in (data, data.decode("utf-8")):
        report = check_metadata(variant, now=NOW)
        assert_well_formed_report(report)
        assert report.ok
        assert _jumpcloud_findings(report) == ["metadata.sso.not_jumpcloud"]
        md = report.metadata
        assert md.entity_id.startswith("https://sts.windows.net/")
        # Only the IDPSSODescriptor's certificate counts, not the Signature's or the RoleDescriptor's.
        assert len(md.certificates) == 1
        assert md.signing_certificate.der == cert.public_bytes(serialization.Encoding.DER)
        assert md.sso_url.endswith("/saml2") and md.sso_services[1].binding.endswith("HTTP-POST")
        assert md.want_authn_requests_signed is None


def test_google_shaped_metadata_with_valid_until():
    cert = make_cert(NOW - timedelta(days=10), NOW + timedelta(days=2200), cn="Google")
    data = GOOGLE.format(cert=_wrapped_b64(cert), valid_until="2031-05-19T17:08:24.000Z").encode()
    report = check_metadata(data, now=NOW)
    assert_well_formed_report(report)
    assert report.ok
    assert _jumpcloud_findings(report) == ["metadata.sso.not_jumpcloud"]
    assert report.metadata.valid_until == datetime(2031, 5, 19, 17, 8, 24, tzinfo=UTC)
    later = check_metadata(data, now=datetime(2031, 6, 1, tzinfo=UTC))
    assert codes(later)[0] == "metadata.valid_until.past" and "2031-05-19" in later.findings[0].message


# -- finding the export ----------------------------------------------------------------


def test_export_names():
    for name in (
        "JumpCloud-Pulumi-metadata.xml",
        "jumpcloud--metadata.xml",
        "JUMPCLOUD-x-METADATA.XML",
        "JumpCloud-Pulumi-metadata (1).xml",
        "JumpCloud-Pulumi-metadata(2).xml",
    ):
        assert is_export_name(name), name
    for name in (
        "Pulumi-metadata.xml",
        "JumpCloud-Pulumi-metadata.xml.part",
        "JumpCloud-metadata.txt",
        "xJumpCloud-Pulumi-metadata.xml",
    ):
        assert not is_export_name(name), name


def test_find_exports_newest_first_without_recursion(tmp_path: Path):
    downloads, cwd = tmp_path / "Downloads", tmp_path / "work"
    downloads.mkdir()
    cwd.mkdir()
    files = {
        downloads / "JumpCloud-Pulumi-metadata.xml": 100,
        downloads / "jumpcloud-old-METADATA.xml": 50,
        cwd / "JumpCloud--metadata.xml": 200,
        downloads / "unrelated.xml": 300,
        downloads / "sub" / "JumpCloud-deep-metadata.xml": 400,
    }
    for path, mtime in files.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text("<x/>")
        os.utime(path, (mtime, mtime))
    (downloads / "JumpCloud-folder-metadata.xml").mkdir()  # a folder with the name is not a file
    found = find_exports([downloads, cwd, tmp_path / "missing", downloads / "unrelated.xml", downloads])
    assert found == [
        cwd / "JumpCloud--metadata.xml",
        downloads / "JumpCloud-Pulumi-metadata.xml",
        downloads / "jumpcloud-old-METADATA.xml",
    ]
    assert find_exports([]) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_find_exports_skips_unreadable_folders(tmp_path: Path):
    locked, open_ = tmp_path / "locked", tmp_path / "open"
    locked.mkdir()
    open_.mkdir()
    (locked / "JumpCloud-a-metadata.xml").write_text("<x/>")
    (open_ / "JumpCloud-b-metadata.xml").write_text("<x/>")
    locked.chmod(0)
    try:
        assert find_exports([locked, open_]) == [open_ / "JumpCloud-b-metadata.xml"]
    finally:
        locked.chmod(0o755)


def test_find_exports_skips_a_dangling_link(tmp_path: Path):
    (tmp_path / "JumpCloud-gone-metadata.xml").symlink_to(tmp_path / "nowhere.xml")
    real = tmp_path / "JumpCloud-real-metadata.xml"
    real.write_text("<x/>")
    assert find_exports([tmp_path]) == [real]


# -- the check-metadata command ----------------------------------------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402

from wizard.cli import main  # noqa: E402


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["check-metadata", *args])
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_good_export_human_output(capsys):
    code, out, err = run_cli(capsys, str(GOOD_EXPORT), "--idp-url-value", "bitdefender", "--at", "2027-01-15")
    assert code == 0, err
    assert "ready for Pulumi, 1 warning" in out.splitlines()[0]
    assert "strategicgroupnw" in out and "https://sso.jumpcloud.com/saml2/bitdefender" in out
    assert "7A:42:B6:DF" in out and "2027-03-23" in out
    assert "WARNING metadata.cert.expiring" in out and "fix: " in out


def test_cli_expired_export_exit_1_and_json(capsys):
    code, out, _ = run_cli(capsys, str(EXPIRED_EXPORT), "--json", "--at", "2026-06-01T00:00:00Z")
    assert code == 1
    data = json.loads(out)
    assert [f["code"] for f in data["findings"]] == ["metadata.cert.expired", "metadata.nameid.unsupported"]
    assert all({"code", "severity", "message", "fix"} <= set(f) for f in data["findings"])
    assert data["metadata"]["signing_certificate"]["not_after"].startswith("2025-05-13")


def test_cli_at_changes_the_verdict(capsys):
    assert run_cli(capsys, str(GOOD_EXPORT), "--at", "2027-03-24")[0] == 1
    assert run_cli(capsys, str(GOOD_EXPORT), "--at", "2026-06-01T12:00:00+02:00")[0] == 0


def test_cli_slug_mismatch_exit_1(capsys):
    code, out, _ = run_cli(capsys, str(GOOD_EXPORT), "--idp-url-value", "pulumi", "--at", "2026-06-01")
    assert code == 1 and "metadata.sso.slug_mismatch" in out
    # the fix says how to give the value here, on the command line, not in a wizard step
    assert "enter that value with --idp-url-value" in " ".join(out.split()) and "step 2" not in out


def test_cli_malformed_names_the_line(capsys):
    code, out, _ = run_cli(capsys, str(MALFORMED_EXPORT))
    assert code == 1 and "xml.malformed" in out and "line 1, column" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["{missing}"], "no such file"),
        (["{folder}"], "is a folder"),
        ([str(GOOD_EXPORT), "--at", "tomorrow"], "--at"),
        ([str(GOOD_EXPORT), "--idp-url-value", "https://sso.jumpcloud.com/saml2/x"], "--idp-url-value"),
        ([], "PATH"),
    ],
)
def test_cli_usage_errors_exit_2_with_one_line(capsys, tmp_path: Path, args: list[str], expected: str):
    args = [a.format(missing=tmp_path / "nope.xml", folder=tmp_path) for a in args]
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and expected in err
    assert "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_cli_unreadable_file_exit_2(capsys, tmp_path: Path):
    locked = tmp_path / "JumpCloud-x-metadata.xml"
    locked.write_bytes(GOOD_EXPORT.read_bytes())
    locked.chmod(0)
    code, _, err = run_cli(capsys, str(locked))
    assert code == 2 and "permission denied" in err


def _cli_process(*args: str, stdin: bytes | None = None, code: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI", "HTTP", "HTTPS"))}
    argv = [sys.executable, "-c", code] if code else [sys.executable, "-m", "wizard"]
    return subprocess.run(
        [*argv, "check-metadata", *args],
        input=stdin,
        capture_output=True,
        timeout=30,
        env=env,
    )


def test_cli_reads_standard_input():
    proc = _cli_process("-", "--json", "--at", "2026-06-01", stdin=GOOD_EXPORT.read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["metadata"]["entity_id"] == "strategicgroupnw"
    empty = _cli_process("-", stdin=b"")
    assert empty.returncode == 1 and b"xml.empty" in empty.stdout


def test_cli_does_not_import_textual():
    wrapper = (
        "import sys\n"
        "from wizard.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'screens', 'rich'))\n"
        "sys.stderr.write('LOADED=' + ','.join(loaded) + '\\n')\n"
        "raise SystemExit(code)\n"
    )
    proc = _cli_process(str(GOOD_EXPORT), "--at", "2026-06-01", code=wrapper)
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stderr.decode().strip().splitlines()[-1]
    assert loaded.startswith("LOADED=")
    assert "textual" not in loaded and "screens" not in loaded, loaded
    assert b"ready for Pulumi" in proc.stdout


def test_a_flood_of_certificates_and_locations_gives_a_bounded_list():
    def flood(root):
        kd = one(root, "//md:KeyDescriptor")
        for i in range(300):
            copy = etree.fromstring(etree.tostring(kd))
            one(copy, ".//ds:X509Certificate").text = "bad!" if i % 2 else "QUJD"
            kd.addnext(copy)
        sso = one(root, "//md:SingleSignOnService")
        for i in range(300):
            copy = etree.fromstring(etree.tostring(sso))
            copy.set("Location", f"http://idp{i}.example.com/sso")
            sso.addnext(copy)

    report = check_metadata(edit(GOOD_EXPORT, flood), now=NOW)
    assert_well_formed_report(report)
    found = codes(report)
    assert found.count("metadata.cert.unreadable") == 2  # one per distinct reason
    assert found.count("metadata.sso.not_https") == 9  # the first ten locations: the real one and nine http
    assert len(found) < 20


def test_a_certificate_whose_subject_is_damaged_is_read_not_a_crash():
    # Found by the mutation property test: one byte changed inside the subject's DER
    # (the second "CN=JumpCloudSAMLUser"); cryptography reads names lazily and raised.
    data = EXPIRED_EXPORT.read_bytes()
    needle = b"BgNVBAMTEUp1bXBDbG91ZFNBTUxVc2Vy"
    first = data.index(needle)
    second = data.index(needle, first + 1)
    damaged = data[:second] + b"BgNVBA/TEUp1bXBDbG91ZFNBTUxVc2Vy" + data[second + len(needle) :]
    report = check_metadata(damaged)
    assert report.findings and report.metadata is not None
    cert = report.metadata.signing_certificate
    assert cert is not None and cert.subject == "(unreadable name)"
