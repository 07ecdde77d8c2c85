"""The rules: each takes the extracted facts and what Pulumi expects, and returns findings.

A rule is one function decorated with ``@rule`` (it gets the whole ``ResponseFacts``)
or ``@assertion_rule`` (it gets the ``AssertionFacts`` and runs only when the
response has one readable Assertion and its Status is Success or missing: a missing
Status is the status rule's finding and every other check still runs, while a
failure Status is JumpCloud's answer instead of an assertion).  It returns a list of
findings, empty when all is well; it never raises on odd facts.  Findings are shown
in fix-first order (``wizard.codes.Fix``, described in ``wizard.response``); rules
run in the order they are defined here, which is the order their findings are
listed in within the same severity and rank.

A message states what was found; where the response cannot tell which of several
causes it is, it says "Likely causes: ..." and the fix names the fix for each.

Adding a check is one function here and its test in tests/test_response_rules.py::

    @assertion_rule
    def audience_mismatch(a: AssertionFacts, expected: Expected) -> list[Finding]:
        '''No Audience is Pulumi's SP Entity ID.'''
        if expected.values.sp_entity_id in a.audiences:
            return []
        return [finding("response.audience.mismatch", "what is wrong", "how to fix it", "audience")]

A new finding code must also be listed in ``wizard.response.RESPONSE_CODES``, get
its row in ``wizard.codes`` with its fix-first rank (``Fix``), and be named by an
entry of the troubleshooting catalogue (assets/troubleshooting.json); ``--json``
users rely on codes and severities staying as they are.  A fact no
dataclass of ``wizard.response_facts`` holds yet is read there first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wizard.clock import parse_utc
from wizard.codes import finding
from wizard.findings import Finding
from wizard.response_decode import CAPTURE_HINT
from wizard.response_facts import AssertionFacts, ResponseFacts
from wizard.response_signature import fingerprint
from wizard.saml_ns import MD_NS, SAML_NS, SAMLP_NS
from wizard.values import ACCEPTED_NAMEID_FORMATS, NAMEID_EMAIL, OrgValues
from wizard.where import here, placed

SKEW = timedelta(minutes=5)  # clock skew Pulumi allows either side
OLD_CAPTURE = timedelta(minutes=10)  # expired longer ago than this: an old capture, not a clock problem


@dataclass(frozen=True)
class ExpectedIdp:
    """What the exported metadata says about the IdP, when it is known."""

    entity_id: str | None = None
    certificates_der: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Expected:
    """What the response is judged against: Pulumi's values for the org, the metadata, the time."""

    values: OrgValues
    idp: ExpectedIdp | None
    now: datetime  # timezone-aware

    @property
    def certificates(self) -> tuple[bytes, ...]:
        return tuple(self.idp.certificates_der) if self.idp else ()


Rule = Callable[[ResponseFacts, Expected], list[Finding]]
AssertionRule = Callable[[AssertionFacts, Expected], list[Finding]]

RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    """Register a rule on the whole response."""
    RULES.append(fn)
    return fn


def assertion_rule(fn: AssertionRule) -> AssertionRule:
    """Register a rule on the one Assertion; it is skipped when there is none to read."""

    def on_response(facts: ResponseFacts, expected: Expected) -> list[Finding]:
        return fn(facts.assertion, expected) if facts.assertion is not None else []

    on_response.__name__ = on_response.__qualname__ = fn.__name__
    on_response.__doc__ = fn.__doc__
    RULES.append(on_response)
    return fn


def run_rules(facts: ResponseFacts, expected: Expected) -> list[Finding]:
    """Every rule's findings, in rule order."""
    return [finding for check in RULES for finding in check(facts, expected)]


# ---------------------------------------------------------------------------
# wording helpers


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min ({seconds} s)"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} days"


def _first_difference(got: str, want: str) -> int:
    for i, (a, b) in enumerate(zip(got, want, strict=False)):
        if a != b:
            return i
    return min(len(got), len(want))


def difference(got: str, want: str) -> str:
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
        return f"it stops at {position}, where Pulumi's value goes on with {want[i : i + 24]!r}"
    if i >= len(want):
        return f"it goes on at {position} with {got[i : i + 24]!r} where Pulumi's value ends"
    return f"they differ from {position} on: {got[i : i + 24]!r} where Pulumi expects {want[i : i + 24]!r}"


def status_name(uri: str) -> str:
    """``urn:oasis:names:tc:SAML:2.0:status:Responder`` -> ``Responder``."""
    return uri.rsplit(":", 1)[-1] if uri else ""


def parse_time(value: str | None) -> datetime | None:
    """None for an absent time; raises ValueError for an unreadable one."""
    if not value:
        return None
    return parse_utc(value)


def _readable_time(value: str | None) -> datetime | None:
    """The time, or None when it is absent or unreadable (``time_unreadable`` reports that)."""
    try:
        return parse_time(value)
    except ValueError:
        return None


# ---------------------------------------------------------------------------
# the document and its status


def describe_root(name: str, ns: str) -> str:
    """What a document whose root is ``{ns}name`` is, when it is not a SAML response."""
    if ns == SAMLP_NS and name == "AuthnRequest":
        return "a SAML AuthnRequest (what Pulumi sends to JumpCloud), not the Response"
    if ns == SAMLP_NS and name in {"LogoutRequest", "LogoutResponse"}:
        return f"a SAML {name} (sign-out), not the sign-in Response"
    if ns == MD_NS and name in {"EntityDescriptor", "EntitiesDescriptor"}:
        return "SAML metadata (the file you load into Pulumi), not a SAML response"
    if ns == SAML_NS and name == "Assertion":
        return "a bare Assertion, not the whole Response"
    if name.lower() == "html":
        return "an HTML page, not a SAML response"
    if name == "Response":
        return f"a <Response> in the namespace {ns or '(none)'}, not SAML 2.0's {SAMLP_NS}"
    return f"an XML document whose root element is <{name}>" + (f" ({ns})" if ns else "")


@rule
def not_response(facts: ResponseFacts, expected: Expected) -> list[Finding]:
    """The document is something else than a samlp:Response."""
    if facts.is_response:
        return []
    return [
        finding(
            "response.not_response",
            f"This is {describe_root(facts.root_name, facts.root_namespace)}.",
            "Paste the SAMLResponse that JumpCloud posts to Pulumi's ACS URL "
            f"({expected.values.acs_url}). " + CAPTURE_HINT,
            "response",
        )
    ]


STATUS_CAUSES = {
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
TOP_CAUSES = {
    "Requester": "JumpCloud says the request was at fault (the SP Entity ID, ACS URL or NameID settings)",
    "Responder": "JumpCloud says the problem is on its side (the user, their group binding, or the app's settings)",
    "VersionMismatch": "JumpCloud did not accept the SAML version",
}


@rule
def status(facts: ResponseFacts, expected: Expected) -> list[Finding]:
    """The Response has no Status, or one other than Success."""
    if facts.status is None or facts.status.success:
        return []
    if not facts.status.present:
        return [
            finding(
                "response.status",
                "The response has no Status, so it does not say that the sign-in succeeded "
                "(the other checks still ran on the rest of it).",
                "This is not a response JumpCloud sends: capture the response again.",
                "status",
            )
        ]
    top_name, sub_name = status_name(facts.status.code), status_name(facts.status.sub_code)
    cause, fix = STATUS_CAUSES.get(sub_name, (None, None))
    text = f"JumpCloud answered {top_name or '(no status code)'}" + (f" / {sub_name}" if sub_name else "")
    if facts.status.message:
        text += f' with the message "{facts.status.message[:300]}"'
    if cause:
        text += f": {cause}."
    elif top_name in TOP_CAUSES:
        text += f": {TOP_CAUSES[top_name]}."
    else:
        text += ": the sign-in did not succeed."
    return [
        finding(
            "response.status",
            text,
            fix
            or "Check the user's group binding and the app's SSO tab in JumpCloud against the wizard's values, "
            "then sign in again.",
            "status",
        )
    ]


@rule
def encrypted(facts: ResponseFacts, expected: Expected) -> list[Finding]:
    """The assertion is encrypted, which Pulumi cannot read."""
    if not facts.judged or not facts.encrypted_count:
        return []
    return [
        finding(
            "response.encrypted",
            "The assertion is encrypted (EncryptedAssertion): it cannot be read here, and Pulumi "
            "does not give JumpCloud a key to encrypt it with.",
            "In JumpCloud, on the Pulumi app's SSO tab, turn off assertion encryption "
            "(Encrypt Assertion), save, and sign in again.",
            "response",
        )
    ]


@rule
def assertion_count(facts: ResponseFacts, expected: Expected) -> list[Finding]:
    """Not exactly one Assertion (an encrypted one alone is the encryption rule's)."""
    count = facts.assertion_count
    if not facts.judged or count == 1 or (count == 0 and facts.encrypted_count):
        return []
    return [
        finding(
            "response.assertion.count",
            f"The response holds {count} assertions; Pulumi accepts exactly one."
            + (" More than one is how signature-wrapping attacks smuggle a forged identity in." if count > 1 else ""),
            "Capture the response again straight from the browser; if JumpCloud really sends "
            "this, report it to JumpCloud support."
            if count
            else "JumpCloud sends one assertion on a successful sign-in: capture the POST to Pulumi's ACS URL again.",
            "response",
        )
    ]


# ---------------------------------------------------------------------------
# signatures and certificates


@assertion_rule
def signature_sha1(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """A signature or digest uses SHA-1, whether or not it verifies."""
    if not a.signature.sha1:
        return []
    return [
        finding(
            "response.signature.sha1",
            f"The response is signed with SHA-1 ({', '.join(a.signature.sha1)}), which Pulumi does not accept.",
            "In JumpCloud, on the Pulumi app's SSO tab, set Signature Algorithm to RSA-SHA256 and save.",
            "signature_algorithm",
        )
    ]


@assertion_rule
def signature_missing(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """Neither the Response nor the Assertion carries a signature."""
    if a.signature.signed:
        return []
    return [
        finding(
            "response.signature.missing",
            "Neither the response nor its assertion is signed"
            + (" where SAML puts a signature" if a.signature.any_signature else "")
            + "; Pulumi rejects it.",
            "JumpCloud always signs the assertion: capture the response again unchanged; if it "
            "still has no signature, re-save the app's SSO tab in JumpCloud.",
            "signed",
        )
    ]


@assertion_rule
def signature_wrapping(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """A signature does not cover what a reader reads (signature wrapping)."""
    if not a.signature.wrapping:
        return []
    return [
        finding(
            "response.signature.wrapping",
            "The signature does not cover the values a reader takes from the response: "
            + "; ".join(a.signature.wrapping)
            + ". This is the shape of a signature-wrapping attack.",
            "Do not trust this response. Capture a fresh one straight from the browser; if it looks "
            "the same, something between JumpCloud and the browser rewrites it.",
            "response",
        )
    ]


def certificate_mismatch(a: AssertionFacts, expected: Expected) -> bool:
    """The response carries certificates and none of them is in the metadata."""
    known, embedded = expected.certificates, a.signature.embedded_certificates
    return bool(known and embedded and not any(c in known for c in embedded))


def issuer_differs(a: AssertionFacts, expected: Expected) -> bool:
    """The metadata's entityID is known and the assertion's Issuer is not it."""
    want = expected.idp.entity_id if expected.idp else None
    return want is not None and a.issuer != want


# When the response and the metadata disagree (certificate, signature, Issuer), nothing in the
# response says why: these are the possibilities, each with its fix.
_OTHER_APP_METADATA = (
    "the metadata is another app's export",
    "Another app's metadata: export the metadata from the Pulumi app's SSO tab (Export Metadata; its "
    "SSO URL ends in that app's IdP URL value) and check the response against it.",
)
_OTHER_APP_RESPONSE = (
    "the response came from another app or identity provider",
    "Another app's response: sign in through the Pulumi app (Pulumi's SSO page, or the Pulumi tile in "
    "the JumpCloud User Console) and capture that response.",
)
_CERTIFICATE_REGENERATED = (
    "the certificate was regenerated in JumpCloud after this metadata was exported",
    "Regenerated: export the metadata again (SSO tab > Export Metadata) and load it into Pulumi "
    "(Settings > Access Management > SAML SSO > update the metadata) or $place_rotate.",
)
_ENTITY_ID_CHANGED = (
    "the IdP Entity ID was changed on the SSO tab after this metadata was exported",
    "Changed: keep the IdP Entity ID you want on the SSO tab, save, export the metadata again and load "
    "it into Pulumi, which compares the Issuer with the entityID of the metadata it has.",
)
CERTIFICATE_CAUSES = (_CERTIFICATE_REGENERATED, _OTHER_APP_METADATA, _OTHER_APP_RESPONSE)
ISSUER_CAUSES = (_ENTITY_ID_CHANGED, _OTHER_APP_METADATA, _OTHER_APP_RESPONSE)


def likely_causes(causes: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """(" Likely causes: a; b; c.", "fix for a fix for b fix for c"): for a message and its fix
    (``$place_rotate``... in a fix worded for where the admin is, ``wizard.where``)."""
    return " Likely causes: " + "; ".join(cause for cause, _ in causes) + ".", " ".join(
        placed(fix) for _, fix in causes
    )


@assertion_rule
def cert_mismatch(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """The response names a signing certificate the metadata does not have (a rotation, or another app's)."""
    if not certificate_mismatch(a, expected):
        return []
    embedded, known = a.signature.embedded_certificates, expected.certificates
    causes, fixes = likely_causes(CERTIFICATE_CAUSES)
    return [
        finding(
            "response.cert.mismatch",
            "The response was signed with a certificate (SHA-256 "
            f"{fingerprint(embedded[0]) if embedded[0] else 'unreadable'}) that is not the one in the "
            f"metadata (SHA-256 {fingerprint(known[0])})." + causes,
            fixes,
            "certificate_sha256",
        )
    ]


@assertion_rule
def cert_expired(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """The certificate the signature verified with is outside its validity, or every metadata certificate is."""
    from cryptography import x509

    def load(der: bytes) -> x509.Certificate | None:
        try:
            return x509.load_der_x509_certificate(der)
        except ValueError:
            return None

    if a.signature.verified_with:
        findings: list[Finding] = []
        for der in a.signature.verified_with:
            cert = load(der)
            if cert is None:
                continue
            sha = fingerprint(der)
            if cert.not_valid_after_utc < expected.now:
                findings.append(
                    finding(
                        "response.cert.expired",
                        f"The response is signed with a metadata certificate (SHA-256 {sha}) that expired on "
                        f"{iso(cert.not_valid_after_utc)}. Pulumi refuses metadata with an expired certificate, so "
                        "this is not a sign-in to rely on.",
                        "In JumpCloud, regenerate the app's certificate (SSO tab), export the metadata again "
                        "and load it into Pulumi.",
                        "certificate_sha256",
                    )
                )
            elif cert.not_valid_before_utc > expected.now:
                findings.append(
                    finding(
                        "response.cert.not_yet_valid",
                        f"The response is signed with a metadata certificate (SHA-256 {sha}) that is valid "
                        f"only from {iso(cert.not_valid_before_utc)}.",
                        "Check this computer's clock; if it is right, export the metadata from JumpCloud again "
                        "and load it into Pulumi.",
                        "certificate_sha256",
                    )
                )
        return findings
    expired: list[datetime] = []
    for der in expected.certificates:
        cert = load(der)
        if cert is None:
            continue
        if cert.not_valid_after_utc >= expected.now:
            return []  # at least one valid certificate
        expired.append(cert.not_valid_after_utc)
    if not expired:
        return []
    return [
        finding(
            "response.cert.expired",
            f"The metadata certificate expired on {iso(max(expired))}; Pulumi refuses metadata "
            "with an expired certificate.",
            "In JumpCloud, regenerate the app's certificate (SSO tab), export the metadata again and "
            "load it into Pulumi.",
            "certificate_sha256",
        )
    ]


@assertion_rule
def signature_invalid(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """A signature in place does not verify with the metadata certificates."""
    findings: list[Finding] = []
    for failure in a.signature.failures:
        if failure.digest_mismatch:
            why = (
                "the signed content was changed after JumpCloud signed it (a value edited by hand, "
                "or a proxy that rewrites responses)"
            )
            fix = "Capture the response again without editing it."
        elif certificate_mismatch(a, expected):
            why = (
                "it was made with a different key than the metadata certificate's (the certificate finding "
                "says why that likely is)."
            )
            fix = "Follow the certificate finding's fix: the signature verifies once the certificates match."
        else:
            causes, fixes = likely_causes(CERTIFICATE_CAUSES)
            why = f"it does not verify with the metadata certificate ({failure.error})." + causes
            fix = fixes + " If none of these applies, capture the response again unchanged."
        findings.append(
            finding(
                "response.signature.invalid",
                f"The {failure.where}'s signature is not valid: {why}" + ("" if why.endswith(".") else "."),
                fix,
                "signature_verified",
            )
        )
    return findings


@assertion_rule
def signature_unchecked(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """A signature is in place but no metadata certificate was given to check it with."""
    if not a.signature.signed or a.signature.checked:
        return []
    return [
        finding(
            "response.signature.unchecked",
            "The signature was not verified: JumpCloud's certificate is not known here, so nothing shows "
            "that JumpCloud made this response or that Pulumi will accept it (SHA-1 and signature "
            "wrapping were still checked).",
            f"Give the metadata exported from JumpCloud {here().metadata} to check the signature against it.",
            "signature_verified",
        )
    ]


# ---------------------------------------------------------------------------
# values


@assertion_rule
def issuer_mismatch(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """The Assertion's (or else the Response's) Issuer is not the metadata's entityID."""
    want = expected.idp.entity_id if expected.idp else None
    if want is None:
        return []
    if a.issuer != want:
        causes, fixes = likely_causes(ISSUER_CAUSES)
        return [
            finding(
                "response.issuer.mismatch",
                f"The assertion's Issuer is {a.issuer!r} but the metadata's entityID is {want!r}"
                + (f"; {difference(a.issuer, want)}" if a.issuer else "")
                + "."
                + causes,
                fixes,
                "issuer",
            )
        ]
    if a.response_issuer and a.response_issuer != want:
        return [
            finding(
                "response.issuer.mismatch",
                f"The response's Issuer is {a.response_issuer!r} but the metadata's entityID is {want!r}.",
                "Export the metadata from JumpCloud again and load it into Pulumi.",
                "issuer",
            )
        ]
    return []


@assertion_rule
def audience_mismatch(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """No Audience is Pulumi's SP Entity ID."""
    v = expected.values
    if v.sp_entity_id in a.audiences:
        return []
    if not a.audiences:
        return [
            finding(
                "response.audience.mismatch",
                f"The assertion names no Audience; Pulumi expects the SP Entity ID {v.sp_entity_id!r}.",
                f"In JumpCloud, on the Pulumi app's SSO tab, set SP Entity ID to exactly {v.sp_entity_id}.",
                "audience",
            )
        ]
    got = a.audiences[0]
    hint = " (that is the ACS URL; the SP Entity ID ends in /metadata)" if got == v.acs_url else ""
    message = (
        f"The Audience is {got!r} but Pulumi expects the SP Entity ID {v.sp_entity_id!r}{hint}; "
        f"{difference(got, v.sp_entity_id)}."
    )
    fix = (
        f"In JumpCloud, on the Pulumi app's SSO tab, set SP Entity ID to exactly {v.sp_entity_id} "
        "(the org name is case-sensitive), save, and sign in again."
    )
    others = [
        name
        for name, differs in (
            ("Issuer", issuer_differs(a, expected)),
            ("signing certificate", certificate_mismatch(a, expected)),
        )
        if differs
    ]
    if others:
        # the app the response is for is wrong, and so is the IdP side: most likely the response and
        # the metadata are not from the same app, and the metadata findings follow from that
        message += (
            f" Its {' and '.join(others)} {'are' if len(others) > 1 else 'is'} not the metadata's either: "
            "the response and the metadata are likely from different JumpCloud apps, and the "
            "findings comparing them follow from that. Fix this first."
        )
        fix += (
            f" If the response came from another app (the one whose SP Entity ID is {got}), sign in "
            "through the Pulumi app instead. Then check it against the metadata exported from the "
            "Pulumi app's SSO tab (Export Metadata)."
        )
    return [finding("response.audience.mismatch", message, fix, "audience")]


@assertion_rule
def destination_mismatch(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """The Response's Destination, when present, is not Pulumi's ACS URL."""
    acs = expected.values.acs_url
    if a.destination is None or a.destination == acs:
        return []
    return [
        finding(
            "response.destination.mismatch",
            f"The Destination is {a.destination!r} but Pulumi's ACS URL is {acs!r}; {difference(a.destination, acs)}.",
            f"In JumpCloud, on the Pulumi app's SSO tab, set ACS URL to exactly {acs} "
            "(no trailing slash), save, and sign in again.",
            "destination",
        )
    ]


@assertion_rule
def recipient_mismatch(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """No bearer SubjectConfirmationData names Pulumi's ACS URL as Recipient."""
    acs = expected.values.acs_url
    if acs in a.recipients:
        return []
    got = next((r for r in a.recipients if r), "")
    if got:
        return [
            finding(
                "response.recipient.mismatch",
                f"The SubjectConfirmationData Recipient is {got!r} but Pulumi's ACS URL is {acs!r}; "
                f"{difference(got, acs)}.",
                f"In JumpCloud, on the Pulumi app's SSO tab, set ACS URL to exactly {acs}, save, and sign in again.",
                "recipient",
            )
        ]
    return [
        finding(
            "response.recipient.mismatch",
            f"The assertion has no bearer SubjectConfirmationData with a Recipient; Pulumi expects {acs!r}.",
            f"In JumpCloud, set ACS URL to exactly {acs} on the SSO tab and save.",
            "recipient",
        )
    ]


# ---------------------------------------------------------------------------
# NameID


EMAIL_RE = re.compile(
    r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


@assertion_rule
def nameid_missing(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """No readable NameID (absent or encrypted)."""
    if a.nameid.present:
        return []
    return [
        finding(
            "response.nameid.missing",
            "The NameID is encrypted (EncryptedID) and cannot be read."
            if a.nameid.encrypted
            else "The assertion has no NameID, so Pulumi cannot tell who signs in.",
            "In JumpCloud, on the SSO tab, set SAMLSubject NameID to email and SAMLSubject NameID Format "
            f"to {NAMEID_EMAIL}; turn off NameID encryption.",
            "nameid",
        )
    ]


@assertion_rule
def nameid_comment(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """A comment or markup inside the NameID makes careless readers take part of it."""
    if not a.nameid.inner:
        return []
    return [
        finding(
            "response.nameid.comment",
            f"The NameID contains {' and '.join(a.nameid.inner)}: a careless reader takes {a.nameid.naive!r} while "
            f"the signed value is {a.nameid.value!r}. This is how an attacker borrows another user's identity.",
            "Do not trust this response. A NameID from JumpCloud is plain text: check the user's email "
            "in JumpCloud for stray characters and capture a fresh response.",
            "nameid",
        )
    ]


@assertion_rule
def value_split(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """A comment, processing instruction or element inside an Issuer or Audience: readers disagree on it."""
    return [
        finding(
            "response.value.split",
            f"{split.name[:1].upper()}{split.name[1:]} contains {' and '.join(split.inner)}: one reader takes "
            f"{split.naive!r}, another {split.value!r}. JumpCloud never writes one there; it is how a "
            "response is altered so that checks and sign-in read different values.",
            "Do not trust this response. Capture a fresh one straight from the browser; if it looks the same, "
            "something between JumpCloud and the browser rewrites it.",
            "audience" if split.name == "<Audience>" else "issuer",
        )
        for split in a.split
    ]


@assertion_rule
def nameid_format(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """The NameID format is neither emailAddress nor persistent."""
    fmt = a.nameid.format
    if not a.nameid.present or fmt in ACCEPTED_NAMEID_FORMATS:
        return []
    return [
        finding(
            "response.nameid.format",
            f"The NameID format is {fmt or 'not given (unspecified)'}; Pulumi accepts only emailAddress "
            "(or persistent).",
            f"In JumpCloud, on the SSO tab, set SAMLSubject NameID Format to {NAMEID_EMAIL}. Changing it "
            "after users have signed in breaks their sign-in.",
            "nameid_format",
        )
    ]


@assertion_rule
def nameid_not_email(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """The NameID is not an email address."""
    if not a.nameid.present or EMAIL_RE.match(a.nameid.value):
        return []
    return [
        finding(
            "response.nameid.not_email",
            f"The NameID {a.nameid.value!r} is not an email address; Pulumi matches users by email.",
            "In JumpCloud, on the SSO tab, set SAMLSubject NameID to email.",
            "nameid",
        )
    ]


# ---------------------------------------------------------------------------
# times

_SUMMARY_TIME_FIELDS = frozenset({"not_before", "not_on_or_after", "issue_instant"})


@assertion_rule
def time_unreadable(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """A validity time is not ISO 8601."""
    findings: list[Finding] = []
    for key, value in a.times.items():
        try:
            parse_time(value)
        except ValueError:
            findings.append(
                finding(
                    "response.time.unreadable",
                    f"The time {value!r} ({key.replace('_', ' ')}) is not an ISO 8601 date and time.",
                    "JumpCloud writes times like 2026-01-31T12:00:00Z: capture the response again.",
                    key if key in _SUMMARY_TIME_FIELDS else "not_on_or_after",
                )
            )
    return findings


@assertion_rule
def time_not_yet_valid(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """NotBefore (or else IssueInstant) is more than the allowed skew ahead of now."""
    not_before = _readable_time(a.times.not_before)
    start = not_before or _readable_time(a.times.issue_instant)
    now = expected.now
    if start is None or start - now <= SKEW:
        return []
    label = "NotBefore" if not_before else "IssueInstant"
    return [
        finding(
            "response.time.not_yet_valid",
            f"The response is not valid yet: its {label} is {iso(start)}, {int((start - now).total_seconds())} s "
            f"after this computer's time ({iso(now)}), beyond the 5 minutes of clock skew allowed.",
            "A clock is wrong: check that this computer (and the server the response was captured on) "
            "sets its time automatically (NTP); JumpCloud's clock is normally right.",
            "not_before",
        )
    ]


@assertion_rule
def time_expired(a: AssertionFacts, expected: Expected) -> list[Finding]:
    """The earliest NotOnOrAfter is more than the allowed skew behind now; says why it likely is."""
    ends = [
        t
        for t in (_readable_time(a.times.not_on_or_after), _readable_time(a.times.scd_not_on_or_after))
        if t is not None
    ]
    now = expected.now
    if not ends or now - min(ends) < SKEW:
        return []
    end = min(ends)
    late = now - end
    issued = _readable_time(a.times.issue_instant)
    if issued is not None and end <= issued:
        why = (
            f"its validity ends ({iso(end)}) before it was issued ({iso(issued)}): JumpCloud's "
            "clock or settings are wrong"
        )
        fix = "Report this response to JumpCloud support; check the app's settings."
    elif late > OLD_CAPTURE:
        why = f"it expired {duration(late)} ago ({iso(end)}); this looks like an old capture, not a clock problem"
        fix = (
            "Sign in again and capture a fresh response, or give the time it was captured "
            f"{here().capture_time} to check it as of then."
        )
    else:
        why = (
            f"it expired {int(late.total_seconds())} s before this computer's time "
            f"({iso(end)} vs {iso(now)}), beyond the 5 minutes of skew allowed. Likely causes: it "
            "was captured some minutes ago, or a clock (this computer's or JumpCloud's) is wrong"
        )
        fix = (
            f"If it was captured earlier, give that time {here().capture_time}; otherwise check that this "
            "computer's clock sets itself automatically (NTP), then capture a fresh response."
        )
    return [finding("response.time.expired", f"The response has expired: {why}.", fix, "not_on_or_after")]


# ---------------------------------------------------------------------------
# how the sign-in started


@rule
def idp_initiated(facts: ResponseFacts, expected: Expected) -> list[Finding]:
    """No InResponseTo, neither in the bearer confirmation nor on the Response: an IdP-initiated sign-in."""
    if facts.assertion is None or facts.assertion.scd_in_response_to or facts.in_response_to:
        return []
    return [
        finding(
            "response.inresponseto.idp_initiated",
            "No InResponseTo: this sign-in started in JumpCloud (IdP-initiated, the Pulumi tile). Pulumi "
            "accepts it only when the app sends the Default RelayState.",
            f"In JumpCloud, on the SSO tab, set Default RelayState to {expected.values.relay_state}.",
            "in_response_to",
        )
    ]


__all__ = [
    "OLD_CAPTURE",
    "RULES",
    "SKEW",
    "Expected",
    "ExpectedIdp",
    "Rule",
    "assertion_rule",
    "describe_root",
    "difference",
    "rule",
    "run_rules",
]
