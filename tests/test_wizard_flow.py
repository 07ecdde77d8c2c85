"""Pilot: the whole wizard, step by step, with the real JumpCloud export."""

from __future__ import annotations

import shutil
from datetime import UTC

import pytest

from screens.create_app import CreateAppScreen
from screens.groups import GroupsScreen
from screens.metadata import MetadataScreen
from screens.pulumi import PulumiScreen
from screens.resume import ResumeScreen
from screens.scim import ScimScreen
from screens.signin import SigninScreen
from screens.sso_tab import SsoTabScreen
from screens.summary import SummaryScreen
from screens.troubleshoot import TroubleshootScreen
from screens.welcome import WelcomeScreen
from tests.exports import EXPIRED_EXPORT, GOOD_EXPORT, MALFORMED_EXPORT
from tests.wizard_helpers import (
    CopyRecorder,
    complete_before,
    error_text,
    make_app,
    mark_complete,
    next_step,
    settle,
    tick,
    type_into,
    until,
)
from wizard.state import StateStore, StepId, StepStatus, WizardState

SIZE = (100, 30)


async def wait_for_check(pilot, screen) -> None:
    await settle(pilot)
    assert screen.report is not None, "the metadata check did not report"


async def resume_at_metadata(pilot) -> MetadataScreen:
    """Accept the resume prompt of a state saved at the export step; wait for its check."""
    await pilot.pause()
    await pilot.press("r")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, MetadataScreen)
    await wait_for_check(pilot, screen)
    return screen


async def pass_prerequisites(pilot) -> None:
    """Step 1 with good input (org acmecorp), ending on step 2."""
    await type_into(pilot, "#org", "acmecorp")
    await tick(pilot, "#has_sso_package")
    await tick(pilot, "#has_saml_edition")
    await next_step(pilot)
    assert isinstance(pilot.app.screen, CreateAppScreen)


async def walk_first_four(pilot, app, recorder) -> None:
    # 1. prerequisites: every gate refuses, then accepts
    assert isinstance(app.screen, WelcomeScreen)
    await next_step(pilot)
    assert isinstance(app.screen, WelcomeScreen)
    assert "Enter the organisation name" in error_text(pilot, "org")
    assert "SSO Package" in error_text(pilot, "has_sso_package")
    await type_into(pilot, "#org", "acme corp", keys=True)  # typed: the field takes keys
    await tick(pilot, "#has_sso_package")
    await tick(pilot, "#has_saml_edition")
    await next_step(pilot)
    assert isinstance(app.screen, WelcomeScreen)
    assert "no spaces" in error_text(pilot, "org")
    # what was typed is kept while refused (as the step's draft), and nothing is accepted
    assert app.screen.query_one("#org").value == "acme corp"
    assert app.state.drafts["welcome"]["form"]["org"] == "acme corp" and app.state.org == ""
    assert app.state.status(StepId.WELCOME) is StepStatus.FAILED
    await type_into(pilot, "#org", "https://app.pulumi.com/Acme.Corp/settings")  # a console URL pasted
    await pilot.pause()
    assert app.screen.query_one("#org").value == "Acme.Corp"
    assert "Took the organisation name 'Acme.Corp'" in list(app._notifications)[-1].message
    # typed key by key, a URL is left as typed (taking a name out of it would cut the typing)
    await type_into(pilot, "#org", "https://x.io/ab", keys=True)
    assert app.screen.query_one("#org").value == "https://x.io/ab"
    await type_into(pilot, "#org", "Acme.Corp")
    await next_step(pilot)
    assert isinstance(app.screen, CreateAppScreen)
    assert app.state.status(StepId.WELCOME) is StepStatus.CONFIRMED
    assert app.state.org == "Acme.Corp" and "welcome" not in app.state.drafts

    # 2. the JumpCloud application
    # the whole IdP URL pasted: the value is taken out of it, and the admin told
    await type_into(pilot, "#idp_url_value", "https://sso.jumpcloud.com/saml2/bitdefender")
    await pilot.pause()
    assert app.screen.query_one("#idp_url_value").value == "bitdefender"
    assert "Took the IdP URL value 'bitdefender'" in list(app._notifications)[-1].message
    await type_into(pilot, "#idp_url_value", "https://sso.jumpcloud.com/other/bitdefender")
    await next_step(pilot)
    assert isinstance(app.screen, CreateAppScreen)
    assert "not a JumpCloud IdP URL" in error_text(pilot, "idp_url_value")  # not JumpCloud's IdP URL: refused
    await type_into(pilot, "#idp_url_value", "bitdefender")
    assert "https://sso.jumpcloud.com/saml2/bitdefender" in str(app.screen.query_one("#idp-url .copy-text").render())
    await next_step(pilot)
    assert "can never be changed" in error_text(pilot, "acknowledged")
    await tick(pilot, "#acknowledged")
    await next_step(pilot)
    assert isinstance(app.screen, SsoTabScreen)

    # 3. SSO tab: one key copies a row; every row must be ticked
    await next_step(pilot)
    assert isinstance(app.screen, SsoTabScreen)
    assert "SP Entity ID" in error_text(pilot, "rows")
    app.screen.query_one("#tick-sp_entity_id").focus()
    await pilot.press("2")
    await pilot.pause()
    assert app.clipboard == "https://api.pulumi.com/login/Acme.Corp/sso/saml/acs"
    assert recorder.copied[-1] == app.clipboard
    for key in ("sp_entity_id", "acs_url", "relay_state", "nameid", "nameid_format"):
        await tick(pilot, f"#tick-{key}")
    await next_step(pilot)
    assert isinstance(app.screen, SsoTabScreen)
    assert "Signature Algorithm" in error_text(pilot, "rows")
    await tick(pilot, "#tick-signature_algorithm")
    # the IdP Entity ID: JumpCloud's own field, suggested (the app's IdP URL), key 7 copies it
    entity = app.screen.query_one("#idp_entity_id")
    assert entity.value == "https://sso.jumpcloud.com/saml2/bitdefender"
    await pilot.press("7")
    await pilot.pause()
    assert app.clipboard == entity.value
    await next_step(pilot)
    assert isinstance(app.screen, SsoTabScreen)
    assert "IdP Entity ID" in error_text(pilot, "rows")
    # this admin's JumpCloud already holds another value (the export's entityID): entered as it is
    await type_into(pilot, "#idp_entity_id", "strategicgroupnw")
    await tick(pilot, "#tick-idp_entity_id")
    await next_step(pilot)
    assert isinstance(app.screen, GroupsScreen)
    assert app.state.idp_entity_id == "strategicgroupnw"

    # 4. groups
    await next_step(pilot)
    assert "at least one" in error_text(pilot, "groups")
    app.screen.query_one("#groups").text = "Engineering, SRE\nPlatform"
    await next_step(pilot)
    assert isinstance(app.screen, MetadataScreen)
    assert app.state.groups == ["Engineering", "SRE", "Platform"]


async def test_walk_all_nine_steps(tmp_path):
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    shutil.copy(GOOD_EXPORT, downloads / "JumpCloud-Pulumi-metadata.xml")
    recorder = CopyRecorder()
    app = make_app(tmp_path / "state", downloads, recorder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await walk_first_four(pilot, app, recorder)

        # 5. metadata: nothing loaded, a malformed file, an expired one, then the real export found
        # (with the found export's path in the box, Next would load it: emptied, nothing is)
        screen = app.screen
        await type_into(pilot, "#metadata_path", "")
        await next_step(pilot)
        assert isinstance(app.screen, MetadataScreen)
        assert "Load the exported metadata" in error_text(pilot, "source")
        assert "JumpCloud-Pulumi-metadata.xml" in str(screen.query_one("#found").render())

        await type_into(pilot, "#metadata_path", str(MALFORMED_EXPORT))
        await pilot.press("enter")
        await wait_for_check(pilot, screen)
        codes = [f.code for f in screen.report.findings]
        assert "xml.malformed" in codes
        assert "line 1" in str(screen.query_one("#findings").render())
        await next_step(pilot)
        assert isinstance(app.screen, MetadataScreen)

        screen.report = None
        await type_into(pilot, "#metadata_path", str(EXPIRED_EXPORT))
        await pilot.press("enter")
        await wait_for_check(pilot, screen)
        codes = {f.code for f in screen.report.findings}
        assert {"metadata.cert.expired", "metadata.nameid.unsupported", "metadata.sso.slug_mismatch"} <= codes
        await next_step(pilot)
        assert isinstance(app.screen, MetadataScreen)

        screen.report = None
        screen.query_one("#use-found").focus()
        await pilot.press("enter")
        await wait_for_check(pilot, screen)
        assert screen.report.ok, screen.report.findings
        # the export offered is the one loaded: no longer offered as if it were not
        assert "Found and loaded: " in str(screen.query_one("#found").render())
        assert screen.query_one("#use-found").disabled
        facts = str(screen.query_one("#facts").render())
        assert "https://sso.jumpcloud.com/saml2/bitdefender" in facts and "2027-03-23" in facts
        await next_step(pilot)
        assert isinstance(app.screen, PulumiScreen)
        assert app.state.metadata_summary["cert_not_after"].startswith("2027-03-23")

        # 6. Pulumi: copy the whole XML; the admin must confirm
        app.screen.query_one("#copy-xml .copy-button").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.clipboard == GOOD_EXPORT.read_text()
        await next_step(pilot)
        assert isinstance(app.screen, PulumiScreen)
        assert "Apply changes" in error_text(pilot, "applied")
        for key in ("saml_admin", "own_account", "members", "immediate"):
            await tick(pilot, f"#switch-{key}")
        await tick(pilot, "#applied")
        await next_step(pilot)
        assert isinstance(app.screen, SigninScreen)
        assert app.state.status(StepId.PULUMI) is StepStatus.CONFIRMED
        assert "not verified" in app.state.record(StepId.PULUMI).note

        # 7. sign in: troubleshooting is one key away and comes back here
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, TroubleshootScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SigninScreen)
        await tick(pilot, "#idp_initiated_ok")
        await next_step(pilot)
        assert isinstance(app.screen, SigninScreen)
        await tick(pilot, "#sp_initiated_ok")
        await next_step(pilot)
        assert isinstance(app.screen, ScimScreen)

        # 8. SCIM: skipped only with a reason
        await tick(pilot, "#skip")
        await next_step(pilot)
        assert isinstance(app.screen, ScimScreen)
        assert "Say why" in error_text(pilot, "skip_reason")
        await type_into(pilot, "#skip_reason", "no Enterprise edition yet")
        await next_step(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert app.state.status(StepId.SCIM) is StepStatus.SKIPPED

        # 9. summary: the record is written where the admin says
        record = tmp_path / "out" / "record.md"
        await type_into(pilot, "#record_path", str(record))
        await next_step(pilot)
        assert "does not exist" in error_text(pilot, "record_path")
        record.parent.mkdir()
        await next_step(pilot)
        assert record.exists()
        assert app.state.status(StepId.SUMMARY) is StepStatus.VERIFIED

    text = record.read_text()
    assert "`Acme.Corp`" in text and "bitdefender" in text
    assert "Engineering" in text and "no Enterprise edition yet" in text
    assert "2027-03-23" in text
    fingerprint = app.state.metadata_summary["cert_sha256"]
    assert fingerprint and fingerprint in text
    assert "token" not in StateStore(tmp_path / "state").path.read_text().lower()


async def test_back_and_revisit_keep_the_values(tmp_path):
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pass_prerequisites(pilot)
        await type_into(pilot, "#idp_url_value", "pulumi-acme")
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert app.screen.query_one("#org").value == "acmecorp"
        # a step not reached yet cannot be chosen from the step list
        app.go_to(StepId.SUMMARY)
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        app.go_to(StepId.CREATE_APP)
        await pilot.pause()
        assert isinstance(app.screen, CreateAppScreen)


async def test_the_step_list_shows_progress_and_a_click_goes_to_a_reached_step(tmp_path):
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pass_prerequisites(pilot)
        lines = str(app.screen.query_one("#steps").render()).splitlines()
        assert lines[0].startswith(" ✎ 1. Prerequisites") and lines[1].startswith("▶○ 2. Create the app")
        # the marks in use are named under the list, so it reads without colour
        assert [line.strip() for line in lines[10:]] == ["✎ confirmed", "○ not started"]
        # The list has a border: the line of step N is at row N of the widget.
        await pilot.click("#steps", offset=(4, 9))  # step 9, not reached: nothing happens
        await pilot.pause()
        assert isinstance(app.screen, CreateAppScreen)
        await pilot.click("#steps", offset=(4, 1))  # step 1
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert app.screen.query_one("#org").value == "acmecorp"
        assert not app.screen.query_one("#steps").can_focus  # Tab goes through the step's own fields


async def test_resume_after_restart_lands_on_the_same_step(tmp_path):
    state_dir = tmp_path / "state"
    recorder = CopyRecorder()
    app = make_app(state_dir, recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await walk_first_four(pilot, app, recorder)
    again = make_app(state_dir)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ResumeScreen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(again.screen, MetadataScreen)
        assert again.state.groups == ["Engineering", "SRE", "Platform"]
    fresh = make_app(state_dir)
    async with fresh.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")  # once: it asks, nothing is discarded yet
        await pilot.pause()
        assert isinstance(fresh.screen, ResumeScreen)
        assert "cannot be undone" in str(fresh.screen.query_one("#start-over-warning").render())
        assert fresh.state.org == "Acme.Corp"
        await pilot.press("s")  # twice: discarded
        await pilot.pause()
        assert isinstance(fresh.screen, WelcomeScreen)
        assert fresh.state.org == ""
    kept = make_app(state_dir)
    async with kept.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not isinstance(kept.screen, ResumeScreen)  # nothing saved any more: a fresh start


async def test_corrupt_state_warns_and_starts_fresh(tmp_path):
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    (state_dir / "state.json").write_text("garbage")
    app = make_app(state_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert "starts afresh" in app.load_warning
    assert (state_dir / "state.json.bak").read_text() == "garbage"


async def test_too_small_window_asks_for_more_room(tmp_path):
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-too-small")
        assert app.screen.query_one("#too-small").display
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert not app.screen.has_class("-too-small")


async def test_command_palette_offers_steps_copies_and_troubleshooting(tmp_path):
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.state.org = "acmecorp"
        app.state.idp_url_value, app.state.idp_entity_id = "bitdefender", "strategicgroupnw"
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert commands["Copy IdP URL"].help == "https://sso.jumpcloud.com/saml2/bitdefender"
        assert commands["Copy IdP Entity ID"].help == "strategicgroupnw"
        titles = list(commands)
        assert "Go to step 1: Prerequisites" in titles
        assert "Copy ACS URL" in titles and "Copy SCIM Base URL" in titles
        assert "Open troubleshooting" in titles and "Rotate the certificate" in titles
        blocked = next(c for c in app.get_system_commands(app.screen) if c.title == "Go to step 9: Summary")
        assert blocked.help == "Not yet: finish step 1 (Prerequisites) first"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"troubleshooting")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TroubleshootScreen), what="troubleshooting")


@pytest.mark.parametrize("failing", [True])
async def test_no_clipboard_never_crashes(tmp_path, failing):
    def broken(text: str) -> str:
        return "no copy/paste mechanism"

    app = make_app(tmp_path / "state")
    app._system_copy = broken
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.copy_value("ACS URL", "https://api.pulumi.com/login/acme/sso/saml/acs")
        await pilot.pause()
        assert app.clipboard.endswith("/acs")
        assert any("terminal clipboard only" in str(n.message) for n in app._notifications)
        # said once: the next copy's notice is its value alone, two lines, not four
        app.copy_value("SP Entity ID", "https://api.pulumi.com/login/acme/sso/saml/metadata")
        await pilot.pause()
        last = list(app._notifications)[-1]
        assert last.title == "Copied SP Entity ID" and "terminal clipboard" not in str(last.message)
        assert app.clipboard.endswith("/metadata")


async def test_new_certificate_at_export_sends_the_admin_back_through_pulumi(tmp_path):
    from wizard.state import WizardState

    state = WizardState(
        org="acmecorp",
        idp_url_value="bitdefender",
        groups=["Engineering"],
        metadata_path=str(GOOD_EXPORT),
        metadata_summary={
            "cert_sha256": "00:11",
            "sso_url": "https://sso.jumpcloud.com/saml2/bitdefender",
            "entity_id": "strategicgroupnw",
        },
    )
    complete_before(state, StepId.SIGNIN)
    mark_complete(state, StepId.PULUMI, StepStatus.VERIFIED)
    state.current_step = StepId.METADATA.value
    StateStore(tmp_path / "state").save(state)
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await resume_at_metadata(pilot)
        await next_step(pilot)
        assert isinstance(app.screen, PulumiScreen)
    assert app.state.status(StepId.PULUMI) is StepStatus.REOPENED
    assert "signing certificate changed" in app.state.record(StepId.PULUMI).note
    assert app.state.metadata_summary["cert_sha256"].startswith("7A:42")


async def test_start_screen_offers_certificate_rotation(tmp_path):
    from screens.rotation import RotationScreen

    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#rotate").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RotationScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)


def state_at_metadata(**fields) -> WizardState:
    from wizard.state import WizardState

    state = WizardState(org="acmecorp", idp_url_value="bitdefender", groups=["Engineering"], **fields)
    complete_before(state, StepId.METADATA)
    state.current_step = StepId.METADATA.value
    return state


async def test_metadata_warnings_must_be_acknowledged(tmp_path):
    from datetime import datetime

    StateStore(tmp_path / "state").save(state_at_metadata(metadata_path=str(GOOD_EXPORT)))
    app = make_app(tmp_path / "state")
    app._now = lambda: datetime(2027, 1, 15, 12, 0, tzinfo=UTC)  # 67 days before expiry
    async with app.run_test(size=SIZE) as pilot:
        screen = await resume_at_metadata(pilot)
        assert "metadata.cert.expiring" in [f.code for f in screen.report.findings]
        assert "2027-03-23" in str(screen.query_one("#findings").render())
        assert screen.query_one("#ack_warnings").display
        await next_step(pilot)
        assert isinstance(app.screen, MetadataScreen)
        assert "warnings" in error_text(pilot, "ack_warnings")
        await tick(pilot, "#ack_warnings")
        await next_step(pilot)
        assert isinstance(app.screen, PulumiScreen)
    assert app.state.status(StepId.METADATA) is StepStatus.WARNINGS
    assert any("2027-03-23" in w for w in app.state.metadata_warnings)


async def test_metadata_is_checked_again_when_the_file_changes(tmp_path):
    export = tmp_path / "JumpCloud-Pulumi-metadata.xml"
    shutil.copy(GOOD_EXPORT, export)
    StateStore(tmp_path / "state").save(state_at_metadata(metadata_path=str(export)))
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        screen = await resume_at_metadata(pilot)
        assert screen.report.ok
        # the admin exports again, over the same file, from the wrong app
        export.write_bytes(EXPIRED_EXPORT.read_bytes())
        first = screen.report
        await until(pilot, lambda: screen.report is not first, what="the changed file to be checked again")
        await settle(pilot)
        codes = {f.code for f in screen.report.findings}
        assert {"metadata.cert.expired", "metadata.sso.slug_mismatch"} <= codes
        await next_step(pilot)
        assert isinstance(app.screen, MetadataScreen)


async def test_leaving_the_export_step_while_its_check_runs_does_not_crash(tmp_path, monkeypatch):
    import time

    import wizard.metadata

    real = wizard.metadata.check_metadata

    def slow_check(*args, **kwargs):
        time.sleep(0.4)  # a first check loads lxml and cryptography: it can take this long
        return real(*args, **kwargs)

    monkeypatch.setattr(wizard.metadata, "check_metadata", slow_check)
    StateStore(tmp_path / "state").save(state_at_metadata(metadata_path=str(GOOD_EXPORT)))
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, MetadataScreen)
        await pilot.press("ctrl+b")  # back to the groups step before the check returns
        await pilot.pause(0.8)
        assert isinstance(app.screen, GroupsScreen)
        assert app.is_running


@pytest.mark.parametrize("button", ["back", "next"])
async def test_a_nav_button_moves_exactly_once_on_steps_with_their_own_buttons(tmp_path, button):
    """Textual runs a handler of every class in the MRO: a step that also handled
    its own buttons used to go back (or on) twice, and the doubled export step crashed."""

    state = state_at_metadata(metadata_path=str(GOOD_EXPORT), idp_initiated_ok=True, sp_initiated_ok=True)
    complete_before(state, StepId.SIGNIN)
    state.current_step = StepId.SIGNIN.value
    StateStore(tmp_path / "state").save(state)
    app = make_app(tmp_path / "state")
    shown: list[StepId] = []
    real_show = app.show_step

    def counting_show(step, **kwargs):
        shown.append(step)
        return real_show(step, **kwargs)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, SigninScreen)
        app.show_step = counting_show
        app.screen.query_one(f"#{button}").focus()
        await pilot.press("enter")
        await pilot.pause(0.5)
        expected = StepId.PULUMI if button == "back" else StepId.SCIM
        assert shown == [expected]
        if button == "back":  # and back again to the export step, whose check runs on arrival
            app.screen.query_one("#back").focus()
            await pilot.press("enter")
            await pilot.pause(0.5)
            assert shown == [StepId.PULUMI, StepId.METADATA]
            assert isinstance(app.screen, MetadataScreen)


async def test_a_refused_next_brings_the_first_reason_into_view(tmp_path):

    state = state_at_metadata(metadata_path=str(GOOD_EXPORT))
    complete_before(state, StepId.PULUMI)
    state.current_step = StepId.PULUMI.value
    StateStore(tmp_path / "state").save(state)
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, PulumiScreen)
        await next_step(pilot)
        await pilot.pause(0.2)
        first = next(iter(app.screen.query(".field-error.-shown")))
        body = app.screen.query_one("#body")
        # the reason is on screen, inside the scrolled step body, not below it
        assert first.region.height > 0 and body.region.contains_region(first.region)
        assert "shown above" in str(app.screen.query_one("#gate-message").render())


async def test_a_utf16_export_is_kept_as_readable_xml_for_pulumi(tmp_path):
    export = tmp_path / "JumpCloud-Pulumi-metadata.xml"
    text = GOOD_EXPORT.read_text().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    export.write_bytes(text.encode("utf-16"))  # with a byte-order mark, as Windows tools write it
    StateStore(tmp_path / "state").save(state_at_metadata(metadata_path=str(export)))
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        screen = await resume_at_metadata(pilot)
        assert screen.report.ok, screen.report.findings
        await next_step(pilot)  # accepted: now it is what step 6 copies into Pulumi
        assert isinstance(app.screen, PulumiScreen)
    assert app.state.metadata_xml == text


async def test_the_gate_beside_next_is_never_cut_off(tmp_path):
    """A single reason that fits the gate's two lines is quoted beside Next; a longer
    one would be cut off, so the gate points to it instead (it is shown whole above)."""
    from wizard.findings import error

    app = make_app(tmp_path / "state")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen, gate = app.screen, app.screen.query_one("#gate-message")
        short = error("step.record.path", "Choose where to write the setup record.", "", "org")
        screen.show_findings([short])
        await pilot.pause()
        assert str(gate.render()) == "Not yet: Choose where to write the setup record."
        await type_into(pilot, "#org", "acme corp")  # refused with a long reason
        await pilot.press("ctrl+n")
        await pilot.pause()
        reason = error_text(pilot, "org")
        assert len(reason.splitlines()[0]) > 48
        assert str(gate.render()) == "Not yet: 3 things to fix (shown above)."
        await tick(pilot, "#has_sso_package")
        await tick(pilot, "#has_saml_edition")
        await pilot.press("ctrl+n")
        await pilot.pause()
        # the one reason left fits the gate's two lines at 80x24: quoted whole
        assert str(gate.render()) == f"Not yet: {reason.splitlines()[0]}"
        lines = gate.render_lines(gate.region.reset_offset)
        painted = " ".join("".join(strip.text for strip in lines).split())
        assert gate.region.height <= 2 and painted == str(gate.render())
        too_long = error("step.record.path", "Choose where to write the setup record. " * 3, "", "org")
        screen.show_findings([too_long])
        await pilot.pause()
        assert str(gate.render()) == "Not yet: 1 thing to fix (shown above)."


async def test_with_the_step_list_open_at_80x24_a_quote_that_would_be_cut_is_pointed_to(tmp_path):
    """The open list leaves the gate 30 columns: a reason the folded layout (50
    columns) quotes whole would need three lines, so the gate points to it; folded
    again, the same reason is quoted."""
    from wizard.findings import error

    app = make_app(tmp_path / "state")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen, gate = app.screen, app.screen.query_one("#gate-message")
        reason = error("step.record.path", "Choose where to write the setup record first, then press Next.", "", "org")
        await pilot.press("ctrl+l")  # open the list
        await pilot.pause()
        screen.show_findings([reason])
        await pilot.pause()
        assert str(gate.render()) == "Not yet: 1 thing to fix (shown above)."
        await pilot.press("ctrl+l")  # fold it
        await pilot.pause()
        screen.show_findings([reason])
        await pilot.pause()
        assert str(gate.render()) == "Not yet: Choose where to write the setup record first, then press Next."
        lines = gate.render_lines(gate.region.reset_offset)
        painted = " ".join("".join(strip.text for strip in lines).split())
        assert gate.region.height <= 2 and painted == str(gate.render())


async def test_start_over_from_the_palette_asks_first(tmp_path):
    from screens.resume import ResumeScreen

    state_dir = tmp_path / "state"
    app = make_app(state_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#org").value = "acmecorp"
        await tick(pilot, "#has_sso_package")
        await tick(pilot, "#has_saml_edition")
        await next_step(pilot)
        assert app.state.org == "acmecorp"
        app.ask_start_over()
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        assert "cannot be undone" in str(app.screen.query_one("#start-over-warning").render())
        # the question asked, not the launch's "Saved progress found ... Resume"
        assert "Start over?" in str(app.screen.query_one(".step-title").render())
        assert "Resume" not in str(app.screen.query_one("#resume").label)
        await pilot.press("r")  # changed my mind: nothing is discarded
        await pilot.pause()
        assert not isinstance(app.screen, ResumeScreen) and app.state.org == "acmecorp"
        app.ask_start_over()
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen) and app.state.org == ""


async def test_a_url_typed_key_by_key_gives_its_name_when_the_field_is_done(tmp_path):
    """Terminals without bracketed paste send a paste as keys: the URL is taken apart on
    Next (or when the field is left), not refused, and not while it is being typed."""
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_into(pilot, "#org", "https://app.pulumi.com/acmecorp", keys=True)
        assert app.screen.query_one("#org").value == "https://app.pulumi.com/acmecorp"  # as typed, so far
        await tick(pilot, "#has_sso_package")  # leaving the field
        assert app.screen.query_one("#org").value == "acmecorp"
        await tick(pilot, "#has_saml_edition")
        await next_step(pilot)
        assert isinstance(app.screen, CreateAppScreen) and app.state.org == "acmecorp"

        await type_into(pilot, "#idp_url_value", "https://sso.jumpcloud.com/saml2/bitdefender", keys=True)
        await next_step(pilot)  # refused for the tick, but the value is taken from the URL
        assert app.screen.query_one("#idp_url_value").value == "bitdefender"
        await tick(pilot, "#acknowledged")
        await next_step(pilot)
        assert app.state.idp_url_value == "bitdefender"
        assert "Took the IdP URL value 'bitdefender'" in "\n".join(n.message for n in app._notifications)


async def test_a_path_typed_but_not_loaded_is_kept_when_the_admin_goes_back(tmp_path):
    """Typed in step 5's box, not loaded, then Back and Next again: the path is still
    there, and loaded; not replaced by the export found in Downloads."""
    typed = tmp_path / "exports" / "JumpCloud-pulumi-metadata.xml"
    typed.parent.mkdir()
    shutil.copy(GOOD_EXPORT, typed)
    StateStore(tmp_path / "state").save(state_at_metadata())
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, MetadataScreen)
        await type_into(pilot, "#metadata_path", str(typed))
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert isinstance(app.screen, GroupsScreen)
        await pilot.press("ctrl+n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MetadataScreen)
        assert screen.query_one("#metadata_path").value == str(typed)
        await wait_for_check(pilot, screen)
        assert screen.report.ok and str(typed.name) in screen._source


async def test_another_export_loaded_over_an_accepted_one_is_said_to_be_not_accepted_yet(tmp_path):
    """Step 5 accepted one export; a second, different one is loaded: the step's line
    still says what was accepted, and a line under it says the one shown is not accepted
    yet. Next accepts it; then that line goes."""
    StateStore(tmp_path / "state").save(state_at_metadata(metadata_path=str(GOOD_EXPORT)))
    other = tmp_path / "JumpCloud-other-metadata.xml"
    other.write_bytes(GOOD_EXPORT.read_bytes() + b"\n<!-- exported again -->\n")
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        screen = await resume_at_metadata(pilot)
        await next_step(pilot)
        assert app.state.status(StepId.METADATA) is StepStatus.VERIFIED
        app.go_to(StepId.METADATA)
        await settle(pilot)
        screen = app.screen
        title = screen.query_one("#step-title")
        assert "not accepted yet" not in str(title.render())
        await type_into(pilot, "#metadata_path", str(other))
        await pilot.press("enter")
        await wait_for_check(pilot, screen)
        shown = str(title.render())
        assert "✓ verified" in shown and "passed the metadata checks Pulumi documents" in shown
        assert "JumpCloud-other-metadata.xml), checked below, is not accepted yet" in shown
        await next_step(pilot)
        assert app.state.metadata_xml.endswith("<!-- exported again -->\n")
        app.go_to(StepId.METADATA)
        await settle(pilot)
        await wait_for_check(pilot, app.screen)
        assert "not accepted yet" not in str(app.screen.query_one("#step-title").render())


async def test_next_with_another_path_typed_loads_that_one_not_the_one_loaded_before(tmp_path):
    StateStore(tmp_path / "state").save(state_at_metadata(metadata_path=str(GOOD_EXPORT)))
    other = tmp_path / "JumpCloud-other-metadata.xml"
    other.write_bytes(GOOD_EXPORT.read_bytes() + b"\n<!-- the one typed -->\n")
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await resume_at_metadata(pilot)
        await type_into(pilot, "#metadata_path", str(other))
        await pilot.press("ctrl+n")  # not Enter, not Load: Next
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, PulumiScreen)
    assert app.state.metadata_path == str(other)
    assert app.state.metadata_xml.endswith("<!-- the one typed -->\n")


async def test_next_pressed_while_the_export_is_still_being_checked_waits_for_the_check(tmp_path, monkeypatch):
    """Resumed at a verified step 5, the export is checked again; Next pressed before that
    check ends goes on once it has, and never marks the verified step failed."""
    import threading

    import wizard.metadata as metadata

    real = metadata.check_metadata
    # the check answers when the test says: a fixed sleep could end before a loaded machine
    # has seen it busy and pressed Next
    answer = threading.Event()

    def slow(*args, **kwargs):
        answer.wait(60)
        return real(*args, **kwargs)

    StateStore(tmp_path / "state").save(state_at_metadata(metadata_path=str(GOOD_EXPORT)))
    app = make_app(tmp_path / "state")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await resume_at_metadata(pilot)
            await next_step(pilot)
            assert app.state.status(StepId.METADATA) is StepStatus.VERIFIED
            monkeypatch.setattr(metadata, "check_metadata", slow)
            app.go_to(StepId.METADATA)
            await until(
                pilot,
                lambda: isinstance(app.screen, MetadataScreen) and app.screen.checker.busy,
                what="step 5 checking its export again",
            )
            await pilot.press("ctrl+n")  # before the check has answered
            await pilot.pause()
            assert app.state.status(StepId.METADATA) is StepStatus.VERIFIED
            assert isinstance(app.screen, MetadataScreen), "Next went on before the check answered"
            answer.set()
            await until(pilot, lambda: isinstance(app.screen, PulumiScreen), what="step 6 once checked")
    finally:
        answer.set()  # a failed test leaves no check waiting
    assert app.state.status(StepId.METADATA) is StepStatus.VERIFIED


async def test_the_whole_idp_url_typed_key_by_key_clears_the_reason_before_the_field_is_left(tmp_path):
    from wizard.state import WizardState

    state = WizardState(org="acmecorp")
    complete_before(state, StepId.CREATE_APP)
    state.current_step = StepId.CREATE_APP.value
    StateStore(tmp_path / "state").save(state)
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot)
        await next_step(pilot)
        assert "Enter the IdP URL value" in error_text(pilot, "idp_url_value")
        await type_into(pilot, "#idp_url_value", "https://sso.jumpcloud.com/saml2/bitdefender", keys=True)
        assert app.screen.focused is app.screen.query_one("#idp_url_value")  # not left yet
        assert error_text(pilot, "idp_url_value") == ""


async def test_a_path_that_cannot_be_loaded_takes_the_last_files_facts_away(tmp_path):
    """After a path that names no file, the box of facts about the file loaded before is not
    left under the refusal, reading as if it were about this path; a path pasted in quotes
    (as a terminal gives a dragged file) loads."""
    StateStore(tmp_path / "state").save(state_at_metadata(metadata_path=str(GOOD_EXPORT)))
    app = make_app(tmp_path / "state")
    async with app.run_test(size=SIZE) as pilot:
        screen = await resume_at_metadata(pilot)
        facts = screen.query_one("#facts")
        assert facts.display and "strategicgroupnw" in str(facts.render())
        await type_into(pilot, "#metadata_path", str(tmp_path / "nope.xml"))
        await pilot.press("enter")
        await settle(pilot)
        assert "There is no file at" in error_text(pilot, "metadata_path")
        assert not facts.display
        quoted = tmp_path / "My Files" / "jc.xml"
        quoted.parent.mkdir()
        quoted.write_bytes(GOOD_EXPORT.read_bytes())
        await type_into(pilot, "#metadata_path", f"'{quoted}' ")
        await pilot.press("enter")
        await settle(pilot)
        assert error_text(pilot, "metadata_path") == ""
        assert facts.display and "strategicgroupnw" in str(facts.render())
