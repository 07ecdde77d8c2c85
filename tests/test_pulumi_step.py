"""Step 6, "Configure the Pulumi organisation": the gate (plain functions) and the
screen driven by Pilot against the fake Pulumi API on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual import events

from screens.pulumi import PulumiScreen
from screens.signin import SigninScreen
from tests.exports import GOOD_EXPORT
from tests.pulumi_fake import FakePulumi, make_cert, metadata_xml
from tests.wizard_helpers import complete_before, error_text, make_app, next_step, settle, tick, until
from wizard.pulumi_step import (
    CHECKLIST_KEYS,
    CONFIRMED_BY_HAND,
    VERIFIED,
    check_checklist,
    check_pulumi_step,
    choose_token,
    definitive_codes,
    token_source_label,
)
from wizard.report import build_record
from wizard.state import StateStore, StepId, StepStatus, WizardState

ORG = "acmecorp"
TOKEN = "pul-6c1f0e9d2b7a4c3e8f5d1a0b9c8e7f6d5a4b3c2d"
WRONG = "pul-00000000000000000000000000000000deadbeef"
SIZE = (100, 30)
# a stall (and network timeout) longer than any test: the answer waits for the test's
# release() or for the stand-in to stop
HELD = 120.0


# --------------------------------------------------------------------------- the gate


def test_gate_verified_passes_without_the_checklist():
    gate = check_pulumi_step(["pulumi.saml_admins", "pulumi.verified"], True, [], False)
    assert gate.passed and gate.verification == VERIFIED


@pytest.mark.parametrize(
    "code",
    ["pulumi.mismatch.certificate", "pulumi.mismatch.sso_url", "pulumi.validation_error", "pulumi.not_configured"],
)
def test_gate_definitive_answer_cannot_be_overruled_by_hand(code):
    gate = check_pulumi_step([code], False, CHECKLIST_KEYS, True)
    assert not gate.passed and gate.verification == ""
    assert [f.code for f in gate.findings] == ["step.pulumi.mismatch"]
    assert gate.findings[0].field == "verify"


@pytest.mark.parametrize(
    "codes",
    [None, ["pulumi.unauthorized"], ["pulumi.refused"], ["pulumi.no_token"], ["pulumi.timeout"], ["pulumi.forbidden"]],
)
def test_gate_no_answer_lets_the_admin_confirm_by_hand(codes):
    refused = check_pulumi_step(codes, False, CHECKLIST_KEYS[:1], True)  # items 1 (and advice 2) ticked or not
    assert not refused.passed
    assert [f.field for f in refused.findings] == ["checklist"]
    assert "3, 4" in refused.findings[0].message
    missing_apply = check_pulumi_step(codes, False, CHECKLIST_KEYS, False)
    assert [f.field for f in missing_apply.findings] == ["applied"]
    assert "Apply changes" in missing_apply.findings[0].message
    gate = check_pulumi_step(codes, False, CHECKLIST_KEYS, True)
    assert gate.passed and gate.verification == CONFIRMED_BY_HAND


def test_gate_keeps_an_earlier_verification_until_contradicted():
    assert check_pulumi_step(None, False, [], False, earlier_verified=True).verification == VERIFIED
    # a new answer that is not a match needs the admin's word again
    again = check_pulumi_step(["pulumi.refused"], False, CHECKLIST_KEYS, True, earlier_verified=True)
    assert again.verification == CONFIRMED_BY_HAND
    contradicted = check_pulumi_step(["pulumi.mismatch.entity_id"], False, CHECKLIST_KEYS, True, earlier_verified=True)
    assert not contradicted.passed


def test_checklist_and_token_choice():
    assert check_checklist(CHECKLIST_KEYS) == []
    assert definitive_codes(["pulumi.unauthorized", "pulumi.mismatch.nameid_format"]) == [
        "pulumi.mismatch.nameid_format"
    ]
    assert "none found" in token_source_label(None, False)
    assert token_source_label("PULUMI_ACCESS_TOKEN", False) == "from PULUMI_ACCESS_TOKEN"
    assert "instead of the one from PULUMI_ACCESS_TOKEN" in token_source_label("PULUMI_ACCESS_TOKEN", True)
    assert choose_token(None, "  ") is None
    chosen = choose_token(None, f" {TOKEN}\n")
    assert chosen.token == TOKEN and TOKEN not in repr(chosen) and TOKEN not in str(chosen)


# --------------------------------------------------------------------------- Pilot


def state_at_pulumi(api_base: str) -> WizardState:
    state = WizardState(
        org=ORG,
        api_base=api_base,
        idp_url_value="bitdefender",
        groups=["Engineering"],
        metadata_xml=GOOD_EXPORT.read_text(),
    )
    complete_before(state, StepId.PULUMI)
    state.current_step = StepId.PULUMI.value
    return state


def app_for(tmp_path: Path, api_base: str):
    state_dir = tmp_path / "state"
    StateStore(state_dir).save(state_at_pulumi(api_base))
    app = make_app(state_dir)
    app.network_timeout = 2.0
    return app


async def open_step(pilot) -> PulumiScreen:
    await pilot.pause()
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PulumiScreen)
    return pilot.app.screen


async def paste_token(pilot, token: str) -> None:
    field = pilot.app.screen.query_one("#token")
    field.value = ""
    field.focus()
    field.post_message(events.Paste(token))
    await pilot.pause()


async def press_verify(pilot, screen: PulumiScreen) -> None:
    screen.query_one("#verify").focus()
    await pilot.press("enter")


async def verify(pilot, screen: PulumiScreen) -> None:
    screen.result = None
    await press_verify(pilot, screen)
    await settle(pilot)
    assert screen.result is not None, "the verification did not report"


async def confirm_by_hand(pilot) -> None:
    for key in CHECKLIST_KEYS:
        await tick(pilot, f"#switch-{key}")
    await tick(pilot, "#applied")


def findings_text(screen) -> str:
    return str(screen.query_one("#findings").render())


def assert_token_nowhere(token: str, tmp_path: Path, capfd, app) -> None:
    out, err = capfd.readouterr()
    assert token not in out and token not in err
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert token not in path.read_text(errors="replace"), path
    assert all(token not in str(n.message) and token not in str(n.title) for n in app._notifications)
    assert token not in app.state.to_json()
    assert token not in build_record(app.state)


@pytest.fixture
def fake():
    with FakePulumi(TOKEN) as server:
        server.add_org(ORG, GOOD_EXPORT.read_text())
        yield server


async def test_match_from_the_environment_token_makes_the_step_verified(fake, tmp_path, capfd, monkeypatch):
    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", TOKEN)
    app = app_for(tmp_path, fake.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_step(pilot)
        source = str(screen.query_one("#token-source").render())
        assert "from PULUMI_ACCESS_TOKEN" in source and TOKEN not in source
        await verify(pilot, screen)
        assert screen.result.verified
        shown = findings_text(screen)
        assert "Pulumi has loaded this metadata" in shown
        assert "SAML admins" in shown and "ada (Ada Admin, ada@example.test)" in shown
        assert str(screen.query_one("#verify").label) == "Verify with Pulumi"
        assert not screen.query_one("#verify").disabled
        # no checklist ticked, no manual confirmation: the API's word is enough
        await next_step(pilot)
        assert isinstance(app.screen, SigninScreen)
    assert app.state.status(StepId.PULUMI) is StepStatus.VERIFIED
    assert "Pulumi's API returned metadata matching this export" in app.state.record(StepId.PULUMI).note
    saved = json.loads(StateStore(tmp_path / "state").path.read_text())
    assert saved["steps"]["pulumi"]["status"] == "verified"
    paths = {(seen.method, seen.path) for seen in fake.requests}
    assert paths == {
        ("GET", f"/api/orgs/{ORG}/saml"),
        ("GET", f"/api/orgs/{ORG}/saml/admins"),
        ("GET", f"/api/orgs/{ORG}/metadata"),
    }
    assert all(seen.headers["Authorization"] == f"token {TOKEN}" for seen in fake.requests)
    assert "| Configure Pulumi | ✓ verified | Pulumi's API returned" in build_record(app.state)
    assert_token_nowhere(TOKEN, tmp_path, capfd, app)


OTHER_CERT = make_cert(datetime(2026, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    "loaded, named",
    [
        (lambda: metadata_xml(OTHER_CERT), "Signing certificate differs"),
        (lambda: metadata_xml(location="https://sso.jumpcloud.com/saml2/other-app"), "SSO URL differs"),
    ],
    ids=["other-certificate", "other-app"],
)
async def test_mismatch_blocks_until_pulumi_has_the_export(fake, tmp_path, capfd, loaded, named):
    fake.add_org(ORG, loaded())  # Pulumi holds an older export / another app's
    app = app_for(tmp_path, fake.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_step(pilot)
        assert "none found" in str(screen.query_one("#token-source").render())
        await paste_token(pilot, TOKEN)
        token_input = screen.query_one("#token")
        assert token_input.password and token_input.value == TOKEN
        assert "the token entered below" in str(screen.query_one("#token-source").render())
        await verify(pilot, screen)
        assert not screen.result.verified
        assert named in findings_text(screen) and "older export" in findings_text(screen)
        # the other way to load it is the wizard's own (not a command to type elsewhere)
        assert "Rotate the certificate (step 1)" in " ".join(findings_text(screen).split())
        assert "jumpcloud-pulumi-sso rotate" not in findings_text(screen)
        # the admin's word cannot overrule Pulumi's answer
        await confirm_by_hand(pilot)
        await next_step(pilot)
        assert isinstance(app.screen, PulumiScreen)
        assert "differs" in error_text(pilot, "verify")
        assert named in findings_text(screen)
        assert app.state.status(StepId.PULUMI) is StepStatus.FAILED

        # the admin pastes the right export in Pulumi and verifies again
        fake.add_org(ORG, GOOD_EXPORT.read_text())
        await verify(pilot, screen)
        assert screen.result.verified
        await next_step(pilot)
        assert isinstance(app.screen, SigninScreen)
        # leaving the step forgets the entered token
        assert token_input.value == ""
    assert app.state.status(StepId.PULUMI) is StepStatus.VERIFIED
    assert_token_nowhere(TOKEN, tmp_path, capfd, app)


async def test_rejected_token_is_explained_and_manual_confirmation_allowed(fake, tmp_path, capfd, monkeypatch):
    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", WRONG)
    app = app_for(tmp_path, fake.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_step(pilot)
        await verify(pilot, screen)
        assert [f.code for f in screen.result.findings] == ["pulumi.unauthorized"]
        assert "did not accept the access token (from PULUMI_ACCESS_TOKEN)" in error_text(pilot, "token")
        await next_step(pilot)
        assert isinstance(app.screen, PulumiScreen)
        assert "Tick each item" in error_text(pilot, "checklist")
        assert "Apply changes" in error_text(pilot, "applied")
        await confirm_by_hand(pilot)
        await next_step(pilot)
        assert isinstance(app.screen, SigninScreen)
    assert app.state.status(StepId.PULUMI) is StepStatus.CONFIRMED
    assert app.state.pulumi_confirmed
    assert_token_nowhere(WRONG, tmp_path, capfd, app)


async def test_server_down_lets_the_admin_confirm_and_the_record_says_not_verified(tmp_path, capfd, refused_port):
    port = refused_port
    app = app_for(tmp_path, f"http://127.0.0.1:{port}")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_step(pilot)
        # no token at all: said beside the input, no request made
        await verify(pilot, screen)
        assert [f.code for f in screen.result.findings] == ["pulumi.no_token"]
        assert "No Pulumi access token" in error_text(pilot, "token")
        await paste_token(pilot, TOKEN)
        await verify(pilot, screen)
        assert screen.result.findings[0].code == "pulumi.refused"
        # about the API URL (set on step 1): shown at the check that failed, not in a loose list
        assert screen.result.findings[0].field == "api_base"
        assert "connection refused" in error_text(pilot, "verify")
        # Next refused: the gate counts what stops the step (checklist, Apply changes), not
        # the unreachable API, which the admin's confirmation may stand in for
        await next_step(pilot)
        assert "connection refused" in error_text(pilot, "verify")
        assert str(screen.query_one("#gate-message").render()) == "Not yet: 2 things to fix (shown above)."
        await confirm_by_hand(pilot)
        assert str(screen.query_one("#gate-message").render()) == "Passes now: press Next."
        await next_step(pilot)
        assert isinstance(app.screen, SigninScreen)
    assert app.state.status(StepId.PULUMI) is StepStatus.CONFIRMED
    assert "not verified through Pulumi's API" in app.state.record(StepId.PULUMI).note
    assert "| Configure Pulumi | ✎ confirmed | the admin confirmed the metadata was pasted" in build_record(app.state)
    assert_token_nowhere(TOKEN, tmp_path, capfd, app)


async def test_token_from_the_pulumi_cli_login_and_busy_state(fake, tmp_path):
    creds = Path.home() / ".pulumi" / "credentials.json"  # conftest's temporary HOME
    creds.parent.mkdir(parents=True, exist_ok=True)
    creds.write_text(json.dumps({"current": fake.url, "accessTokens": {fake.url: TOKEN}}))
    # the first answer waits until the test has seen Verify busy and releases it: a fixed
    # stall (or the app's timeout) could end before a loaded machine's key press returns
    fake.then(200, {"idpSsoDescriptor": ""}, stall=HELD)
    app = app_for(tmp_path, fake.url)
    app.network_timeout = HELD
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_step(pilot)
        assert "from ~/.pulumi/credentials.json" in str(screen.query_one("#token-source").render())
        await press_verify(pilot, screen)
        button = screen.query_one("#verify")
        await until(pilot, lambda: button.disabled, what="Verify to be busy")
        assert str(button.label) == "Verifying…"
        # keys still work while Pulumi is asked
        await tick(pilot, "#applied")
        assert button.disabled, "the tick waited for Pulumi's answer"
        fake.release()
        await settle(pilot)
        assert screen.result is not None and not button.disabled
        await verify(pilot, screen)
        assert screen.result.verified
    assert fake.requests[-1].headers["Authorization"] == f"token {TOKEN}"


async def test_leaving_the_step_while_pulumi_is_asked(fake, tmp_path, monkeypatch):
    from screens.metadata import MetadataScreen

    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", TOKEN)
    fake.then(200, {}, stall=HELD)  # cut short when the fake stops, after the app
    app = app_for(tmp_path, fake.url)
    app.network_timeout = HELD
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_step(pilot)
        await press_verify(pilot, screen)
        await until(pilot, lambda: screen.query_one("#verify").disabled, what="Verify to be busy")
        await pilot.press("ctrl+b")
        await until(pilot, lambda: isinstance(app.screen, MetadataScreen), what="the export step")
    assert app.state.status(StepId.PULUMI) is StepStatus.NOT_STARTED


def test_the_switching_account_rule_is_sourced_and_so_required():
    """Pulumi's Identity Providers page states it, so it is a gate, not advice."""
    from wizard.pulumi_step import ADVICE_KEYS, SWITCH_CHECKLIST

    item = next(item for item in SWITCH_CHECKLIST if item.key == "own_account")
    assert item.required and "own_account" in CHECKLIST_KEYS and "own_account" not in ADVICE_KEYS
    assert "Identity Providers" in item.explanation and "no Pulumi document" not in item.explanation
    refused = check_checklist([key for key in CHECKLIST_KEYS if key != "own_account"])
    assert [f.code for f in refused] == ["step.pulumi.checklist"]
    assert check_checklist(CHECKLIST_KEYS) == []


async def test_refused_for_the_checklist_the_focus_is_on_its_first_unticked_item(tmp_path):
    from tests.wizard_helpers import resume, saved_app

    app = saved_app(tmp_path, StepId.PULUMI)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resume(pilot, PulumiScreen)
        await tick(pilot, "#switch-immediate")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen.focused is screen.query_one("#switch-saml_admin")  # space ticks it, not untick item 4
        await pilot.press("space")
        assert screen.query_one("#switch-saml_admin").value and screen.query_one("#switch-immediate").value


async def test_a_step_refused_then_made_to_pass_says_so_after_a_resume(tmp_path):
    """Next was refused, the admin then ticked everything and quit: on resume the line under
    the title says what is there passes now, not the old reason with every box ticked."""
    from tests.wizard_helpers import resume, saved_app

    app = saved_app(tmp_path, StepId.PULUMI)
    async with app.run_test(size=(80, 24)) as pilot:
        await resume(pilot, PulumiScreen)
        await pilot.press("ctrl+n")  # nothing ticked: refused
        await settle(pilot)
        assert app.state.status(StepId.PULUMI) is StepStatus.FAILED
        await confirm_by_hand(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    again = make_app(tmp_path / "state")
    async with again.run_test(size=(80, 24)) as pilot:
        screen = await resume(pilot, PulumiScreen)
        assert all(box.value for box in screen.query("#checklist Checkbox, #applied"))
        await settle(pilot)
        await until(pilot, lambda: "passes" in str(screen.query_one("#step-title").render()), what="the passing line")
        title = " ".join(str(screen.query_one("#step-title").render()).split())
        assert "what is here now passes: press Next" in title and "not yet: 1, 2" not in title
        assert "Passes now: press Next." in str(screen.query_one("#gate-message").render())
