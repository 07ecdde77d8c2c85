"""Pilot: step 1 with a Pulumi access token checks the organisation in Pulumi: an
edition without SAML SSO, or a user who is not an admin, is refused with the reason;
a ready organisation needs no tick for the edition."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from screens.create_app import CreateAppScreen
from screens.welcome import WelcomeScreen
from tests.wizard_helpers import (
    PULUMI_TOKEN,
    error_text,
    make_app,
    next_step,
    pulumi_with_org,
    set_value,
    settle,
    tick,
    until,
)
from wizard.state import StepId

ORG = "acmecorp"


@pytest.fixture
def pulumi(monkeypatch):
    with pulumi_with_org(monkeypatch, ORG) as server:
        yield server


async def start(pilot, server, org: str = ORG) -> None:
    await pilot.pause()
    await set_value(pilot, "#org", org)
    await set_value(pilot, "#api_base", server.url)
    # the token is looked for once typing in the API URL pauses
    await until(pilot, lambda: pilot.app.screen.query("#pulumi-check"), what="the Check with Pulumi button")


async def check_with_pulumi(pilot) -> str:
    button = pilot.app.screen.query_one("#pulumi-check", Button)
    assert not button.disabled
    button.press()
    await settle(pilot)
    return str(pilot.app.screen.query_one("#pulumi-findings").render())


async def test_an_edition_without_saml_is_refused_with_the_reason(tmp_path, pulumi):
    pulumi.meta[ORG]["features"]["samlSsoEnabled"] = False
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, pulumi)
        assert "from PULUMI_ACCESS_TOKEN" in str(app.screen.query_one("#pulumi-token-source").render())
        said = await check_with_pulumi(pilot)
        assert "SAML SSO is not available" in said
        await tick(pilot, "#has_sso_package")
        await tick(pilot, "#has_saml_edition")  # the admin's tick does not outweigh Pulumi's answer
        await next_step(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        assert "SAML SSO is not available" in error_text(pilot, "has_saml_edition")


async def test_a_user_who_is_not_an_admin_is_told_who_must_run_it(tmp_path, pulumi):
    pulumi.meta[ORG]["userRole"] = "member"
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, pulumi)
        assert "not an admin" in await check_with_pulumi(pilot)
        await tick(pilot, "#has_sso_package")
        await tick(pilot, "#has_saml_edition")
        await next_step(pilot)
        assert isinstance(app.screen, WelcomeScreen)


async def test_a_ready_organisation_needs_no_tick_for_the_edition(tmp_path, pulumi):
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, pulumi)
        assert "SAML SSO is available to acmecorp and you are an admin" in await check_with_pulumi(pilot)
        await tick(pilot, "#has_sso_package")
        await next_step(pilot)
        assert isinstance(app.screen, CreateAppScreen)
        note = app.state.record(StepId.WELCOME).note
        assert "verified through Pulumi's API" in note and "confirmed by the admin: JumpCloud's SSO Package" in note
        assert app.state.has_saml_edition


async def test_the_wrong_case_is_caught_at_step_one(tmp_path, pulumi):
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, pulumi, "AcmeCorp")
        assert "Pulumi spells the organisation 'acmecorp'" in await check_with_pulumi(pilot)
        await tick(pilot, "#has_sso_package")
        await next_step(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        assert "acmecorp" in error_text(pilot, "org")


async def test_scim_not_in_the_edition_is_carried_to_step_eight(tmp_path, pulumi):
    from wizard.state import StateStore

    pulumi.meta[ORG]["features"]["scimEnabled"] = False
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, pulumi)
        assert "SCIM provisioning is not available" in await check_with_pulumi(pilot)
        await tick(pilot, "#has_sso_package")
        await next_step(pilot)
        assert isinstance(app.screen, CreateAppScreen)
    state = StateStore(tmp_path / "state").load().state
    assert state.pulumi_scim == "no"
    # step 8 says so at its top
    from tests.wizard_helpers import complete_before

    complete_before(state, StepId.SCIM)
    StateStore(tmp_path / "state").save(state)
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        from tests.wizard_helpers import until

        await until(pilot, lambda: type(pilot.app.screen).__name__ == "ResumeScreen", what="the resume prompt")
        await pilot.press("r")
        await pilot.pause()
        assert "not in this organisation's edition" in str(app.screen.query_one("#scim-unavailable").render())


async def test_the_token_is_looked_for_once_typing_pauses_and_for_the_final_api_base(tmp_path, monkeypatch):
    """Typing a self-hosted API URL key by key looks for a token once, for the URL as
    typed in the end: not a credentials-file read per key, nor the answer for a prefix."""
    import wizard.pulumi_api as pulumi_api
    from tests.wizard_helpers import type_into

    looked: list[str] = []

    def find_token(api_base, **_kwargs):
        looked.append(api_base)
        return (
            pulumi_api.TokenSource(PULUMI_TOKEN, f"the CLI's login for {api_base}")
            if api_base.endswith(".com")
            else None
        )

    monkeypatch.setattr(pulumi_api, "find_token", find_token)
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: looked, what="the first lookup")
        looked.clear()
        # a pause long enough that a loaded machine's stall between two keys is not taken for
        # one (0.6 s seen between two simulated keys on a loaded 2-core machine)
        monkeypatch.setattr(WelcomeScreen, "TOKEN_LOOKUP_PAUSE", 3.0)
        await type_into(pilot, "#api_base", "https://pulumi.example.com", keys=True)
        line = app.screen.query_one("#pulumi-token-source")
        await until(
            pilot,
            lambda: "example.com" in str(line.render()),
            seconds=WelcomeScreen.TOKEN_LOOKUP_PAUSE + 8,
            what="the token line for the final URL",
        )
        await settle(pilot)
        assert looked == ["https://pulumi.example.com"]
        assert "the CLI's login for https://pulumi.example.com." in str(line.render())


async def test_the_token_is_not_looked_for_again_for_the_same_api_base(tmp_path, monkeypatch):
    """Clearing the API base (which means the default) or typing the default again does not
    read the credentials again: the answer on screen is already for that URL."""
    import wizard.pulumi_api as pulumi_api
    from tests.wizard_helpers import type_into

    looked: list[str] = []

    def find_token(api_base, **_kwargs):
        looked.append(api_base)
        return pulumi_api.TokenSource(PULUMI_TOKEN, f"the CLI's login for {api_base}")

    monkeypatch.setattr(pulumi_api, "find_token", find_token)
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.screen.query("#pulumi-token-source"), what="the token line")
        assert looked == ["https://api.pulumi.com"]
        await type_into(pilot, "#api_base", "")
        await pilot.pause(WelcomeScreen.TOKEN_LOOKUP_PAUSE + 0.5)
        await type_into(pilot, "#api_base", "https://api.pulumi.com")
        await pilot.pause(WelcomeScreen.TOKEN_LOOKUP_PAUSE + 0.5)
        await settle(pilot)
        assert looked == ["https://api.pulumi.com"]
        line = str(app.screen.query_one("#pulumi-token-source").render())
        assert "the CLI's login for https://api.pulumi.com." in line
        # another URL is looked for, and coming back to the default looks again
        await type_into(pilot, "#api_base", "https://pulumi.example.com")
        await until(pilot, lambda: len(looked) == 2, what="the lookup for the new URL")
        await type_into(pilot, "#api_base", "")
        await until(pilot, lambda: len(looked) == 3, what="the lookup for the default again")
        assert looked == ["https://api.pulumi.com", "https://pulumi.example.com", "https://api.pulumi.com"]


async def test_a_token_lookup_answering_while_the_app_closes_is_dropped_quietly(tmp_path, monkeypatch):
    """The lookup runs in a thread; its answer can arrive while the app is closing and
    step 1's fields are already being removed: it is dropped, not raised (a clean-clone CI
    run failed so). Here the field the answer is shown under is gone when it arrives."""
    import wizard.pulumi_api as pulumi_api

    looked: list[str] = []
    monkeypatch.setattr(pulumi_api, "find_token", lambda api_base, **_kw: looked.append(api_base))
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: looked, what="the first lookup")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        line = app.screen.query("#pulumi-token-source")
        for widget in [*line, *app.screen.query("#err-api_base")]:
            await widget.remove()  # as when the screen is taken down
        looked.clear()
        app.screen.query_one("#api_base").value = "https://pulumi.example.com"  # looked for again
        await until(pilot, lambda: looked, what="the second lookup")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    assert not app.is_running  # and no WorkerFailed on the way out
