"""A paste -> the SAML response XML in it, whatever form the admin copied it in.

Accepted: raw XML (bytes or text, with or without a byte-order mark); base64 as
the HTTP-POST binding sends it, with or without line breaks or padding, and its
URL-safe variant; URL-encoded base64; a whole ``SAMLResponse=...&RelayState=...``
form body or URL; base64 of raw DEFLATE (the HTTP-Redirect binding); a
SAML-tracer JSON export (the last Response in it).

Nothing here parses XML (``wizard.xmlsafe`` does that) and nothing raises on bad
input: what is not a response comes back as a finding saying what it looks like.
Size caps hold at every step: the paste, the decoded bytes, the inflated bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, unquote_plus

from wizard import xmlsafe
from wizard.codes import finding
from wizard.findings import Finding

CAPTURE_HINT = (
    "Copy the SAMLResponse form field of the POST to Pulumi's ACS URL (browser developer "
    "tools > Network, or the SAML-tracer extension), or export the SAML-tracer session."
)
# The fix shown with each XML-level finding when the document is a pasted response.
XML_FIX = {
    "xml.too_large": "A SAML response is a few kilobytes: paste only the SAMLResponse value.",
    "xml.empty": "Paste the SAMLResponse value or the SAML-tracer export. " + CAPTURE_HINT,
    "xml.not_xml": CAPTURE_HINT,
    "xml.malformed": "The copy is probably cut short or edited: copy the whole SAMLResponse value again.",
    "xml.forbidden": "A SAML response never has a DOCTYPE: paste the response exactly as the browser sent it.",
}


@dataclass(frozen=True)
class Decoded:
    """The XML found in a paste (None when none was found) and how it was encoded."""

    xml: bytes | None
    encoding: str  # "xml", "base64", "urlencoded-base64", "form", "deflate-base64", "saml-tracer", "unknown"
    findings: list[Finding] = field(default_factory=list)


# Byte sets, used with bytes.translate(None, ...), which deletes them in one C pass:
# much faster than a regular expression on a megabyte of base64.
_WHITESPACE = b" \t\n\r\x0b\x0c"  # what \s matches in a bytes pattern
_B64_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-"
_URLB64_CHARS = _B64_CHARS + b".~%"
_URLSAFE_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_ROOT_TAG_RE = re.compile(r"<\s*(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_JWT_RE = re.compile(rb"^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def _only(data: bytes, allowed: bytes) -> bool:
    """True when ``data`` is not empty and every byte of it is in ``allowed``."""
    return bool(data) and not data.translate(None, allowed)


def _not_decodable(what: str, fix: str = CAPTURE_HINT) -> Decoded:
    return Decoded(
        None,
        "unknown",
        [
            finding(
                "response.not_decodable",
                f"The pasted text is {what}; no SAML response was found in it.",
                fix,
                "response",
            )
        ],
    )


def _too_large(size: int, max_bytes: int, what: str = "The pasted text") -> Decoded:
    return Decoded(
        None,
        "unknown",
        [
            finding(
                "xml.too_large",
                f"{what} is {size:,} bytes; a SAML response is at most {max_bytes:,} bytes.",
                XML_FIX["xml.too_large"],
                "response",
            )
        ],
    )


def _xml_start(data: bytes) -> bool:
    """UTF-8 XML (UTF-16 and UTF-32 are decoded before this, by ``xmlsafe.wide_encoding``)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.lstrip()[:1] == b"<"


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
    return _from_compact_base64(text.translate(None, _WHITESPACE), encoding, max_bytes)


def _from_compact_base64(compact: bytes, encoding: str, max_bytes: int) -> Decoded:
    """Base64 without whitespace (standard, URL-safe or URL-encoded) -> the XML it holds."""
    if not compact:
        return _not_decodable("empty")
    if b"%" in compact and _only(compact, _URLB64_CHARS):
        compact = unquote(compact.decode("ascii")).encode("ascii", errors="replace")
        compact = compact.translate(None, _WHITESPACE)
    if not _only(compact, _B64_CHARS):
        return _not_decodable(
            "neither XML nor base64 (it has characters base64 never uses)",
        )
    if b"-" in compact or b"_" in compact:
        compact = compact.translate(_URLSAFE_TO_STANDARD)
    compact = compact.rstrip(b"=")
    if len(compact) % 4 == 1:
        return _not_decodable(
            "base64 that is cut short (its length is not a whole number of characters groups)",
            "Copy the whole SAMLResponse value again: it was truncated. " + CAPTURE_HINT,
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
        "Copy the whole SAMLResponse value again. " + CAPTURE_HINT,
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
    return _from_base64(value.encode("ascii", errors="replace"), "form", max_bytes)


def _tracer_requests(data: Any) -> list[dict[str, Any]] | None:
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
            body = body[end + 3 :]
            continue
        break
    match = _ROOT_TAG_RE.match(body)
    return match.group(1) if match else "?"


def _from_saml_tracer(requests: list[dict[str, Any]], max_bytes: int) -> Decoded:
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
                if (
                    isinstance(pair, (list, tuple))
                    and len(pair) == 2
                    and pair[0] == "SAMLResponse"
                    and isinstance(pair[1], str)
                ):
                    decoded = _from_base64(pair[1].encode("ascii", errors="replace"), "saml-tracer", max_bytes)
                    if decoded.xml is not None and _root_name(decoded.xml.decode("utf-8", "replace")) == "Response":
                        return Decoded(decoded.xml, "saml-tracer", [])
    if kinds:
        seen = ", ".join(sorted(set(kinds)))
        return _not_decodable(
            f"a SAML-tracer export with {len(requests)} requests whose SAML messages are only {seen}, no Response",
            "Record again with SAML-tracer open through the whole sign-in: the Response is the POST "
            "to Pulumi's ACS URL after JumpCloud's login page.",
        )
    return _not_decodable(
        f"a SAML-tracer export with {len(requests)} requests and no SAML message",
        "Start SAML-tracer before you click Pulumi in the JumpCloud console (or sign in at "
        "app.pulumi.com/signin/sso/), then export again.",
    )


# objects and arrays in a SAML-tracer export: a long session has a few thousand (each
# request's headers are a list of small objects); counted before parsing, as a million
# empty objects take over 100 MiB once parsed
MAX_JSON_CONTAINERS = 50_000


def _from_json(body: bytes, max_bytes: int) -> Decoded:
    containers = body.count(b"{") + body.count(b"[")
    if containers > MAX_JSON_CONTAINERS:
        return _not_decodable(
            f"JSON with {containers:,} objects and lists, more than a SAML-tracer export of a sign-in "
            f"has (the limit is {MAX_JSON_CONTAINERS:,}); it was not read",
            "Export only the sign-in from SAML-tracer (clear it, sign in, export), or paste the "
            "SAMLResponse value itself.",
        )
    try:
        data = json.loads(body.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return _not_decodable(
            "JSON that does not parse (cut short?)", "Export the SAML-tracer session again and use the file unchanged."
        )
    requests = _tracer_requests(data)
    if requests is None:
        return _not_decodable(
            'JSON, but not a SAML-tracer export (no "requests" list)',
            "Use SAML-tracer's Export button, or paste the SAMLResponse value itself.",
        )
    return _from_saml_tracer(requests, max_bytes)


def decode_response(text: object, *, max_bytes: int = xmlsafe.DEFAULT_MAX_BYTES) -> Decoded:
    """Find the SAML response XML in a paste (text or bytes); ``Decoded.xml`` is None when none is found.

    Anything else than text or bytes is reported as not decodable, not raised.
    """
    if isinstance(text, str):
        raw = text.encode("utf-8", errors="replace")
    elif isinstance(text, (bytes, bytearray, memoryview)):
        raw = bytes(text)
        wide = xmlsafe.wide_encoding(raw)
        if wide is not None:  # UTF-16 or UTF-32 (a file saved so): read as the text it is
            if len(raw) > max_bytes * 16 + 4096:
                return _too_large(len(raw), max_bytes * 16 + 4096)
            decoded_text = xmlsafe.decode_wide(raw, wide)
            if decoded_text is None:
                return _not_decodable(f"it starts as {wide.upper()} text but is not valid {wide.upper()} throughout")
            return decode_response(decoded_text, max_bytes=max_bytes)
    else:
        return _not_decodable(f"a {type(text).__name__}, not text")
    # base64 adds a third, URL-encoding up to three times that; JSON escaping a little
    limit = max_bytes * 4 + 4096
    if len(raw) > limit:
        return _too_large(len(raw), limit)
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    body = body.strip()
    if not body:
        return Decoded(
            None,
            "unknown",
            [
                finding(
                    "xml.empty",
                    "Nothing was pasted.",
                    XML_FIX["xml.empty"],
                    "response",
                )
            ],
        )
    if _xml_start(body):
        if isinstance(text, str):  # a declaration may name an encoding the string no longer has
            return Decoded(_str_to_xml_bytes(text), "xml", [])
        return Decoded(raw, "xml", [])
    if body[:1] in (b"{", b"["):
        return _from_json(body, max_bytes)
    try:
        text_s = body.decode("utf-8")
    except UnicodeDecodeError:
        return _not_decodable("binary data, not text")
    if "SAMLResponse=" in text_s or "SAMLRequest=" in text_s:
        return _from_form(text_s, max_bytes)
    if text_s[:512].lower().startswith(("http://", "https://")):
        return _not_decodable(
            "a web address without a SAMLResponse parameter",
            "The response is sent by POST, so it is not in the address bar. " + CAPTURE_HINT,
        )
    if _JWT_RE.match(body):
        return _not_decodable("a JSON Web Token (OpenID Connect or OAuth), not SAML")
    compact = body.translate(None, _WHITESPACE)
    url_encoded = b"%" in compact
    if len(compact) >= 16 and _only(compact, _URLB64_CHARS if url_encoded else _B64_CHARS):
        return _from_compact_base64(compact, "urlencoded-base64" if url_encoded else "base64", max_bytes)
    kind = xmlsafe.describe_non_xml(body)
    if kind and "binary" in kind:
        return _not_decodable("binary data, not text")
    words = len(text_s.split())
    return _not_decodable(
        f"plain text ({words} word{'s' if words != 1 else ''}), not XML, base64 or a SAML-tracer export"
    )


__all__ = ["CAPTURE_HINT", "XML_FIX", "Decoded", "decode_response"]
