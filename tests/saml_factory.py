"""Test helpers: a test IdP key and certificate, and JumpCloud-shaped SAML responses.

A real JumpCloud response signs the Assertion only, with RSA-SHA256 and exclusive
c14n; its Issuer is the IdP Entity ID and its Conditions allow about five minutes
either side of IssueInstant.  ``build_response`` makes that shape with
every value overridable, ``sign_assertion`` signs it with signxml, and the small
helpers below derive the variants the diagnosis must catch.

Import with::

    from tests import saml_factory
"""

from __future__ import annotations

import base64
import copy
import json
import urllib.parse
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner
from signxml.algorithms import CanonicalizationMethod

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
NSMAP = {"samlp": SAMLP, "saml": SAML}

EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
PERSISTENT_FORMAT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
UNSPECIFIED_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder"
AUTHN_FAILED = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"

ORG = "acme-corp"
API = "https://api.pulumi.com"
SP_ENTITY_ID = f"{API}/login/{ORG}/sso/saml/metadata"
ACS_URL = f"{API}/login/{ORG}/sso/saml/acs"
IDP_ENTITY_ID = "JumpCloud"
NOW = datetime(2026, 11, 27, 21, 0, 0, tzinfo=UTC)

EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0


@dataclass(frozen=True)
class Identity:
    """A signing key with its self-signed certificate, shaped like JumpCloud's."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def cert_pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def fingerprint(self) -> str:
        return self.cert.fingerprint(hashes.SHA256()).hex(":").upper()


@cache
def identity(
    name: str = "idp",
    key_size: int = 2048,
    not_before: datetime = datetime(2024, 1, 1, tzinfo=UTC),
    years: int = 5,
) -> Identity:
    """A cached key + certificate (``name`` tells two identities apart)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "JumpCloudSAMLIdP"),
            x509.NameAttribute(NameOID.COMMON_NAME, "JumpCloudSAMLUser"),
        ]
    )
    serial = int.from_bytes(name.encode().ljust(8, b"\0")[:8], "big") or 1
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_before.replace(year=not_before.year + years))
        .sign(key, hashes.SHA256())
    )
    return Identity(key, cert)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


_DEFAULT = object()


def build_response(
    *,
    issuer: str = IDP_ENTITY_ID,
    audience: str | None = SP_ENTITY_ID,
    destination: str | None = ACS_URL,
    recipient: str | None = ACS_URL,
    nameid: str | None = "alice@example.com",
    nameid_format: str | None = EMAIL_FORMAT,
    issue_instant: datetime = NOW,
    not_before: object = _DEFAULT,
    not_on_or_after: object = _DEFAULT,
    in_response_to: str | None = None,
    status: str = SUCCESS,
    sub_status: str | None = None,
    status_message: str | None = None,
    assertion: bool = True,
    attributes: int = 4,
) -> etree._Element:
    """An unsigned JumpCloud-shaped Response with a signature placeholder in the Assertion."""
    nb = issue_instant - timedelta(minutes=5) if not_before is _DEFAULT else not_before
    noa = issue_instant + timedelta(minutes=5) if not_on_or_after is _DEFAULT else not_on_or_after
    s = lambda tag: f"{{{SAMLP}}}{tag}"
    a = lambda tag: f"{{{SAML}}}{tag}"
    root = etree.Element(s("Response"), nsmap=NSMAP)
    root.set("ID", "_resp7f3c2a9d1e6b4c58a0f1")
    root.set("Version", "2.0")
    root.set("IssueInstant", _iso(issue_instant))
    if destination is not None:
        root.set("Destination", destination)
    if in_response_to:
        root.set("InResponseTo", in_response_to)
    etree.SubElement(root, a("Issuer")).text = issuer
    status_el = etree.SubElement(root, s("Status"))
    code = etree.SubElement(status_el, s("StatusCode"), Value=status)
    if sub_status:
        etree.SubElement(code, s("StatusCode"), Value=sub_status)
    if status_message:
        etree.SubElement(status_el, s("StatusMessage")).text = status_message
    if not assertion:
        return root
    asrt = etree.SubElement(root, a("Assertion"))
    asrt.set("ID", "_asrt0b8e5d2c47a94f31b6c2")
    asrt.set("Version", "2.0")
    asrt.set("IssueInstant", _iso(issue_instant))
    etree.SubElement(asrt, a("Issuer")).text = issuer
    etree.SubElement(asrt, f"{{{DS}}}Signature", Id="placeholder", nsmap={"ds": DS})
    subject = etree.SubElement(asrt, a("Subject"))
    if nameid is not None:
        nid = etree.SubElement(subject, a("NameID"))
        if nameid_format is not None:
            nid.set("Format", nameid_format)
        nid.text = nameid
    conf = etree.SubElement(subject, a("SubjectConfirmation"), Method="urn:oasis:names:tc:SAML:2.0:cm:bearer")
    data = etree.SubElement(conf, a("SubjectConfirmationData"))
    if noa is not None:
        data.set("NotOnOrAfter", _iso(noa))
    if recipient is not None:
        data.set("Recipient", recipient)
    if in_response_to:
        data.set("InResponseTo", in_response_to)
    cond = etree.SubElement(asrt, a("Conditions"))
    if nb is not None:
        cond.set("NotBefore", _iso(nb))
    if noa is not None:
        cond.set("NotOnOrAfter", _iso(noa))
    if audience is not None:
        restriction = etree.SubElement(cond, a("AudienceRestriction"))
        etree.SubElement(restriction, a("Audience")).text = audience
    authn = etree.SubElement(asrt, a("AuthnStatement"), AuthnInstant=_iso(issue_instant), SessionIndex="_sess4d1f0a")
    ctx = etree.SubElement(authn, a("AuthnContext"))
    etree.SubElement(ctx, a("AuthnContextClassRef")).text = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"
    if attributes:
        stmt = etree.SubElement(asrt, a("AttributeStatement"))
        names = ["email", "firstname", "lastname", "username", "department", "title", "groups"]
        for i in range(attributes):
            attr = etree.SubElement(
                stmt,
                a("Attribute"),
                Name=names[i % len(names)] + (str(i) if i >= len(names) else ""),
                NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
            )
            etree.SubElement(attr, a("AttributeValue")).text = f"value-{i}@example.com"
    return root


class _AnySigner(XMLSigner):
    """signxml's signer with SHA-1 allowed, to make the legacy signatures tests need."""

    def check_deprecated_methods(self) -> None:
        return None


def sign_assertion(
    root: etree._Element,
    ident: Identity | None = None,
    *,
    signature_algorithm: str = "rsa-sha256",
    digest_algorithm: str = "sha256",
    include_cert: bool = True,
) -> etree._Element:
    """Sign the Assertion (by its ID) in place of the placeholder; returns the new root."""
    ident = ident or identity()
    signer = _AnySigner(
        signature_algorithm=signature_algorithm,
        digest_algorithm=digest_algorithm,
        c14n_algorithm=EXC_C14N,
    )
    asrt = root.find(f"{{{SAML}}}Assertion")
    return signer.sign(
        root,
        key=ident.key,
        cert=[ident.cert] if include_cert else None,
        reference_uri=asrt.get("ID"),
        id_attribute="ID",
    )


def sign_response(root: etree._Element, ident: Identity | None = None) -> etree._Element:
    """Sign the whole Response (signature after the Response's Issuer)."""
    ident = ident or identity()
    for ph in root.iter(f"{{{DS}}}Signature"):
        ph.getparent().remove(ph)
        break
    issuer = root.find(f"{{{SAML}}}Issuer")
    placeholder = etree.Element(f"{{{DS}}}Signature", Id="placeholder", nsmap={"ds": DS})
    issuer.addnext(placeholder)
    signer = XMLSigner(c14n_algorithm=EXC_C14N)
    return signer.sign(root, key=ident.key, cert=[ident.cert], reference_uri=root.get("ID"), id_attribute="ID")


def strip_placeholder(root: etree._Element) -> etree._Element:
    for ph in list(root.iter(f"{{{DS}}}Signature")):
        if ph.get("Id") == "placeholder":
            ph.getparent().remove(ph)
    return root


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def signed_response(ident: Identity | None = None, **kwargs) -> bytes:
    """A signed JumpCloud-shaped response as XML bytes (``kwargs`` go to build_response)."""
    sig_kwargs = {k: kwargs.pop(k) for k in ("signature_algorithm", "digest_algorithm") if k in kwargs}
    return to_bytes(sign_assertion(build_response(**kwargs), ident, **sig_kwargs))


def find(root: etree._Element, path: str) -> etree._Element:
    element = root.find(path, namespaces={"samlp": SAMLP, "saml": SAML, "ds": DS})
    assert element is not None, path
    return element


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def tamper_nameid(signed: bytes, new_value: str = "mallory@example.com") -> bytes:
    root = parse(signed)
    find(root, ".//saml:Assertion/saml:Subject/saml:NameID").text = new_value
    return to_bytes(root)


def insert_nameid_comment(signed: bytes, at: int | None = None) -> bytes:
    """Split the signed NameID text with an empty comment, after signing.

    Exclusive c14n without comments ignores the comment, so the signature still
    verifies, while a naive ``.text`` reader sees only the part before it.
    ``at`` is where to split (default: after the first ``.com``, or in the middle).
    """
    root = parse(signed)
    nid = find(root, ".//saml:Assertion/saml:Subject/saml:NameID")
    value = nid.text or ""
    if at is None:
        at = value.find(".com") + 4 if ".com" in value[:-4] else len(value) // 2
    nid.text = value[:at]
    comment = etree.Comment("")
    comment.tail = value[at:]
    nid.append(comment)
    return to_bytes(root)


def resign_nameid_with_comment(ident: Identity | None = None) -> bytes:
    """The real attack: ``alice@example.com.evil.com`` signed, then read as ``alice@example.com``."""
    signed = signed_response(ident, nameid="alice@example.com.evil.com")
    return insert_nameid_comment(signed, at=len("alice@example.com"))


def two_assertions(signed: bytes) -> bytes:
    root = parse(signed)
    asrt = find(root, "saml:Assertion")
    extra = copy.deepcopy(asrt)
    extra.set("ID", "_second")
    asrt.addnext(extra)
    return to_bytes(root)


def wrapped(signed: bytes, evil_nameid: str = "mallory@example.com") -> bytes:
    """Classic XSW: an evil, unsigned Assertion where Pulumi reads, the signed one hidden.

    The signed Assertion moves into the evil one's ds:Signature/ds:Object, so the
    signature's Reference still finds (and verifies) it, while the evil Assertion's
    values are what a careless reader takes.
    """
    root = parse(signed)
    original = find(root, "saml:Assertion")
    evil = copy.deepcopy(original)
    evil.set("ID", "_evil")
    find(evil, "saml:Subject/saml:NameID").text = evil_nameid
    signature = find(evil, "ds:Signature")
    obj = etree.SubElement(signature, f"{{{DS}}}Object")
    root.replace(original, evil)
    # remove the signature inside the hidden original, keep the one in the evil assertion
    obj.append(original)
    return to_bytes(root)


def encrypted(signed_or_unsigned: bytes | None = None) -> bytes:
    """A Response carrying an EncryptedAssertion instead of an Assertion."""
    root = build_response(assertion=False)
    enc = etree.SubElement(root, f"{{{SAML}}}EncryptedAssertion")
    data = etree.SubElement(
        enc, f"{{{XENC}}}EncryptedData", nsmap={"xenc": XENC}, Type="http://www.w3.org/2001/04/xmlenc#Element"
    )
    etree.SubElement(data, f"{{{XENC}}}EncryptionMethod", Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm")
    cipher = etree.SubElement(data, f"{{{XENC}}}CipherData")
    etree.SubElement(cipher, f"{{{XENC}}}CipherValue").text = base64.b64encode(b"\x13" * 96).decode()
    return to_bytes(root)


# ---- encodings -------------------------------------------------------------


def as_base64(xml: bytes, *, wrap: int | None = None) -> str:
    text = base64.b64encode(xml).decode()
    if wrap:
        text = "\n".join(text[i : i + wrap] for i in range(0, len(text), wrap))
    return text


def as_urlencoded(xml: bytes) -> str:
    return urllib.parse.quote(as_base64(xml), safe="")


def as_form(xml: bytes, relay_state: str = f"{API}/login/{ORG}/sso") -> str:
    return urllib.parse.urlencode({"SAMLResponse": as_base64(xml), "RelayState": relay_state})


def as_deflate(xml: bytes) -> str:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(comp.compress(xml) + comp.flush()).decode()


def as_saml_tracer(xml: bytes, *, with_request: bool = True) -> str:
    """A SAML-tracer export (``{"requests": [...], "timestamp": ...}``)."""
    authn_request = (
        '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        f'ID="_req1" Version="2.0" IssueInstant="{_iso(NOW)}" '
        f'AssertionConsumerServiceURL="{ACS_URL}"/>'
    )
    requests = [
        {
            "requestId": "1",
            "method": "GET",
            "url": f"{API}/login/{ORG}/sso",
            "requestHeaders": [],
            "responseStatus": 302,
            "responseHeaders": [],
        },
    ]
    if with_request:
        requests.append(
            {
                "requestId": "2",
                "method": "GET",
                "url": "https://sso.jumpcloud.com/saml2/pulumi?SAMLRequest=abc",
                "requestHeaders": [],
                "responseStatus": 200,
                "responseHeaders": [],
                "saml": authn_request,
            }
        )
    requests.append(
        {
            "requestId": "3",
            "method": "POST",
            "url": ACS_URL,
            "requestHeaders": [],
            "post": [["SAMLResponse", as_base64(xml)], ["RelayState", f"{API}/login/{ORG}/sso"]],
            "responseStatus": 302,
            "responseHeaders": [],
            "saml": xml.decode("utf-8"),
        }
    )
    requests.append(
        {
            "requestId": "4",
            "method": "GET",
            "url": "https://app.pulumi.com/acme-corp",
            "requestHeaders": [],
            "responseStatus": 200,
            "responseHeaders": [],
        }
    )
    return json.dumps({"requests": requests, "timestamp": _iso(NOW)}, indent=2)


def metadata_xml(
    entity_id: str = IDP_ENTITY_ID,
    ident: Identity | None = None,
    sso_url: str = "https://sso.jumpcloud.com/saml2/pulumi",
) -> bytes:
    """A one-line JumpCloud-shaped metadata export for the given certificate."""
    ident = ident or identity()
    cert_b64 = base64.b64encode(ident.cert_der).decode()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}">'
        '<md:IDPSSODescriptor WantAuthnRequestsSigned="false" '
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        f"<ds:X509Data><ds:X509Certificate>{cert_b64}</ds:X509Certificate></ds:X509Data>"
        "</ds:KeyInfo></md:KeyDescriptor>"
        f"<md:NameIDFormat>{EMAIL_FORMAT}</md:NameIDFormat>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
        f'Location="{sso_url}"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    ).encode()
