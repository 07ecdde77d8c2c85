"""The SAML response diagnosis: one generated variant per finding code.

Responses are JumpCloud-shaped and signed in the test with signxml (assertion
signed, RSA-SHA256, exclusive c14n) by a key and certificate made with
cryptography; each variant below breaks one thing and asserts its code.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from lxml import etree

from tests import saml_factory as f
from wizard.cli import main
from wizard.findings import Severity
from wizard.response import (
    RESPONSE_CODES,
    SUMMARY_KEYS,
    XML_CODES,
    Diagnosis,
    ExpectedIdp,
    diagnose,
)
from wizard.values import InvalidValue
from wizard.where import on_command_line

IDP = ExpectedIdp(f.IDP_ENTITY_ID, (f.identity().cert_der,))


@pytest.fixture(scope="module")
def good() -> bytes:
    return f.signed_response()


def run(data: bytes | str, *, idp: ExpectedIdp | None = IDP, now=f.NOW, org: str = f.ORG) -> Diagnosis:
    return diagnose(data, org=org, idp=idp, now=now)


def codes(diagnosis: Diagnosis) -> set[str]:
    return {finding.code for finding in diagnosis.findings}


def errors(diagnosis: Diagnosis) -> set[str]:
    return {finding.code for finding in diagnosis.findings if finding.severity is Severity.ERROR}


def finding(diagnosis: Diagnosis, code: str):
    matches = [x for x in diagnosis.findings if x.code == code]
    assert matches, f"{code} not in {codes(diagnosis)}"
    return matches[0]


# ---- the good response -------------------------------------------------------------


def test_good_response_is_ok_with_every_value_in_the_summary(good):
    result = run(good)
    assert errors(result) == set()
    assert codes(result) == {"response.ok", "response.inresponseto.idp_initiated"}
    assert result.findings[-1].code == "response.ok"
    s = result.summary
    assert set(SUMMARY_KEYS) <= set(s)
    assert s["issuer"] == f.IDP_ENTITY_ID
    assert s["audience"] == f.SP_ENTITY_ID
    assert s["destination"] == f.ACS_URL
    assert s["recipient"] == f.ACS_URL
    assert s["nameid"] == "alice@example.com"
    assert s["nameid_format"] == f.EMAIL_FORMAT
    assert s["not_before"].startswith("2026-11-27T20:55:00")
    assert s["not_on_or_after"].startswith("2026-11-27T21:05:00")
    assert s["issue_instant"].startswith("2026-11-27T21:00:00")
    assert s["signature_algorithm"] == "rsa-sha256"
    assert s["digest_algorithm"] == "sha256"
    assert s["certificate_sha256"] == f.identity().fingerprint
    assert s["status"] == "Success"
    assert s["signed"] == "assertion"
    assert s["signature_verified"] == "yes"
    assert result.encoding == "xml"


def test_pretty_xml_is_indented_xml_not_the_pasted_base64(good):
    pasted = f.as_base64(good)
    result = run(pasted)
    assert result.encoding == "base64"
    assert "\n  <saml:Assertion" in result.pretty_xml
    assert pasted[:60] not in result.pretty_xml


def test_sp_initiated_response_has_no_idp_initiated_note():
    result = run(f.signed_response(in_response_to="_req1"))
    assert codes(result) == {"response.ok"}
    assert result.summary["in_response_to"] == "_req1"


def test_idp_initiated_is_info_naming_the_relay_state(good):
    note = finding(run(good), "response.inresponseto.idp_initiated")
    assert note.severity is Severity.INFO
    assert f"{f.API}/login/{f.ORG}/sso" in note.fix


def test_to_dict_is_findings_and_summary(good):
    data = run(f.signed_response(audience="x")).to_dict()
    assert set(data) == {"findings", "summary"}
    assert data["findings"][0]["code"] == "response.audience.mismatch"
    assert data["findings"][0]["severity"] == "error"
    json.dumps(data)


def test_findings_are_ordered_errors_warnings_info(good):
    result = run(f.signed_response(audience="x", nameid="bob"), idp=None)
    ranks = [x.severity.rank for x in result.findings]
    assert ranks == sorted(ranks, reverse=True)
    assert "response.ok" not in codes(result)


def test_response_signed_as_a_whole_verifies():
    signed = f.to_bytes(f.sign_response(f.build_response()))
    result = run(signed)
    assert errors(result) == set()
    assert result.summary["signed"] == "response"
    assert result.summary["signature_verified"] == "yes"


def test_bad_org_name_raises_the_values_error(good):
    with pytest.raises(InvalidValue):
        run(good, org="acme corp")


# ---- not a response, status, encrypted, count --------------------------------------


@pytest.mark.parametrize(
    ("xml", "said"),
    [
        pytest.param(
            b'<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="a" Version="2.0"/>',
            "AuthnRequest",
            id="authn-request",
        ),
        # a freshly made certificate is in it: the id must not be derived from the value (pytest-xdist
        # workers would each collect a different test id)
        pytest.param(f.metadata_xml(), "metadata", id="metadata"),
        pytest.param(
            b'<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="a"/>',
            "bare Assertion",
            id="bare-assertion",
        ),
        pytest.param(b"<root><child/></root>", "<root>", id="other-xml"),
    ],
)
def test_not_a_response_says_what_it_is(xml, said):
    result = run(xml)
    assert errors(result) == {"response.not_response"}
    assert said in finding(result, "response.not_response").message


@pytest.mark.parametrize(
    ("sub", "message", "in_fix"),
    [
        (f.AUTHN_FAILED, "User is not assigned", "User Groups"),
        ("urn:oasis:names:tc:SAML:2.0:status:RequestDenied", None, "bound"),
        ("urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy", None, "emailAddress"),
        ("urn:oasis:names:tc:SAML:2.0:status:NoPassive", None, "JumpCloud User Console"),
        ("urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal", None, "active"),
    ],
)
def test_status_gives_the_second_level_code_message_and_jumpcloud_cause(sub, message, in_fix):
    xml = f.to_bytes(f.build_response(status=f.RESPONDER, sub_status=sub, status_message=message, assertion=False))
    result = run(xml)
    assert errors(result) == {"response.status"}
    found = finding(result, "response.status")
    name = sub.rsplit(":", 1)[-1]
    assert "Responder" in found.message and name in found.message
    if message:
        assert message in found.message
    assert in_fix in found.fix
    assert result.summary["status"] == f"Responder / {name}"


def _without_status(root: etree._Element) -> etree._Element:
    status = f.find(root, "samlp:Status")
    root.remove(status)
    return root


def test_a_response_without_status_still_gets_every_other_check():
    ident = f.identity("other-app")
    xml = f.to_bytes(
        f.sign_assertion(
            _without_status(f.build_response(audience="https://example.com/other", nameid="bob")),
            ident,
        )
    )
    result = run(xml)
    assert {
        "response.status",
        "response.audience.mismatch",
        "response.nameid.not_email",
        "response.cert.mismatch",
        "response.signature.invalid",
    } <= errors(result)
    assert "no Status" in finding(result, "response.status").message
    assert result.summary["status"] == "(none)"
    assert result.summary["audience"] == "https://example.com/other"
    assert result.summary["certificate_sha256"] == ident.fingerprint


def test_a_good_response_without_status_has_that_one_error_and_its_signature_verified():
    xml = f.to_bytes(f.sign_assertion(_without_status(f.build_response(in_response_to="_req1"))))
    result = run(xml)
    assert errors(result) == {"response.status"}
    assert codes(result) == {"response.status"}
    assert result.summary["signature_verified"] == "yes"
    assert result.summary["nameid"] == "alice@example.com"
    # and it is judged on its times like any other
    late = run(xml, now=f.NOW + timedelta(hours=2))
    assert errors(late) == {"response.status", "response.time.expired"}


def test_an_encrypted_assertion_without_status_is_named_too():
    root = f.parse(f.encrypted())
    assert errors(run(f.to_bytes(_without_status(root)))) == {"response.status", "response.encrypted"}


def test_a_failure_status_is_the_only_finding_even_with_an_assertion():
    xml = f.signed_response(status=f.RESPONDER, sub_status=f.AUTHN_FAILED, audience="https://example.com/other")
    result = run(xml)
    assert codes(result) == {"response.status"}


def test_encrypted_assertion_says_turn_encryption_off():
    result = run(f.encrypted())
    assert errors(result) == {"response.encrypted"}
    assert "encryption" in finding(result, "response.encrypted").fix.lower()


def test_two_assertions(good):
    result = run(f.two_assertions(good))
    assert "response.assertion.count" in errors(result)
    assert "2 assertions" in finding(result, "response.assertion.count").message


def test_success_without_assertion():
    result = run(f.to_bytes(f.build_response(assertion=False)))
    assert errors(result) == {"response.assertion.count"}


# ---- signatures ---------------------------------------------------------------------


def test_unsigned_response():
    result = run(f.to_bytes(f.strip_placeholder(f.build_response())))
    assert "response.signature.missing" in errors(result)


def test_value_changed_after_signing_is_invalid(good):
    result = run(f.tamper_nameid(good))
    assert "response.signature.invalid" in errors(result)
    assert "changed after" in finding(result, "response.signature.invalid").message
    assert result.summary["signature_verified"] == "no"


def test_audience_changed_after_signing_is_invalid(good):
    root = f.parse(good)
    f.find(root, ".//saml:Audience").text = f.SP_ENTITY_ID.replace("acme-corp", "evil")
    result = run(f.to_bytes(root))
    assert {"response.signature.invalid", "response.audience.mismatch"} <= errors(result)


def test_sha1_signature_is_an_error_even_when_it_verifies():
    result = run(f.signed_response(signature_algorithm="rsa-sha1", digest_algorithm="sha1"))
    assert errors(result) == {"response.signature.sha1"}
    assert "RSA-SHA256" in finding(result, "response.signature.sha1").fix
    assert result.summary["signature_algorithm"] == "rsa-sha1"
    assert result.summary["signature_verified"] == "yes"


def test_sha1_digest_alone_is_detected_without_metadata():
    result = run(f.signed_response(digest_algorithm="sha1"), idp=None)
    assert "response.signature.sha1" in errors(result)


def test_signed_with_another_certificate_is_a_rotation(good):
    result = run(f.signed_response(f.identity("rotated")))
    assert {"response.cert.mismatch", "response.signature.invalid"} <= errors(result)
    mismatch = finding(result, "response.cert.mismatch")
    assert f.identity("rotated").fingerprint in mismatch.message
    assert f.identity().fingerprint in mismatch.message
    assert "Export" in mismatch.fix or "export" in mismatch.fix


def test_with_another_apps_metadata_the_wrong_audience_comes_first():
    # the admin checks a response against the metadata of another app: the Issuer, the
    # certificate and the signature all differ, but the Audience is what to fix first
    other_app = ExpectedIdp("JumpCloud-other-app", (f.identity("other-app").cert_der,))
    result = run(f.signed_response(audience=f.SP_ENTITY_ID.replace("acme-corp", "acme-crop")), idp=other_app)
    order = [x.code for x in result.findings]
    assert order[0] == "response.audience.mismatch"
    assert set(order[1:4]) == {"response.cert.mismatch", "response.signature.invalid", "response.issuer.mismatch"}
    first = result.findings[0]
    assert "Its Issuer and signing certificate are not the metadata's either" in first.message
    assert "different JumpCloud apps" in first.message
    # a rotation alone (same app, right Audience) does not say so
    rotated = run(f.signed_response(f.identity("rotated")))
    assert "different JumpCloud apps" not in " ".join(x.message for x in rotated.findings)
    assert rotated.findings[0].code == "response.cert.mismatch"


def test_the_certificate_inside_the_response_is_never_trusted():
    # an attacker signs with their key and embeds the metadata's certificate
    root = f.sign_assertion(f.build_response(nameid="mallory@example.com"), f.identity("attacker"))
    cert = f.find(root, ".//ds:X509Certificate")
    cert.text = f.as_base64(f.identity().cert_der)
    result = run(f.to_bytes(root))
    assert "response.signature.invalid" in errors(result)
    assert "response.cert.mismatch" not in codes(result)


def test_without_metadata_nothing_is_ok_but_the_rest_is_still_checked(good):
    result = run(f.signed_response(f.identity("anyone")), idp=None)
    # the verdict is not "ok": nothing shows JumpCloud made it
    assert errors(result) == {"response.signature.unchecked"}
    assert "response.ok" not in codes(result)
    unchecked = finding(result, "response.signature.unchecked")
    assert "the Metadata field" in unchecked.fix and "--metadata" not in unchecked.fix  # the wizard's words
    with on_command_line():
        cli = finding(run(f.signed_response(f.identity("anyone")), idp=None), "response.signature.unchecked")
    assert "--metadata FILE" in cli.fix and "field" not in cli.fix
    assert result.summary["signature_verified"] == "not checked"
    assert result.summary["certificate_sha256"] == f.identity("anyone").fingerprint
    # every other check still ran: a wrong audience is still named
    wrong = run(f.signed_response(f.identity("anyone"), audience="https://elsewhere.example"), idp=None)
    assert errors(wrong) == {"response.signature.unchecked", "response.audience.mismatch"}


def test_metadata_with_old_and_new_certificate_verifies():
    idp = ExpectedIdp(f.IDP_ENTITY_ID, (f.identity("old").cert_der, f.identity().cert_der))
    result = run(f.signed_response(), idp=idp)
    assert errors(result) == set()
    assert result.summary["signature_verified"] == "yes"


def test_expired_metadata_certificate_verifies_but_is_not_ok():
    from datetime import datetime

    old = f.identity("expired", not_before=datetime(2020, 1, 1, tzinfo=UTC), years=5)
    result = run(f.signed_response(old), idp=ExpectedIdp(f.IDP_ENTITY_ID, (old.cert_der,)))
    assert result.summary["signature_verified"] == "yes"
    assert errors(result) == {"response.cert.expired"}
    assert "response.ok" not in codes(result)
    assert "2025-01-01" in finding(result, "response.cert.expired").message


def test_signed_by_the_expired_one_of_two_metadata_certificates_is_not_ok():
    from datetime import datetime

    old = f.identity("expired", not_before=datetime(2020, 1, 1, tzinfo=UTC), years=5)
    fresh = f.identity()
    for certs in ((old.cert_der, fresh.cert_der), (fresh.cert_der, old.cert_der)):
        result = run(f.signed_response(old), idp=ExpectedIdp(f.IDP_ENTITY_ID, certs))
        assert result.summary["signature_verified"] == "yes"
        assert errors(result) == {"response.cert.expired"}, certs
        assert old.fingerprint in finding(result, "response.cert.expired").message
    # signed by the valid one of the same two: ok
    assert "response.ok" in codes(
        run(f.signed_response(fresh), idp=ExpectedIdp(f.IDP_ENTITY_ID, (old.cert_der, fresh.cert_der)))
    )


def test_signed_by_a_certificate_not_yet_valid_is_not_ok():
    from datetime import datetime

    future = f.identity("future", not_before=datetime(2027, 1, 1, tzinfo=UTC), years=5)
    result = run(f.signed_response(future), idp=ExpectedIdp(f.IDP_ENTITY_ID, (future.cert_der,)))
    assert errors(result) == {"response.cert.not_yet_valid"}
    assert "2027-01-01" in finding(result, "response.cert.not_yet_valid").message


def test_wrapped_signature_is_detected_and_the_forged_value_not_reported(good):
    result = run(f.wrapped(good, "mallory@example.com"))
    assert "response.signature.wrapping" in errors(result)
    assert result.summary["nameid"] != "mallory@example.com"
    assert "hidden" in finding(result, "response.signature.wrapping").message


def test_wrapped_signature_is_detected_without_metadata(good):
    assert "response.signature.wrapping" in errors(run(f.wrapped(good), idp=None))


def test_duplicate_id_wrapping(good):
    # the signed original hidden in Extensions, a forged one with the same ID where readers look
    root = f.parse(good)
    original = f.find(root, "saml:Assertion")
    forged = copy.deepcopy(original)
    f.find(forged, "saml:Subject/saml:NameID").text = "mallory@example.com"
    extensions = etree.Element(f"{{{f.SAMLP}}}Extensions")
    root.find(f"{{{f.SAML}}}Issuer").addnext(extensions)
    root.replace(original, forged)
    extensions.append(original)
    result = run(f.to_bytes(root))
    assert "response.signature.wrapping" in errors(result)
    assert "used by 2 elements" in finding(result, "response.signature.wrapping").message


def test_reference_to_another_element_is_wrapping(good):
    root = f.parse(good)
    f.find(root, ".//ds:Reference").set("URI", "#_resp7f3c2a9d1e6b4c58a0f1")
    result = run(f.to_bytes(root))
    assert "response.signature.wrapping" in errors(result)


def test_xpath_transform_is_wrapping(good):
    root = f.parse(good)
    transforms = f.find(root, ".//ds:Transforms")
    etree.SubElement(transforms, f"{{{f.DS}}}Transform", Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116")
    result = run(f.to_bytes(root), idp=None)
    assert "response.signature.wrapping" in errors(result)


# ---- values -------------------------------------------------------------------------


def test_issuer_mismatch():
    result = run(f.signed_response(issuer="JumpCloud-old"))
    assert errors(result) == {"response.issuer.mismatch"}
    message = finding(result, "response.issuer.mismatch").message
    assert "'JumpCloud-old'" in message and "'JumpCloud'" in message


def test_issuer_not_checked_without_metadata():
    assert "response.issuer.mismatch" not in codes(run(f.signed_response(issuer="anything"), idp=None))


def test_audience_mismatch_shows_both_and_the_first_differing_character():
    wrong = f.SP_ENTITY_ID.replace("acme-corp", "Acme-corp")
    result = run(f.signed_response(audience=wrong))
    assert errors(result) == {"response.audience.mismatch"}
    found = finding(result, "response.audience.mismatch")
    assert wrong in found.message and f.SP_ENTITY_ID in found.message
    position = f.SP_ENTITY_ID.index("acme-corp") + 1
    assert f"character {position}" in found.message
    assert "case" in found.message
    assert f.SP_ENTITY_ID in found.fix
    assert found.field == "audience"


def test_audience_other_org_points_at_the_difference():
    result = run(f.signed_response(audience=f.SP_ENTITY_ID.replace("acme-corp", "acme-inc")))
    message = finding(result, "response.audience.mismatch").message
    assert "'corp/sso/saml/metadata'" in message and "'inc/sso/saml/metadata'" in message


def test_audience_set_to_the_acs_url_is_named():
    result = run(f.signed_response(audience=f.ACS_URL))
    assert "that is the ACS URL" in finding(result, "response.audience.mismatch").message


def test_no_audience():
    assert "response.audience.mismatch" in errors(run(f.signed_response(audience=None)))


def test_destination_with_trailing_slash():
    result = run(f.signed_response(destination=f.ACS_URL + "/"))
    assert errors(result) == {"response.destination.mismatch"}
    assert "trailing slash" in finding(result, "response.destination.mismatch").message


def test_recipient_mismatch():
    result = run(f.signed_response(recipient=f.ACS_URL.replace("/acs", "/consume")))
    assert errors(result) == {"response.recipient.mismatch"}
    assert f.ACS_URL in finding(result, "response.recipient.mismatch").fix


def test_expected_values_follow_a_self_hosted_api_base():
    api = "https://api.pulumi.example.com"
    xml = f.signed_response(
        audience=f"{api}/login/{f.ORG}/sso/saml/metadata",
        destination=f"{api}/login/{f.ORG}/sso/saml/acs",
        recipient=f"{api}/login/{f.ORG}/sso/saml/acs",
    )
    assert errors(diagnose(xml, org=f.ORG, api_base=api, idp=IDP, now=f.NOW)) == set()
    assert "response.audience.mismatch" in errors(run(xml))


def test_nameid_missing():
    assert "response.nameid.missing" in errors(run(f.signed_response(nameid=None)))


def test_unspecified_nameid_format():
    result = run(f.signed_response(nameid_format=f.UNSPECIFIED_FORMAT))
    assert errors(result) == {"response.nameid.format"}
    assert "SAMLSubject NameID Format" in finding(result, "response.nameid.format").fix


def test_nameid_without_format_is_unspecified():
    assert errors(run(f.signed_response(nameid_format=None))) == {"response.nameid.format"}


def test_persistent_nameid_format_is_accepted():
    assert errors(run(f.signed_response(nameid_format=f.PERSISTENT_FORMAT))) == set()


def test_nameid_not_an_email():
    result = run(f.signed_response(nameid="alice"))
    assert errors(result) == {"response.nameid.not_email"}
    assert "SAMLSubject NameID to email" in finding(result, "response.nameid.not_email").fix


def test_comment_inside_nameid_still_verifies_and_is_reported():
    result = run(f.resign_nameid_with_comment())
    # the signature holds (exclusive c14n drops comments): that is the attack
    assert "response.signature.invalid" not in codes(result)
    assert result.summary["signature_verified"] == "yes"
    assert "response.nameid.comment" in errors(result)
    message = finding(result, "response.nameid.comment").message
    assert "'alice@example.com'" in message and "'alice@example.com.evil.com'" in message
    # what is reported is the signed value, not the truncated one
    assert result.summary["nameid"] == "alice@example.com.evil.com"


def test_comment_inserted_into_a_signed_nameid(good):
    result = run(f.insert_nameid_comment(good))
    assert "response.nameid.comment" in errors(result)
    assert "response.signature.invalid" not in codes(result)


def test_markup_inside_nameid(good):
    root = f.parse(good)
    nid = f.find(root, ".//saml:NameID")
    etree.SubElement(nid, "b").text = "x"
    assert "response.nameid.comment" in errors(run(f.to_bytes(root)))


# ---- what arrived is what is verified and read -------------------------------------


def _edit(signed: bytes, before: bytes, after: bytes) -> bytes:
    """The bytes as received, changed after signing: ``before`` replaced once by ``after``."""
    assert signed.count(before) == 1, before
    return signed.replace(before, after)


def test_processing_instruction_inserted_into_the_signed_audience_breaks_the_signature(good):
    tail = b"corp/sso/saml/metadata</saml:Audience>"
    edited = _edit(good, b"acme-" + tail, b"acme-<?evil?>" + tail)
    result = run(edited)
    assert result.summary["signature_verified"] == "no"
    assert "response.signature.invalid" in errors(result)
    assert "changed after JumpCloud signed it" in finding(result, "response.signature.invalid").message
    assert "response.ok" not in codes(result)
    # and it is named where it hides
    assert "response.value.split" in errors(result)
    assert "<Audience>" in finding(result, "response.value.split").message


def test_processing_instruction_inserted_into_the_signed_nameid(good):
    edited = _edit(good, b">alice@example.com<", b">alice@example.com<?x?>.evil.com<")
    result = run(edited)
    assert "response.signature.invalid" in errors(result)
    assert "response.nameid.comment" in errors(result)
    assert "a processing instruction" in finding(result, "response.nameid.comment").message
    assert "response.ok" not in codes(result)


def test_processing_instruction_between_signed_elements_breaks_the_signature(good):
    edited = _edit(good, b"<saml:Conditions", b"<?evil?><saml:Conditions")
    result = run(edited)
    assert "response.signature.invalid" in errors(result)
    assert "response.ok" not in codes(result)


def test_processing_instruction_outside_what_is_signed_changes_nothing(good):
    # before the root element: no signature covers it, no value holds it
    assert codes(run(_edit(good, b"<samlp:Response", b"<?note x?><samlp:Response"))) == codes(run(good))


def test_cli_pi_in_audience_with_metadata_exits_1(tmp_path, capsys, good):
    tail = b"corp/sso/saml/metadata</saml:Audience>"
    (tmp_path / "r.xml").write_bytes(_edit(good, b"acme-" + tail, b"acme-<?evil?>" + tail))
    (tmp_path / "md.xml").write_bytes(f.metadata_xml())
    argv = ["diagnose", str(tmp_path / "r.xml"), "--org", f.ORG, "--metadata", str(tmp_path / "md.xml")]
    assert main([*argv, "--at", "2026-11-27T21:01:00Z"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"Signature verified +no\n", out) and "No problem found" not in out


@pytest.mark.parametrize(
    ("element", "before", "after"),
    [
        (
            "<Audience>",
            b"acme-corp/sso/saml/metadata</saml:Audience>",
            b"acme-corp<!---->/sso/saml/metadata</saml:Audience>",
        ),
        (
            "the Assertion's <Issuer>",
            b">JumpCloud</saml:Issuer><ds:Signature",
            b">Jump<!---->Cloud</saml:Issuer><ds:Signature",
        ),
    ],
)
def test_a_comment_inside_a_signed_value_is_named(good, element, before, after):
    # exclusive c14n leaves comments out, so the signature still holds: the split is the finding
    result = run(_edit(good, before, after))
    assert result.summary["signature_verified"] == "yes"
    assert errors(result) == {"response.value.split"}
    message = finding(result, "response.value.split").message
    assert element.lower() in message.lower() and "a comment" in message


# ---- times --------------------------------------------------------------------------


def test_not_yet_valid_gives_the_skew_in_seconds():
    result = run(f.signed_response(issue_instant=f.NOW + timedelta(minutes=20)))
    assert errors(result) == {"response.time.not_yet_valid"}
    message = finding(result, "response.time.not_yet_valid").message
    assert "900 s" in message
    assert "clock" in finding(result, "response.time.not_yet_valid").fix.lower()


def test_within_five_minutes_of_skew_is_fine():
    assert errors(run(f.signed_response(issue_instant=f.NOW + timedelta(minutes=9)))) == set()
    assert errors(run(f.signed_response(issue_instant=f.NOW - timedelta(minutes=9)))) == set()


def test_expired_long_ago_is_an_old_capture():
    result = run(f.signed_response(issue_instant=f.NOW - timedelta(hours=3)))
    assert errors(result) == {"response.time.expired"}
    found = finding(result, "response.time.expired")
    assert "old capture" in found.message
    assert "in Captured (UTC) above the paste" in found.fix and "--at" not in found.fix
    with on_command_line():
        cli = finding(run(f.signed_response(issue_instant=f.NOW - timedelta(hours=3))), "response.time.expired")
    assert "with --at" in cli.fix and "Captured (UTC)" not in cli.fix


def test_expired_just_now_is_a_clock_problem():
    result = run(f.signed_response(issue_instant=f.NOW - timedelta(minutes=10, seconds=30)))
    found = finding(result, "response.time.expired")
    assert "clock" in found.message and "330 s" in found.message


def test_old_capture_checked_at_its_capture_time_is_ok():
    issued = f.NOW - timedelta(days=3)
    assert errors(run(f.signed_response(issue_instant=issued), now=issued + timedelta(seconds=20))) == set()


def test_unreadable_time_is_a_warning(good):
    root = f.parse(f.to_bytes(f.strip_placeholder(f.build_response())))
    f.find(root, ".//saml:Conditions").set("NotOnOrAfter", "tomorrow")
    result = run(f.to_bytes(root), idp=None)
    assert finding(result, "response.time.unreadable").severity is Severity.WARNING


# ---- coverage of the code list --------------------------------------------------------


def test_every_code_listed_is_emitted_somewhere_in_the_source():
    wizard = Path(__file__).parent.parent / "wizard"
    listed = (wizard / "response.py").read_text()
    emitters = "".join(p.read_text() for p in sorted(wizard.glob("response_*.py")))
    for code in RESPONSE_CODES:
        assert f'"{code}"' in listed, code
        # response.ok is added by response.py itself; every other code by a rule or the decoder
        assert f'"{code}"' in emitters or (code == "response.ok" and listed.count(f'"{code}"') >= 2), code
    assert {"xml.empty", "xml.malformed", "xml.forbidden", "xml.too_large"} <= XML_CODES


# ---- CLI ----------------------------------------------------------------------------


def test_cli_ok_exit_0_and_json(tmp_path, capsys, good):
    (tmp_path / "r.txt").write_text(f.as_base64(good, wrap=76))
    (tmp_path / "md.xml").write_bytes(f.metadata_xml())
    rc = main(
        [
            "diagnose",
            str(tmp_path / "r.txt"),
            "--org",
            f.ORG,
            "--metadata",
            str(tmp_path / "md.xml"),
            "--at",
            "2026-11-27T21:01:00Z",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert set(out) == {"findings", "summary"}
    assert out["summary"]["signature_verified"] == "yes"
    assert "response.ok" in {x["code"] for x in out["findings"]}


def test_cli_error_exit_1_human_output(tmp_path, capsys):
    (tmp_path / "r.xml").write_bytes(f.signed_response(f.identity("rotated")))
    (tmp_path / "md.xml").write_bytes(f.metadata_xml())
    rc = main(
        [
            "diagnose",
            str(tmp_path / "r.xml"),
            "--org",
            f.ORG,
            "--metadata",
            str(tmp_path / "md.xml"),
            "--at",
            "2026-11-27T21:00:00+00:00",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 1
    assert "response.cert.mismatch" in out and "fix:" in out


def test_cli_reads_stdin(monkeypatch, capsys, good):
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(f.as_form(good).encode())))
    rc = main(["diagnose", "-", "--org", f.ORG, "--at", "2026-11-27T21:00:00Z", "--json"])
    # read and checked; without --metadata the signature is not verified, so not "ok" (exit 1)
    assert rc == 1
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["nameid"] == "alice@example.com"
    assert [x["code"] for x in out["findings"] if x["severity"] == "error"] == ["response.signature.unchecked"]


def test_cli_without_at_checks_against_the_real_clock(tmp_path, capsys):
    from datetime import datetime

    (tmp_path / "r.xml").write_bytes(f.signed_response(issue_instant=datetime(2021, 3, 1, tzinfo=UTC)))
    assert main(["diagnose", str(tmp_path / "r.xml"), "--org", f.ORG]) == 1
    assert "response.time.expired" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["diagnose", "--org", "acme corp", "x"],
        ["diagnose", "--org", f.ORG, "--at", "yesterday", "x"],
        ["diagnose", "--org", f.ORG, "/nonexistent/response.xml"],
        ["diagnose", "--org", f.ORG, "--metadata", "/nonexistent/md.xml", "x"],
        ["diagnose", "--org", f.ORG, "--api-url", "http://example.com", "x"],
    ],
)
def test_cli_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_cli_without_org_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["diagnose", "x"])
    assert exc.value.code == 2


def test_cli_unusable_metadata_is_a_usage_error(tmp_path, capsys, good):
    (tmp_path / "r.xml").write_bytes(good)
    (tmp_path / "md.xml").write_text("<html><body>Sign in</body></html>")
    assert main(["diagnose", str(tmp_path / "r.xml"), "--org", f.ORG, "--metadata", str(tmp_path / "md.xml")]) == 2
    assert "metadata" in capsys.readouterr().err


def test_cli_does_not_import_textual_or_heavy_modules_for_help():
    import subprocess

    code = (
        "import sys\n"
        "from wizard.cli import main\n"
        "try:\n    main(['diagnose', '--help'])\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in ('textual', 'signxml', 'cryptography') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--metadata" in done.stdout


def test_destination_changed_after_the_response_was_signed():
    root = f.sign_response(f.build_response())
    root.set("Destination", f.ACS_URL + "/")
    result = run(f.to_bytes(root))
    assert {"response.signature.invalid", "response.destination.mismatch"} <= errors(result)


def test_xml_string_with_a_foreign_encoding_declaration(good):
    text = good.decode().replace("UTF-8", "ISO-8859-1", 1).replace("alice@example.com", "zoë@example.com")
    result = run(text, idp=None)
    assert result.summary["nameid"] == "zoë@example.com"


# ---- signature verification: one parse, metadata certificates only -------------------------


def test_verification_reads_the_parsed_tree_without_changing_it(good):
    from wizard import xmlsafe
    from wizard.response_signature import describe_signatures, verify

    root = xmlsafe.parse_xml(good).root
    before = etree.tostring(root)
    assertion = root.find(f"{{{f.SAML}}}Assertion")
    (signature,) = describe_signatures(root, assertion)
    result = verify(root, signature, (f.identity().cert_der,), f.NOW)
    assert result.ok and result.signed_xml.tag == f"{{{f.SAML}}}Assertion"
    assert result.signed_xml.getroottree().getroot() is not root  # values come from signxml's signed copy
    assert etree.tostring(root) == before  # the enveloped signature was removed from a copy only


def test_certificates_named_by_the_signature_are_tried_first_and_none_is_added():
    from wizard.response_signature import try_order

    known = (b"a", b"b", b"c")
    assert try_order((b"c",), known) == (b"c", b"a", b"b")
    assert try_order((b"x",), known) == known  # a certificate only the response carries is never tried
    assert try_order((), known + (b"a",)) == known


def test_twenty_metadata_certificates_with_the_right_one_last():
    decoys = tuple(f.identity(f"decoy-{i}", key_size=1024).cert_der for i in range(19))
    result = run(f.signed_response(), idp=ExpectedIdp(f.IDP_ENTITY_ID, (*decoys, f.identity().cert_der)))
    assert errors(result) == set()
    assert result.summary["signature_verified"] == "yes"


def test_pretty_xml_is_built_only_when_asked_for(good):
    result = run(good)
    assert "pretty_xml" not in vars(result)
    assert result.pretty_xml.startswith("<samlp:Response")
    assert "pretty_xml" in vars(result)


def test_a_response_of_almost_a_megabyte_is_diagnosed_in_full():
    xml = f.signed_response(attributes=5200, in_response_to="_req1")
    assert 800_000 < len(xml) < 1024 * 1024
    result = run(f.as_base64(xml, wrap=76))
    assert [x.code for x in result.findings] == ["response.ok"]
    assert result.summary["signature_verified"] == "yes"


def test_pretty_xml_of_a_huge_response_is_cut_and_says_so():
    from wizard.response import PRETTY_MAX

    big = f.signed_response(attributes=3000)
    result = run(big)
    assert len(big) > 2 * PRETTY_MAX and "response.ok" in codes(result)
    shown = result.pretty_xml
    assert len(shown) < PRETTY_MAX + 200
    assert shown.rstrip().endswith("the checks above read all of it.")
    assert shown.startswith("<samlp:Response")


def test_pretty_xml_is_inert(good):
    root = f.parse(good)
    f.find(root, ".//saml:NameID").text = "al\u202eice\x9b2J@example.com"
    shown = run(f.to_bytes(root)).pretty_xml
    assert all(c.isprintable() or c == "\n" for c in shown)
    assert "al\\u202eice\\u009b2J@example.com" in shown
