from __future__ import annotations

from datetime import UTC, datetime

from tests.wizard_helpers import mark_complete
from wizard.report import build_record, write_record
from wizard.state import StepId, StepStatus, WizardState


def make_state() -> WizardState:
    state = WizardState(
        org="acmecorp",
        idp_url_value="pulumi-acme",
        groups=["Engineering", "SRE|ops"],
        idp_initiated_ok=True,
        sp_initiated_ok=True,
        scim_skipped=True,
        scim_skip_reason="no Enterprise edition",
    )
    state.metadata_summary = {
        "entity_id": "acme-jc",
        "sso_url": "https://sso.jumpcloud.com/saml2/pulumi-acme",
        "cert_sha256": "AB:CD",
        "cert_not_after": "2031-01-02 03:04 UTC",
        "cert_subject": "CN=JumpCloudSAMLUser",
        "nameid_format": "x",
        "source": "~/x.xml",
    }
    for step in StepId:
        mark_complete(state, step)
    mark_complete(
        state,
        StepId.PULUMI,
        StepStatus.CONFIRMED,
        "the admin confirmed the metadata was pasted in Pulumi and applied; not verified",
    )
    mark_complete(state, StepId.SCIM, StepStatus.SKIPPED, "skipped: no Enterprise edition")
    return state


def test_record_holds_what_the_admin_needs_later():
    text = build_record(make_state(), now=datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    assert "setup record for `acmecorp`" in text
    assert "2026-11-27 12:00 UTC" in text
    assert "https://api.pulumi.com/login/acmecorp/sso/saml/acs" in text
    assert "https://sso.jumpcloud.com/saml2/pulumi-acme" in text
    assert "`AB:CD`" in text and "2031-01-02 03:04 UTC" in text
    assert "- Engineering" in text and "SRE\\|ops" in text
    assert "Skipped: no Enterprise edition" in text
    assert "| Summary |" not in text


def test_record_says_how_each_step_was_established_and_never_done():
    text = build_record(make_state(), now=datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    assert "| Step | Evidence | How it was established |" in text
    assert "| Export metadata | ✓ verified |" in text
    assert (
        "| Configure Pulumi | ✎ confirmed | the admin confirmed the metadata was pasted in Pulumi and "
        "applied; not verified |"
    ) in text
    assert "| SCIM (optional) | » skipped | skipped: no Enterprise edition |" in text
    assert "- Loaded into Pulumi: ✎ confirmed" in text
    assert "done" not in text.lower().split()


def test_record_of_a_reopened_step_says_so():
    from wizard import flow

    state = make_state()
    state.org = "acmecorp2"
    flow.reconcile(state)
    text = build_record(state, now=datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    assert "| SSO tab values | ↺ reopened | reopened: the organisation name changed (acmecorp → acmecorp2) |" in text
    assert "- Loaded into Pulumi: ↺ reopened" in text


def test_record_reads_the_saved_xml_when_the_facts_are_missing():
    from tests.exports import GOOD_EXPORT

    state = make_state()
    state.metadata_summary = {}
    state.metadata_xml = GOOD_EXPORT.read_text()
    text = build_record(state, now=datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    assert "7A:42:B6:DF" in text and "2027-03-23" in text and "`strategicgroupnw`" in text


def test_record_is_written_atomically(tmp_path):
    target = write_record(make_state(), tmp_path / "record.md")
    assert target.read_text().startswith("# Pulumi SAML SSO with JumpCloud")
    assert [p.name for p in tmp_path.iterdir()] == ["record.md"]
