"""The one hardened XML parser.  Every piece of untrusted XML goes through ``parse_xml``.

lxml with entity resolution, network access, DTD loading and huge trees off;
any DOCTYPE (and so any entity declaration or external DTD) rejected before and
after parsing; processing instructions and comments kept, as received: a signature
must be checked over exactly what arrived (a processing instruction inserted after
signing changes the digest), and one inside a value is something the diagnosis must
see; an input size cap and a depth cap.
Nothing is ever read from disk or network because of what the document says.

Hostile or broken input comes back as findings, never as an exception.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from lxml import etree

from wizard.codes import finding
from wizard.findings import Finding

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_DEPTH = 100
# Elements (with comments and processing instructions) and attributes a document may
# have: JumpCloud's metadata has about 15 elements, its responses 40-60 plus 3 per user
# attribute.  Counted in the bytes before parsing, so that 1 MiB of tiny elements is
# refused before it becomes a tree (250,000 of them took 0.5 s and 95 MiB to diagnose).
DEFAULT_MAX_NODES = 20_000
DEFAULT_MAX_ATTRIBUTES = 20_000

_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# libxml2's own guards against entity bombs (they fire only if the pre-scan were bypassed).
_ENTITY_ABUSE = ("amplification", "entity reference loop", "entitydecl")
_SMART_QUOTES = ("\u201c", "\u201d", "\u2018", "\u2019", "\u00e2\u20ac")
# UTF-16 without a byte-order mark: '<' followed or preceded by a NUL byte.
_UTF16_NO_BOM = (b"<\x00", b"\x00<")


@dataclass
class Parsed:
    """The root element when the input is safe, well-formed XML; else findings."""

    root: etree._Element | None
    findings: list[Finding] = field(default_factory=list)
    size: int = 0

    @property
    def ok(self) -> bool:
        return self.root is not None


class _DenyResolver(etree.Resolver):
    """Answers every external reference (DTD, entity, file, URL) with nothing.

    libxml2 can still try to open an external subset or parameter entity with
    some parser options (``collect_ids=False`` does it in lxml 6.0 / libxml2
    2.14); with this resolver installed such a load gets an empty string and
    no file or URL is ever opened.
    """

    # lxml calls resolve(system_url, public_id, context): lxml-stubs leave ``context`` out.
    def resolve(self, system_url: str, public_id: str | None, context: object) -> object:  # type: ignore[override]
        # base_url is optional in lxml (default None) but required by lxml-stubs.
        return self.resolve_string("", context, base_url=None)


def hardened_parser() -> etree.XMLParser:
    """The parser settings every untrusted document is read with (also handed to signxml)."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=False,
        remove_comments=False,
        remove_blank_text=False,
    )
    parser.resolvers.add(_DenyResolver())
    return parser


_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)


def wide_encoding(data: bytes) -> str | None:
    """The UTF-16 or UTF-32 form XML text is written in, from its byte-order mark or,
    without one, from how its first '<' is written (XML 1.0, appendix F); None for
    UTF-8 and the 8-bit encodings a declaration names, which the parser reads itself.

    The one rule every reader of untrusted XML uses (metadata files, pasted responses,
    text files), so that a file reads the same wherever it is given.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    head = data[:64]
    if b"\x00" not in head[:4]:
        return None
    for name, unit in (("utf-32-be", 4), ("utf-32-le", 4), ("utf-16-be", 2), ("utf-16-le", 2)):
        text = head[: len(head) - len(head) % unit].decode(name, errors="replace")
        if text.lstrip(" \t\r\n").startswith("<"):
            return name
    return None


def decode_wide(data: bytes, encoding: str) -> str | None:
    """``data`` (in the ``wide_encoding`` found) as text, without its byte-order mark; None when it is not valid."""
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


def _to_bytes(data: bytes | str) -> bytes:
    if isinstance(data, str):
        # A pasted string may carry a declaration naming an encoding it no longer has.
        text = _DECL_RE.sub("", data.lstrip("\ufeff"), count=1)
        return text.encode("utf-8", errors="surrogatepass")
    return data


def _strip_leading(data: bytes) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.lstrip(b" \t\r\n")


def describe_non_xml(data: bytes) -> str | None:
    """Name what ``data`` is when it is plainly not XML (None when it may be)."""
    head = data[:2048]
    low = head.lower()
    if head[:1] in (b"{", b"["):
        return "JSON, not XML (a SAML-tracer export or an API answer?)"
    if low.startswith(b"<!doctype html") or low.startswith(b"<html") or b"<html" in low[:512]:
        return "an HTML web page, not XML metadata (a sign-in page or a saved browser page?)"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff") + _UTF16_NO_BOM):
        return "binary data, not XML text"
    if head.startswith((b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\x1f\x8b")):
        return "a binary file (PDF, ZIP, image or archive), not XML"
    if not head.startswith((b"<", b"\xff\xfe", b"\xfe\xff", b"\x00<")):
        printable = sum(1 for b in head if 32 <= b < 127 or b in (9, 10, 13))
        if head and printable / len(head) < 0.85:
            return "binary data, not XML text"
        return "plain text, not XML (XML starts with '<')"
    return None


def _prolog_declares(text: bytes) -> bool:
    """True when the prolog (what comes before the root element, the only place a
    document type may be declared) holds a ``<!`` declaration other than a comment.
    Comments and processing instructions there are skipped; what follows the root's
    start (a comment mentioning ``<!DOCTYPE``, CDATA, text) cannot declare anything."""
    pos = 0
    if text.startswith(b"\xef\xbb\xbf"):
        pos = 3
    while True:
        while pos < len(text) and text[pos] in b" \t\r\n":
            pos += 1
        if text.startswith(b"<?", pos):
            end = text.find(b"?>", pos + 2)
        elif text.startswith(b"<!--", pos):
            end = text.find(b"-->", pos + 4)
        else:
            return text.startswith(b"<!", pos)
        if end < 0:
            return False  # unterminated: the parser refuses it as malformed
        pos = end + 2 if text[end : end + 2] == b"?>" else end + 3


def _has_forbidden(data: bytes) -> bool:
    if _prolog_declares(data):
        return True
    if b"\x00" in data[:4]:
        # UTF-16 or UTF-32, with or without a byte-order mark: look at the text itself.
        for enc in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
            text = data.decode(enc, errors="ignore").lstrip("\ufeff").encode("utf-8")
            if _prolog_declares(text):
                return True
    return False


def _snippet(data: bytes, line: int, column: int) -> str:
    lines = data.decode("utf-8", errors="replace").splitlines()
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1]
    col = max(column - 1, 0)
    start = max(col - 30, 0)
    piece = "".join(c if c.isprintable() else "\ufffd" for c in text[start : col + 30])
    return ("…" if start else "") + piece + ("…" if col + 30 < len(text) else "")


@functools.lru_cache(maxsize=4)
def _deeper_than(max_depth: int) -> etree.XPath:
    # Elements on every level down to max_depth, then any node but text one level further
    # (a comment or processing instruction counts, as an element does).  Evaluated by
    # libxml2: about 0.4 ms for 1 MB, where a walk in Python took 15-19 ms.
    return etree.XPath("boolean(" + "/*" * max_depth + "/node()[not(self::text())])")


def _depth_exceeds(root: etree._Element, max_depth: int) -> bool:
    """True when a node lies more than ``max_depth`` levels down (the root is level 1)."""
    return bool(_deeper_than(max_depth)(root))


def parse_xml(
    data: bytes | str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_attributes: int = DEFAULT_MAX_ATTRIBUTES,
    what: str = "document",
) -> Parsed:
    if isinstance(data, str) and len(data) > max_bytes:
        # Every character is at least one byte: no need to encode a huge paste to refuse it.
        return Parsed(None, [_too_large(what, len(data), max_bytes, unit="characters")], len(data))
    raw = _to_bytes(data)
    size = len(raw)
    if size > max_bytes:
        return Parsed(None, [_too_large(what, size, max_bytes)], size)
    wide = wide_encoding(raw)
    if wide is not None:
        text = decode_wide(raw, wide)
        if text is None:
            return Parsed(
                None,
                [
                    finding(
                        "xml.malformed",
                        f"The {what} starts as {wide.upper()} text but is not valid {wide.upper()} throughout.",
                        "Export the metadata from JumpCloud again and use the file unchanged.",
                    )
                ],
                size,
            )
        raw = _to_bytes(text)  # UTF-8 from here on, its declaration naming the old encoding dropped
    body = _strip_leading(raw)
    if not body.strip():
        return Parsed(
            None,
            [
                finding(
                    "xml.empty",
                    f"The {what} is empty.",
                    "Choose the exported file again, or paste its whole content.",
                )
            ],
            size,
        )
    kind = describe_non_xml(body)
    if kind:
        return Parsed(
            None,
            [
                finding(
                    "xml.not_xml",
                    f"The {what} is {kind}.",
                    "Use the XML file that JumpCloud's Export Metadata button downloads.",
                )
            ],
            size,
        )
    if _has_forbidden(body):
        return Parsed(None, [_forbidden(what)], size)
    too_many = _too_many(body, what, max_nodes, max_attributes)
    if too_many is not None:
        return Parsed(None, [too_many], size)
    try:
        root = etree.fromstring(body, parser=hardened_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno or 0, 0)
        message = str(exc.msg or exc).split(", line ")[0]
        if "Excessive depth" in message:
            return Parsed(None, [_too_deep(what, max_depth)], size)
        if any(marker in message.lower() for marker in _ENTITY_ABUSE):
            return Parsed(None, [_forbidden(what)], size)
        snippet = _snippet(body, line, column)
        near = f" near: {snippet}" if snippet else ""
        if any(q in snippet for q in _SMART_QUOTES):
            near += ' (a typographic quote or mangled character stands where a plain " belongs)'
        return Parsed(
            None,
            [
                finding(
                    "xml.malformed",
                    f"The {what} is not well-formed XML: {message} (line {line}, column {column}){near}",
                    "Export the metadata from JumpCloud again and use the file unchanged; "
                    "a hand edit or a text editor's 'smart quotes' can break it.",
                )
            ],
            size,
        )
    except (ValueError, etree.LxmlError) as exc:
        return Parsed(
            None,
            [
                finding(
                    "xml.malformed",
                    f"The {what} could not be read as XML: {exc}",
                    "Export the metadata from JumpCloud again and use the file unchanged.",
                )
            ],
            size,
        )
    if root is None:
        return Parsed(None, [finding("xml.empty", f"The {what} is empty.", "")], size)
    docinfo = root.getroottree().docinfo
    # lxml-stubs' DocInfo lacks the ``doctype`` property lxml has.
    doctype: str = docinfo.doctype  # type: ignore[union-attr]
    if doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        return Parsed(None, [_forbidden(what)], size)
    if _depth_exceeds(root, max_depth):
        return Parsed(None, [_too_deep(what, max_depth)], size)
    return Parsed(root, [], size)


def _too_many(body: bytes, what: str, max_nodes: int, max_attributes: int) -> Finding | None:
    """More elements or attributes than ``max_nodes`` / ``max_attributes``, counted as
    upper bounds in the bytes (every start tag, comment and instruction opens with '<'
    not followed by '/'; every attribute value starts after '="' or "='")."""
    nodes = body.count(b"<") - body.count(b"</")
    if nodes > max_nodes:
        return finding(
            "xml.too_large",
            f"The {what} has about {nodes:,} elements; the limit is {max_nodes:,} (a SAML document has a few dozen).",
            "Use the file exported from JumpCloud as it is.",
        )
    attributes = body.count(b'="') + body.count(b"='")
    if attributes > max_attributes:
        return finding(
            "xml.too_large",
            f"The {what} has about {attributes:,} attributes; the limit is {max_attributes:,}.",
            "Use the file exported from JumpCloud as it is.",
        )
    return None


def _too_large(what: str, size: int, max_bytes: int, unit: str = "bytes") -> Finding:
    return finding(
        "xml.too_large",
        f"The {what} is {size:,} {unit}; the limit is {max_bytes:,} bytes.",
        "Use the file exported from JumpCloud as it is: real metadata is a few kilobytes.",
    )


def _too_deep(what: str, max_depth: int) -> Finding:
    return finding(
        "xml.forbidden",
        f"The {what} nests elements more than {max_depth} deep, which no SAML document does; it was not read.",
        "Use the file exported from JumpCloud as it is.",
    )


def _forbidden(what: str) -> Finding:
    return finding(
        "xml.forbidden",
        f"The {what} contains a DOCTYPE, entity declaration or external reference, "
        "which SAML documents never have; it was not read.",
        "Use the file exported from JumpCloud as it is; do not run it through tools that add a DOCTYPE.",
    )
