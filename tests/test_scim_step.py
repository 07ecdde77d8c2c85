"""Pilot: the SCIM step against a real SCIM 2.0 server (scim2-server) on 127.0.0.1."""

from __future__ import annotations

import pytest
from textual import events

from screens.scim import ScimScreen
from screens.summary import SummaryScreen
from tests.scim_support import RealScimServer
from tests.wizard_helpers import complete_before, error_text, make_app, next_step, settle, tick, type_into, until
from wizard.state import StateStore, StepId, StepStatus, WizardState

ORG = "acmecorp"
TOKEN = "pul-scim-7f3c2a9e1b6d4c8fa0e5d2b7c9f1a3e6"
WRONG = "pul-scim-00000000000000000000000000000000"


@pytest.fixture(scope="module")
def scim_server():
    with RealScimServer({ORG: TOKEN}) as server:
        server.seed_user(ORG, "ada@example.com", displayName="Ada Lovelace", active=True)
        server.seed_user(ORG, "grace@example.com", displayName="Grace Hopper", active=True)
        yield server


def state_at_scim(api_base: str) -> WizardState:
    state = WizardState(org=ORG, api_base=api_base, idp_url_value="pulumi-acme", groups=["Engineering"])
    complete_before(state, StepId.SCIM)
    state.current_step = StepId.SCIM.value
    return state


async def open_scim_step(pilot) -> ScimScreen:
    await pilot.pause()
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ScimScreen)
    return pilot.app.screen


async def paste_token(pilot, token: str) -> None:
    field = pilot.app.screen.query_one("#scim_token")
    field.value = ""
    field.focus()
    field.post_message(events.Paste(token))
    await pilot.pause()


async def run_check(pilot, screen: ScimScreen) -> None:
    await pilot.click("#check-scim")
    await settle(pilot)
    assert screen.probe is not None, "the SCIM check did not report"


async def test_scim_step_checks_the_token_against_the_real_server(scim_server, tmp_path, capfd):
    state_dir = tmp_path / "state"
    StateStore(state_dir).save(state_at_scim(scim_server.api_base))
    before = scim_server.snapshot(ORG)
    app = make_app(state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_scim_step(pilot)
        base = str(screen.query_one("#copy-scim .copy-text").render())
        assert base == f"{scim_server.api_base}/scim/v2/{ORG}"

        # a wrong token: refused by the server, and Next stays put
        await paste_token(pilot, WRONG)
        assert screen.query_one("#scim_token").password  # masked on screen
        await run_check(pilot, screen)
        assert screen.probe.primary.code == "scim.unauthorized"
        assert "token" in error_text(pilot, "scim_token").lower()
        await next_step(pilot)
        assert isinstance(app.screen, ScimScreen)
        # the admin cannot overrule a definitive "no" by ticking the manual confirmation
        await tick(pilot, "#scim_confirmed")
        await next_step(pilot)
        assert isinstance(app.screen, ScimScreen)
        await tick(pilot, "#scim_confirmed", False)

        # the right token, pasted: accepted, with the number of users the server holds
        await paste_token(pilot, TOKEN)
        await run_check(pilot, screen)
        assert screen.probe.ok and screen.probe.total_results == 2
        rendered = str(screen.query_one("#findings").render())
        assert "scim.ok" in rendered and TOKEN not in rendered
        await next_step(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert app.state.status(StepId.SCIM) is StepStatus.VERIFIED
        assert app.state.record(StepId.SCIM).note == (
            f"the SCIM token was accepted by {scim_server.api_base}/scim/v2/{ORG}; 2 user(s) provisioned so far"
        )

        record = tmp_path / "record.md"
        await type_into(pilot, "#record_path", str(record))
        await next_step(pilot)
        assert record.exists()

    # read-only: the server holds exactly what it held before
    assert scim_server.snapshot(ORG) == before
    assert {seen.method for seen in scim_server.seen} == {"GET"}

    # the token is nowhere: not in any file written, not in any output
    out, err = capfd.readouterr()
    for path in [*tmp_path.rglob("*")]:
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path
    assert TOKEN not in out and TOKEN not in err
    assert all(TOKEN not in str(n.message) for n in app._notifications)


async def test_scim_skipped_with_a_reason(scim_server, tmp_path):
    state_dir = tmp_path / "state"
    StateStore(state_dir).save(state_at_scim(scim_server.api_base))
    app = make_app(state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_scim_step(pilot)
        await next_step(pilot)
        assert isinstance(app.screen, ScimScreen)
        assert "Check the token" in error_text(pilot, "scim_confirmed")
        await tick(pilot, "#skip")
        await type_into(pilot, "#skip_reason", "no Enterprise edition")
        await next_step(pilot)
        assert isinstance(app.screen, SummaryScreen)
    assert app.state.status(StepId.SCIM) is StepStatus.SKIPPED
    assert app.state.scim_skip_reason == "no Enterprise edition"
    assert app.state.record(StepId.SCIM).note == "skipped: no Enterprise edition"


async def test_unreachable_endpoint_can_be_confirmed_by_hand(tmp_path, refused_port):
    # nothing listens on this port: the check cannot reach it, so the admin's word is accepted
    port = refused_port
    state_dir = tmp_path / "state"
    StateStore(state_dir).save(state_at_scim(f"http://127.0.0.1:{port}"))
    app = make_app(state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_scim_step(pilot)
        await paste_token(pilot, TOKEN)
        await run_check(pilot, screen)
        assert screen.probe.primary.code == "scim.refused"
        # The reason is shown at the check, where the admin reads it, and the folded
        # "Self-hosted: use a different base URL" section stays folded.
        await pilot.pause()
        reason = screen.query_one("#err-scim_token")
        assert "refused" in str(reason.render()) and reason.display
        assert reason.region.height > 0
        assert screen.query_one("#scim-advanced").collapsed
        assert str(screen.query_one("#err-scim_base_url").render()) == ""
        await tick(pilot, "#scim_confirmed")
        await next_step(pilot)
        assert isinstance(app.screen, SummaryScreen)
    assert app.state.status(StepId.SCIM) is StepStatus.CONFIRMED
    assert "the admin confirmed JumpCloud's Test Connection passed" in app.state.record(StepId.SCIM).note


async def test_leaving_the_step_while_the_check_waits_does_not_crash(tmp_path):
    from screens.signin import SigninScreen
    from tests.scim_support import FaultServer, Reply

    with FaultServer() as faults:
        # the answer is held (not a fixed stall a loaded machine's click could outlast) until
        # the admin has gone back; then let go, and every worker left is waited for
        base = faults.script(f"/scim/v2/{ORG}", [Reply(200, {"totalResults": 0}, stall=120.0)])
        state = state_at_scim(base.split("/scim/v2/")[0])
        StateStore(tmp_path / "state").save(state)
        app = make_app(tmp_path / "state")
        app.network_timeout = 120.0
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_scim_step(pilot)
            await paste_token(pilot, TOKEN)
            await pilot.click("#check-scim")
            await until(pilot, lambda: screen.query_one("#check-scim").disabled, what="Check to be busy")
            assert str(screen.query_one("#check-scim").label) == "Checking…"
            await pilot.press("ctrl+b")  # the admin goes back while the server has not answered
            await until(pilot, lambda: isinstance(app.screen, SigninScreen), what="step 7")
            faults.release()
            await settle(pilot)
            assert isinstance(app.screen, SigninScreen)
            assert app.is_running
