"""Pilot: steps 7 and 8 watch Pulumi while they are open: a sign-in the stand-in records
turns step 7 verified; teams SCIM pushes are listed against the groups, a missing one
named, one arriving on a later look seen; leaving the step stops the watch."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from textual.widgets import Button

from screens.scim import ScimScreen
from screens.signin import SigninScreen
from tests.wizard_helpers import complete_before, make_app, next_step, pulumi_with_org, until
from wizard.state import StateStore, StepId, StepStatus, WizardState

ORG = "acmecorp"


@pytest.fixture
def pulumi(monkeypatch):
    with pulumi_with_org(monkeypatch, ORG) as server:
        yield server


def app_at(tmp_path, step: StepId, api_base: str):
    state = WizardState(org=ORG, api_base=api_base, idp_url_value="pulumi", groups=["Engineering", "Everyone"])
    complete_before(state, step)
    StateStore(tmp_path / "state").save(state)
    app = make_app(tmp_path / "state")
    app.poll_interval = 0.05
    return app


async def resume(pilot, screen_type) -> None:
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "ResumeScreen", what="the resume prompt")
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(pilot.app.screen, screen_type)


@asynccontextmanager
async def watching(tmp_path, pulumi, step: StepId, screen_type, button: str):
    """The app resumed at ``step`` against the stand-in, its screen ``screen_type``, the
    watch started with ``button``: the pilot and the step's screen."""
    app = app_at(tmp_path, step, pulumi.url)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, screen_type)
        screen = app.screen
        screen.query_one(button, Button).press()
        yield pilot, screen


def login(minutes: float = 0, event: str = "user-login", who: str = "alice") -> dict:
    return {
        "timestamp": int(datetime.now(UTC).timestamp() - minutes * 60),
        "event": event,
        "description": f"{event} via SAML",
        "sourceIP": "203.0.113.7",
        "user": {"name": who, "githubLogin": who, "avatarUrl": ""},
    }


async def test_step_seven_turns_verified_when_pulumi_records_a_sign_in(tmp_path, pulumi):
    pulumi.events[ORG] = [login(minutes=120, who="yesterday")]  # before the step: not counted
    async with watching(tmp_path, pulumi, StepId.SIGNIN, SigninScreen, "#watch") as (pilot, screen):
        await until(pilot, lambda: screen.watch.rounds >= 2, what="two looks at the audit log")
        assert "Watching for sign-ins" in str(screen.query_one("#watch-status").render())
        assert screen.signins is not None and screen.signins.seen == []
        pulumi.events[ORG].append(login(event="user-login-failed", who="bob"))
        pulumi.events[ORG].append(login(who="alice"))
        view = screen.query_one("#watch-findings")
        await until(pilot, lambda: "1 sign-in(s)" in str(view.render()), what="the watch to see the sign-in")
        shown = str(view.render())
        assert "failed sign-in by bob" in shown and "1 sign-in(s)" in shown
        await next_step(pilot)  # no tick needed: Pulumi's log is the evidence
        assert isinstance(pilot.app.screen, ScimScreen)
        record = pilot.app.state.record(StepId.SIGNIN)
        assert record.status is StepStatus.VERIFIED and "audit log" in record.note and "alice" in record.note


async def test_without_audit_logs_the_watch_says_so_and_the_ticks_decide(tmp_path, pulumi):
    pulumi.meta[ORG]["features"]["auditLogsEnabled"] = False
    async with watching(tmp_path, pulumi, StepId.SIGNIN, SigninScreen, "#watch") as (pilot, screen):
        view = screen.query_one("#watch-findings")
        await until(pilot, lambda: "no audit logs" in str(view.render()), what="the answer")
        await next_step(pilot)
        assert isinstance(pilot.app.screen, SigninScreen)  # the ticks are still needed


async def test_leaving_the_step_stops_the_watch(tmp_path, pulumi):
    async with watching(tmp_path, pulumi, StepId.SIGNIN, SigninScreen, "#watch") as (pilot, screen):
        await until(pilot, lambda: screen.watch.rounds >= 1, what="a first look")
        await pilot.press("ctrl+b")
        await pilot.pause(0.3)
        asked = len([r for r in pulumi.requests if "auditlogs" in r.path])
        await pilot.pause(0.5)
        assert len([r for r in pulumi.requests if "auditlogs" in r.path]) == asked  # no more looks
        assert not screen.watch.running


async def test_step_eight_names_a_missing_team_then_sees_it_arrive(tmp_path, pulumi):
    pulumi.teams[ORG] = [{"kind": "scim", "name": "Engineering", "displayName": "Engineering", "description": ""}]
    async with watching(tmp_path, pulumi, StepId.SCIM, ScimScreen, "#watch-teams") as (pilot, screen):
        await until(pilot, lambda: "Everyone" in str(screen.query_one("#teams-findings").render()), what="the teams")
        assert "Not in Pulumi yet as SCIM teams: Everyone" in str(screen.query_one("#teams-findings").render())
        first = len([r for r in pulumi.requests if r.path.endswith("/teams")])
        pulumi.teams[ORG].append({"kind": "scim", "name": "Everyone", "displayName": "Everyone", "description": ""})
        view = screen.query_one("#teams-findings")
        await until(pilot, lambda: "Every group arrived" in str(view.render()), what="the teams to arrive")
        assert len([r for r in pulumi.requests if r.path.endswith("/teams")]) > first


async def test_step_eight_says_when_scim_is_not_in_the_edition(tmp_path, pulumi):
    pulumi.meta[ORG]["features"]["scimEnabled"] = False
    async with watching(tmp_path, pulumi, StepId.SCIM, ScimScreen, "#watch-teams") as (pilot, screen):
        view = screen.query_one("#teams-findings")
        await until(pilot, lambda: "SCIM provisioning is not available" in str(view.render()), what="the answer")
        assert not any(r.path.endswith("/teams") for r in pulumi.requests)


async def test_step_seven_shows_the_saml_admins(tmp_path, pulumi):
    pulumi.events[ORG] = [login(who="alice")]
    async with watching(tmp_path, pulumi, StepId.SIGNIN, SigninScreen, "#watch") as (pilot, screen):
        view = screen.query_one("#watch-findings")
        await until(pilot, lambda: "SAML admins" in str(view.render()), what="the answer")
        assert "SAML admins (break-glass sign-in): ada" in str(view.render())
