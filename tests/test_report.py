from __future__ import annotations

from datetime import datetime, timezone

from wizard.report import build_record, write_record
from wizard.state import StepId, StepStatus, WizardState


def make_state() -> WizardState:
    state = WizardState(org="acmecorp", idp_url_value="pulumi-acme", groups=["Engineering", "SRE|ops"],
                        pulumi_verification="confirmed by the admin, not verified",
                        idp_initiated_ok=True, sp_initiated_ok=True,
                        scim_skipped=True, scim_skip_reason="no Enterprise edition")
    state.metadata_summary = {"entity_id": "acme-jc", "sso_url": "https://sso.jumpcloud.com/saml2/pulumi-acme",
                              "cert_sha256": "AB:CD", "cert_not_after": "2031-01-02 03:04 UTC",
                              "cert_subject": "CN=JumpCloudSAMLUser", "nameid_format": "x", "source": "~/x.xml"}
    for step in StepId:
        state.set_status(step, StepStatus.DONE)
    state.set_status(StepId.SCIM, StepStatus.SKIPPED)
    return state


def test_record_holds_what_the_admin_needs_later():
    text = build_record(make_state(), now=datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc))
    assert "setup record for `acmecorp`" in text
    assert "2026-11-27 12:00 UTC" in text
    assert "https://api.pulumi.com/login/acmecorp/sso/saml/acs" in text
    assert "https://sso.jumpcloud.com/saml2/pulumi-acme" in text
    assert "`AB:CD`" in text and "2031-01-02 03:04 UTC" in text
    assert "- Engineering" in text and "SRE\\|ops" in text
    assert "confirmed by the admin, not verified" in text
    assert "Skipped: no Enterprise edition" in text
    assert "| SCIM (optional) | skipped |" in text
    assert "| Summary |" not in text


def test_record_reads_the_saved_xml_when_the_facts_are_missing():
    from conftest import GOOD_EXPORT

    state = make_state()
    state.metadata_summary = {}
    state.metadata_xml = GOOD_EXPORT.read_text()
    text = build_record(state, now=datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc))
    assert "7A:42:B6:DF" in text and "2027-03-23" in text and "`strategicgroupnw`" in text


def test_record_is_written_atomically(tmp_path):
    target = write_record(make_state(), tmp_path / "record.md")
    assert target.read_text().startswith("# Pulumi SAML SSO with JumpCloud")
    assert [p.name for p in tmp_path.iterdir()] == ["record.md"]
