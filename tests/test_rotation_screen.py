"""Pilot: certificate rotation from the wizard (RotationScreen) against the fake
Pulumi API on 127.0.0.1: compare, the old-vs-new difference, the explicit
confirmation, the PATCH and the fresh read proving the new certificate live."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual import events

from screens.pulumi import PulumiScreen
from screens.rotation import RotationScreen
from tests.exports import GOOD_EXPORT
from tests.pulumi_fake import FakePulumi, fingerprint, make_cert, metadata_xml
from tests.wizard_helpers import complete_before, make_app, settle, tick, type_into, until
from wizard.state import StateStore, StepId, WizardState

ORG = "acmecorp"
TOKEN = "pul-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b"
SIZE = (100, 30)
NEW_DER = make_cert(datetime(2026, 11, 20, tzinfo=UTC), datetime(2031, 11, 20, tzinfo=UTC))
NEW_XML = metadata_xml(NEW_DER)


def saved_state(api_base: str) -> WizardState:
    state = WizardState(org=ORG, api_base=api_base, idp_url_value="bitdefender", metadata_xml=GOOD_EXPORT.read_text())
    complete_before(state, StepId.PULUMI)
    state.current_step = StepId.PULUMI.value
    return state


def app_for(tmp_path: Path, api_base: str):
    StateStore(tmp_path / "state").save(saved_state(api_base))
    app = make_app(tmp_path / "state")
    app.network_timeout = 2.0
    return app


async def open_rotation(pilot) -> RotationScreen:
    await pilot.pause()
    await pilot.press("r")
    await pilot.pause()
    pilot.app.action_rotate()
    await pilot.pause()
    assert isinstance(pilot.app.screen, RotationScreen)
    return pilot.app.screen


async def press(pilot, screen, selector: str) -> None:
    screen.query_one(selector).focus()
    await pilot.press("enter")
    await pilot.pause()


async def settle_screen(pilot, screen) -> None:
    await settle(pilot)
    assert not screen.busy, "the rotation worker did not finish"


async def compare(pilot, screen) -> None:
    await press(pilot, screen, "#compare")
    await settle_screen(pilot, screen)


async def paste_token(pilot, screen, token: str) -> None:
    field = screen.query_one("#token")
    field.focus()
    field.post_message(events.Paste(token))
    await pilot.pause()


def error_of(screen, field: str) -> str:
    return str(screen.query_one(f"#err-{field}").render())


def test_rotation_gate_functions(tmp_path):
    from wizard.findings import ok
    from wizard.pulumi_step import check_apply, check_rotation_target, decode_metadata, load_new_metadata
    from wizard.rotation import DiffRow, RotationPlan

    assert [f.field for f in check_rotation_target("acme corp", "http://pulumi.example.com")] == ["org", "api_base"]
    assert check_rotation_target(ORG, "https://api.pulumi.com") == []
    assert decode_metadata("<x>é</x>".encode("utf-16")) == "<x>é</x>"
    assert decode_metadata(b"\xef\xbb\xbf<x/>") == "<x/>"
    (tmp_path / "bin.xml").write_bytes(b"\xff\xfe\x00\xd8")  # UTF-16 BOM, then a lone surrogate
    text, problems = load_new_metadata(str(tmp_path / "bin.xml"))
    assert text is None and problems[0].code == "metadata.file.encoding"
    text, problems = load_new_metadata(str(tmp_path))
    assert text is None and problems[0].code == "metadata.file.is_dir"

    ready = RotationPlan([ok("rotate.ready", "")], [DiffRow("Certificate SHA-256", "A", "B")], "<xml/>", "B")
    assert [f.code for f in check_apply(None, True)] == ["rotate.compare_first"]
    assert [f.code for f in check_apply(ready, True, plan_inputs_changed=True)] == ["rotate.compare_first"]
    assert [f.code for f in check_apply(ready, False)] == ["rotate.unconfirmed_by_admin"]
    assert check_apply(ready, True) == []
    failed = RotationPlan([], [], "<xml/>", None)
    assert [f.code for f in check_apply(failed, True)] == ["rotate.not_ready"]


@pytest.fixture
def fake():
    with FakePulumi(TOKEN) as server:
        server.add_org(ORG, GOOD_EXPORT.read_text())
        yield server


async def test_full_rotation_through_the_screen(fake, tmp_path, capfd, monkeypatch):
    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", TOKEN)
    new_file = tmp_path / "JumpCloud-Pulumi-metadata.xml"
    new_file.write_text(NEW_XML)
    app = app_for(tmp_path, fake.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_rotation(pilot)
        assert screen.query_one("#rot_org").value == ORG
        assert screen.query_one("#rot_api").value == fake.url
        assert "from PULUMI_ACCESS_TOKEN" in str(screen.query_one("#token-source").render())
        assert "(optional: one was found;" in str(screen.query_one("#token-label").render())
        assert "Regenerate certificate" in str(screen.query_one("#jumpcloud-steps").render())
        # the way into Pulumi comes before regenerating, which breaks sign-in until Pulumi has the file
        token, steps = screen.query_one("#token"), screen.query_one("#jumpcloud-steps")
        assert token.region.y < steps.region.y

        # applying before comparing is refused, nothing is sent
        await press(pilot, screen, "#apply")
        assert "Compare" in error_of(screen, "compare")

        await type_into(pilot, "#metadata_path", str(new_file))
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#paste").text == NEW_XML
        await compare(pilot, screen)
        assert screen.plan is not None and screen.plan.ok, screen.plan.findings
        assert screen.query_one("#diff").display
        diff = screen.query_one("#diff").text().splitlines()
        assert diff[0] == " | Pulumi has now | New file"
        changed = {line.split(" | ")[0]: line.split(" | ")[1:] for line in diff if line.startswith("≠ ")}
        assert changed["≠ Certificate SHA-256"][1] == fingerprint(NEW_DER)
        assert changed["≠ Valid until"][1].startswith("2031-11-20")
        assert "  SSO URL | https://sso.jumpcloud.com/saml2/bitdefender | (unchanged)" in diff
        assert screen.query_one("#diff .diff-label.-changed")  # highlighted
        assert "rotate.ready" in str(screen.query_one("#findings").render())

        # not confirmed: nothing is sent
        await press(pilot, screen, "#apply")
        assert "Tick the confirmation" in error_of(screen, "confirm")
        assert [s.method for s in fake.requests] == ["GET"]

        await tick(pilot, "#confirm")
        await press(pilot, screen, "#apply")
        await settle_screen(pilot, screen)
        outcome = str(screen.query_one("#outcome").render())
        assert "Pulumi now uses the new certificate" in outcome and "rotate.live" in outcome
        assert any(n.title == "Rotated" for n in app._notifications)
        # step 5 holds the rotated export now, not the old one shown as loaded and verified
        assert app.state.metadata_summary["cert_sha256"] == fingerprint(NEW_DER)
        assert app.state.metadata_path == str(new_file) and app.state.metadata_xml == NEW_XML
        assert "rotated export" in app.state.record(StepId.METADATA).note
        assert not app.state.status(StepId.PULUMI).complete  # step 6 was still to do here: it still is
        assert StateStore(tmp_path / "state").load().state.metadata_summary["cert_sha256"] == fingerprint(NEW_DER)

        # escape goes back to the step underneath
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PulumiScreen)

    patches = [s for s in fake.requests if s.method == "PATCH"]
    assert len(patches) == 1 and patches[0].path == f"/api/orgs/{ORG}/saml"
    assert json.loads(patches[0].body) == {"newIdpSsoDescriptor": NEW_XML}
    assert [s.method for s in fake.requests] == ["GET", "PATCH", "GET"]  # read back after the update
    live = fake.saml_body(ORG)
    assert live["validUntil"] == "2031-11-20T00:00:00Z" and live["idpSsoDescriptor"] == NEW_XML

    out, err = capfd.readouterr()
    assert TOKEN not in out and TOKEN not in err
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path
    assert all(TOKEN not in str(n.message) for n in app._notifications)


async def test_pulumi_refusal_is_shown_as_is_and_other_app_blocked(fake, tmp_path, capfd):
    app = app_for(tmp_path, fake.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_rotation(pilot)
        assert "none found" in str(screen.query_one("#token-source").render())
        assert "(needed: none was found;" in str(screen.query_one("#token-label").render())
        screen.query_one("#paste").text = NEW_XML

        # no token anywhere: said beside the token input, no request made; the fix names the field
        await press(pilot, screen, "#compare")
        assert "No Pulumi access token" in error_of(screen, "token")
        assert "paste it in the access token field" in " ".join(error_of(screen, "token").split())
        assert fake.requests == []

        await paste_token(pilot, screen, TOKEN)
        assert screen.query_one("#token").password
        assert "the token entered below" in str(screen.query_one("#token-source").render())

        # a file from another JumpCloud application: refused before anything is sent
        screen.query_one("#paste").text = metadata_xml(NEW_DER, location="https://sso.jumpcloud.com/saml2/other")
        await compare(pilot, screen)
        assert not screen.plan.ok
        assert "rotate.sso_url_mismatch" in str(screen.query_one("#findings").render())
        await tick(pilot, "#confirm")
        await press(pilot, screen, "#apply")
        assert "did not pass the checks" in error_of(screen, "compare")

        # the right file, but Pulumi refuses it: its message as is
        screen.query_one("#paste").text = NEW_XML
        await compare(pilot, screen)
        assert screen.plan.ok
        assert not screen.query_one("#confirm").value  # a new comparison asks again
        await tick(pilot, "#confirm")
        # inputs changed since the comparison: compare again first
        await type_into(pilot, "#rot_org", "othercorp")
        await press(pilot, screen, "#apply")
        assert "Compare" in error_of(screen, "compare")
        await type_into(pilot, "#rot_org", ORG)
        fake.then(
            400, {"code": 400, "message": "Invalid IDP SSO descriptor: the certificate is revoked"}, method="PATCH"
        )
        await press(pilot, screen, "#apply")
        await settle_screen(pilot, screen)
        outcome = str(screen.query_one("#outcome").render())
        assert "Pulumi refused the request: Invalid IDP SSO descriptor: the certificate is revoked" in outcome
        assert screen.outcome is not None and not screen.outcome.ok
        token_input = screen.query_one("#token")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PulumiScreen)
        assert token_input.value == ""  # closing forgets the entered token
    assert fake.saml_body(ORG)["idpSsoDescriptor"] == GOOD_EXPORT.read_text()  # unchanged
    out, err = capfd.readouterr()
    assert TOKEN not in out + err


async def test_failures_are_findings_and_keys_never_wait(tmp_path, monkeypatch, refused_port):
    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", TOKEN)
    port = refused_port
    app = app_for(tmp_path, f"http://127.0.0.1:{port}")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_rotation(pilot)
        # bad inputs: beside their fields
        await type_into(pilot, "#rot_org", "acme corp")
        await type_into(pilot, "#rot_api", "http://pulumi.example.com")
        await press(pilot, screen, "#compare")
        assert "no spaces" in error_of(screen, "rot_org")
        assert "https" in error_of(screen, "rot_api")
        assert "Load the new metadata" in error_of(screen, "metadata_path")
        screen.query_one("#metadata_path").value = str(tmp_path / "missing.xml")
        await press(pilot, screen, "#load")
        await pilot.pause()
        assert "There is no file" in error_of(screen, "metadata_path")

        # the server is down: a finding, not a traceback
        await type_into(pilot, "#rot_org", ORG)
        screen.query_one("#rot_api").value = f"http://127.0.0.1:{port}"
        screen.query_one("#paste").text = NEW_XML
        await compare(pilot, screen)
        assert screen.plan is None
        # about the API URL typed on this screen: shown beside it
        assert "connection refused" in error_of(screen, "rot_api")
        assert not screen.query_one("#diff").display

    # a stalled server: the screen stays responsive and escape still closes it
    with FakePulumi(TOKEN) as slow:
        slow.add_org(ORG, GOOD_EXPORT.read_text())
        # held until the stand-in stops (after the app): a fixed stall, or the app's timeout,
        # could end before a loaded machine's key press returns and Compare is seen busy
        slow.then(200, {}, stall=120.0)
        app = app_for(tmp_path / "slow", slow.url)
        app.network_timeout = 120.0
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_rotation(pilot)
            screen.query_one("#paste").text = NEW_XML
            await press(pilot, screen, "#compare")
            button = screen.query_one("#compare")
            await until(pilot, lambda: button.disabled, what="Compare to be busy")
            assert str(button.label) == "Comparing…"
            await tick(pilot, "#confirm")  # keys work while Pulumi is asked
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, PulumiScreen)


EXPIRED_XML = metadata_xml(make_cert(datetime(2015, 1, 1, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC)))


async def test_a_bad_file_is_said_without_asking_pulumi(tmp_path, monkeypatch, refused_port):
    """Issue 15: the new file is checked on its own before any request, so offline an
    expired or non-XML export is named as such, not hidden behind the network error."""
    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", TOKEN)
    app = app_for(tmp_path, f"http://127.0.0.1:{refused_port}")  # nothing listens there
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_rotation(pilot)
        for text, code in ((EXPIRED_XML, "metadata.cert.expired"), ("not XML at all", "xml.not_xml")):
            screen.query_one("#paste").text = text
            await compare(pilot, screen)
            assert screen.plan is not None and not screen.plan.ok
            codes = [f.code for f in screen.plan.findings]
            assert codes == [code, "rotate.metadata_invalid"], codes
            shown = str(screen.query_one("#findings").render())
            assert "does not pass the metadata checks" in shown
            assert "connection refused" not in error_of(screen, "rot_api") + shown
            assert not screen.query_one("#diff").display

    # against a stand-in that counts: the bad file sends nothing, the good one is compared
    with FakePulumi(TOKEN) as counting:
        counting.add_org(ORG, GOOD_EXPORT.read_text())
        app = app_for(tmp_path / "counting", counting.url)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_rotation(pilot)
            screen.query_one("#paste").text = EXPIRED_XML
            await compare(pilot, screen)
            assert "metadata.cert.expired" in [f.code for f in screen.plan.findings]
            assert counting.requests == []
            await tick(pilot, "#confirm")
            await press(pilot, screen, "#apply")
            assert "did not pass the checks" in error_of(screen, "compare")
            assert counting.requests == []
            screen.query_one("#paste").text = NEW_XML
            await compare(pilot, screen)
            assert screen.plan.ok
            assert [r.method for r in counting.requests] == ["GET"]
