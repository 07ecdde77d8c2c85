"""A parsed SAML response -> the facts the rules judge, in typed dataclasses.

``extract_facts`` reads the document once: its root and Status, how many
assertions it holds, its signatures (described and, when metadata certificates
are given, verified by ``wizard.response_signature``), and then every value Pulumi
looks at - issuer, audience, destination, recipients, NameID and its format, the
times, InResponseTo.  Those values are read from the element the signature covers
(signxml's canonical copy when it verified), never from an element the signature
does not cover.  Only the check for comments or markup inside the NameID looks at
the document as pasted, because canonicalisation removes exactly what it looks for.

No judgement here: the rules (``wizard.response_rules``) decide what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from lxml import etree

from wizard.response_signature import (
    SignatureInfo,
    Verification,
    describe_signatures,
    is_sha1,
    local_name,
    text_of,
    uri_fragment,
    verify,
)
from wizard.saml_ns import SAML_NS, SAMLP_NS

BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"

_ASSERTION = f"{{{SAML_NS}}}Assertion"


@dataclass(frozen=True)
class StatusFacts:
    """The Response's ``samlp:Status``."""

    present: bool
    code: str = ""  # top-level StatusCode URI
    sub_code: str = ""  # second-level StatusCode URI, '' when none
    message: str = ""  # StatusMessage text

    @property
    def success(self) -> bool:
        return self.present and self.code == SUCCESS


@dataclass(frozen=True)
class SignatureFacts:
    """What the signatures say, and whether they verified against the metadata certificates."""

    signed: tuple[str, ...]  # where a SAML signature sits: "response" and/or "assertion", in that order
    any_signature: bool  # a ds:Signature anywhere, even where none belongs
    algorithm: str  # the main signature's SignatureMethod URI ('' without signature)
    digest_algorithms: tuple[str, ...]  # its DigestMethod URIs
    sha1: tuple[str, ...]  # SHA-1 algorithm names any signature uses, sorted
    wrapping: tuple[str, ...]  # why the signatures do not cover what a reader reads; empty when they do
    embedded_certificates: tuple[bytes, ...]  # the main signature's KeyInfo certificates (never trusted)
    checked: bool  # verification was attempted (metadata certificates given, a signature in place)
    verified: bool  # at least one signature verified
    verified_with: tuple[bytes, ...]  # the metadata certificates (DER) the verified signatures used
    failures: tuple[Verification, ...]  # the signatures that did not verify, assertion's first


@dataclass(frozen=True)
class NameIdFacts:
    """The Subject's NameID: its signed value, and what is hidden inside it as pasted."""

    present: bool
    encrypted: bool = False  # an EncryptedID instead
    value: str = ""  # the whole text, as signed
    format: str | None = None
    inner: tuple[str, ...] = ()  # "a comment", "<b>", ... found inside it in the pasted document
    naive: str = ""  # the text before the first such node: what a careless reader takes


@dataclass(frozen=True)
class SplitValue:
    """A value (Issuer, Audience) with something inside it as pasted: readers disagree on it."""

    name: str  # "the Assertion's <Issuer>", "<Audience>", ...
    inner: tuple[str, ...]  # "a comment", "a processing instruction", "<b>"
    naive: str  # the text before the first such node
    value: str  # the whole text


@dataclass(frozen=True)
class Times:
    """The validity times as written ('' or None when absent); the rules parse them."""

    not_before: str | None  # Conditions/@NotBefore
    not_on_or_after: str | None  # Conditions/@NotOnOrAfter
    issue_instant: str | None  # the Assertion's IssueInstant
    scd_not_on_or_after: str | None  # the first bearer SubjectConfirmationData's NotOnOrAfter

    def items(self) -> tuple[tuple[str, str | None], ...]:
        """(name, value) in the order they are reported."""
        return (
            ("not_before", self.not_before),
            ("not_on_or_after", self.not_on_or_after),
            ("issue_instant", self.issue_instant),
            ("scd_not_on_or_after", self.scd_not_on_or_after),
        )


@dataclass(frozen=True)
class AssertionFacts:
    """The values Pulumi reads from the one Assertion, taken from what the signature covers."""

    signature: SignatureFacts
    issuer: str  # the Assertion's Issuer
    response_issuer: str  # the Response's Issuer
    audiences: tuple[str, ...]
    destination: str | None  # the Response's Destination, from the signed Response when it verified
    recipients: tuple[str, ...]  # one per bearer SubjectConfirmationData ('' when it has none)
    scd_in_response_to: str  # the first non-empty bearer SubjectConfirmationData InResponseTo
    nameid: NameIdFacts
    times: Times
    split: tuple[SplitValue, ...] = ()  # Issuers and Audiences that hold more than text, as pasted


@dataclass(frozen=True)
class ResponseFacts:
    """Everything the rules judge about one parsed document."""

    root_name: str  # local name of the root element
    root_namespace: str
    is_response: bool  # the root is a samlp:Response
    destination: str = ""  # the Response's Destination as pasted
    issue_instant: str = ""  # the Response's IssueInstant
    in_response_to: str = ""  # the Response's InResponseTo
    status: StatusFacts | None = None  # None when not a Response
    assertion_count: int = 0  # plain saml:Assertion children of the Response
    encrypted_count: int = 0  # saml:EncryptedAssertion children
    assertion: AssertionFacts | None = None  # set when ``judged`` and there is exactly one Assertion

    @property
    def status_failed(self) -> bool:
        """The Status says the sign-in did not succeed (a missing Status says nothing either way)."""
        return self.status is not None and self.status.present and not self.status.success

    @property
    def judged(self) -> bool:
        """A Response whose content is checked: its Status is Success, or missing.

        A missing Status is a finding of its own, but it is no reason to skip the rest:
        the assertion is still read, and every other check runs on it.  A Status that
        reports a failure is JumpCloud's answer instead of an assertion; its cause is
        the one thing to fix, so nothing else is judged.
        """
        return self.is_response and not self.status_failed


# ---------------------------------------------------------------------------
# reading


def _status(root: etree._Element) -> StatusFacts:
    """The Response's Status as written."""
    status = root.find(f"{{{SAMLP_NS}}}Status")
    if status is None:
        return StatusFacts(present=False)
    code = status.find(f"{{{SAMLP_NS}}}StatusCode")
    top = (code.get("Value") or "").strip() if code is not None else ""
    sub_el = code.find(f"{{{SAMLP_NS}}}StatusCode") if code is not None else None
    sub = (sub_el.get("Value") or "").strip() if sub_el is not None else ""
    return StatusFacts(True, top, sub, text_of(status.find(f"{{{SAMLP_NS}}}StatusMessage")))


def _wrapping(root: etree._Element, assertion: etree._Element, signatures: Iterable[SignatureInfo]) -> tuple[str, ...]:
    """Why what a reader reads is not what is signed: a hidden second Assertion, misplaced signatures."""
    reasons: list[str] = []
    hidden = [a for a in root.iter(_ASSERTION) if a is not assertion]
    if hidden:
        where = ", ".join(sorted({f"<{local_name(_parent_tag(a))}>" for a in hidden}))
        reasons.append(f"another Assertion is hidden inside {where}")
    for signature in signatures:
        reasons.extend(signature.problems)
    return tuple(dict.fromkeys(reasons))


def _parent_tag(element: etree._Element) -> object:
    """The tag of the element's parent (None for a root)."""
    parent = element.getparent()
    return parent.tag if parent is not None else None


@dataclass(frozen=True)
class _Sources:
    """Where the values come from, once the signatures have been checked."""

    values: etree._Element  # the Assertion to read values from
    response: etree._Element  # the Response to read its own values from
    original: etree._Element  # that Assertion as pasted (for the NameID comment check)


def _signature_facts(
    root: etree._Element,
    assertion: etree._Element,
    certificates: tuple[bytes, ...],
    now: datetime,
) -> tuple[SignatureFacts, _Sources]:
    """Describe every signature, verify the Assertion's and the Response's, and say where to read values."""
    signatures = describe_signatures(root, assertion)
    response_sig = next((s for s in signatures if s.where == "response"), None)
    assertion_sig = next((s for s in signatures if s.where == "assertion"), None)
    primary = assertion_sig or response_sig or (signatures[0] if signatures else None)
    checked = bool(certificates) and (assertion_sig is not None or response_sig is not None)

    source: etree._Element | None = None
    signed_response: etree._Element | None = None
    failures: list[Verification] = []
    verified_with: list[bytes] = []
    verified = False
    if checked:
        for sig in (assertion_sig, response_sig):
            if sig is None or not sig.sound:
                continue
            result = verify(root, sig, certificates, now)
            if result.signed_xml is None:
                failures.append(result)
                continue
            verified = True
            verified_with.append(result.certificate)
            signed_xml = result.signed_xml
            if sig.where == "assertion" and signed_xml.tag == _ASSERTION:
                source = signed_xml
            elif sig.where == "response":
                signed_response = signed_xml
                inner = signed_xml.find(_ASSERTION)
                if inner is not None and source is None:
                    source = inner
    if source is None:
        source = _claimed_source(root, assertion, (assertion_sig, response_sig))
    original = source if source.getroottree().getroot() is root else _matching_original(root, source, assertion)
    facts = SignatureFacts(
        signed=tuple(name for name, s in (("response", response_sig), ("assertion", assertion_sig)) if s is not None),
        any_signature=bool(signatures),
        algorithm=primary.signature_method if primary is not None else "",
        digest_algorithms=primary.digest_methods if primary is not None else (),
        sha1=tuple(
            sorted({uri_fragment(u) for s in signatures for u in (s.signature_method, *s.digest_methods) if is_sha1(u)})
        ),
        wrapping=_wrapping(root, assertion, signatures),
        embedded_certificates=primary.certs_der if primary is not None else (),
        checked=checked,
        verified=verified,
        verified_with=tuple(dict.fromkeys(verified_with)),
        failures=tuple(failures),
    )
    response = signed_response if signed_response is not None else root
    return facts, _Sources(source, response, original)


def _claimed_source(
    root: etree._Element,
    assertion: etree._Element,
    signatures: Iterable[SignatureInfo | None],
) -> etree._Element:
    """Not verified: the assertion the signature claims to cover, when it names one."""
    for sig in signatures:
        if sig is None or sig.target is None:
            continue
        if sig.target is assertion or sig.target is root:
            return assertion
        if sig.target.tag == _ASSERTION:
            return sig.target
    return assertion


def _matching_original(root: etree._Element, signed: etree._Element, fallback: etree._Element) -> etree._Element:
    """The element in the pasted document with the signed element's ID."""
    signed_id = signed.get("ID")
    if signed_id:
        for candidate in root.iter(signed.tag):
            if candidate.get("ID") == signed_id:
                return candidate
    return fallback


def _nameid(subject: etree._Element | None, original: etree._Element | None) -> NameIdFacts:
    """The NameID of ``subject`` (signed), and what hides inside it in ``original`` (as pasted)."""
    nameid = subject.find(f"{{{SAML_NS}}}NameID") if subject is not None else None
    if nameid is None:
        encrypted = subject is not None and subject.find(f"{{{SAML_NS}}}EncryptedID") is not None
        return NameIdFacts(present=False, encrypted=encrypted)
    # comments or markup inside NameID, looked at in the document as pasted, before any text read
    original_nameid = None
    if original is not None:
        original_nameid = original.find(f"{{{SAML_NS}}}Subject/{{{SAML_NS}}}NameID")
    inspected = original_nameid if original_nameid is not None else nameid
    return NameIdFacts(
        present=True,
        value=text_of(nameid),
        format=nameid.get("Format"),
        inner=inner_kinds(inspected),
        naive=(inspected.text or "").strip(),
    )


def inner_kinds(element: etree._Element) -> tuple[str, ...]:
    """What sits inside ``element`` besides its text: "a comment", "a processing instruction", "<b>"."""
    kinds: set[str] = set()
    for node in element.iterdescendants():
        if isinstance(node, etree._Comment):
            kinds.add("a comment")
        elif isinstance(node, etree._ProcessingInstruction):
            kinds.add("a processing instruction")
        else:
            kinds.add(f"<{local_name(node.tag)}>")
    return tuple(sorted(kinds))


def _split_values(response: etree._Element, assertion: etree._Element) -> tuple[SplitValue, ...]:
    """The Issuers and Audiences that hold a comment, processing instruction or element, as pasted.

    Read in the document as pasted: canonicalisation (and so signxml's copy) can drop
    exactly what this looks for.
    """
    places: list[tuple[str, etree._Element | None]] = [
        ("the Response's <Issuer>", response.find(f"{{{SAML_NS}}}Issuer")),
        ("the Assertion's <Issuer>", assertion.find(f"{{{SAML_NS}}}Issuer")),
    ]
    places += [
        ("<Audience>", audience)
        for audience in assertion.iterfind(
            f"{{{SAML_NS}}}Conditions/{{{SAML_NS}}}AudienceRestriction/{{{SAML_NS}}}Audience"
        )
    ]
    split: list[SplitValue] = []
    for name, element in places:
        if element is None or len(element) == 0:
            continue
        split.append(SplitValue(name, inner_kinds(element), (element.text or "").strip(), text_of(element)))
    return tuple(split)


def _assertion_facts(
    root: etree._Element,
    assertion: etree._Element,
    certificates: tuple[bytes, ...],
    now: datetime,
) -> AssertionFacts:
    """The values of the one Assertion, read from what its signature covers."""
    signature, sources = _signature_facts(root, assertion, certificates, now)
    source = sources.values
    ns = {"saml": SAML_NS}
    subject = source.find("saml:Subject", namespaces=ns)
    recipients: list[str] = []
    in_response_to = ""
    scd_not_on_or_after = ""
    if subject is not None:
        for confirmation in subject.iterfind("saml:SubjectConfirmation", namespaces=ns):
            if (confirmation.get("Method") or "") != BEARER:
                continue
            data = confirmation.find(f"{{{SAML_NS}}}SubjectConfirmationData")
            if data is None:
                continue
            recipients.append(data.get("Recipient") or "")
            in_response_to = in_response_to or (data.get("InResponseTo") or "")
            scd_not_on_or_after = scd_not_on_or_after or (data.get("NotOnOrAfter") or "")
    conditions = source.find(f"{{{SAML_NS}}}Conditions")
    return AssertionFacts(
        signature=signature,
        issuer=text_of(source.find("saml:Issuer", namespaces=ns)),
        response_issuer=text_of(sources.response.find(f"{{{SAML_NS}}}Issuer")),
        audiences=tuple(
            text_of(a) for a in source.iterfind("saml:Conditions/saml:AudienceRestriction/saml:Audience", namespaces=ns)
        ),
        destination=sources.response.get("Destination"),
        recipients=tuple(recipients),
        scd_in_response_to=in_response_to,
        nameid=_nameid(subject, sources.original),
        times=Times(
            not_before=conditions.get("NotBefore") if conditions is not None else None,
            not_on_or_after=conditions.get("NotOnOrAfter") if conditions is not None else None,
            issue_instant=source.get("IssueInstant"),
            scd_not_on_or_after=scd_not_on_or_after or None,
        ),
        split=_split_values(root, sources.original),
    )


def extract_facts(root: etree._Element, *, certificates: tuple[bytes, ...], now: datetime) -> ResponseFacts:
    """The facts of the document ``root``; ``certificates`` (DER) are the metadata's, tried in turn.

    ``now`` is only used to pick a moment the certificate is valid at, so that an
    expired certificate does not hide whether the signature holds.
    """
    name, namespace = local_name(root.tag), _namespace(root.tag)
    if root.tag != f"{{{SAMLP_NS}}}Response":
        return ResponseFacts(name, namespace, is_response=False)
    status = _status(root)
    assertions = root.findall(_ASSERTION)
    encrypted = root.findall(f"{{{SAML_NS}}}EncryptedAssertion")
    facts = ResponseFacts(
        name,
        namespace,
        is_response=True,
        destination=root.get("Destination") or "",
        issue_instant=root.get("IssueInstant") or "",
        in_response_to=root.get("InResponseTo") or "",
        status=status,
        assertion_count=len(assertions),
        encrypted_count=len(encrypted),
    )
    if not facts.judged or len(assertions) != 1:
        return facts
    return replace(facts, assertion=_assertion_facts(root, assertions[0], certificates, now))


def _namespace(tag: object) -> str:
    """``{ns}Name`` -> ``ns`` ('' without a namespace)."""
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return ""


__all__ = [
    "BEARER",
    "SUCCESS",
    "AssertionFacts",
    "NameIdFacts",
    "ResponseFacts",
    "SignatureFacts",
    "StatusFacts",
    "Times",
    "extract_facts",
]
