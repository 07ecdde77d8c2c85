"""IdP metadata -> a small model + findings, checked the way Pulumi Cloud will check it.

What Pulumi validates when the metadata is pasted (per Pulumi's SAML
troubleshooting guide): well-formed XML; only the ``IDPSSODescriptor`` is read; a
``KeyDescriptor`` certificate present and not expired; a ``NameIDFormat`` that is
emailAddress or persistent; an IdP entity ID; a ``SingleSignOnService``.  On top
of that the checks warn about what hurts later: a certificate that expires soon,
metadata from another IdP, an SSO URL that does not match the JumpCloud app the
admin created.

All XML goes through :func:`wizard.xmlsafe.parse_xml`; nothing here opens a file or
URL named in the document.  Bad input comes back as findings, never as an exception.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from wizard import xmlsafe
from wizard.clock import aware_now, parse_utc
from wizard.codes import finding
from wizard.findings import Finding, Severity, in_reading_order
from wizard.inert import inert
from wizard.saml_ns import DS_NS, MD_NS, SAML_NS, SAMLP_NS
from wizard.values import (
    ACCEPTED_NAMEID_FORMATS,
    JUMPCLOUD_SSO_BASE,
    NAMEID_EMAIL,
    idp_sso_url,
    idp_url_value_from_location,
)
from wizard.where import here

if TYPE_CHECKING:  # only for annotations: cryptography loads when a certificate is read
    from cryptography import x509
    from lxml import etree

SAML2_PROTOCOL = SAMLP_NS
BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
BROWSER_BINDINGS = (BINDING_POST, BINDING_REDIRECT)
JUMPCLOUD_SSO_HOST = "sso.jumpcloud.com"
PLACEHOLDER_ENTITY_ID = "IdP Entity ID"
EXPIRY_WARNING_DAYS = 90
# Beyond these, a document is not metadata anyone exported: the rest is not examined.
MAX_CERTIFICATES = 20
MAX_LOCATIONS = 10

_MD = f"{{{MD_NS}}}"
_DS = f"{{{DS_NS}}}"

# Where things are in JumpCloud, for the fixes.
_JC_SSO_TAB = "JumpCloud, your Pulumi app's SSO tab"
_JC_EXPORT = "then Export Metadata again"
_PULUMI_STEPS = (
    "Settings > Access Management > Membership Requirements > Change requirements > SAML SSO "
    "> Next: paste the whole XML and choose Apply changes"
)
# first-time setup loads it on step 6; an organisation already on SAML replaces it with `rotate`


def _pulumi_load() -> str:
    return f"Pulumi (on step 6 while setting up; {here().rotate} once SAML is on)"


_EXPORT_NAME_RE = re.compile(r"^jumpcloud-.*metadata(?: ?\(\d+\))?\.xml$", re.IGNORECASE)


# -- the model ----------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    """An X.509 certificate from a ``KeyDescriptor``, as far as Pulumi cares."""

    subject: str
    issuer: str
    not_before: datetime  # timezone-aware UTC
    not_after: datetime  # timezone-aware UTC
    key_type: str  # "RSA", "EC", "DSA", "Ed25519", "Ed448" or "unknown"
    key_size: int | None
    sha256_fingerprint: str  # "AB:CD:…" uppercase colon hex of the DER
    der: bytes = field(repr=False)
    use: str | None  # KeyDescriptor@use: "signing", "encryption" or None (both)

    @property
    def can_sign(self) -> bool:
        return self.use in (None, "signing")

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "key_type": self.key_type,
            "key_size": self.key_size,
            "sha256_fingerprint": self.sha256_fingerprint,
            "use": self.use,
        }


@dataclass(frozen=True)
class SsoService:
    binding: str
    location: str

    def to_dict(self) -> dict[str, str]:
        return {"binding": self.binding, "location": self.location}


@dataclass(frozen=True)
class IdpMetadata:
    entity_id: str | None
    has_idp_descriptor: bool
    protocols: tuple[str, ...] = ()
    sso_services: tuple[SsoService, ...] = ()
    certificates: tuple[Certificate, ...] = ()
    nameid_formats: tuple[str, ...] = ()
    want_authn_requests_signed: bool | None = None
    valid_until: datetime | None = None

    @property
    def signing_certificate(self) -> Certificate | None:
        """The certificate Pulumi will check signatures with.

        The first certificate of a ``KeyDescriptor`` with ``use="signing"``, else
        the first one without ``use`` (which serves signing too); None when there
        is no readable signing certificate.
        """
        signing = [c for c in self.certificates if c.use == "signing"]
        if signing:
            return signing[0]
        unspecified = [c for c in self.certificates if c.use is None]
        return unspecified[0] if unspecified else None

    @property
    def sso_url(self) -> str | None:
        """The HTTP-POST SingleSignOnService location, else the first one."""
        for service in self.sso_services:
            if service.binding == BINDING_POST and service.location:
                return service.location
        for service in self.sso_services:
            if service.location:
                return service.location
        return None

    def to_dict(self) -> dict[str, Any]:
        cert = self.signing_certificate
        return {
            "entity_id": self.entity_id,
            "has_idp_descriptor": self.has_idp_descriptor,
            "protocols": list(self.protocols),
            "sso_services": [s.to_dict() for s in self.sso_services],
            "sso_url": self.sso_url,
            "certificates": [c.to_dict() for c in self.certificates],
            "signing_certificate": cert.to_dict() if cert else None,
            "nameid_formats": list(self.nameid_formats),
            "want_authn_requests_signed": self.want_authn_requests_signed,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }


@dataclass
class MetadataReport:
    findings: list[Finding]
    metadata: IdpMetadata | None

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "metadata": self.metadata.to_dict() if self.metadata else None,
        }


# -- helpers -------------------------------------------------------------------


def show(value: str, limit: int = 100) -> str:
    """A value from the document made safe to print: no control or invisible
    characters (terminal escapes, bidi overrides), and not longer than ``limit``."""
    text = inert(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _text(element: etree._Element) -> str:
    """The element's own text, comments skipped (``.text`` stops at a comment)."""
    parts = element.xpath("text()")
    return "".join(str(p) for p in parts).strip() if isinstance(parts, list) else ""


def _colon_hex(digest: bytes) -> str:
    return ":".join(f"{b:02X}" for b in digest)


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def _parse_datetime(text: str) -> datetime | None:
    """An xs:dateTime (``2027-03-23T20:02:07Z``, fractions, offsets) as aware UTC."""
    text = text.strip()
    if not text:
        return None
    match = re.match(r"^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$", text)
    if not match:
        return None
    base, fraction, zone = match.groups()
    fraction = (fraction or "")[:7]  # Python takes at most microseconds
    zone = "+00:00" if zone in (None, "Z") else zone
    try:
        return parse_utc(base + fraction + zone)
    except ValueError:  # not a time, or one outside the years 1 to 9999 in UTC
        return None


def _bool(text: str | None) -> bool | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    return None


def _name(read: Callable[[], x509.Name]) -> str:
    """A certificate's subject or issuer in words.  ``read`` is the attribute's getter:
    cryptography parses a name when it is first read, so a damaged one raises there."""
    try:
        return str(read().rfc4514_string())
    except Exception:  # odd or damaged encodings in an untrusted certificate
        return "(unreadable name)"


def _load_certificate(b64: str, use: str | None) -> Certificate | str:
    """The certificate, or the reason it cannot be read."""
    # Imported here: cryptography.x509 is the slowest import of the check (see bench_metadata.py).
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    compact = "".join(b64.split())
    if not compact:
        return "the X509Certificate element is empty"
    if compact.startswith("-----BEGIN"):
        return "it holds PEM text (-----BEGIN …) instead of bare base64"
    try:
        der = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return "its base64 text is damaged"
    try:
        cert = x509.load_der_x509_certificate(der)
        not_before = cert.not_valid_before_utc
        not_after = cert.not_valid_after_utc
        fingerprint = _colon_hex(cert.fingerprint(hashes.SHA256()))
    except Exception:
        return "its DER content is not an X.509 certificate"
    key_type, key_size = "unknown", None
    try:
        key = cert.public_key()
    except Exception:
        key = None
    if isinstance(key, rsa.RSAPublicKey):
        key_type, key_size = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type, key_size = "EC", key.curve.key_size
    elif isinstance(key, dsa.DSAPublicKey):
        key_type, key_size = "DSA", key.key_size
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key_type = "Ed25519"
    elif isinstance(key, ed448.Ed448PublicKey):
        key_type = "Ed448"
    return Certificate(
        subject=_name(lambda: cert.subject),
        issuer=_name(lambda: cert.issuer),
        not_before=not_before,
        not_after=not_after,
        key_type=key_type,
        key_size=key_size,
        sha256_fingerprint=fingerprint,
        der=der,
        use=use,
    )


def _describe_root(root: etree._Element) -> str | None:
    """What a root element that is not an EntityDescriptor is, in words; None when it is one."""
    qname = root.tag if isinstance(root.tag, str) else ""
    ns, _, local = qname[1:].partition("}") if qname.startswith("{") else ("", "", qname)
    if ns == MD_NS and local == "EntityDescriptor":
        return None
    if ns == MD_NS and local == "EntitiesDescriptor":
        count = len(root.findall(f".//{_MD}EntityDescriptor"))
        return (
            f"an EntitiesDescriptor aggregate (a federation feed of {count} entities), "
            "not one identity provider's metadata"
        )
    if local.lower() == "html":
        return "an HTML web page, not SAML metadata"
    if ns == SAMLP_NS and local == "Response":
        return "a SAML response (what the IdP sends at sign-in), not metadata"
    if ns == SAMLP_NS and local == "AuthnRequest":
        return "a SAML authentication request, not metadata"
    if ns == SAML_NS and local == "Assertion":
        return "a SAML assertion, not metadata"
    if local == "EntityDescriptor":
        where = f"namespace {ns}" if ns else "no namespace"
        return f"an EntityDescriptor in {show(where)} instead of {MD_NS}"
    where = f" in namespace {show(ns)}" if ns else ""
    return f"an XML document whose root element is <{show(local)}>{where}, not SAML metadata"


# -- the check -----------------------------------------------------------------


def parse_metadata(root: etree._Element) -> tuple[IdpMetadata, list[Finding]]:
    """The model of an EntityDescriptor root, and the findings about what could not be read."""
    findings: list[Finding] = []
    entity_id = root.get("entityID")
    descriptor = root.find(f"{_MD}IDPSSODescriptor")
    valid_until_texts = [root.get("validUntil")]
    if descriptor is None:
        return IdpMetadata(entity_id=entity_id, has_idp_descriptor=False), findings
    valid_until_texts.append(descriptor.get("validUntil"))

    protocols = tuple((descriptor.get("protocolSupportEnumeration") or "").split())
    services = tuple(
        SsoService((s.get("Binding") or "").strip(), (s.get("Location") or "").strip())
        for s in descriptor.findall(f"{_MD}SingleSignOnService")
    )
    nameids = tuple(t for t in (_text(n) for n in descriptor.findall(f"{_MD}NameIDFormat")) if t)

    certificates: list[Certificate] = []
    seen: set[bytes] = set()
    reasons: list[str] = []
    elements = [
        (element, key_descriptor.get("use"))
        for key_descriptor in descriptor.findall(f"{_MD}KeyDescriptor")
        for element in key_descriptor.iterfind(f".//{_DS}X509Certificate")
    ]
    for element, use in elements[:MAX_CERTIFICATES]:  # real metadata has one or two
        loaded = _load_certificate(_text(element), use.strip() if use is not None else None)
        if isinstance(loaded, str):
            if loaded not in reasons:
                reasons.append(loaded)
                findings.append(
                    finding(
                        "metadata.cert.unreadable",
                        f"A certificate in the metadata cannot be read: {loaded}.",
                        f"Use the exported file unedited: {_JC_SSO_TAB} > Export Metadata. If it is still "
                        "unreadable, regenerate the IdP Certificate there, save, and export again.",
                    )
                )
        elif loaded.der not in seen:
            seen.add(loaded.der)
            certificates.append(loaded)

    valid_until: datetime | None = None
    for text in valid_until_texts:
        if text is None:
            continue
        parsed = _parse_datetime(text)
        if parsed is None:
            findings.append(
                finding(
                    "metadata.valid_until.unreadable",
                    f'validUntil="{show(text, 40)}" is not a date and time; Pulumi may refuse the metadata.',
                    "Export the metadata again from the identity provider and use the file unchanged.",
                )
            )
        elif valid_until is None or parsed < valid_until:
            valid_until = parsed

    metadata = IdpMetadata(
        entity_id=entity_id,
        has_idp_descriptor=True,
        protocols=protocols,
        sso_services=services,
        certificates=tuple(certificates),
        nameid_formats=nameids,
        want_authn_requests_signed=_bool(descriptor.get("WantAuthnRequestsSigned")),
        valid_until=valid_until,
    )
    return metadata, findings


def _check_entity_id(md: IdpMetadata) -> list[Finding]:
    if md.entity_id is None or not md.entity_id.strip():
        return [
            finding(
                "metadata.entityid.missing",
                "The metadata has no IdP entity ID (EntityDescriptor entityID is missing or empty); Pulumi refuses it.",
                f"{_JC_SSO_TAB} > IdP Entity ID: enter a value (e.g. JumpCloud), save, {_JC_EXPORT}.",
            )
        ]
    if md.entity_id.strip().lower() == PLACEHOLDER_ENTITY_ID.lower():
        return [
            finding(
                "metadata.entityid.placeholder",
                f'The IdP entity ID is JumpCloud\'s untouched placeholder "{PLACEHOLDER_ENTITY_ID}".',
                f"{_JC_SSO_TAB} > IdP Entity ID: enter a real value (e.g. JumpCloud), save, "
                f"{_JC_EXPORT}. Pulumi accepts the placeholder, but every sign-in carries it as Issuer.",
            )
        ]
    return []


def check_entity_matches(md: IdpMetadata, idp_entity_id: str) -> list[Finding]:
    """The export's entityID is the IdP Entity ID typed on JumpCloud's SSO tab: one that
    differs from what the admin entered there is another app's export, or one exported
    before the field was changed (every response then carries another Issuer)."""
    want, got = idp_entity_id.strip(), (md.entity_id or "").strip()
    if not want or not got or got == want:
        return []
    return [
        finding(
            "metadata.entityid.mismatch",
            f"The metadata's IdP entity ID is {show(got, 80)}, but the IdP Entity ID entered on "
            f"JumpCloud's SSO tab (step 3) is {show(want, 80)}.",
            f"If JumpCloud's IdP Entity ID field holds {show(want, 80)}, save the SSO tab, "
            f"{_JC_EXPORT}; if it holds {show(got, 80)}, enter that on step 3.",
            "idp_entity_id",
        )
    ]


def _check_protocol(md: IdpMetadata) -> list[Finding]:
    if SAML2_PROTOCOL in md.protocols:
        return []
    have = ", ".join(show(p, 60) for p in md.protocols) or "nothing"
    return [
        finding(
            "metadata.protocol.missing",
            f"The IDPSSODescriptor's protocolSupportEnumeration lists {have}, not SAML 2.0 ({SAML2_PROTOCOL}).",
            f"Use SAML 2.0 metadata: export it again from {_JC_SSO_TAB} > Export Metadata and do not edit it.",
        )
    ]


def _check_sso(md: IdpMetadata, idp_url_value: str | None) -> list[Finding]:
    findings: list[Finding] = []
    usable = [s for s in md.sso_services if s.binding in BROWSER_BINDINGS]
    if not usable:
        if md.sso_services:
            kinds = ", ".join(sorted({show(s.binding or "(no Binding)", 80) for s in md.sso_services}))
            message = (
                f"No SingleSignOnService uses the HTTP-POST or HTTP-Redirect binding (found: {kinds}); "
                'Pulumi says: "An SSO binding was not found in the XML."'
            )
        else:
            message = 'The metadata has no SingleSignOnService; Pulumi says: "An SSO binding was not found in the XML."'
        findings.append(
            finding(
                "metadata.sso.missing",
                message,
                f"Export the metadata again from {_JC_SSO_TAB} > Export Metadata (JumpCloud's export "
                "always has an HTTP-POST SingleSignOnService) and do not edit it.",
            )
        )
    locations: list[str] = []
    for service in md.sso_services:
        if service.location not in locations:
            locations.append(service.location)
    locations = locations[:MAX_LOCATIONS]
    for location in locations:
        parts = None
        try:
            parts = urlsplit(location)
            host = parts.hostname
        except ValueError:
            host = None
        if not location:
            findings.append(
                finding(
                    "metadata.sso.not_https",
                    "A SingleSignOnService has no Location (the URL Pulumi sends users to sign in).",
                    f"Export the metadata again from {_JC_SSO_TAB} > Export Metadata and do not edit it.",
                )
            )
            continue
        if parts is None or parts.scheme.lower() != "https" or not host:
            findings.append(
                finding(
                    "metadata.sso.not_https",
                    f"The SSO Location {show(location)} is not an https:// URL; Pulumi would send "
                    "users' sign-in there unprotected, or nowhere.",
                    f"Export the metadata again from {_JC_SSO_TAB} > Export Metadata: JumpCloud's SSO URL "
                    f"is {JUMPCLOUD_SSO_BASE}<IdP URL value>.",
                )
            )
            continue
        if host.lower() != JUMPCLOUD_SSO_HOST:
            findings.append(
                finding(
                    "metadata.sso.not_jumpcloud",
                    f"The SSO Location's host is {show(host)}, not {JUMPCLOUD_SSO_HOST} (JumpCloud's SSO "
                    f"URL is {JUMPCLOUD_SSO_BASE}<IdP URL value>). Likely causes: the metadata is another "
                    "identity provider's; the SSO Location was edited after the export.",
                    "Another identity provider's: if you meant to use JumpCloud, export the metadata from "
                    f"{_JC_SSO_TAB} > Export Metadata; otherwise the JumpCloud-specific steps of this wizard "
                    "do not apply. Edited: export it again and use the file unchanged.",
                )
            )
    if idp_url_value:
        chosen = idp_url_value_from_location(idp_url_value) or idp_url_value
        expected = idp_sso_url(chosen)
        for location in locations:
            if not location or location.rstrip("/") == expected:
                continue
            actual = idp_url_value_from_location(location)
            if actual is not None:
                actual = actual.rstrip("/")
                message = (
                    f'The SSO URL {show(location)} is for IdP URL value "{show(actual, 60)}", '
                    f'not the "{show(chosen, 60)}" you chose.'
                )
                fix = (
                    f"Export the metadata of the JumpCloud app whose IdP URL is {show(expected)}, "
                    f'or, if your app uses "{show(actual, 60)}", enter that value {here().idp_url_value}.'
                )
            else:
                message = f"The SSO URL {show(location)} is not {show(expected)}, not even a JumpCloud URL."
                fix = f"Export the metadata of the JumpCloud app whose IdP URL is {show(expected)}."
            findings.append(finding("metadata.sso.slug_mismatch", message, fix))
    return findings


def _check_certificates(md: IdpMetadata, now: datetime, unreadable: bool) -> list[Finding]:
    findings: list[Finding] = []
    signing = [c for c in md.certificates if c.can_sign]
    if not signing:
        if not unreadable:
            encryption_only = bool(md.certificates)
            findings.append(
                finding(
                    "metadata.cert.missing",
                    "The metadata has no signing certificate"
                    + (
                        " (its only certificate is for encryption)"
                        if encryption_only
                        else " (no KeyDescriptor with an X509Certificate)"
                    )
                    + "; Pulumi refuses it and could not check any sign-in.",
                    f"Export the metadata again from {_JC_SSO_TAB} > Export Metadata; if the SSO tab shows "
                    "no IdP Certificate, upload or generate one there first and save.",
                )
            )
        return findings
    several = len(signing) > 1
    renew = f"{_JC_SSO_TAB} > IdP Certificate: regenerate it, save, {_JC_EXPORT} and load it into {_pulumi_load()}."
    for cert in signing:
        which = f" ({show(cert.subject, 60)}, SHA-256 {cert.sha256_fingerprint[:11]}…)" if several else ""
        if cert.not_after <= now:
            findings.append(
                finding(
                    "metadata.cert.expired",
                    f"The signing certificate{which} expired on {_date(cert.not_after)} "
                    f"({(now - cert.not_after).days} days ago): Pulumi refuses it.",
                    renew,
                )
            )
        elif cert.not_before > now:
            findings.append(
                finding(
                    "metadata.cert.not_yet_valid",
                    f"The signing certificate{which} is valid only from {_date(cert.not_before)} "
                    f"{cert.not_before:%H:%M} UTC; sign-ins fail until then (or this computer's clock is wrong).",
                    "Check this computer's date and time. If it is right: " + renew,
                )
            )
        elif cert.not_after - now <= timedelta(days=EXPIRY_WARNING_DAYS):
            days = (cert.not_after - now).days
            findings.append(
                finding(
                    "metadata.cert.expiring",
                    f"The signing certificate{which} expires on {_date(cert.not_after)}, in {days} "
                    f"day{'s' if days != 1 else ''}; sign-ins stop working then.",
                    "Rotate before that date: " + renew,
                )
            )
        else:
            days = (cert.not_after - now).days
            findings.append(
                finding(
                    "metadata.cert.expires",
                    f"The signing certificate{which} expires on {_date(cert.not_after)} (in {days} days).",
                    "Note the date: before it, regenerate the certificate in "
                    f"{_JC_SSO_TAB} > IdP Certificate and load the new metadata into {_pulumi_load()}.",
                )
            )
        if cert.key_type == "RSA" and cert.key_size is not None and cert.key_size < 2048:
            findings.append(
                finding(
                    "metadata.cert.weak_key",
                    f"The signing certificate{which} has a {cert.key_size}-bit RSA key; under 2048 bits can be forged.",
                    f"{_JC_SSO_TAB} > IdP Certificate: regenerate it (JumpCloud makes RSA-4096) and save, "
                    f"{_JC_EXPORT}.",
                )
            )
    return findings


def _check_nameid(md: IdpMetadata) -> list[Finding]:
    fix = f"{_JC_SSO_TAB} > SAMLSubject NameID Format: choose {NAMEID_EMAIL}, save, {_JC_EXPORT}."
    if not md.nameid_formats:
        return [
            finding(
                "metadata.nameid.missing",
                "The metadata has no NameIDFormat; Pulumi refuses it.",
                fix,
            )
        ]
    if not any(f in ACCEPTED_NAMEID_FORMATS for f in md.nameid_formats):
        have = ", ".join(show(f, 80) for f in md.nameid_formats)
        return [
            finding(
                "metadata.nameid.unsupported",
                f"NameID format {have}: Pulumi accepts only emailAddress or persistent.",
                fix,
            )
        ]
    return []


def _check_valid_until(md: IdpMetadata, now: datetime) -> list[Finding]:
    if md.valid_until is not None and md.valid_until <= now:
        return [
            finding(
                "metadata.valid_until.past",
                f"The metadata says it is valid until {md.valid_until:%Y-%m-%d %H:%M} UTC, which has passed; "
                "Pulumi refuses expired metadata.",
                "Download fresh metadata from the identity provider (JumpCloud's export has no "
                f"validUntil: {_JC_SSO_TAB} > Export Metadata) and load it in {_pulumi_load()}.",
            )
        ]
    return []


def check_metadata(
    data: bytes | str,
    *,
    idp_url_value: str | None = None,
    now: datetime | None = None,
    max_bytes: int = xmlsafe.DEFAULT_MAX_BYTES,
    idp_entity_id: str = "",
) -> MetadataReport:
    """Check IdP metadata (the exported file's bytes, or pasted text) the way Pulumi will.

    ``idp_url_value`` is the value after ``https://sso.jumpcloud.com/saml2/`` the admin
    chose; the SSO URL is compared with it only when given; so is the entityID with
    ``idp_entity_id``, what the admin entered as JumpCloud's IdP Entity ID.  ``now`` (default: the
    clock) is what certificate and validUntil dates are checked against; a naive
    datetime is taken as UTC.
    """
    now = aware_now(now)
    parsed = xmlsafe.parse_xml(data, max_bytes=max_bytes, what="metadata")
    if parsed.root is None:
        return MetadataReport(in_reading_order(parsed.findings), None)
    root = parsed.root
    kind = _describe_root(root)
    if kind is None and root.find(f"{_MD}IDPSSODescriptor") is None and root.find(f"{_MD}SPSSODescriptor") is not None:
        kind = (
            "a service provider's metadata (it has an SPSSODescriptor and no IDPSSODescriptor; "
            "perhaps Pulumi's own), not the identity provider's"
        )
    if kind is not None:
        return MetadataReport(
            [
                finding(
                    "metadata.not_metadata",
                    f"This is {kind}.",
                    f"Use the identity provider's metadata: {_JC_SSO_TAB} > Export Metadata downloads "
                    "JumpCloud-<name>-metadata.xml.",
                )
            ],
            None,
        )

    md, findings = parse_metadata(root)
    unreadable = any(f.code == "metadata.cert.unreadable" for f in findings)
    if not md.has_idp_descriptor:
        findings.append(
            finding(
                "metadata.no_idp_descriptor",
                "The metadata has no IDPSSODescriptor, the only part Pulumi reads.",
                f"Export the identity provider's metadata again: {_JC_SSO_TAB} > Export Metadata.",
            )
        )
        findings += _check_entity_id(md)
    else:
        findings += _check_entity_id(md)
        findings += check_entity_matches(md, idp_entity_id)
        findings += _check_protocol(md)
        findings += _check_sso(md, idp_url_value)
        findings += _check_certificates(md, now, unreadable)
        findings += _check_nameid(md)
        findings += _check_valid_until(md, now)

    if not any(f.is_error for f in findings):
        cert = md.signing_certificate
        expiry = f"; certificate expires {_date(cert.not_after)}" if cert else ""
        warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
        note = f" ({warnings} warning{'s' if warnings != 1 else ''} to read)" if warnings else ""
        findings.append(
            finding(
                "metadata.ok",
                f"The metadata passes every metadata check Pulumi documents{note}: entity ID {show(md.entity_id or '', 60)}, "
                f"SSO URL {show(md.sso_url or '', 80)}{expiry}.",
                f"Next, in Pulumi: {_PULUMI_STEPS}.",
            )
        )
    return MetadataReport(in_reading_order(findings), md)


# -- finding the export --------------------------------------------------------


def is_export_name(name: str) -> bool:
    """``JumpCloud-<app>-metadata.xml`` (any case), also a browser's ``… (1).xml`` copy."""
    return bool(_EXPORT_NAME_RE.match(name))


def find_exports(folders: list[Path]) -> list[Path]:
    """JumpCloud metadata exports in ``folders`` (not their subfolders), newest first.

    Folders that are missing or unreadable are skipped silently.
    """
    found: dict[Path, float] = {}
    for folder in folders:
        try:
            entries = list(Path(folder).iterdir())
        except OSError:
            continue
        for entry in entries:
            if not is_export_name(entry.name):
                continue
            try:
                if not entry.is_file():
                    continue
                mtime = entry.stat().st_mtime
            except OSError:
                continue
            found.setdefault(entry, mtime)
    return [path for path, _ in sorted(found.items(), key=lambda item: (-item[1], str(item[0])))]
