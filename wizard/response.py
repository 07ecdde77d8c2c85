"""A pasted SAML response -> what is wrong with it, for this Pulumi org, and how to fix it.

Two halves:

- ``decode_response`` finds the XML in whatever the admin pasted: raw XML, base64
  (POST binding, with or without line breaks), URL-encoded base64, a whole
  ``SAMLResponse=...&RelayState=...`` form body or URL, base64 of raw DEFLATE
  (Redirect binding), or a SAML-tracer JSON export.
- ``diagnose`` parses it with the hardened parser (``wizard.xmlsafe``), checks the
  signature with signxml against the metadata certificate only, and compares every
  value with what Pulumi expects for the org (``wizard.values``) and with the
  exported metadata.  Every value it reports is read from the element the signature
  covers; a signature that does not cover what a reader would read is an error.

Nothing here raises on bad input: every problem is a ``Finding``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable
from urllib.parse import unquote, unquote_plus

from lxml import etree

from wizard import xmlsafe
from wizard.clock import aware_now, parse_utc
from wizard.findings import Finding, in_reading_order, error, info, ok, warning
from wizard.values import (
    ACCEPTED_NAMEID_FORMATS,
    DEFAULT_API_BASE,
    NAMEID_EMAIL,
    OrgValues,
    org_values,
)

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"

SKEW = timedelta(minutes=5)
OLD_CAPTURE = timedelta(minutes=10)
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"

ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
C14N_TRANSFORMS = frozenset({
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
    "http://www.w3.org/2006/12/xml-c14n11",
    "http://www.w3.org/2006/12/xml-c14n11#WithComments",
})

# Every code this module can emit (the troubleshooting catalogue refers to them).
RESPONSE_CODES = frozenset({
    "response.not_decodable",
    "response.not_response",
    "response.status",
    "response.encrypted",
    "response.assertion.count",
    "response.signature.missing",
    "response.signature.invalid",
    "response.signature.wrapping",
    "response.signature.sha1",
    "response.signature.unchecked",
    "response.cert.mismatch",
    "response.cert.expired",
    "response.issuer.mismatch",
    "response.audience.mismatch",
    "response.destination.mismatch",
    "response.recipient.mismatch",
    "response.nameid.missing",
    "response.nameid.format",
    "response.nameid.not_email",
    "response.nameid.comment",
    "response.time.not_yet_valid",
    "response.time.expired",
    "response.time.unreadable",
    "response.inresponseto.idp_initiated",
    "response.ok",
})
XML_CODES = frozenset({"xml.empty", "xml.malformed", "xml.forbidden", "xml.too_large", "xml.not_xml"})

SUMMARY_KEYS = (
    "issuer", "audience", "destination", "recipient", "nameid", "nameid_format",
    "not_before", "not_on_or_after", "issue_instant", "in_response_to",
    "signature_algorithm", "digest_algorithm", "certificate_sha256", "status",
    "signed", "signature_verified",
)

_CAPTURE_HINT = (
    "Copy the SAMLResponse form field of the POST to Pulumi's ACS URL (browser developer "
    "tools > Network, or the SAML-tracer extension), or export the SAML-tracer session."
)
_XML_FIX = {
    "xml.too_large": "A SAML response is a few kilobytes: paste only the SAMLResponse value.",
    "xml.empty": "Paste the SAMLResponse value or the SAML-tracer export. " + _CAPTURE_HINT,
    "xml.not_xml": _CAPTURE_HINT,
    "xml.malformed": "The copy is probably cut short or edited: copy the whole SAMLResponse value again.",
    "xml.forbidden": "A SAML response never has a DOCTYPE: paste the response exactly as the browser sent it.",
}


# ---------------------------------------------------------------------------
# decoding

@dataclass(frozen=True)
class Decoded:
    """The XML found in a paste (None when none was found) and how it was encoded."""

    xml: bytes | None
    encoding: str  # "xml", "base64", "urlencoded-base64", "form", "deflate-base64", "saml-tracer", "unknown"
    findings: list[Finding] = field(default_factory=list)


_B64_RE = re.compile(rb"^[A-Za-z0-9+/=_-]+$")
_URLB64_RE = re.compile(rb"^[A-Za-z0-9+/=_.~%-]+$")
_WS_RE = re.compile(rb"\s+")
_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_RESPONSE_TAG_RE = re.compile(r"<\s*(?:[A-Za-z_][\w.-]*:)?Response[\s>/]")
_ROOT_TAG_RE = re.compile(r"<\s*(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_JWT_RE = re.compile(rb"^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def _not_decodable(what: str, fix: str = _CAPTURE_HINT) -> Decoded:
    return Decoded(None, "unknown", [error(
        "response.not_decodable", f"The pasted text is {what}; no SAML response was found in it.", fix,
        "response",
    )])


def _too_large(size: int, max_bytes: int, what: str = "The pasted text") -> Decoded:
    return Decoded(None, "unknown", [error(
        "xml.too_large", f"{what} is {size:,} bytes; a SAML response is at most {max_bytes:,} bytes.",
        _XML_FIX["xml.too_large"], "response",
    )])


def _xml_start(data: bytes) -> bool:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.lstrip()[:1] == b"<" or data.startswith((b"\xff\xfe<", b"\xfe\xff\x00<"))


def _str_to_xml_bytes(text: str) -> bytes:
    """A decoded XML string -> UTF-8 bytes without a declaration naming another encoding."""
    text = _DECL_RE.sub("", text.lstrip("\ufeff"), count=1)
    return text.encode("utf-8", errors="replace")


def _inflate(data: bytes, max_bytes: int) -> bytes | None:
    """Raw (or zlib-wrapped) DEFLATE -> bytes, never more than ``max_bytes`` + 1."""
    for wbits in (-15, 15):
        try:
            inflater = zlib.decompressobj(wbits)
            out = inflater.decompress(data, max_bytes + 1)
        except zlib.error:
            continue
        if out:
            return out
    return None


def _from_base64(text: bytes, encoding: str, max_bytes: int) -> Decoded:
    compact = _WS_RE.sub(b"", text)
    if not compact:
        return _not_decodable("empty")
    if compact.count(b"%") and _URLB64_RE.match(compact):
        compact = unquote(compact.decode("ascii")).encode("ascii", errors="replace")
        compact = _WS_RE.sub(b"", compact)
    if not _B64_RE.match(compact):
        return _not_decodable(
            "neither XML nor base64 (it has characters base64 never uses)",
        )
    compact = compact.replace(b"-", b"+").replace(b"_", b"/").rstrip(b"=")
    if len(compact) % 4 == 1:
        return _not_decodable(
            "base64 that is cut short (its length is not a whole number of characters groups)",
            "Copy the whole SAMLResponse value again: it was truncated. " + _CAPTURE_HINT,
        )
    compact += b"=" * (-len(compact) % 4)
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return _not_decodable("base64 that does not decode")
    if _xml_start(raw):
        if len(raw) > max_bytes:
            return _too_large(len(raw), max_bytes, "The decoded response")
        return Decoded(raw, encoding, [])
    inflated = _inflate(raw, max_bytes)
    if inflated is not None:
        if len(inflated) > max_bytes:
            return _too_large(len(inflated), max_bytes, "The decompressed response")
        if _xml_start(inflated):
            return Decoded(inflated, "deflate-base64" if encoding == "base64" else encoding, [])
    return _not_decodable(
        "base64 that decodes to binary data, neither XML nor DEFLATE-compressed XML "
        "(a cut-short copy, or not a SAML message)",
        "Copy the whole SAMLResponse value again. " + _CAPTURE_HINT,
    )


def _form_value(text: str, name: str) -> str | None:
    query = text
    if "?" in text and not text.lstrip().startswith(name):
        query = text.split("?", 1)[1]
    for part in re.split(r"[&;\n]", query):
        key, sep, value = part.partition("=")
        if sep and unquote_plus(key.strip()) == name:
            # base64 has no spaces: a '+' decoded to a space by form rules was a '+'
            return unquote_plus(value.strip()).replace(" ", "+")
    return None


def _from_form(text: str, max_bytes: int) -> Decoded:
    value = _form_value(text, "SAMLResponse")
    if value is None:
        if _form_value(text, "SAMLRequest") is not None:
            return _not_decodable(
                "a SAMLRequest (what Pulumi sends to JumpCloud), not the SAMLResponse",
                "Copy the SAMLResponse field of the POST that goes to Pulumi's ACS URL "
                "(.../sso/saml/acs), after you sign in at JumpCloud.",
            )
        return _not_decodable("a form or URL without a SAMLResponse field")
    decoded = _from_base64(value.encode("ascii", errors="replace"), "form", max_bytes)
    return decoded


def _tracer_requests(data: Any) -> list[dict] | None:
    if isinstance(data, dict) and isinstance(data.get("requests"), list):
        return [r for r in data["requests"] if isinstance(r, dict)]
    return None


def _root_name(xml_text: str) -> str:
    body = _DECL_RE.sub("", xml_text.lstrip("\ufeff"), count=1)
    while True:  # skip comments
        body = body.lstrip()
        if body.startswith("<!--"):
            end = body.find("-->")
            if end < 0:
                return "?"
            body = body[end + 3:]
            continue
        break
    match = _ROOT_TAG_RE.match(body)
    return match.group(1) if match else "?"


def _from_saml_tracer(requests: list[dict], max_bytes: int) -> Decoded:
    kinds: list[str] = []
    for request in reversed(requests):
        saml = request.get("saml")
        if isinstance(saml, str) and saml.strip():
            name = _root_name(saml)
            if name == "Response":
                return Decoded(_str_to_xml_bytes(saml), "saml-tracer", [])
            kinds.append(name)
        post = request.get("post")
        if isinstance(post, list):
            for pair in post:
                if (isinstance(pair, (list, tuple)) and len(pair) == 2 and pair[0] == "SAMLResponse"
                        and isinstance(pair[1], str)):
                    decoded = _from_base64(pair[1].encode("ascii", errors="replace"), "saml-tracer", max_bytes)
                    if decoded.xml is not None and _root_name(decoded.xml.decode("utf-8", "replace")) == "Response":
                        return Decoded(decoded.xml, "saml-tracer", [])
    if kinds:
        seen = ", ".join(sorted(set(kinds)))
        return _not_decodable(
            f"a SAML-tracer export with {len(requests)} requests whose SAML messages are only {seen}, "
            "no Response",
            "Record again with SAML-tracer open through the whole sign-in: the Response is the POST "
            "to Pulumi's ACS URL after JumpCloud's login page.",
        )
    return _not_decodable(
        f"a SAML-tracer export with {len(requests)} requests and no SAML message",
        "Start SAML-tracer before you click Pulumi in the JumpCloud console (or sign in at "
        "app.pulumi.com/signin/sso/), then export again.",
    )


def decode_response(text: str | bytes, *, max_bytes: int = xmlsafe.DEFAULT_MAX_BYTES) -> Decoded:
    """Find the SAML response XML in a paste; ``Decoded.xml`` is None when none is found."""
    if isinstance(text, str):
        raw = text.encode("utf-8", errors="replace")
    elif isinstance(text, (bytes, bytearray, memoryview)):
        raw = bytes(text)
    else:
        return _not_decodable(f"a {type(text).__name__}, not text")
    # base64 adds a third, URL-encoding up to three times that; JSON escaping a little
    limit = max_bytes * 4 + 4096
    if len(raw) > limit:
        return _too_large(len(raw), limit)
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    body = body.strip()
    if not body:
        return Decoded(None, "unknown", [error(
            "xml.empty", "Nothing was pasted.", _XML_FIX["xml.empty"], "response",
        )])
    if _xml_start(body):
        if isinstance(text, str):  # a declaration may name an encoding the string no longer has
            return Decoded(_str_to_xml_bytes(text), "xml", [])
        return Decoded(raw, "xml", [])
    if body[:1] in (b"{", b"["):
        try:
            data = json.loads(body.decode("utf-8", errors="replace"))
        except (ValueError, RecursionError):
            return _not_decodable("JSON that does not parse (cut short?)",
                                  "Export the SAML-tracer session again and use the file unchanged.")
        requests = _tracer_requests(data)
        if requests is None:
            return _not_decodable(
                "JSON, but not a SAML-tracer export (no \"requests\" list)",
                "Use SAML-tracer's Export button, or paste the SAMLResponse value itself.",
            )
        return _from_saml_tracer(requests, max_bytes)
    try:
        text_s = body.decode("utf-8")
    except UnicodeDecodeError:
        return _not_decodable("binary data, not text")
    if "SAMLResponse=" in text_s or "SAMLRequest=" in text_s:
        return _from_form(text_s, max_bytes)
    low = text_s[:512].lower()
    if low.startswith(("http://", "https://")):
        return _not_decodable(
            "a web address without a SAMLResponse parameter",
            "The response is sent by POST, so it is not in the address bar. " + _CAPTURE_HINT,
        )
    if _JWT_RE.match(body):
        return _not_decodable("a JSON Web Token (OpenID Connect or OAuth), not SAML")
    compact = _WS_RE.sub(b"", body)
    if len(compact) >= 16 and (_B64_RE.match(compact) or (b"%" in compact and _URLB64_RE.match(compact))):
        encoding = "urlencoded-base64" if b"%" in compact else "base64"
        return _from_base64(compact, encoding, max_bytes)
    kind = xmlsafe.describe_non_xml(body)
    if kind and "binary" in kind:
        return _not_decodable("binary data, not text")
    words = len(text_s.split())
    return _not_decodable(
        f"plain text ({words} word{'s' if words != 1 else ''}), not XML, base64 or a SAML-tracer export"
    )


# ---------------------------------------------------------------------------
# diagnosis

@dataclass(frozen=True)
class ExpectedIdp:
    """What the exported metadata says about the IdP, when it is known."""

    entity_id: str | None = None
    certificates_der: tuple[bytes, ...] = ()


@dataclass
class Diagnosis:
    findings: list[Finding]
    summary: dict[str, str]
    pretty_xml: str = ""
    encoding: str = "unknown"

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)

    def to_dict(self) -> dict:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "summary": dict(self.summary),
        }


def fingerprint(der: bytes) -> str:
    """SHA-256 fingerprint as ``AB:CD:...`` (the metadata checks' format)."""
    return hashlib.sha256(der).digest().hex(":").upper()


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return "?"
    return tag.rsplit("}", 1)[-1]


def _ns(tag: Any) -> str:
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return ""


def _text(element: etree._Element | None) -> str:
    """All text of an element (comments excluded), stripped."""
    if element is None:
        return ""
    return "".join(t for t in element.itertext() if isinstance(t, str)).strip()


def _fragment(uri: str) -> str:
    return uri.rsplit("#", 1)[-1] if uri else ""


def _is_sha1(uri: str) -> bool:
    frag = _fragment(uri).lower()
    return frag == "sha1" or frag.endswith("-sha1") or frag.startswith("sha1-")


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return parse_utc(value)  # ValueError: the caller reports it


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min ({seconds} s)"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} days"


def _first_difference(got: str, want: str) -> int:
    for i, (a, b) in enumerate(zip(got, want)):
        if a != b:
            return i
    return min(len(got), len(want))


def _difference(got: str, want: str) -> str:
    """Where ``got`` first differs from ``want``, in words a reader can act on."""
    if got.rstrip("/") == want and got != want:
        return "it has a trailing slash that Pulumi's value does not"
    if want.rstrip("/") == got and got != want:
        return "it lacks the trailing slash of Pulumi's value"
    if got.strip() == want:
        return "it has spaces before or after it"
    i = _first_difference(got, want)
    position = f"character {i + 1}"
    if got.lower() == want.lower():
        return (
            f"they differ only in upper/lower case, first at {position} "
            f"({got[i]!r} where Pulumi expects {want[i]!r}); the comparison is case-sensitive"
        )
    if i >= len(got):
        return f"it stops at {position}, where Pulumi's value goes on with {want[i:i + 24]!r}"
    if i >= len(want):
        return f"it goes on at {position} with {got[i:i + 24]!r} where Pulumi's value ends"
    return f"they differ from {position} on: {got[i:i + 24]!r} where Pulumi expects {want[i:i + 24]!r}"


# -- status ------------------------------------------------------------------

_STATUS_CAUSES = {
    "AuthnFailed": (
        "JumpCloud could not authenticate the user",
        "Usually a failed password or MFA prompt, or a user who is not in a user group bound to "
        "the Pulumi application: bind the group in JumpCloud (SSO Applications > Pulumi > User Groups) "
        "and sign in again.",
    ),
    "RequestDenied": (
        "JumpCloud refused to sign the user in",
        "Usually the user is not bound to the Pulumi application (no bound user group contains them) "
        "or the application is inactive: check the app's User Groups tab and that the user is active.",
    ),
    "InvalidNameIDPolicy": (
        "JumpCloud cannot send a NameID in the format that was asked for",
        "Set SAMLSubject NameID Format to urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress "
        "and SAMLSubject NameID to email on the app's SSO tab, then save.",
    ),
    "NoPassive": (
        "a passive sign-in was asked for, but the user has no JumpCloud session",
        "Sign in to the JumpCloud User Console first, then start the Pulumi sign-in again.",
    ),
    "UnknownPrincipal": (
        "JumpCloud does not know this user",
        "Check that the user exists in JumpCloud, is active, and is in a user group bound to the app.",
    ),
    "NoAuthnContext": (
        "JumpCloud cannot meet the authentication level that was asked for",
        "Check the app's MFA/conditional access policy in JumpCloud for this user.",
    ),
    "UnsupportedBinding": (
        "JumpCloud cannot answer with the binding that was asked for",
        "Set the ACS URL on the SSO tab exactly as the wizard shows it (HTTP-POST).",
    ),
    "RequestUnsupported": (
        "JumpCloud did not understand the request",
        "Check the SP Entity ID and ACS URL on the SSO tab against the wizard's values.",
    ),
    "InvalidAttrNameOrValue": (
        "an attribute name or value was refused",
        "Check the attribute mappings on the app's SSO tab (names without spaces).",
    ),
    "RequestVersionDeprecated": ("the request's SAML version is not accepted", "Report this to Pulumi support."),
    "RequestVersionTooHigh": ("the request's SAML version is not accepted", "Report this to Pulumi support."),
    "RequestVersionTooLow": ("the request's SAML version is not accepted", "Report this to Pulumi support."),
    "ResourceNotRecognized": (
        "JumpCloud did not recognise the application that asked",
        "The SP Entity ID on the SSO tab must be exactly the wizard's value.",
    ),
    "NoAvailableIDP": ("no identity provider was available", "Retry; check JumpCloud's status page."),
    "NoSupportedIDP": ("no supported identity provider was available", "Retry; check JumpCloud's status page."),
    "PartialLogout": ("a logout did not complete", "Sign out of JumpCloud and Pulumi, then sign in again."),
    "ProxyCountExceeded": ("too many proxies were in the way", "Sign in directly, not through another IdP."),
    "TooManyResponses": ("too many responses", "Start the sign-in again."),
}
_TOP_CAUSES = {
    "Requester": "JumpCloud says the request was at fault (the SP Entity ID, ACS URL or NameID settings)",
    "Responder": "JumpCloud says the problem is on its side (the user, their group binding, or the app's settings)",
    "VersionMismatch": "JumpCloud did not accept the SAML version",
}


def _status_finding(root: etree._Element, summary: dict[str, str]) -> Finding | None:
    status = root.find(_q(SAMLP, "Status"))
    if status is None:
        summary["status"] = "(none)"
        return error(
            "response.status",
            "The response has no Status, so it cannot say that the sign-in succeeded.",
            "This is not a response JumpCloud sends: capture the response again.",
            "status",
        )
    code = status.find(_q(SAMLP, "StatusCode"))
    top = (code.get("Value") or "").strip() if code is not None else ""
    sub_el = code.find(_q(SAMLP, "StatusCode")) if code is not None else None
    sub = (sub_el.get("Value") or "").strip() if sub_el is not None else ""
    message = _text(status.find(_q(SAMLP, "StatusMessage")))
    summary["status"] = _fragment_status(top) + (f" / {_fragment_status(sub)}" if sub else "")
    if top == SUCCESS:
        return None
    top_name, sub_name = _fragment_status(top), _fragment_status(sub)
    cause, fix = _STATUS_CAUSES.get(sub_name, (None, None))
    parts = [f"JumpCloud answered {top_name or '(no status code)'}"]
    if sub_name:
        parts.append(f"/ {sub_name}")
    text = " ".join(parts)
    if message:
        text += f' with the message "{message[:300]}"'
    if cause:
        text += f": {cause}."
    elif top_name in _TOP_CAUSES:
        text += f": {_TOP_CAUSES[top_name]}."
    else:
        text += ": the sign-in did not succeed."
    return error(
        "response.status", text,
        fix or "Check the user's group binding and the app's SSO tab in JumpCloud against the wizard's values, "
               "then sign in again.",
        "status",
    )


def _fragment_status(uri: str) -> str:
    return uri.rsplit(":", 1)[-1] if uri else ""


# -- what the document is -----------------------------------------------------

def _what_is(root: etree._Element) -> str:
    name, ns = _local(root.tag), _ns(root.tag)
    if ns == SAMLP and name == "AuthnRequest":
        return "a SAML AuthnRequest (what Pulumi sends to JumpCloud), not the Response"
    if ns == SAMLP and name in {"LogoutRequest", "LogoutResponse"}:
        return f"a SAML {name} (sign-out), not the sign-in Response"
    if ns == MD and name in {"EntityDescriptor", "EntitiesDescriptor"}:
        return "SAML metadata (the file you load into Pulumi), not a SAML response"
    if ns == SAML and name == "Assertion":
        return "a bare Assertion, not the whole Response"
    if name.lower() == "html":
        return "an HTML page, not a SAML response"
    if name == "Response":
        return f"a <Response> in the namespace {ns or '(none)'}, not SAML 2.0's {SAMLP}"
    return f"an XML document whose root element is <{name}>" + (f" ({ns})" if ns else "")


# -- signatures -----------------------------------------------------------------

@dataclass
class _Sig:
    element: etree._Element
    parent: etree._Element | None
    where: str  # "response", "assertion", "elsewhere"
    reference_uri: str | None = None
    signature_method: str = ""
    digest_methods: list[str] = field(default_factory=list)
    certs_der: list[bytes] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # wrapping reasons
    target: etree._Element | None = None  # the element the Reference resolves to

    @property
    def sound(self) -> bool:
        return not self.problems


def _ids_index(root: etree._Element) -> dict[str, list[etree._Element]]:
    index: dict[str, list[etree._Element]] = {}
    for element in root.iter(etree.Element):
        for name, value in element.attrib.items():
            if _local(name) in {"ID", "Id", "id"}:
                index.setdefault(value, []).append(element)
    return index


def _describe_signature(sig_el: etree._Element, root: etree._Element, assertion: etree._Element | None,
                        ids: dict[str, list[etree._Element]]) -> _Sig:
    parent = sig_el.getparent()
    if parent is root:
        where = "response"
    elif assertion is not None and parent is assertion:
        where = "assertion"
    else:
        where = "elsewhere"
    sig = _Sig(sig_el, parent, where)
    signed_info = sig_el.find(_q(DS, "SignedInfo"))
    if signed_info is None:
        sig.problems.append("it has no SignedInfo")
        return sig
    method = signed_info.find(_q(DS, "SignatureMethod"))
    sig.signature_method = (method.get("Algorithm") or "") if method is not None else ""
    references = signed_info.findall(_q(DS, "Reference"))
    for ref in references:
        dm = ref.find(_q(DS, "DigestMethod"))
        sig.digest_methods.append((dm.get("Algorithm") or "") if dm is not None else "")
    for cert in sig_el.iterfind(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate"):
        try:
            sig.certs_der.append(base64.b64decode(re.sub(r"\s+", "", _text(cert)), validate=True))
        except (binascii.Error, ValueError):
            sig.certs_der.append(b"")
    parent_name = f"<{_local(parent.tag)}>" if parent is not None else "nothing"
    if where == "elsewhere":
        sig.problems.append(f"a signature sits inside {parent_name}, where no SAML signature belongs")
    if len(references) != 1:
        sig.problems.append(f"its SignedInfo has {len(references)} references instead of one")
        return sig
    ref = references[0]
    uri = ref.get("URI")
    sig.reference_uri = uri
    parent_id = parent.get("ID") if parent is not None else None
    if uri is None or not uri.startswith("#") or len(uri) < 2:
        sig.problems.append(f"its reference URI {uri!r} does not name the signed element's ID")
    else:
        targets = ids.get(uri[1:], [])
        if len(targets) > 1:
            sig.problems.append(f"the ID {uri[1:]!r} it references is used by {len(targets)} elements")
        elif len(targets) == 1:
            sig.target = targets[0]
        if not parent_id or uri[1:] != parent_id:
            target_desc = f"<{_local(sig.target.tag)}>" if sig.target is not None else "an element"
            sig.problems.append(
                f"it covers {target_desc} with ID {uri[1:]!r}, not the {parent_name} it sits in"
                + (f" (ID {parent_id!r})" if parent_id else "")
            )
        elif not targets:
            sig.problems.append(f"nothing has the ID {uri[1:]!r} it references")
    transforms = ref.find(_q(DS, "Transforms"))
    if transforms is not None:
        for transform in transforms.findall(_q(DS, "Transform")):
            algorithm = transform.get("Algorithm") or ""
            if algorithm != ENVELOPED and algorithm not in C14N_TRANSFORMS:
                sig.problems.append(
                    f"it applies the transform {algorithm or '(none)'}, which can leave parts of the element unsigned"
                )
    return sig


@dataclass
class _Verified:
    signed_xml: etree._Element | None = None
    error: str | None = None
    digest_mismatch: bool = False


def _verify(root: etree._Element, location: str, certs_der: Iterable[bytes], now: datetime) -> _Verified:
    """Check the signature at ``location`` with each metadata certificate, never the response's own."""
    from cryptography import x509
    from signxml import SignatureConfiguration, XMLVerifier
    from signxml.algorithms import DigestAlgorithm, SignatureMethod
    from signxml.exceptions import InvalidDigest

    last = _Verified(error="no usable certificate in the metadata")
    for der in certs_der:
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            continue
        # the signature is checked at a moment the certificate is valid; expiry is its own finding
        moment = min(max(now, cert.not_valid_before_utc), cert.not_valid_after_utc)
        config = SignatureConfiguration(
            location=location,
            expect_references=1,
            signature_methods=frozenset(SignatureMethod),
            digest_algorithms=frozenset(DigestAlgorithm),
            verification_time=moment,
        )
        try:
            result = XMLVerifier().verify(
                root, x509_cert=cert, parser=xmlsafe.hardened_parser(), id_attribute="ID", expect_config=config,
            )
        except InvalidDigest as exc:
            last = _Verified(error=str(exc), digest_mismatch=True)
            continue
        except Exception as exc:  # noqa: BLE001 - hostile input must come back as a finding
            if not last.digest_mismatch:
                last = _Verified(error=str(exc) or type(exc).__name__)
            continue
        signed = result.signed_xml if not isinstance(result, list) else None
        if signed is None:
            last = _Verified(error="the signed content could not be read back")
            continue
        return _Verified(signed_xml=signed)
    return last


# -- the diagnosis --------------------------------------------------------------------

_EMAIL_RE = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


class _Run:
    def __init__(self, values: OrgValues, idp: ExpectedIdp | None, now: datetime):
        self.values = values
        self.idp = idp
        self.now = now
        self.findings: list[Finding] = []
        self.summary: dict[str, str] = {key: "" for key in SUMMARY_KEYS}

    def add(self, finding: Finding | None) -> None:
        if finding is not None:
            self.findings.append(finding)

    # ---- top level
    def run(self, root: etree._Element) -> None:
        if root.tag != _q(SAMLP, "Response"):
            self.add(error(
                "response.not_response", f"This is {_what_is(root)}.",
                "Paste the SAMLResponse that JumpCloud posts to Pulumi's ACS URL "
                f"({self.values.acs_url}). " + _CAPTURE_HINT,
                "response",
            ))
            return
        self.summary["destination"] = root.get("Destination") or ""
        self.summary["issue_instant"] = root.get("IssueInstant") or ""
        response_irt = root.get("InResponseTo") or ""
        status = _status_finding(root, self.summary)
        if status is not None:
            self.add(status)
            self.summary["in_response_to"] = response_irt
            return
        encrypted = root.findall(_q(SAML, "EncryptedAssertion"))
        assertions = root.findall(_q(SAML, "Assertion"))
        if encrypted:
            self.add(error(
                "response.encrypted",
                "The assertion is encrypted (EncryptedAssertion): it cannot be read here, and Pulumi "
                "does not give JumpCloud a key to encrypt it with.",
                "In JumpCloud, on the Pulumi app's SSO tab, turn off assertion encryption "
                "(Encrypt Assertion), save, and sign in again.",
                "response",
            ))
        if len(assertions) != 1:
            if assertions or not encrypted:
                self.add(error(
                    "response.assertion.count",
                    f"The response holds {len(assertions)} assertions; Pulumi accepts exactly one."
                    + (" More than one is how signature-wrapping attacks smuggle a forged identity in."
                       if len(assertions) > 1 else ""),
                    "Capture the response again straight from the browser; if JumpCloud really sends "
                    "this, report it to JumpCloud support." if assertions else
                    "JumpCloud sends one assertion on a successful sign-in: capture the POST to "
                    "Pulumi's ACS URL again.",
                    "response",
                ))
            return
        self._assertion(root, assertions[0], response_irt)

    # ---- signatures and the assertion
    def _assertion(self, root: etree._Element, assertion: etree._Element, response_irt: str) -> None:
        ids = _ids_index(root)
        hidden = [a for a in root.iter(_q(SAML, "Assertion")) if a is not assertion]
        sigs = [_describe_signature(s, root, assertion, ids) for s in root.iter(_q(DS, "Signature"))]
        wrapping: list[str] = []
        if hidden:
            where = ", ".join(sorted({f"<{_local(a.getparent().tag)}>" for a in hidden}))
            wrapping.append(f"another Assertion is hidden inside {where}")
        for sig in sigs:
            wrapping.extend(sig.problems)
        resp_sig = next((s for s in sigs if s.where == "response"), None)
        asrt_sig = next((s for s in sigs if s.where == "assertion"), None)

        # SHA-1: structural, whatever else is true
        sha1 = sorted({_fragment(u) for s in sigs for u in [s.signature_method, *s.digest_methods] if _is_sha1(u)})
        if sha1:
            self.add(error(
                "response.signature.sha1",
                f"The response is signed with SHA-1 ({', '.join(sha1)}), which Pulumi does not accept.",
                "In JumpCloud, on the Pulumi app's SSO tab, set Signature Algorithm to RSA-SHA256 and save.",
                "signature_algorithm",
            ))
        primary = asrt_sig or resp_sig or (sigs[0] if sigs else None)
        if primary is not None:
            self.summary["signature_algorithm"] = _fragment(primary.signature_method)
            self.summary["digest_algorithm"] = ", ".join(sorted({_fragment(d) for d in primary.digest_methods}))
        signed = [name for name, s in (("response", resp_sig), ("assertion", asrt_sig)) if s is not None]
        self.summary["signed"] = " and ".join(signed)
        if not signed:
            self.add(error(
                "response.signature.missing",
                "Neither the response nor its assertion is signed"
                + (" where SAML puts a signature" if sigs else "") + "; Pulumi rejects it.",
                "JumpCloud always signs the assertion: capture the response again unchanged; if it "
                "still has no signature, re-save the app's SSO tab in JumpCloud.",
                "signature_algorithm",
            ))
        if wrapping:
            self.add(error(
                "response.signature.wrapping",
                "The signature does not cover the values a reader takes from the response: "
                + "; ".join(dict.fromkeys(wrapping)) + ". This is the shape of a signature-wrapping attack.",
                "Do not trust this response. Capture a fresh one straight from the browser; if it looks "
                "the same, something between JumpCloud and the browser rewrites it.",
                "response",
            ))

        # certificates
        embedded = (primary.certs_der if primary is not None else [])
        known = tuple(self.idp.certificates_der) if self.idp else ()
        if embedded and embedded[0]:
            self.summary["certificate_sha256"] = fingerprint(embedded[0])
        elif known:
            self.summary["certificate_sha256"] = fingerprint(known[0])
        cert_mismatch = bool(known and embedded and not any(c in known for c in embedded))
        if cert_mismatch:
            self.add(error(
                "response.cert.mismatch",
                "The response was signed with a certificate (SHA-256 "
                f"{fingerprint(embedded[0]) if embedded[0] else 'unreadable'}) that is not the one in the "
                f"metadata (SHA-256 {fingerprint(known[0])}): the certificate was regenerated in JumpCloud "
                "but Pulumi still has the old metadata.",
                "In JumpCloud, export the metadata again (SSO tab > Export Metadata) and load it into Pulumi "
                "(Settings > Access Management > SAML SSO > update the metadata), or use the wizard's rotate "
                "command.",
                "certificate_sha256",
            ))
        if known:
            self._cert_expiry(known)

        # verification (metadata certificate only) and the element the values come from
        source: etree._Element | None = None
        signed_response: etree._Element | None = None
        verified_any = False
        if known and (asrt_sig or resp_sig):
            invalid_reasons: list[tuple[str, _Verified]] = []
            for sig, location in ((asrt_sig, f"./{{{SAML}}}Assertion/"), (resp_sig, "./")):
                if sig is None or not sig.sound:
                    continue
                result = _verify(root, location, known, self.now)
                if result.signed_xml is None:
                    invalid_reasons.append((sig.where, result))
                    continue
                verified_any = True
                signed_xml = result.signed_xml
                if sig.where == "assertion" and signed_xml.tag == _q(SAML, "Assertion"):
                    source = signed_xml
                elif sig.where == "response":
                    signed_response = signed_xml
                    inner = signed_xml.find(_q(SAML, "Assertion"))
                    if inner is not None and source is None:
                        source = inner
            for where, result in invalid_reasons:
                if result.digest_mismatch:
                    why = ("the signed content was changed after JumpCloud signed it (a value edited by hand, "
                           "or a proxy that rewrites responses)")
                    fix = "Capture the response again without editing it."
                elif cert_mismatch:
                    why = "it was made with a different key than the metadata certificate's (see the certificate finding)"
                    fix = ("Export the metadata from JumpCloud again and load it into Pulumi, so Pulumi has the "
                           "current certificate.")
                else:
                    why = f"it does not verify with the metadata certificate ({result.error})"
                    fix = ("Export the metadata from JumpCloud again and load it into Pulumi; if it still fails, "
                           "capture the response again unchanged.")
                self.add(error(
                    "response.signature.invalid",
                    f"The {where}'s signature is not valid: {why}.", fix, "signature_algorithm",
                ))
            if invalid_reasons:
                self.summary["signature_verified"] = "no"
            else:
                self.summary["signature_verified"] = "yes" if verified_any else "not checked (wrapped)"
        elif asrt_sig or resp_sig:
            self.summary["signature_verified"] = "not checked"
            self.add(warning(
                "response.signature.unchecked",
                "The signature could not be checked: the IdP's certificate is not known here "
                "(SHA-1 and signature wrapping were still checked).",
                "Give the metadata exported from JumpCloud (--metadata FILE, or the wizard's export step) "
                "to check the signature against it.",
                "signature_algorithm",
            ))
        if source is None:
            # not verified: read from what the signature claims to cover, when that is this assertion
            covering = [s for s in (asrt_sig, resp_sig) if s is not None and s.target is not None]
            target = None
            for sig in covering:
                if sig.target is assertion or sig.target is root:
                    target = assertion
                    break
                if sig.target.tag == _q(SAML, "Assertion"):
                    target = sig.target
                    break
            source = target if target is not None else assertion
        original = source if _belongs_to(source, root) else _matching_original(root, source, assertion)
        self._values(signed_response if signed_response is not None else root, source, original, response_irt)

    def _cert_expiry(self, known: tuple[bytes, ...]) -> None:
        from cryptography import x509

        expired: list[datetime] = []
        for der in known:
            try:
                cert = x509.load_der_x509_certificate(der)
            except ValueError:
                continue
            if cert.not_valid_after_utc < self.now:
                expired.append(cert.not_valid_after_utc)
            else:
                return  # at least one valid certificate
        if expired:
            self.add(warning(
                "response.cert.expired",
                f"The metadata certificate expired on {_iso(max(expired))}; Pulumi refuses metadata "
                "with an expired certificate.",
                "In JumpCloud, regenerate the app's certificate (SSO tab), export the metadata again and "
                "load it into Pulumi.",
                "certificate_sha256",
            ))

    # ---- values
    def _values(self, root: etree._Element, source: etree._Element, original: etree._Element | None,
                response_irt: str) -> None:
        v = self.values
        s = self.summary

        def first(path: str) -> etree._Element | None:
            return source.find(path, namespaces={"saml": SAML})

        issuer = _text(first("saml:Issuer"))
        s["issuer"] = issuer
        s["issue_instant"] = source.get("IssueInstant") or s["issue_instant"]
        expected_issuer = self.idp.entity_id if self.idp else None
        if expected_issuer is not None:
            response_issuer = _text(root.find(_q(SAML, "Issuer")))
            if issuer != expected_issuer:
                self.add(error(
                    "response.issuer.mismatch",
                    f"The assertion's Issuer is {issuer!r} but the metadata's entityID is {expected_issuer!r}"
                    + (f"; {_difference(issuer, expected_issuer)}" if issuer else "") + ".",
                    "In JumpCloud the IdP Entity ID on the SSO tab must be the value in the metadata Pulumi "
                    "has: export the metadata again after changing it, and load it into Pulumi.",
                    "issuer",
                ))
            elif response_issuer and response_issuer != expected_issuer:
                self.add(error(
                    "response.issuer.mismatch",
                    f"The response's Issuer is {response_issuer!r} but the metadata's entityID is "
                    f"{expected_issuer!r}.",
                    "Export the metadata from JumpCloud again and load it into Pulumi.",
                    "issuer",
                ))

        # audience
        audiences = [_text(a) for a in source.iterfind("saml:Conditions/saml:AudienceRestriction/saml:Audience",
                                                        namespaces={"saml": SAML})]
        s["audience"] = ", ".join(audiences)
        if v.sp_entity_id not in audiences:
            if audiences:
                got = audiences[0]
                hint = ""
                if got == v.acs_url:
                    hint = " (that is the ACS URL; the SP Entity ID ends in /metadata)"
                self.add(error(
                    "response.audience.mismatch",
                    f"The Audience is {got!r} but Pulumi expects the SP Entity ID {v.sp_entity_id!r}{hint}; "
                    f"{_difference(got, v.sp_entity_id)}.",
                    f"In JumpCloud, on the Pulumi app's SSO tab, set SP Entity ID to exactly {v.sp_entity_id} "
                    "(the org name is case-sensitive), save, and sign in again.",
                    "audience",
                ))
            else:
                self.add(error(
                    "response.audience.mismatch",
                    f"The assertion names no Audience; Pulumi expects the SP Entity ID {v.sp_entity_id!r}.",
                    f"In JumpCloud, on the Pulumi app's SSO tab, set SP Entity ID to exactly {v.sp_entity_id}.",
                    "audience",
                ))

        # destination (on the Response)
        destination = root.get("Destination")
        if destination is not None and destination != v.acs_url:
            self.add(error(
                "response.destination.mismatch",
                f"The Destination is {destination!r} but Pulumi's ACS URL is {v.acs_url!r}; "
                f"{_difference(destination, v.acs_url)}.",
                f"In JumpCloud, on the Pulumi app's SSO tab, set ACS URL to exactly {v.acs_url} "
                "(no trailing slash), save, and sign in again.",
                "destination",
            ))

        # subject
        subject = first("saml:Subject")
        recipients: list[str] = []
        irt = ""
        if subject is not None:
            for conf in subject.iterfind("saml:SubjectConfirmation", namespaces={"saml": SAML}):
                if (conf.get("Method") or "") != BEARER:
                    continue
                data = conf.find(_q(SAML, "SubjectConfirmationData"))
                if data is None:
                    continue
                recipients.append(data.get("Recipient") or "")
                irt = irt or (data.get("InResponseTo") or "")
                if data.get("NotOnOrAfter") and not s.get("_scd_noa"):
                    s["_scd_noa"] = data.get("NotOnOrAfter") or ""
        s["recipient"] = ", ".join(r for r in recipients if r)
        if v.acs_url not in recipients:
            got = next((r for r in recipients if r), "")
            if got:
                self.add(error(
                    "response.recipient.mismatch",
                    f"The SubjectConfirmationData Recipient is {got!r} but Pulumi's ACS URL is {v.acs_url!r}; "
                    f"{_difference(got, v.acs_url)}.",
                    f"In JumpCloud, on the Pulumi app's SSO tab, set ACS URL to exactly {v.acs_url}, save, "
                    "and sign in again.",
                    "recipient",
                ))
            else:
                self.add(error(
                    "response.recipient.mismatch",
                    "The assertion has no bearer SubjectConfirmationData with a Recipient; Pulumi expects "
                    f"{v.acs_url!r}.",
                    f"In JumpCloud, set ACS URL to exactly {v.acs_url} on the SSO tab and save.",
                    "recipient",
                ))
        self._nameid(subject, original)
        self._times(source)
        irt = irt or response_irt
        s["in_response_to"] = irt
        if not irt:
            self.add(info(
                "response.inresponseto.idp_initiated",
                "No InResponseTo: this sign-in started in JumpCloud (IdP-initiated, the Pulumi tile). Pulumi "
                "accepts it only when the app sends the Default RelayState.",
                f"In JumpCloud, on the SSO tab, set Default RelayState to {v.relay_state}.",
                "in_response_to",
            ))

    def _nameid(self, subject: etree._Element | None, original: etree._Element | None) -> None:
        s = self.summary
        nameid = subject.find(_q(SAML, "NameID")) if subject is not None else None
        if nameid is None:
            encrypted = subject is not None and subject.find(_q(SAML, "EncryptedID")) is not None
            self.add(error(
                "response.nameid.missing",
                "The NameID is encrypted (EncryptedID) and cannot be read." if encrypted else
                "The assertion has no NameID, so Pulumi cannot tell who signs in.",
                "In JumpCloud, on the SSO tab, set SAMLSubject NameID to email and SAMLSubject NameID Format "
                f"to {NAMEID_EMAIL}; turn off NameID encryption.",
                "nameid",
            ))
            return
        # comments or markup inside NameID, looked at in the document as pasted, before any text read
        original_nameid = None
        if original is not None:
            original_nameid = original.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID")
        inspected = original_nameid if original_nameid is not None else nameid
        inner = [node for node in inspected.iter() if node is not inspected]
        full = "".join(t for t in nameid.itertext() if isinstance(t, str)).strip()
        if inner:
            kinds = sorted({"a comment" if isinstance(n, etree._Comment) else f"<{_local(n.tag)}>" for n in inner})
            naive = (inspected.text or "").strip()
            self.add(error(
                "response.nameid.comment",
                f"The NameID contains {' and '.join(kinds)}: a careless reader takes {naive!r} while the "
                f"signed value is {full!r}. This is how an attacker borrows another user's identity.",
                "Do not trust this response. A NameID from JumpCloud is plain text: check the user's email "
                "in JumpCloud for stray characters and capture a fresh response.",
                "nameid",
            ))
        fmt = nameid.get("Format")
        s["nameid"] = full
        s["nameid_format"] = fmt or ""
        if fmt not in ACCEPTED_NAMEID_FORMATS:
            self.add(error(
                "response.nameid.format",
                f"The NameID format is {fmt or 'not given (unspecified)'}; Pulumi accepts only emailAddress "
                "(or persistent).",
                f"In JumpCloud, on the SSO tab, set SAMLSubject NameID Format to {NAMEID_EMAIL}. Changing it "
                "after users have signed in breaks their sign-in.",
                "nameid_format",
            ))
        if not _EMAIL_RE.match(full):
            self.add(error(
                "response.nameid.not_email",
                f"The NameID {full!r} is not an email address; Pulumi matches users by email.",
                "In JumpCloud, on the SSO tab, set SAMLSubject NameID to email.",
                "nameid",
            ))

    def _times(self, source: etree._Element) -> None:
        s = self.summary
        now = self.now
        conditions = source.find(_q(SAML, "Conditions"))
        raw = {
            "not_before": conditions.get("NotBefore") if conditions is not None else None,
            "not_on_or_after": conditions.get("NotOnOrAfter") if conditions is not None else None,
            "issue_instant": source.get("IssueInstant"),
            "scd_not_on_or_after": s.pop("_scd_noa", None) or None,
        }
        parsed: dict[str, datetime | None] = {}
        for key, value in raw.items():
            try:
                parsed[key] = _parse_time(value)
            except ValueError:
                parsed[key] = None
                self.add(warning(
                    "response.time.unreadable",
                    f"The time {value!r} ({key.replace('_', ' ')}) is not an ISO 8601 date and time.",
                    "JumpCloud writes times like 2026-01-31T12:00:00Z: capture the response again.",
                    key if key in s else "not_on_or_after",
                ))
        s["not_before"] = raw["not_before"] or ""
        s["not_on_or_after"] = raw["not_on_or_after"] or raw["scd_not_on_or_after"] or ""
        issued = parsed["issue_instant"]
        start = parsed["not_before"] or issued
        if start is not None and start - now > SKEW:
            ahead = start - now
            label = "NotBefore" if parsed["not_before"] else "IssueInstant"
            self.add(error(
                "response.time.not_yet_valid",
                f"The response is not valid yet: its {label} is {_iso(start)}, {int(ahead.total_seconds())} s "
                f"after this computer's time ({_iso(now)}), beyond the 5 minutes of clock skew allowed.",
                "A clock is wrong: check that this computer (and the server the response was captured on) "
                "sets its time automatically (NTP); JumpCloud's clock is normally right.",
                "not_before",
            ))
        ends = [t for t in (parsed["not_on_or_after"], parsed["scd_not_on_or_after"]) if t is not None]
        if ends:
            end = min(ends)
            if now - end >= SKEW:
                late = now - end
                if issued is not None and end <= issued:
                    why = (f"its validity ends ({_iso(end)}) before it was issued ({_iso(issued)}): JumpCloud's "
                           "clock or settings are wrong")
                    fix = "Report this response to JumpCloud support; check the app's settings."
                elif late > OLD_CAPTURE:
                    why = (f"it expired {_duration(late)} ago ({_iso(end)}); this looks like an old capture, "
                           "not a clock problem")
                    fix = ("Sign in again and capture a fresh response, or give the time it was captured "
                           "(--at) to check it as of then.")
                else:
                    why = (f"it expired {int(late.total_seconds())} s before this computer's time "
                           f"({_iso(end)} vs {_iso(now)}), beyond the 5 minutes of skew allowed, shortly after "
                           "it was issued: a clock is probably wrong")
                    fix = ("Check that this computer's clock sets itself automatically (NTP), then capture a "
                           "fresh response.")
                self.add(error("response.time.expired", f"The response has expired: {why}.", fix,
                               "not_on_or_after"))


def _belongs_to(element: etree._Element, root: etree._Element) -> bool:
    return element.getroottree().getroot() is root


def _matching_original(root: etree._Element, signed: etree._Element, fallback: etree._Element) -> etree._Element:
    """The element in the pasted document with the signed element's ID (for the comment check)."""
    signed_id = signed.get("ID")
    if signed_id:
        for candidate in root.iter(signed.tag):
            if candidate.get("ID") == signed_id:
                return candidate
    return fallback


def _pretty(root: etree._Element) -> str:
    try:
        clone = etree.fromstring(etree.tostring(root), parser=xmlsafe.hardened_parser())
        etree.indent(clone, space="  ")
        return etree.tostring(clone, encoding="unicode", pretty_print=True)
    except (etree.LxmlError, ValueError):
        return etree.tostring(root, encoding="unicode")



def _with_response_fix(finding: Finding) -> Finding:
    fix = _XML_FIX.get(finding.code)
    if fix is None:
        return finding
    message = finding.message.replace("XML metadata", "XML")
    return Finding(finding.code, finding.severity, message, fix, finding.field or "response")


def _finish(findings: list[Finding], summary: dict[str, str], pretty: str, encoding: str) -> Diagnosis:
    if not any(f.is_error for f in findings):
        findings = findings + [ok(
            "response.ok",
            "No problem found: this response should be accepted by Pulumi for this organisation.",
            "If sign-in still fails, check the Pulumi error page's message against the troubleshooting list.",
        )]
    return Diagnosis(in_reading_order(findings), summary, pretty, encoding)


def diagnose(
    text: str | bytes,
    *,
    org: str,
    api_base: str = DEFAULT_API_BASE,
    idp: ExpectedIdp | None = None,
    now: datetime | None = None,
    max_bytes: int = xmlsafe.DEFAULT_MAX_BYTES,
) -> Diagnosis:
    """Diagnose a pasted SAML response for ``org``.

    ``idp`` carries the exported metadata's entityID and certificates when known; the
    signature is checked only against those certificates.  ``now`` (default: the
    current time) is the moment the times are checked against.  Raises
    ``wizard.values.ValueError_`` only for an unusable org name or API base (the
    caller validates those first); everything about ``text`` comes back as findings.
    """
    values = org_values(org, api_base)
    now = aware_now(now)
    decoded = decode_response(text, max_bytes=max_bytes)
    empty_summary = {key: "" for key in SUMMARY_KEYS}
    if decoded.xml is None:
        return _finish(list(decoded.findings), empty_summary, "", decoded.encoding)
    parsed = xmlsafe.parse_xml(decoded.xml, max_bytes=max_bytes, what="SAML response")
    if not parsed.ok:
        return _finish([_with_response_fix(f) for f in parsed.findings], empty_summary, "", decoded.encoding)
    run = _Run(values, idp, now)
    run.run(parsed.root)
    run.summary.pop("_scd_noa", None)
    return _finish(run.findings, run.summary, _pretty(parsed.root), decoded.encoding)


def expected_idp_from_metadata(metadata: Any) -> ExpectedIdp:
    """``ExpectedIdp`` from ``wizard.metadata``'s IdpMetadata (duck-typed, so no import here)."""
    certs: list[bytes] = []
    signing = getattr(metadata, "signing_certificate", None)
    for cert in ([signing] if signing is not None else []) + list(getattr(metadata, "certificates", []) or []):
        der = getattr(cert, "der", None)
        if isinstance(der, (bytes, bytearray)) and bytes(der) not in certs:
            certs.append(bytes(der))
    return ExpectedIdp(getattr(metadata, "entity_id", None), tuple(certs))


def expected_idp_from_xml(data: bytes | str) -> tuple[ExpectedIdp | None, list[Finding]]:
    """A minimal reading of a metadata export (entityID and signing certificates).

    Used only when ``wizard.metadata`` is not available; the metadata checks proper
    live there.
    """
    parsed = xmlsafe.parse_xml(data, what="metadata")
    if not parsed.ok:
        return None, parsed.findings
    root = parsed.root
    descriptor = root if _local(root.tag) == "EntityDescriptor" else None
    if descriptor is None:
        return None, [error("metadata.not_metadata", f"The metadata file is {_what_is(root)}.",
                            "Use the file JumpCloud's Export Metadata button downloads.")]
    certs: list[bytes] = []
    for key in descriptor.iterfind(f".//{{{MD}}}IDPSSODescriptor/{{{MD}}}KeyDescriptor"):
        if key.get("use") not in (None, "signing"):
            continue
        for cert in key.iterfind(f".//{{{DS}}}X509Certificate"):
            try:
                certs.append(base64.b64decode(re.sub(r"\s+", "", _text(cert)), validate=True))
            except (binascii.Error, ValueError):
                continue
    return ExpectedIdp(descriptor.get("entityID"), tuple(certs)), []


__all__ = [
    "Decoded", "Diagnosis", "ExpectedIdp", "RESPONSE_CODES", "SUMMARY_KEYS", "XML_CODES",
    "decode_response", "diagnose", "expected_idp_from_metadata", "expected_idp_from_xml", "fingerprint",
]
