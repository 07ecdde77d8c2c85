"""A pasted SAML response -> what is wrong with it, for this Pulumi org, and how to fix it.

The diagnosis runs in four steps, one module each:

1. ``wizard.response_decode``: find the XML in whatever the admin pasted (raw XML,
   base64, URL-encoded, a ``SAMLResponse=`` form body or URL, DEFLATE, a
   SAML-tracer export);
2. ``wizard.xmlsafe``: parse it with the one hardened parser (no DOCTYPE, no
   entity, nothing fetched, size and depth caps);
3. ``wizard.response_facts`` with ``wizard.response_signature``: describe the
   signatures, verify them with signxml against the metadata certificates only, and
   read every value Pulumi looks at from the element the signature covers;
4. ``wizard.response_rules``: small rules, each judging those facts against what
   Pulumi expects for the org (``wizard.values``) and the exported metadata.

This module ties them together and is the public surface.  Nothing here raises on
bad input: every problem is a ``Finding``.

Every check that can run does: only a paste that is not a readable samlp:Response,
a failure Status (JumpCloud's answer instead of an assertion) or an assertion that
is missing, encrypted or not alone leave the assertion's checks out.  A response
without a Status gets that finding and all the others.

The findings come in fix-first order: errors, then warnings, then information; within
a severity, by the rank ``wizard.codes`` declares with each code (``Fix``), then in
the order the rules found them:

1. ``CAPTURE``: the paste is not one response as JumpCloud made it (not a response,
   not exactly one assertion, signature wrapping, a value split by a comment or
   markup): everything else is read from it, so capture it again first;
2. ``STATUS``: JumpCloud refused the sign-in (its cause is the fix), or no Status;
3. ``APP``: the Audience, Destination and Recipient, the values typed on the app's
   SSO tab in step 3: they name the app a response is for, and when they are wrong
   the rest is about another app;
4. ``SETTINGS``: the SSO tab's other settings (assertion encryption, signature
   algorithm, NameID, Default RelayState);
5. ``METADATA``: the Issuer, certificate and signature compared with the metadata.
   These follow from the first ones: with another app's metadata, or a response from
   another app, the Issuer, the certificate and the signature all differ, while the
   thing to fix is the app (the Audience finding then says so);
6. ``CLOCK``: the validity times (a wrong clock, or an old capture).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wizard import xmlsafe
from wizard.clock import aware_now
from wizard.codes import finding
from wizard.findings import Finding, in_reading_order
from wizard.inert import inert
from wizard.response_decode import XML_FIX, Decoded, decode_response
from wizard.response_facts import ResponseFacts, extract_facts
from wizard.response_rules import Expected, ExpectedIdp, run_rules, status_name
from wizard.response_signature import fingerprint, uri_fragment
from wizard.values import DEFAULT_API_BASE, org_values
from wizard.where import here

# Every code the diagnosis can emit (the troubleshooting catalogue and --json users refer to them).
RESPONSE_CODES = frozenset(
    {
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
        "response.cert.not_yet_valid",
        "response.issuer.mismatch",
        "response.audience.mismatch",
        "response.destination.mismatch",
        "response.recipient.mismatch",
        "response.nameid.missing",
        "response.nameid.format",
        "response.nameid.not_email",
        "response.nameid.comment",
        "response.value.split",
        "response.time.not_yet_valid",
        "response.time.expired",
        "response.time.unreadable",
        "response.inresponseto.idp_initiated",
        "response.ok",
    }
)
XML_CODES = frozenset({"xml.empty", "xml.malformed", "xml.forbidden", "xml.too_large", "xml.not_xml"})

SUMMARY_KEYS = (
    "issuer",
    "audience",
    "destination",
    "recipient",
    "nameid",
    "nameid_format",
    "not_before",
    "not_on_or_after",
    "issue_instant",
    "in_response_to",
    "signature_algorithm",
    "digest_algorithm",
    "certificate_sha256",
    "status",
    "signed",
    "signature_verified",
)


@dataclass
class Diagnosis:
    """The findings on one paste, the values read from it, and how it was encoded."""

    findings: list[Finding]
    summary: dict[str, str]
    encoding: str = "unknown"
    xml: bytes | None = field(default=None, repr=False)  # the decoded XML, when it parsed

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)

    @functools.cached_property
    def pretty_xml(self) -> str:
        """The decoded XML, indented, inert and at most ``PRETTY_MAX`` characters ('' when
        nothing parsed): for reading on screen.  Built on first use only."""
        if self.xml is None:
            return ""
        text = inert(_pretty(self.xml), keep_newlines=True)
        if len(text) <= PRETTY_MAX:
            return text
        cut = text.rfind("\n", 0, PRETTY_MAX) + 1 or PRETTY_MAX
        return (
            text[:cut]
            + f"… the rest is not shown: the response is {len(text):,} characters indented; "
            + "the checks above read all of it.\n"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "summary": dict(self.summary),
        }


PRETTY_MAX = 100_000  # characters of indented XML shown; a real response is 5-15 thousand


def _pretty(xml: bytes) -> str:
    parsed = xmlsafe.parse_xml(xml)
    if parsed.root is None:
        return xml.decode("utf-8", errors="replace")
    from lxml import etree

    etree.indent(parsed.root, space="  ")
    return str(etree.tostring(parsed.root, encoding="unicode", pretty_print=True))


def summarize(facts: ResponseFacts, idp: ExpectedIdp | None) -> dict[str, str]:
    """The decoded values, one string per ``SUMMARY_KEYS`` key ('' when not read), inert
    (``wizard.inert``): they came from the paste and are shown and printed as they are."""
    return {key: inert(value) for key, value in _summary(facts, idp).items()}


def _summary(facts: ResponseFacts, idp: ExpectedIdp | None) -> dict[str, str]:
    summary = dict.fromkeys(SUMMARY_KEYS, "")
    if not facts.is_response or facts.status is None:
        return summary
    summary["destination"] = facts.destination
    summary["issue_instant"] = facts.issue_instant
    status = facts.status
    summary["status"] = (
        status_name(status.code) + (f" / {status_name(status.sub_code)}" if status.sub_code else "")
        if status.present
        else "(none)"
    )
    if not status.success:
        summary["in_response_to"] = facts.in_response_to
    a = facts.assertion
    if a is None:
        return summary
    sig = a.signature
    known = idp.certificates_der if idp else ()
    if sig.any_signature:
        summary["signature_algorithm"] = uri_fragment(sig.algorithm)
        summary["digest_algorithm"] = ", ".join(sorted({uri_fragment(d) for d in sig.digest_algorithms}))
    summary["signed"] = " and ".join(sig.signed)
    if sig.embedded_certificates and sig.embedded_certificates[0]:
        summary["certificate_sha256"] = fingerprint(sig.embedded_certificates[0])
    elif known:
        summary["certificate_sha256"] = fingerprint(known[0])
    if sig.checked:
        summary["signature_verified"] = "no" if sig.failures else ("yes" if sig.verified else "not checked (wrapped)")
    elif sig.signed:
        summary["signature_verified"] = "not checked"
    summary["issuer"] = a.issuer
    summary["issue_instant"] = a.times.issue_instant or facts.issue_instant
    summary["audience"] = ", ".join(a.audiences)
    summary["recipient"] = ", ".join(r for r in a.recipients if r)
    if a.nameid.present:
        summary["nameid"] = a.nameid.value
        summary["nameid_format"] = a.nameid.format or ""
    summary["not_before"] = a.times.not_before or ""
    summary["not_on_or_after"] = a.times.not_on_or_after or a.times.scd_not_on_or_after or ""
    summary["in_response_to"] = a.scd_in_response_to or facts.in_response_to
    return summary


def _with_response_fix(finding: Finding) -> Finding:
    fix = XML_FIX.get(finding.code)
    if fix is None:
        return finding
    message = finding.message.replace("XML metadata", "XML")
    return Finding(finding.code, finding.severity, message, fix, finding.field or "response")


def _finish(
    findings: list[Finding],
    summary: dict[str, str],
    encoding: str,
    xml: bytes | None = None,
    *,
    verified: bool = False,
) -> Diagnosis:
    """The diagnosis: ``response.ok`` only when nothing is wrong and a signature verified
    against a metadata certificate (without one, nothing shows that JumpCloud made it)."""
    if not any(f.is_error for f in findings) and not verified:
        findings = [
            *findings,
            finding(
                "response.signature.unchecked",
                "No signature was verified against JumpCloud's certificate, so nothing shows that JumpCloud "
                "made this response or that Pulumi will accept it.",
                f"Give the metadata exported from JumpCloud {here().metadata} to check the signature against it.",
                "signature_algorithm",
            ),
        ]
    if not any(f.is_error for f in findings):
        findings = [
            *findings,
            finding(
                "response.ok",
                "No problem found: this response should be accepted by Pulumi for this organisation.",
                "If sign-in still fails, check the Pulumi error page's message against the troubleshooting list.",
            ),
        ]
    return Diagnosis(in_reading_order(findings), summary, encoding, xml)


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
    ``wizard.values.InvalidValue`` only for an unusable org name or API base (the
    caller validates those first); everything about ``text`` comes back as findings.
    """
    expected = Expected(org_values(org, api_base), idp, aware_now(now))
    decoded = decode_response(text, max_bytes=max_bytes)
    empty_summary = dict.fromkeys(SUMMARY_KEYS, "")
    if decoded.xml is None:
        return _finish(list(decoded.findings), empty_summary, decoded.encoding)
    parsed = xmlsafe.parse_xml(decoded.xml, max_bytes=max_bytes, what="SAML response")
    if parsed.root is None:
        return _finish([_with_response_fix(f) for f in parsed.findings], empty_summary, decoded.encoding)
    facts = extract_facts(parsed.root, certificates=expected.certificates, now=expected.now)
    verified = facts.assertion is not None and facts.assertion.signature.verified
    return _finish(run_rules(facts, expected), summarize(facts, idp), decoded.encoding, decoded.xml, verified=verified)


def expected_idp_from_metadata(metadata: Any) -> ExpectedIdp:
    """``ExpectedIdp`` from ``wizard.metadata``'s IdpMetadata (duck-typed, so no import here)."""
    certs: list[bytes] = []
    signing = getattr(metadata, "signing_certificate", None)
    for cert in ([signing] if signing is not None else []) + list(getattr(metadata, "certificates", []) or []):
        der = getattr(cert, "der", None)
        if isinstance(der, (bytes, bytearray)) and bytes(der) not in certs:
            certs.append(bytes(der))
    return ExpectedIdp(getattr(metadata, "entity_id", None), tuple(certs))


__all__ = [
    "RESPONSE_CODES",
    "SUMMARY_KEYS",
    "XML_CODES",
    "Decoded",
    "Diagnosis",
    "ExpectedIdp",
    "decode_response",
    "diagnose",
    "expected_idp_from_metadata",
    "fingerprint",
    "summarize",
]
