"""The step model: what each step rests on, what a change reopens, evidence, drafts."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from tests.exports import GOOD_EXPORT
from tests.wizard_helpers import SSO_TAB_ROWS, mark_complete
from wizard import flow
from wizard.findings import error, ok
from wizard.state import STEP_ORDER, StateStore, StepId, StepStatus, WizardState
from wizard.steps import INPUTS, STEPS, record_digest, summarize_metadata

W, APP, SSO, GROUPS, META, PULUMI, SIGNIN, SCIM, SUMMARY = STEP_ORDER
GOOD_SUMMARY = {
    "source": "JumpCloud-Pulumi-metadata.xml",
    "entity_id": "strategicgroupnw",
    "sso_url": "https://sso.jumpcloud.com/saml2/bitdefender",
    "cert_sha256": "7A:42",
    "cert_subject": "CN=JumpCloudSAMLUser",
    "cert_not_after": "2027-03-23 00:00 UTC",
    "nameid_format": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
}


def finished_state(org: str = "acmecorp") -> WizardState:
    """A setup finished as `acmecorp`, every confirmation given, SCIM verified."""
    state = WizardState(
        org=org,
        has_sso_package=True,
        has_saml_edition=True,
        app_kind="connector",
        idp_url_value="bitdefender",
        idp_url_acknowledged=True,
        groups=["Engineering", "SRE"],
        ticked_rows=["acs_url", "nameid", "nameid_format", "relay_state", "signature_algorithm", "sp_entity_id"],
        metadata_path=str(GOOD_EXPORT),
        metadata_xml=GOOD_EXPORT.read_text(),
        metadata_summary=dict(GOOD_SUMMARY),
        pulumi_confirmed=True,
        idp_initiated_ok=True,
        sp_initiated_ok=True,
        scim_confirmed=True,
        record_path="/tmp/record.md",
        completed_at="2026-11-27T12:00:00+00:00",
    )
    for step in STEP_ORDER:
        mark_complete(state, step, StepStatus.VERIFIED if step in (META, PULUMI, SCIM, SUMMARY) else None)
    return state


def _metadata(key: str, value: str):
    def change(state: WizardState) -> None:
        state.metadata_summary = dict(state.metadata_summary, **{key: value})

    return change


# Written out here, not read from the table: this is what the table must say.
CHANGES = {
    "org": (lambda s: setattr(s, "org", "acmecorp2"), {SSO, PULUMI, SIGNIN, SCIM, SUMMARY}),
    "api_base": (
        lambda s: setattr(s, "api_base", "https://api.pulumi.example.com"),
        {SSO, PULUMI, SIGNIN, SCIM, SUMMARY},
    ),
    "app_kind": (lambda s: setattr(s, "app_kind", "custom"), {SSO, GROUPS, META, PULUMI, SIGNIN, SCIM, SUMMARY}),
    "idp_url_value": (
        lambda s: setattr(s, "idp_url_value", "pulumi-acmecorp"),
        {SSO, GROUPS, META, PULUMI, SIGNIN, SCIM, SUMMARY},
    ),
    "groups": (lambda s: setattr(s, "groups", ["Engineering", "Ops"]), {SUMMARY}),
    # the export carries it: step 5 checks it again (6 and 7 follow when the export changes)
    "idp_entity_id": (lambda s: setattr(s, "idp_entity_id", "pulumi-jc"), {META, SUMMARY}),
    "metadata_cert": (_metadata("cert_sha256", "00:11"), {PULUMI, SIGNIN, SUMMARY}),
    "metadata_sso_url": (_metadata("sso_url", "https://sso.jumpcloud.com/saml2/other"), {PULUMI, SIGNIN, SUMMARY}),
    "metadata_entity_id": (_metadata("entity_id", "JumpCloud"), {PULUMI, SIGNIN, SUMMARY}),
    "scim_base_url": (
        lambda s: setattr(s, "scim_base_url", "https://scim.example.com/scim/v2/acmecorp"),
        {SCIM, SUMMARY},
    ),
}


def test_every_input_has_a_dependency_test():
    assert set(CHANGES) == set(INPUTS) - {"record"}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_change_reopens_exactly_the_steps_resting_on_it(name):
    change, expected = CHANGES[name]
    state = finished_state()
    before = copy.deepcopy(state)
    change(state)
    reopened = flow.reconcile(state)
    assert {r.step for r in reopened} == expected
    for step in STEP_ORDER:
        if step in expected:
            assert state.status(step) is StepStatus.REOPENED, step
            assert state.record(step).note.startswith("reopened: ")
        else:  # untouched: same status, same evidence
            assert state.record(step) == before.record(step), step
    assert not flow.reconcile(state)  # nothing more to do


def test_reopening_clears_the_confirmations_given_for_the_old_values_and_nothing_else():
    state = finished_state()
    state.org = "acmecorp2"
    flow.reconcile(state)
    assert state.ticked_rows == []  # the six values were entered for acmecorp, not acmecorp2
    assert not state.pulumi_confirmed and not state.idp_initiated_ok and not state.sp_initiated_ok
    assert not state.scim_confirmed and state.completed_at == ""
    # what the org does not touch is kept: the app, its groups, the accepted metadata
    assert state.idp_url_acknowledged and state.groups == ["Engineering", "SRE"]
    assert state.metadata_summary == GOOD_SUMMARY and state.status(META) is StepStatus.VERIFIED
    assert state.record(SSO).note == "reopened: the organisation name changed (acmecorp → acmecorp2)"


def test_a_long_value_changed_is_quoted_where_it_differs():
    """A long organisation name is not quoted whole, but the change is still shown: the
    part that differs with a little either side, the rest as an ellipsis."""
    state = finished_state("acme-corporation-engineering-platform-team")
    state.org = "acme-corporation-engineering-platform-team2"
    flow.reconcile(state)
    assert state.record(SSO).note == "reopened: the organisation name changed (…orm-team → …orm-team2)"
    state = finished_state("acme-corporation-marketing-platform-team")
    state.org = "acme-corporation-engineering-platform-team"
    flow.reconcile(state)
    assert state.record(SSO).note == (
        "reopened: the organisation name changed (…oration-marketing-plat… → …oration-engineering-plat…)"
    )


def test_a_long_or_secretless_value_is_named_but_not_quoted():
    state = finished_state()
    state.metadata_summary = dict(GOOD_SUMMARY, cert_sha256="AA:BB")
    flow.reconcile(state)
    assert state.record(PULUMI).note == "reopened: the metadata's signing certificate changed"
    assert state.record(SUMMARY).note == "reopened: the metadata's signing certificate changed"


def test_changing_the_value_back_does_not_bring_confirmations_back():
    state = finished_state()
    state.org = "acmecorp2"
    flow.reconcile(state)
    state.org = "acmecorp"
    assert not flow.reconcile(state)
    assert state.status(SSO) is StepStatus.REOPENED and state.ticked_rows == []


def test_the_summary_is_reopened_when_the_record_would_say_something_else():
    state = finished_state()
    state.display_name = "Pulumi (prod)"  # rests on no input of its own, but the record names it
    reopened = flow.reconcile(state)
    assert [r.step for r in reopened] == [SUMMARY]
    assert reopened[0].why == "what the setup record says changed"


# --------------------------------------------------------------------------- submit


def test_a_refused_step_keeps_what_was_accepted_and_what_was_typed():
    state = finished_state()
    outcome = flow.submit(
        state,
        W,
        {"org": "acme corp", "api_base": "https://api.pulumi.com", "has_sso_package": True, "has_saml_edition": True},
    )
    assert not outcome.passed
    assert [f.code for f in outcome.verdict.findings] == ["step.org.invalid"]
    assert state.org == "acmecorp"  # nothing refused is accepted
    assert state.status(W) is StepStatus.FAILED and "no spaces" in state.record(W).note
    assert state.drafts["welcome"]["form"]["org"] == "acme corp"
    assert flow.view(state, W).org == "acme corp"  # shown again on the step
    assert state.status(SSO) is StepStatus.VERIFIED or state.status(SSO).complete  # nothing else moved


def test_a_new_org_on_step_1_reopens_its_dependents_through_next():
    state = finished_state()
    outcome = flow.submit(
        state,
        W,
        {"org": "acmecorp2", "api_base": "https://api.pulumi.com", "has_sso_package": True, "has_saml_edition": True},
    )
    assert outcome.passed and state.org == "acmecorp2"
    assert {r.step for r in outcome.reopened} == {SSO, PULUMI, SIGNIN, SCIM, SUMMARY}
    assert state.status(W) is StepStatus.CONFIRMED
    assert state.furthest_reachable() is SSO  # navigation stops at the first reopened step


def test_the_whole_setup_through_the_model_records_the_evidence_of_each_step(tmp_path):
    from wizard.metadata import check_metadata
    from wizard.report import write_record

    state = WizardState()
    forms = {
        W: {
            "org": "acmecorp",
            "api_base": "https://api.pulumi.com/",
            "has_sso_package": True,
            "has_saml_edition": True,
        },
        APP: {"app_kind": "custom", "idp_url_value": " bitdefender ", "display_name": "Pulumi", "acknowledged": True},
        SSO: {"rows": list(SSO_TAB_ROWS), "idp_entity_id": "strategicgroupnw"},
        GROUPS: {"groups": "Engineering, SRE"},
        META: {
            "metadata_path": str(GOOD_EXPORT),
            "metadata_xml": GOOD_EXPORT.read_text(),
            "source": "JumpCloud-Pulumi-metadata.xml",
            "ack_warnings": False,
            "report": check_metadata(GOOD_EXPORT.read_bytes(), idp_url_value="bitdefender"),
        },
        PULUMI: {"checklist": ["saml_admin", "own_account", "members", "immediate"], "applied": True, "result": None},
        SIGNIN: {"idp_initiated_ok": True, "sp_initiated_ok": True},
        SCIM: {
            "scim_base_url": "https://api.pulumi.com/scim/v2/acmecorp",
            "skip": True,
            "skip_reason": "no Enterprise edition",
            "scim_confirmed": False,
            "probe": None,
        },
    }
    for step, form in forms.items():
        outcome = flow.submit(state, step, form)
        assert outcome.passed, (step, outcome.verdict.findings)
        assert not outcome.reopened
    written = write_record(state, tmp_path / "record.md")
    outcome = flow.submit(
        state, SUMMARY, {"record_path": str(written), "written": str(written), "written_digest": record_digest(state)}
    )
    assert outcome.passed
    assert [state.status(s) for s in STEP_ORDER] == [
        StepStatus.CONFIRMED,
        StepStatus.CONFIRMED,
        StepStatus.CONFIRMED,
        StepStatus.CONFIRMED,
        StepStatus.VERIFIED,
        StepStatus.CONFIRMED,
        StepStatus.CONFIRMED,
        StepStatus.SKIPPED,
        StepStatus.VERIFIED,
    ]
    assert state.api_base == "https://api.pulumi.com" and state.idp_url_value == "bitdefender"
    assert state.groups == ["Engineering", "SRE"]
    assert state.metadata_summary["cert_sha256"].startswith("7A:42")
    assert state.record(APP).note == (
        "the admin confirmed the application (Custom SAML application) is saved with IdP URL "
        "https://sso.jumpcloud.com/saml2/bitdefender"
    )
    assert state.record(SCIM).note == "skipped: no Enterprise edition"
    assert not state.drafts


def test_the_summary_refuses_a_record_that_is_out_of_date(tmp_path):
    state = finished_state()
    digest = record_digest(state)
    state.groups = ["Engineering", "Ops"]
    flow.reconcile(state)
    mark_complete(state, GROUPS)
    outcome = flow.submit(state, SUMMARY, {"record_path": "r.md", "written": "r.md", "written_digest": digest})
    assert [f.code for f in outcome.verdict.findings] == ["step.summary.unwritten"]


# --------------------------------------------------------------------------- checks after the fact


def _answer(*findings, verified=False):
    return SimpleNamespace(findings=list(findings), verified=verified)


def test_a_check_that_contradicts_a_verified_step_fails_it_at_once():
    state = finished_state()
    form = {
        "checklist": ["saml_admin", "own_account", "members", "immediate"],
        "applied": True,
        "result": _answer(error("pulumi.mismatch.certificate", "Signing certificate differs.")),
    }
    assert flow.revise(state, PULUMI, form)
    assert state.status(PULUMI) is StepStatus.FAILED
    assert state.furthest_reachable() is PULUMI


def test_a_check_that_could_not_ask_leaves_the_step_as_it_was():
    state = finished_state()
    form = {
        "checklist": ["saml_admin", "own_account", "members", "immediate"],
        "applied": True,
        "result": _answer(error("pulumi.refused", "Nothing accepted the connection.")),
    }
    assert not flow.revise(state, PULUMI, form)
    assert state.status(PULUMI) is StepStatus.VERIFIED


def test_a_check_of_something_not_yet_accepted_does_not_touch_the_accepted_step():
    from tests.exports import EXPIRED_EXPORT
    from wizard.metadata import check_metadata

    state = finished_state()
    report = check_metadata(EXPIRED_EXPORT.read_bytes(), idp_url_value="bitdefender")
    form = {"metadata_path": str(EXPIRED_EXPORT), "metadata_xml": EXPIRED_EXPORT.read_text(), "report": report}
    assert not flow.revise(state, META, form)  # a new file, loaded but not accepted
    assert state.status(META) is StepStatus.VERIFIED
    same_file = {"metadata_path": state.metadata_path, "metadata_xml": state.metadata_xml, "report": report}
    assert flow.revise(state, META, same_file)  # the accepted file itself no longer passes
    assert state.status(META) is StepStatus.FAILED


def test_preview_changes_nothing():
    state = finished_state()
    before = copy.deepcopy(state)
    verdict = flow.preview(state, W, {"org": "", "has_sso_package": False})
    assert not verdict.passed
    assert state == before


# --------------------------------------------------------------------------- drafts


def test_a_draft_keeps_text_and_ticks_never_a_check_result():
    state = finished_state()
    flow.keep_draft(
        state,
        SCIM,
        {
            "scim_base_url": "https://x.example/scim/v2/a",
            "skip": False,
            "scim_confirmed": True,
            "probe": _answer(ok("scim.ok", "fine")),
        },
    )
    assert set(state.drafts["scim"]["form"]) == {"scim_base_url", "skip", "scim_confirmed"}
    assert "probe" not in state.to_json()


def test_a_draft_that_changes_nothing_is_not_kept():
    state = finished_state()
    flow.keep_draft(state, SIGNIN, {"idp_initiated_ok": True, "sp_initiated_ok": True})
    assert "signin" not in state.drafts


def test_a_draft_entered_for_other_values_is_dropped():
    state = WizardState(org="acmecorp")
    flow.keep_draft(state, SSO, {"rows": ["acs_url", "sp_entity_id"]})
    assert flow.view(state, SSO).ticked_rows == ["acs_url", "sp_entity_id"]
    state.org = "acmecorp2"
    flow.reconcile(state)
    assert "sso_tab" not in state.drafts  # those ticks were for acmecorp's values
    assert flow.view(state, SSO).ticked_rows == []


def test_a_version_1_state_is_taken_as_it_is_then_follows_the_rules(tmp_path):
    import json

    store = StateStore(tmp_path)
    store.path.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "org": "acmecorp",
                "idp_url_value": "bitdefender",
                "steps": {s.value: "done" for s in STEP_ORDER[:4]},
                "ticked_rows": ["acs_url"],
            }
        )
    )
    state = store.load().state
    assert not flow.reconcile(state)  # what it rested on is taken from the values saved with it
    state.org = "other"
    assert {r.step for r in flow.reconcile(state)} == {SSO}


def test_the_table_names_each_step_once_in_order_with_a_guide_and_a_screen():
    import assets

    assert list(STEPS) == list(STEP_ORDER)
    for row in STEPS.values():
        assert assets.guide(row.guide).strip()
        module, _, cls = row.screen.partition(":")
        assert module.startswith("screens.") and cls.endswith("Screen")
        assert set(row.rests_on) <= set(INPUTS)
        assert all(hasattr(WizardState(), name) for name in row.clears)


def test_summaries_of_real_exports_feed_the_metadata_inputs():
    from wizard.metadata import check_metadata

    summary = summarize_metadata(check_metadata(GOOD_EXPORT.read_bytes()).metadata, "x")
    state = WizardState(metadata_summary=summary)
    assert INPUTS["metadata_cert"].read(state) == summary["cert_sha256"] != ""
    assert INPUTS["metadata_sso_url"].read(state) == "https://sso.jumpcloud.com/saml2/bitdefender"


def test_a_change_undone_is_said_so_and_a_new_one_named_again():
    state = finished_state()
    state.org = "acmecorp2"
    flow.reconcile(state)
    state.org = "acmecorp"
    assert flow.reconcile(state) == []  # nothing more is reopened
    assert state.record(SSO).status is StepStatus.REOPENED and state.ticked_rows == []
    assert state.record(SSO).note == "reopened: the organisation name changed and changed back; confirm this step again"
    state.org = "acmecorp3"
    flow.reconcile(state)
    assert state.record(SSO).note == "reopened: the organisation name changed (acmecorp → acmecorp3)"


def test_what_next_would_reopen_is_known_before_and_the_state_is_untouched():
    state = finished_state()
    before = copy.deepcopy(state)
    form = {"org": "acmecorp2", "api_base": state.api_base, "has_sso_package": True, "has_saml_edition": True}
    reopened = flow.before_next(state, StepId.WELCOME, form)[1]
    assert [r.step for r in reopened] == [SSO, PULUMI, StepId.SIGNIN, SCIM, StepId.SUMMARY]
    assert flow.reopen_warning(reopened) == (
        "Accepting this reopens steps 3, 6, 7, 8 and 9: the organisation name changed (acmecorp → acmecorp2)."
    )
    assert flow.reopen_warning(reopened[:1], short=True) == (
        "Accepting this reopens step 3: the organisation name changed."
    )
    assert state == before  # only a copy was changed
    same = {"org": "acmecorp", "api_base": state.api_base, "has_sso_package": True, "has_saml_edition": True}
    assert flow.before_next(state, StepId.WELCOME, same)[1] == [] and flow.reopen_warning([]) == ""


def test_a_rotation_made_in_the_wizard_replaces_the_export_and_reopens_what_rests_on_the_old_one():
    from tests.pulumi_fake import fingerprint, make_cert, metadata_xml

    new_der = make_cert(datetime(2026, 11, 20, tzinfo=UTC), datetime(2031, 11, 20, tzinfo=UTC))
    new_xml = metadata_xml(new_der)
    state = finished_state()
    other = copy.deepcopy(state)
    # another organisation's rotation, or an export that fails the checks: nothing changes
    assert flow.adopt_rotation(other, "someone-else", state.api_base, new_xml, "x.xml") is None
    assert flow.adopt_rotation(other, state.org, state.api_base, "<not-metadata/>", "x.xml") is None
    assert other == state
    reopened = flow.adopt_rotation(state, state.org, "https://api.pulumi.com/", new_xml, "~/new.xml")
    assert state.metadata_summary["cert_sha256"] == fingerprint(new_der)
    assert state.status(META) is StepStatus.VERIFIED and "rotated export (~/new.xml)" in state.record(META).note
    assert state.status(PULUMI) is StepStatus.VERIFIED and "after the rotation" in state.record(PULUMI).note
    # signed in with the old certificate, recorded with it: to be done again
    assert [r.step for r in reopened] == [SIGNIN, SUMMARY]
    assert state.status(SIGNIN) is StepStatus.REOPENED and state.status(SUMMARY) is StepStatus.REOPENED
    assert not flow.reconcile(state)  # the new records rest on the new export


def test_what_accepting_another_export_would_reopen_is_known_before_next():
    """Step 5's facts (the certificate) are recorded by its gate, not its form: Next with an
    export signed by another certificate reopens Pulumi and what follows, said before."""
    from tests.pulumi_fake import make_cert, metadata_xml
    from wizard.metadata import check_metadata

    new_xml = metadata_xml(make_cert(datetime(2026, 11, 20, tzinfo=UTC), datetime(2031, 11, 20, tzinfo=UTC)))
    state = finished_state()
    form = {
        "metadata_path": "~/new.xml",
        "metadata_xml": new_xml,
        "report": check_metadata(new_xml),
        "source": "~/new.xml",
    }
    assert flow.preview(state, META, form).passed
    reopened = flow.before_next(state, META, form)[1]
    assert [r.step for r in reopened] == [PULUMI, SIGNIN, SUMMARY]
    assert "certificate" in flow.reopen_warning(reopened)


def test_a_new_idp_url_value_is_the_reason_given_not_the_suggestion_it_replaced():
    """The wizard drops its own suggested IdP Entity ID with the old IdP URL value: the
    reason names the value the admin changed, not a change the admin never made."""
    from wizard.values import recommended_idp_entity_id

    state = finished_state()
    state.idp_entity_id = recommended_idp_entity_id(state.idp_url_value)
    for step in STEP_ORDER:
        mark_complete(state, step, StepStatus.VERIFIED if step in (META, PULUMI, SCIM, SUMMARY) else None)
    state.idp_url_value, state.idp_entity_id = "pulumi-new", recommended_idp_entity_id("pulumi-new")
    reopened = flow.reconcile(state)
    assert state.record(META).note == "reopened: the IdP URL value changed (bitdefender → pulumi-new)"
    assert (
        flow.reopen_warning(reopened, short=True) == "Accepting this reopens steps 3 to 9: the IdP URL value changed."
    )


def test_a_rotated_export_of_another_entity_id_fails_step_5_as_next_would():
    """Step 3 says the IdP Entity ID is strategicgroupnw; a rotation applied an export that
    carries another one: step 5 is not shown as verified, it fails with the gate's reason."""
    from tests.pulumi_fake import make_cert, metadata_xml

    der = make_cert(datetime(2026, 11, 20, tzinfo=UTC), datetime(2031, 11, 20, tzinfo=UTC))
    state = finished_state()
    state.idp_entity_id = "strategicgroupnw"
    flow.reconcile(state)
    for step in STEP_ORDER:
        mark_complete(state, step, StepStatus.VERIFIED if step in (META, PULUMI, SCIM, SUMMARY) else None)
    flow.adopt_rotation(state, state.org, state.api_base, metadata_xml(der, entity_id="other-entity"), "~/new.xml")
    assert state.status(META) is StepStatus.FAILED
    assert "other-entity" in state.record(META).note and "strategicgroupnw" in state.record(META).note
