from __future__ import annotations

from datetime import UTC, datetime

from tests.wizard_helpers import mark_complete
from wizard.report import build_record, evidence_counts, write_record
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
    # the values below the table are what to set; the line above them says they are not set now
    assert "### SSO tab\n\nEntered in JumpCloud: ↺ reopened\n" in text


def test_each_section_of_the_record_says_which_step_stands_behind_it():
    """The values, groups and sign-in sections state facts about JumpCloud and Pulumi: each
    says whether the wizard checked them or the admin said so, not only the table above."""
    state = make_state()
    text = build_record(state, now=datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    assert "- Created in JumpCloud: ✎ confirmed" in text
    assert "Entered in JumpCloud: ✎ confirmed" in text
    assert "Bound in JumpCloud: ✎ confirmed" in text
    assert "- Checked: ✓ verified" in text
    assert "- Signed in: ✎ confirmed (confirmed in the test's saved state)" in text  # with what it rests on
    assert "- Skipped: no Enterprise edition" in text
    mark_complete(state, StepId.GROUPS, StepStatus.VERIFIED, "JumpCloud's API lists the groups")
    state.scim_skipped = False
    mark_complete(state, StepId.SCIM, StepStatus.VERIFIED, "the token was accepted by the SCIM endpoint")
    text = build_record(state)
    assert "Bound in JumpCloud: ✓ verified" in text
    assert "- Set up: ✓ verified" in text and "- Token: never recorded here" in text


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


def test_record_is_private_to_its_owner_even_when_replacing_a_readable_file(tmp_path):
    import os
    import stat

    existing = tmp_path / "record.md"
    existing.write_text("old")
    existing.chmod(0o644)
    target = write_record(make_state(), existing)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_record_is_never_written_through_a_link(tmp_path):
    import os
    import stat

    import pytest

    from wizard.steps import check_record_path

    private = tmp_path / "notes.txt"
    private.write_text("my notes")
    private.chmod(0o600)
    link = tmp_path / "record.md"
    link.symlink_to(private)
    # the step says so before anything is written
    [found] = check_record_path(str(link))
    assert found.is_error and "symbolic link" in found.message
    # and the writer refuses on its own
    with pytest.raises(OSError, match="symbolic link"):
        write_record(make_state(), link)
    assert private.read_text() == "my notes" and stat.S_IMODE(os.stat(private).st_mode) == 0o600
    assert link.is_symlink()
    # a dangling link is refused the same way
    dangling = tmp_path / "gone.md"
    dangling.symlink_to(tmp_path / "nowhere.md")
    with pytest.raises(OSError):
        write_record(make_state(), dangling)
    assert not (tmp_path / "nowhere.md").exists()


def test_record_in_a_linked_folder_is_fine(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "linked").symlink_to(real)
    target = write_record(make_state(), tmp_path / "linked" / "record.md")
    assert target == real / "record.md" and target.is_file() and not target.is_symlink()


def test_record_path_that_is_a_pipe_is_refused(tmp_path):
    import os

    from wizard.steps import check_record_path

    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    [found] = check_record_path(str(fifo))
    assert found.is_error and "not a regular file" in found.message


def test_evidence_counts_say_how_many_steps_were_verified_and_how_many_are_the_admin_s_word():
    state = WizardState(org="acmecorp")
    mark_complete(state, StepId.WELCOME)
    mark_complete(state, StepId.CREATE_APP)
    mark_complete(state, StepId.METADATA)
    mark_complete(state, StepId.PULUMI, StepStatus.WARNINGS)
    mark_complete(state, StepId.SCIM, StepStatus.SKIPPED, "no SCIM")
    mark_complete(state, StepId.SUMMARY)  # the record written: not counted as a check of the setup
    assert evidence_counts(state) == (
        "1 verified, 1 verified (with warnings), 2 confirmed by you, 1 skipped, 3 not started"
    )
