"""The response rules one by one, on hand-made facts: no XML, no signature, no clock.

Each rule gets the facts of a good response with one thing changed, and must
report exactly its code (and stay silent on the good facts).  A new rule in
wizard/response_rules.py gets its test here the same way.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests import saml_factory as f
from wizard import response_rules as rules
from wizard.findings import Finding, Severity
from wizard.response import RESPONSE_CODES
from wizard.response_facts import (
    AssertionFacts,
    NameIdFacts,
    ResponseFacts,
    SignatureFacts,
    StatusFacts,
    Times,
)
from wizard.response_rules import Expected, ExpectedIdp
from wizard.response_signature import Verification
from wizard.saml_ns import SAMLP_NS
from wizard.values import org_values

NOW = f.NOW
CERT = f.identity().cert_der
EXPECTED = Expected(org_values(f.ORG, f.API), ExpectedIdp(f.IDP_ENTITY_ID, (CERT,)), NOW)
NO_METADATA = Expected(EXPECTED.values, None, NOW)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


SIGNED = SignatureFacts(
    signed=("assertion",),
    any_signature=True,
    algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    digest_algorithms=("http://www.w3.org/2001/04/xmlenc#sha256",),
    sha1=(),
    wrapping=(),
    embedded_certificates=(CERT,),
    checked=True,
    verified=True,
    verified_with=(CERT,),
    failures=(),
)
GOOD = AssertionFacts(
    signature=SIGNED,
    issuer=f.IDP_ENTITY_ID,
    response_issuer=f.IDP_ENTITY_ID,
    audiences=(f.SP_ENTITY_ID,),
    destination=f.ACS_URL,
    recipients=(f.ACS_URL,),
    scd_in_response_to="_req1",
    nameid=NameIdFacts(present=True, value="alice@example.com", format=f.EMAIL_FORMAT, naive="alice@example.com"),
    times=Times(
        not_before=_iso(NOW - timedelta(minutes=5)),
        not_on_or_after=_iso(NOW + timedelta(minutes=5)),
        issue_instant=_iso(NOW),
        scd_not_on_or_after=_iso(NOW + timedelta(minutes=5)),
    ),
)
SUCCESS = StatusFacts(True, "urn:oasis:names:tc:SAML:2.0:status:Success")


def response(assertion: AssertionFacts | None = GOOD, **changes: object) -> ResponseFacts:
    facts = ResponseFacts(
        "Response",
        SAMLP_NS,
        is_response=True,
        destination=f.ACS_URL,
        issue_instant=_iso(NOW),
        in_response_to="_req1",
        status=SUCCESS,
        assertion_count=1,
        encrypted_count=0,
        assertion=assertion,
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def codes(findings: list[Finding]) -> list[str]:
    return [x.code for x in findings]


def only(findings: list[Finding], code: str) -> Finding:
    assert codes(findings) == [code], findings
    return findings[0]


# ---- the registry -----------------------------------------------------------------------


def test_good_facts_give_no_finding_from_any_rule():
    assert rules.run_rules(response(), EXPECTED) == []


def test_rules_run_in_the_order_they_are_defined():
    names = [r.__name__ for r in rules.RULES]
    assert names[:4] == ["not_response", "status", "encrypted", "assertion_count"]
    assert names[-1] == "idp_initiated"
    assert len(names) == len(set(names))


def test_every_code_a_rule_emits_is_a_listed_response_code():
    source = Path(rules.__file__).read_text()
    emitted = set(re.findall(r'"(response\.[a-z0-9_.]+)"', source))
    assert emitted and emitted <= RESPONSE_CODES
    assert RESPONSE_CODES - emitted == {"response.not_decodable", "response.ok"}


def test_assertion_rules_are_skipped_without_an_assertion():
    facts = response(assertion=None, assertion_count=2)
    assert codes(rules.run_rules(facts, EXPECTED)) == ["response.assertion.count"]


# ---- the document and its status ------------------------------------------------------


def test_not_response_names_what_it_is_and_the_acs_url():
    found = only(
        rules.not_response(ResponseFacts("AuthnRequest", SAMLP_NS, is_response=False), EXPECTED),
        "response.not_response",
    )
    assert "AuthnRequest" in found.message
    assert EXPECTED.values.acs_url in found.fix


def test_status_without_status_element():
    found = only(rules.status(response(None, status=StatusFacts(False)), EXPECTED), "response.status")
    assert "no Status" in found.message


def test_status_gives_top_and_second_level_code_message_and_cause():
    status = StatusFacts(True, f.RESPONDER, f.AUTHN_FAILED, "User is not assigned")
    found = only(rules.status(response(None, status=status), EXPECTED), "response.status")
    assert "Responder / AuthnFailed" in found.message and "User is not assigned" in found.message
    assert "User Groups" in found.fix


def test_status_with_unknown_codes_falls_back_to_the_top_level_cause():
    status = StatusFacts(True, "urn:oasis:names:tc:SAML:2.0:status:Requester", "urn:x:Odd")
    found = only(rules.status(response(None, status=status), EXPECTED), "response.status")
    assert "request was at fault" in found.message


def test_encrypted_and_no_plain_assertion_is_only_the_encryption_finding():
    facts = response(None, assertion_count=0, encrypted_count=1)
    assert codes(rules.run_rules(facts, EXPECTED)) == ["response.encrypted"]


@pytest.mark.parametrize("count", [0, 2, 3])
def test_assertion_count(count):
    found = only(rules.assertion_count(response(None, assertion_count=count), EXPECTED), "response.assertion.count")
    assert f"{count} assertions" in found.message


def test_counts_are_not_judged_when_the_status_failed():
    facts = response(None, status=StatusFacts(True, f.RESPONDER), assertion_count=0, encrypted_count=1)
    assert codes(rules.run_rules(facts, EXPECTED)) == ["response.status"]


def test_without_a_status_element_every_other_rule_still_runs():
    wrong = replace(GOOD, audiences=("https://example.com/other-app",), nameid=replace(GOOD.nameid, value="bob"))
    facts = response(wrong, status=StatusFacts(False))
    assert codes(rules.run_rules(facts, EXPECTED)) == [
        "response.status",
        "response.audience.mismatch",
        "response.nameid.not_email",
    ]
    assert "the other checks still ran" in rules.run_rules(facts, EXPECTED)[0].message


def test_without_a_status_element_counts_and_encryption_are_judged():
    two = response(None, status=StatusFacts(False), assertion_count=2)
    assert codes(rules.run_rules(two, EXPECTED)) == ["response.status", "response.assertion.count"]
    encrypted = response(None, status=StatusFacts(False), assertion_count=0, encrypted_count=1)
    assert codes(rules.run_rules(encrypted, EXPECTED)) == ["response.status", "response.encrypted"]


def test_a_document_that_is_no_response_is_judged_on_nothing_else():
    facts = ResponseFacts("AuthnRequest", SAMLP_NS, is_response=False, assertion_count=2, encrypted_count=1)
    assert codes(rules.run_rules(facts, EXPECTED)) == ["response.not_response"]


# ---- signatures and certificates -------------------------------------------------------


def test_sha1():
    a = replace(GOOD, signature=replace(SIGNED, sha1=("rsa-sha1", "sha1")))
    assert "rsa-sha1, sha1" in only(rules.signature_sha1(a, EXPECTED), "response.signature.sha1").message


def test_signature_missing_says_whether_a_signature_sits_elsewhere():
    bare = replace(GOOD, signature=replace(SIGNED, signed=(), any_signature=False, checked=False))
    misplaced = replace(bare, signature=replace(bare.signature, any_signature=True))
    assert "where SAML puts" not in only(rules.signature_missing(bare, EXPECTED), "response.signature.missing").message
    assert "where SAML puts" in only(rules.signature_missing(misplaced, EXPECTED), "response.signature.missing").message


def test_wrapping_lists_every_reason():
    a = replace(GOOD, signature=replace(SIGNED, wrapping=("another Assertion is hidden inside <Object>", "x")))
    message = only(rules.signature_wrapping(a, EXPECTED), "response.signature.wrapping").message
    assert "hidden inside <Object>; x." in message


def test_cert_mismatch_needs_metadata_and_an_embedded_certificate():
    rotated = replace(GOOD, signature=replace(SIGNED, embedded_certificates=(f.identity("rotated").cert_der,)))
    found = only(rules.cert_mismatch(rotated, EXPECTED), "response.cert.mismatch")
    assert f.identity("rotated").fingerprint in found.message and f.identity().fingerprint in found.message
    assert rules.cert_mismatch(rotated, NO_METADATA) == []
    no_keyinfo = replace(GOOD, signature=replace(SIGNED, embedded_certificates=()))
    assert rules.cert_mismatch(no_keyinfo, EXPECTED) == []


def test_cert_mismatch_states_the_fact_then_the_likely_causes_each_with_its_fix():
    rotated = replace(GOOD, signature=replace(SIGNED, embedded_certificates=(f.identity("rotated").cert_der,)))
    found = only(rules.cert_mismatch(rotated, EXPECTED), "response.cert.mismatch")
    fact, _, causes = found.message.partition(" Likely causes: ")
    # the fact: which certificate signed, which one the metadata has; no single cause asserted
    assert "is not the one in the metadata" in fact and "regenerated" not in fact
    assert "Pulumi still has the old metadata" not in found.message
    for cause in (
        "the certificate was regenerated in JumpCloud",
        "the metadata is another app's export",
        "the response came from another app or identity provider",
    ):
        assert cause in causes
    for fix in ("Regenerated: export the metadata again", "Another app's metadata:", "Another app's response:"):
        assert fix in found.fix
    assert "or with Rotate the certificate (step 1)." in found.fix and "$place" not in found.fix


def test_cert_expired_judges_the_certificate_that_verified():
    old = f.identity("expired", not_before=datetime(2020, 1, 1, tzinfo=UTC), years=5)
    signed_by_old = replace(GOOD, signature=replace(SIGNED, verified_with=(old.cert_der,)))
    both = replace(EXPECTED, idp=ExpectedIdp(f.IDP_ENTITY_ID, (old.cert_der, CERT)))
    # a valid certificate beside it does not make the expired one that signed acceptable
    found = only(rules.cert_expired(signed_by_old, both), "response.cert.expired")
    assert found.severity is Severity.ERROR and "2025-01-01" in found.message and old.fingerprint in found.message
    # signed by the valid one, an expired one beside it is not this response's problem
    assert rules.cert_expired(GOOD, both) == []


def test_cert_expired_without_verification_when_every_metadata_certificate_has():
    old = f.identity("expired", not_before=datetime(2020, 1, 1, tzinfo=UTC), years=5)
    unverified = replace(GOOD, signature=replace(SIGNED, verified=False, verified_with=()))
    expired_only = replace(EXPECTED, idp=ExpectedIdp(f.IDP_ENTITY_ID, (old.cert_der,)))
    assert only(rules.cert_expired(unverified, expired_only), "response.cert.expired").severity is Severity.ERROR
    both = replace(EXPECTED, idp=ExpectedIdp(f.IDP_ENTITY_ID, (old.cert_der, CERT)))
    assert rules.cert_expired(unverified, both) == []


def test_cert_not_yet_valid_when_the_signing_certificate_starts_later():
    future = f.identity("future", not_before=datetime(2027, 1, 1, tzinfo=UTC), years=5)
    a = replace(GOOD, signature=replace(SIGNED, verified_with=(future.cert_der,)))
    found = only(rules.cert_expired(a, EXPECTED), "response.cert.not_yet_valid")
    assert "2027-01-01" in found.message and "clock" in found.fix


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (Verification("assertion", error="Digest mismatch", digest_mismatch=True), "changed after JumpCloud signed it"),
        (
            Verification("response", error="Signature verification failed"),
            "does not verify with the metadata certificate",
        ),
    ],
)
def test_signature_invalid_says_why(failure, said):
    a = replace(GOOD, signature=replace(SIGNED, verified=False, failures=(failure,)))
    found = only(rules.signature_invalid(a, EXPECTED), "response.signature.invalid")
    assert said in found.message and f"The {failure.where}'s signature" in found.message


def test_signature_invalid_after_a_rotation_points_at_the_certificate():
    a = replace(
        GOOD,
        signature=replace(
            SIGNED,
            verified=False,
            embedded_certificates=(f.identity("rotated").cert_der,),
            failures=(Verification("assertion", error="Signature verification failed"),),
        ),
    )
    found = only(rules.signature_invalid(a, EXPECTED), "response.signature.invalid")
    assert "different key" in found.message and "certificate finding" in found.fix
    assert "Likely causes" not in found.message  # the certificate finding lists them, once


def test_signature_invalid_without_a_named_certificate_lists_the_likely_causes():
    failure = Verification("assertion", error="Signature verification failed")
    a = replace(GOOD, signature=replace(SIGNED, verified=False, embedded_certificates=(), failures=(failure,)))
    found = only(rules.signature_invalid(a, EXPECTED), "response.signature.invalid")
    assert "Likely causes: the certificate was regenerated in JumpCloud" in found.message
    assert "another app's export" in found.message and "Another app's response:" in found.fix
    assert found.fix.endswith("If none of these applies, capture the response again unchanged.")


def test_signature_unchecked_without_metadata():
    a = replace(GOOD, signature=replace(SIGNED, checked=False, verified=False))
    assert only(rules.signature_unchecked(a, NO_METADATA), "response.signature.unchecked").severity is Severity.ERROR
    assert rules.signature_unchecked(GOOD, EXPECTED) == []


# ---- values -----------------------------------------------------------------------------


def test_issuer_of_the_assertion_then_of_the_response():
    assert (
        "'JumpCloud-old'"
        in only(
            rules.issuer_mismatch(replace(GOOD, issuer="JumpCloud-old"), EXPECTED), "response.issuer.mismatch"
        ).message
    )
    found = only(rules.issuer_mismatch(replace(GOOD, response_issuer="Other"), EXPECTED), "response.issuer.mismatch")
    assert "response's Issuer is 'Other'" in found.message
    assert rules.issuer_mismatch(replace(GOOD, issuer="anything"), NO_METADATA) == []


def test_issuer_mismatch_gives_the_likely_causes_each_with_its_fix():
    found = only(rules.issuer_mismatch(replace(GOOD, issuer="JumpCloud-old"), EXPECTED), "response.issuer.mismatch")
    assert found.message.startswith("The assertion's Issuer is 'JumpCloud-old' but the metadata's entityID is")
    assert (
        "Likely causes: the IdP Entity ID was changed on the SSO tab after this metadata was exported; "
        "the metadata is another app's export; the response came from another app or identity provider."
    ) in found.message
    assert found.fix.startswith("Changed: ")
    assert "Another app's metadata:" in found.fix and "Another app's response:" in found.fix


@pytest.mark.parametrize(
    ("audiences", "said"),
    [
        ((), "names no Audience"),
        ((f.ACS_URL,), "that is the ACS URL"),
        ((f.SP_ENTITY_ID.replace("acme-corp", "Acme-corp"),), "upper/lower case"),
    ],
)
def test_audience(audiences, said):
    found = only(rules.audience_mismatch(replace(GOOD, audiences=audiences), EXPECTED), "response.audience.mismatch")
    assert said in found.message and f.SP_ENTITY_ID in found.fix


def test_a_wrong_audience_with_the_metadata_disagreeing_too_says_the_apps_differ():
    other_audience = "https://example.com/other-app"
    wrong = replace(GOOD, audiences=(other_audience,))
    plain = only(rules.audience_mismatch(wrong, EXPECTED), "response.audience.mismatch")
    assert "different JumpCloud apps" not in plain.message and "another app" not in plain.fix

    other_cert = replace(wrong, signature=replace(SIGNED, embedded_certificates=(f.identity("other-app").cert_der,)))
    found = only(rules.audience_mismatch(other_cert, EXPECTED), "response.audience.mismatch")
    assert "Its signing certificate is not the metadata's either" in found.message
    assert "likely from different JumpCloud apps" in found.message and "Fix this first." in found.message
    assert f.SP_ENTITY_ID in found.fix and f"the one whose SP Entity ID is {other_audience}" in found.fix

    both = replace(other_cert, issuer="JumpCloud-other-app")
    found = only(rules.audience_mismatch(both, EXPECTED), "response.audience.mismatch")
    assert "Its Issuer and signing certificate are not the metadata's either" in found.message
    # without metadata there is nothing to disagree with
    assert "different" not in only(rules.audience_mismatch(both, NO_METADATA), "response.audience.mismatch").message


def test_audience_among_several_is_fine():
    assert rules.audience_mismatch(replace(GOOD, audiences=("other", f.SP_ENTITY_ID)), EXPECTED) == []


def test_destination_only_when_present():
    found = only(
        rules.destination_mismatch(replace(GOOD, destination=f.ACS_URL + "/"), EXPECTED),
        "response.destination.mismatch",
    )
    assert "trailing slash" in found.message
    assert rules.destination_mismatch(replace(GOOD, destination=None), EXPECTED) == []


@pytest.mark.parametrize(
    ("recipients", "said"),
    [
        ((f.ACS_URL.replace("/acs", "/consume"),), "Recipient is"),
        (("",), "no bearer SubjectConfirmationData with a Recipient"),
        ((), "no bearer SubjectConfirmationData with a Recipient"),
    ],
)
def test_recipient(recipients, said):
    found = only(
        rules.recipient_mismatch(replace(GOOD, recipients=recipients), EXPECTED), "response.recipient.mismatch"
    )
    assert said in found.message


def test_nameid_missing_or_encrypted():
    assert (
        "no NameID"
        in only(
            rules.nameid_missing(replace(GOOD, nameid=NameIdFacts(present=False)), EXPECTED), "response.nameid.missing"
        ).message
    )
    encrypted = replace(GOOD, nameid=NameIdFacts(present=False, encrypted=True))
    assert "EncryptedID" in only(rules.nameid_missing(encrypted, EXPECTED), "response.nameid.missing").message
    # the other NameID rules stay silent when there is none
    assert codes(rules.run_rules(response(replace(GOOD, nameid=NameIdFacts(present=False))), EXPECTED)) == [
        "response.nameid.missing"
    ]


def test_nameid_comment_shows_both_readings():
    nameid = NameIdFacts(
        present=True,
        value="alice@example.com.evil.com",
        format=f.EMAIL_FORMAT,
        inner=("a comment",),
        naive="alice@example.com",
    )
    message = only(rules.nameid_comment(replace(GOOD, nameid=nameid), EXPECTED), "response.nameid.comment").message
    assert "'alice@example.com'" in message and "'alice@example.com.evil.com'" in message


@pytest.mark.parametrize(
    ("fmt", "accepted"),
    [
        (f.EMAIL_FORMAT, True),
        (f.PERSISTENT_FORMAT, True),
        (f.UNSPECIFIED_FORMAT, False),
        (None, False),
    ],
)
def test_nameid_format(fmt, accepted):
    findings = rules.nameid_format(replace(GOOD, nameid=replace(GOOD.nameid, format=fmt)), EXPECTED)
    assert codes(findings) == ([] if accepted else ["response.nameid.format"])


@pytest.mark.parametrize(
    ("value", "email"),
    [
        ("alice@example.com", True),
        ("alice", False),
        ("alice@localhost", False),
        ("a b@example.com", False),
    ],
)
def test_nameid_not_email(value, email):
    findings = rules.nameid_not_email(replace(GOOD, nameid=replace(GOOD.nameid, value=value)), EXPECTED)
    assert codes(findings) == ([] if email else ["response.nameid.not_email"])


# ---- times ------------------------------------------------------------------------------


def times(issued: datetime, **changes: str | None) -> AssertionFacts:
    base = Times(
        _iso(issued - timedelta(minutes=5)),
        _iso(issued + timedelta(minutes=5)),
        _iso(issued),
        _iso(issued + timedelta(minutes=5)),
    )
    return replace(GOOD, times=replace(base, **changes))


def test_unreadable_times_are_warnings_on_their_field():
    findings = rules.time_unreadable(times(NOW, not_before="soon", scd_not_on_or_after="later"), EXPECTED)
    assert codes(findings) == ["response.time.unreadable"] * 2
    assert [x.field for x in findings] == ["not_before", "not_on_or_after"]
    assert all(x.severity is Severity.WARNING for x in findings)


def test_not_yet_valid_gives_the_seconds_ahead():
    found = only(rules.time_not_yet_valid(times(NOW + timedelta(minutes=20)), EXPECTED), "response.time.not_yet_valid")
    assert "900 s" in found.message and "NotBefore" in found.message


def test_not_yet_valid_falls_back_on_issue_instant():
    a = times(NOW + timedelta(minutes=20), not_before=None)
    assert "IssueInstant" in only(rules.time_not_yet_valid(a, EXPECTED), "response.time.not_yet_valid").message


@pytest.mark.parametrize(
    ("issued", "said"),
    [
        (NOW - timedelta(hours=3), "old capture"),
        (NOW - timedelta(minutes=10, seconds=30), "330 s"),
    ],
)
def test_expired(issued, said):
    assert said in only(rules.time_expired(times(issued), EXPECTED), "response.time.expired").message


def test_expired_before_issued_blames_the_idp():
    a = times(NOW, not_on_or_after=_iso(NOW - timedelta(hours=1)), scd_not_on_or_after=None)
    assert "before it was issued" in only(rules.time_expired(a, EXPECTED), "response.time.expired").message


def test_the_earliest_end_counts():
    a = times(NOW, scd_not_on_or_after=_iso(NOW - timedelta(minutes=6)))
    assert codes(rules.time_expired(a, EXPECTED)) == ["response.time.expired"]


def test_within_the_skew_is_fine():
    assert rules.time_not_yet_valid(times(NOW + timedelta(minutes=9)), EXPECTED) == []
    assert rules.time_expired(times(NOW - timedelta(minutes=9)), EXPECTED) == []


# ---- how the sign-in started -----------------------------------------------------------------


def test_idp_initiated_when_no_in_response_to_anywhere():
    facts = response(replace(GOOD, scd_in_response_to=""), in_response_to="")
    found = only(rules.idp_initiated(facts, EXPECTED), "response.inresponseto.idp_initiated")
    assert found.severity is Severity.INFO and EXPECTED.values.relay_state in found.fix
    assert rules.idp_initiated(response(replace(GOOD, scd_in_response_to="")), EXPECTED) == []
