"""The XML signatures of a SAML response: where they sit, what they cover, whether they verify.

``describe_signatures`` reads every ``ds:Signature`` as written and lists, for each,
the reasons it does not cover the element it sits in (the shapes of signature-wrapping
attacks): a Reference to another element or to an ID that several elements carry,
more than one Reference, a transform that can leave parts unsigned, a signature in a
place SAML never puts one.

``verify`` checks one signature with signxml against the metadata certificates only
(never a certificate the response carries), and hands back the signed content as
signxml re-parsed it from its canonical form: what the values must be read from.
signxml works on the tree ``wizard.xmlsafe`` parsed (see ``_verifier_class``) and
re-parses its own copies with the same hardened parser; no entity is ever resolved.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, cast

from lxml import etree

from wizard import xmlsafe
from wizard.saml_ns import DS_NS, SAML_NS

if TYPE_CHECKING:
    from signxml.verifier import XMLVerifier

Where = Literal["response", "assertion", "elsewhere"]

ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
C14N_TRANSFORMS = frozenset(
    {
        "http://www.w3.org/2001/10/xml-exc-c14n#",
        "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
        "http://www.w3.org/2006/12/xml-c14n11",
        "http://www.w3.org/2006/12/xml-c14n11#WithComments",
    }
)
# Attribute local names an element can be referenced by; signxml itself looks up "ID".
ID_NAMES = frozenset({"ID", "Id", "id"})
# Every attribute whose value is $value, in one pass in C over the document.
_ATTRIBUTES_WITH_VALUE = etree.XPath("//@*[. = $value]")
_SIGNATURE = f"{{{DS_NS}}}Signature"


def fingerprint(der: bytes) -> str:
    """SHA-256 fingerprint as ``AB:CD:...`` (the metadata checks' format)."""
    return hashlib.sha256(der).digest().hex(":").upper()


def local_name(tag: object) -> str:
    """``{ns}Name`` -> ``Name``; '?' for a comment or processing instruction."""
    if not isinstance(tag, str):
        return "?"
    return tag.rsplit("}", 1)[-1]


def text_of(element: etree._Element | None) -> str:
    """All text of an element (comments excluded), stripped."""
    if element is None:
        return ""
    return "".join(t for t in element.itertext() if isinstance(t, str)).strip()


def uri_fragment(uri: str) -> str:
    """``http://www.w3.org/2001/04/xmldsig-more#rsa-sha256`` -> ``rsa-sha256``."""
    return uri.rsplit("#", 1)[-1] if uri else ""


def is_sha1(uri: str) -> bool:
    frag = uri_fragment(uri).lower()
    return frag == "sha1" or frag.endswith("-sha1") or frag.startswith("sha1-")


@dataclass(frozen=True)
class SignatureInfo:
    """One ``ds:Signature`` as written; nothing about it is verified yet."""

    element: etree._Element
    where: Where  # its parent: the Response, the (one) Assertion, or anything else
    reference_uri: str | None
    signature_method: str  # the SignatureMethod URI, '' when absent
    digest_methods: tuple[str, ...]  # one DigestMethod URI per Reference
    certs_der: tuple[bytes, ...]  # KeyInfo certificates, b"" for an unreadable one; never trusted
    problems: tuple[str, ...]  # why it does not cover the element it sits in
    target: etree._Element | None  # the one element its Reference names, if exactly one does

    @property
    def sound(self) -> bool:
        """True when it covers exactly the element it sits in, so verifying it means something."""
        return not self.problems


def _elements_with_id(root: etree._Element, value: str) -> list[etree._Element]:
    """Every element carrying ``value`` in an ID, Id or id attribute (once per such attribute)."""
    found: list[etree._Element] = []
    for attribute in cast("list[etree._ElementUnicodeResult]", _ATTRIBUTES_WITH_VALUE(root, value=value)):
        parent = attribute.getparent()
        if parent is not None and local_name(attribute.attrname) in ID_NAMES:
            found.append(parent)
    return found


def _certificates(signature: etree._Element) -> tuple[bytes, ...]:
    certs: list[bytes] = []
    for cert in signature.iterfind(f"{{{DS_NS}}}KeyInfo/{{{DS_NS}}}X509Data/{{{DS_NS}}}X509Certificate"):
        try:
            certs.append(base64.b64decode("".join(text_of(cert).split()), validate=True))
        except (binascii.Error, ValueError):
            certs.append(b"")
    return tuple(certs)


def _reference_problems(
    reference: etree._Element,
    parent: etree._Element | None,
    parent_name: str,
    root: etree._Element,
) -> tuple[list[str], etree._Element | None]:
    """Why the one Reference does not name the signature's parent, and the element it names."""
    problems: list[str] = []
    target: etree._Element | None = None
    uri = reference.get("URI")
    parent_id = parent.get("ID") if parent is not None else None
    if uri is None or not uri.startswith("#") or len(uri) < 2:
        problems.append(f"its reference URI {uri!r} does not name the signed element's ID")
    else:
        targets = _elements_with_id(root, uri[1:])
        if len(targets) > 1:
            problems.append(f"the ID {uri[1:]!r} it references is used by {len(targets)} elements")
        elif len(targets) == 1:
            target = targets[0]
        if not parent_id or uri[1:] != parent_id:
            target_desc = f"<{local_name(target.tag)}>" if target is not None else "an element"
            problems.append(
                f"it covers {target_desc} with ID {uri[1:]!r}, not the {parent_name} it sits in"
                + (f" (ID {parent_id!r})" if parent_id else "")
            )
        elif not targets:
            problems.append(f"nothing has the ID {uri[1:]!r} it references")
    transforms = reference.find(f"{{{DS_NS}}}Transforms")
    if transforms is not None:
        for transform in transforms.findall(f"{{{DS_NS}}}Transform"):
            algorithm = transform.get("Algorithm") or ""
            if algorithm != ENVELOPED and algorithm not in C14N_TRANSFORMS:
                problems.append(
                    f"it applies the transform {algorithm or '(none)'}, which can leave parts of the element unsigned"
                )
    return problems, target


def describe_signature(
    signature: etree._Element,
    root: etree._Element,
    assertion: etree._Element | None,
) -> SignatureInfo:
    """Read one ``ds:Signature`` of the document whose root is ``root``."""
    parent = signature.getparent()
    where: Where
    if parent is root:
        where = "response"
    elif assertion is not None and parent is assertion:
        where = "assertion"
    else:
        where = "elsewhere"
    signed_info = signature.find(f"{{{DS_NS}}}SignedInfo")
    if signed_info is None:
        return SignatureInfo(signature, where, None, "", (), (), ("it has no SignedInfo",), None)
    method = signed_info.find(f"{{{DS_NS}}}SignatureMethod")
    signature_method = (method.get("Algorithm") or "") if method is not None else ""
    references = signed_info.findall(f"{{{DS_NS}}}Reference")
    digests: list[str] = []
    for ref in references:
        dm = ref.find(f"{{{DS_NS}}}DigestMethod")
        digests.append((dm.get("Algorithm") or "") if dm is not None else "")
    certs = _certificates(signature)
    parent_name = f"<{local_name(parent.tag)}>" if parent is not None else "nothing"
    problems: list[str] = []
    if where == "elsewhere":
        problems.append(f"a signature sits inside {parent_name}, where no SAML signature belongs")
    if len(references) != 1:
        problems.append(f"its SignedInfo has {len(references)} references instead of one")
        return SignatureInfo(signature, where, None, signature_method, tuple(digests), certs, tuple(problems), None)
    more, target = _reference_problems(references[0], parent, parent_name, root)
    return SignatureInfo(
        signature,
        where,
        references[0].get("URI"),
        signature_method,
        tuple(digests),
        certs,
        tuple(problems + more),
        target,
    )


def describe_signatures(root: etree._Element, assertion: etree._Element | None) -> tuple[SignatureInfo, ...]:
    """Every ``ds:Signature`` in the document, wherever it hides, in document order."""
    return tuple(describe_signature(s, root, assertion) for s in root.iter(_SIGNATURE))


# ---------------------------------------------------------------------------
# verification


@dataclass(frozen=True)
class Verification:
    """The outcome of checking one signature against the metadata certificates."""

    where: Where
    signed_xml: etree._Element | None = None  # the signed element, re-read from its canonical form
    error: str | None = None
    digest_mismatch: bool = False  # the key matched but the content changed after signing
    certificate: bytes = b""  # the metadata certificate (DER) it verified with

    @property
    def ok(self) -> bool:
        return self.signed_xml is not None


def try_order(embedded: Iterable[bytes], known: Iterable[bytes]) -> tuple[bytes, ...]:
    """The metadata certificates, the ones the signature names in its KeyInfo first.

    Only the order changes: a certificate is trusted because it is in the metadata,
    never because the response carries it.
    """
    named = set(embedded)
    ordered = list(dict.fromkeys(known))
    return tuple([c for c in ordered if c in named] + [c for c in ordered if c not in named])


@functools.cache
def _verifier_class() -> type[XMLVerifier]:
    """signxml's ``XMLVerifier``, reading the tree it is given instead of a re-parsed copy.

    ``XMLVerifier.get_root`` serialises an lxml element and parses it again, to
    detach it from any parent; the root of a document ``wizard.xmlsafe`` parsed has
    no parent, so that copy costs a parse of the whole document for nothing.  signxml
    does not modify the tree: the enveloped-signature transform works on a copy it
    makes for each Reference.  Built on first use, so importing this module does not
    import signxml.
    """
    from signxml.verifier import XMLVerifier

    class _ParsedTreeVerifier(XMLVerifier):
        def get_root(self, data: object) -> etree._Element:
            if isinstance(data, etree._Element) and data.getparent() is None and data.getroottree().getroot() is data:
                return data
            root: etree._Element = super().get_root(data)  # type: ignore[no-untyped-call]  # unannotated in signxml
            return root

    return _ParsedTreeVerifier


def verify(root: etree._Element, signature: SignatureInfo, certs_der: Iterable[bytes], now: datetime) -> Verification:
    """Check ``signature`` (which sits in the Response or its Assertion) with each metadata certificate.

    ``root`` is the root of the document ``wizard.xmlsafe`` parsed; ``now`` only picks
    a moment each certificate is valid at.
    """
    from cryptography import x509
    from signxml.algorithms import DigestAlgorithm, SignatureMethod
    from signxml.exceptions import InvalidDigest
    from signxml.verifier import SignatureConfiguration

    where = signature.where
    location = f"./{{{SAML_NS}}}Assertion/" if where == "assertion" else "./"
    verifier_class = _verifier_class()
    last = Verification(where, error="no usable certificate in the metadata")
    for der in try_order(signature.certs_der, certs_der):
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
            result = verifier_class().verify(
                root,
                x509_cert=cert,
                parser=xmlsafe.hardened_parser(),
                id_attribute="ID",
                expect_config=config,
            )
        except InvalidDigest as exc:
            last = Verification(where, error=str(exc), digest_mismatch=True)
            continue
        except Exception as exc:  # whatever a hostile signature makes signxml raise comes back as a finding
            if not last.digest_mismatch:
                last = Verification(where, error=str(exc) or type(exc).__name__)
            continue
        signed = result.signed_xml if not isinstance(result, list) else None
        if signed is None:
            last = Verification(where, error="the signed content could not be read back")
            continue
        return Verification(where, signed_xml=signed, certificate=der)
    return last


__all__ = [
    "C14N_TRANSFORMS",
    "ENVELOPED",
    "ID_NAMES",
    "SignatureInfo",
    "Verification",
    "describe_signature",
    "describe_signatures",
    "fingerprint",
    "is_sha1",
    "local_name",
    "text_of",
    "try_order",
    "uri_fragment",
    "verify",
]
