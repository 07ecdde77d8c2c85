"""Snapshots of the day-two screens at 100x30: step 6 after a successful
"Verify with Pulumi", and the rotation screen with the old-vs-new difference shown.

The fake Pulumi API listens on a random port; to keep that port off the screen the
app talks to ``http://localhost`` through HTTP_PROXY pointed at the fake (httpx takes
proxies from the environment, and the fake answers absolute-form requests as a proxy
would).  The clock is make_app's FIXED_NOW; the new certificate is a fixed one.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.exports import GOOD_EXPORT
from tests.pulumi_fake import FakePulumi, metadata_xml
from tests.wizard_helpers import complete_before, make_app, settle, until
from wizard.state import StateStore, StepId, WizardState

ORG = "acmecorp"
TOKEN = "pul-5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d"
API = "http://localhost"
# A JumpCloud-shaped certificate (RSA, SHA-256) valid 2026-11-20 .. 2031-11-20, made once
# with pulumi_fake.make_cert and frozen here so the snapshot's fingerprint never changes.
NEW_CERT_B64 = (
    "MIIC+jCCAeKgAwIBAgIUal1QtDpJlGh/pDZsEvpBrN6Zji8wDQYJKoZIhvcNAQELBQAwNzEZMBcGA1UECwwQSnVt"
    "cENsb3VkU0FNTElkUDEaMBgGA1UEAwwRSnVtcENsb3VkU0FNTFVzZXIwHhcNMjYxMTIwMDAwMDAwWhcNMzExMTIw"
    "MDAwMDAwWjA3MRkwFwYDVQQLDBBKdW1wQ2xvdWRTQU1MSWRQMRowGAYDVQQDDBFKdW1wQ2xvdWRTQU1MVXNlcjCC"
    "ASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAMQxzohxxcJwQTFI8tRurNcI8f4uKO6UJHF9CFeJyoKwJeWH"
    "uDJ4xZFAaJIrYmuiwh+7vlNTL3VX5g4V10Wf8MpOXqaZER825QBVKHIej4wcrCaAv1yY0kR25x0miE4TZ+OVSRMj"
    "hWqmoMSFFwUy7dCS2abD7FPn3barSsLh7UQntszxBPGzMgMXLOh5hxjS/5mygDWDjA6ytHVUX3kFjfOXcGVrFq9K"
    "/L7zPzbNq9V9aZVHD2L8kvfanTQLwJaA87UwMrIJnYGVxn1DHz5HN28Vv1zmYJ1IwHfi7IYaAXMTxsW1I1t6baOL"
    "plhtPAycMa8In6zPJ/rxO+DywTJniOECAwEAATANBgkqhkiG9w0BAQsFAAOCAQEAwv0Ja7E/Z8pLBlfPY2rB771E"
    "BmVW2OiYjBVnAKF+cR6dXoj7QlUh7EIiSjIrAObm35OuRMubzN9GHdsgst20IRfOu6qrtmstsXJAKMR3GvggBmeL"
    "/Y08fKj7DTK95lUbj8nHYKMhwLIxv5+TGPtFVbqfQ8IFnIpncDyYR7O8nEvW3stfiiqEzzl8f3lG+djdJo38GSIx"
    "0eFrqJuPEuApiYQncyJQtwnfqK0VkKx6rcg/b35CAHBbi0hvoqQIb+NoszKbkBi02gsFDcIn8mGgFMtqybmpsPxJ"
    "XiDxb8WZH309OvwjEoeDhRGaMvyRbyiPnowed7Zx7121iq5oiFkB3A=="
)
NEW_XML = metadata_xml(base64.b64decode(NEW_CERT_B64))


@pytest.fixture
def fake_behind_proxy(monkeypatch):
    with FakePulumi(TOKEN) as fake:
        fake.add_org(ORG, GOOD_EXPORT.read_text())
        monkeypatch.setenv("PULUMI_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("HTTP_PROXY", fake.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        yield fake
    assert fake.proxied, "the app did not reach the fake through the proxy"


def app_at_pulumi(tmp_path: Path):
    state = WizardState(
        org=ORG,
        api_base=API,
        has_sso_package=True,
        has_saml_edition=True,
        idp_url_value="bitdefender",
        idp_url_acknowledged=True,
        groups=["Engineering", "SRE"],
        metadata_xml=GOOD_EXPORT.read_text(),
    )
    complete_before(state, StepId.PULUMI)
    state.current_step = StepId.PULUMI.value
    StateStore(tmp_path / "state").save(state)
    app = make_app(tmp_path / "state")
    app.network_timeout = 3.0
    return app


async def wait_idle(pilot, screen, done) -> None:
    await settle(pilot)
    assert done(), "the worker did not finish"
    await pilot.pause(0.1)


async def resume(pilot) -> None:
    from screens.resume import ResumeScreen

    await until(pilot, lambda: isinstance(pilot.app.screen, ResumeScreen), what="the resume prompt")
    await pilot.press("r")
    await pilot.pause()


def test_pulumi_step_verified(snap_compare, tmp_path, fake_behind_proxy):
    async def run_before(pilot) -> None:
        await resume(pilot)
        screen = pilot.app.screen
        screen.query_one("#verify").focus()
        await pilot.press("enter")
        await wait_idle(pilot, screen, lambda: screen.result is not None)
        assert screen.result.verified, screen.result.findings
        # the answer is brought into view: the token line at the top of the body, or as near
        # as the body scrolls
        body, source = screen.query_one("#body"), screen.query_one("#token-source")
        await until(
            pilot,
            lambda: source.region.y == body.region.y or body.scroll_y == body.max_scroll_y > 0,
            what="the answer to be scrolled into view",
        )
        await pilot.pause(0.1)

    assert snap_compare(app_at_pulumi(tmp_path), terminal_size=(100, 30), run_before=run_before)


def test_rotation_screen_with_diff(snap_compare, tmp_path, fake_behind_proxy):
    async def run_before(pilot) -> None:
        await resume(pilot)
        pilot.app.action_rotate()
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#paste").text = NEW_XML
        screen.query_one("#compare").focus()
        await pilot.press("enter")
        await wait_idle(pilot, screen, lambda: not screen.busy and screen.plan is not None)
        assert screen.plan.ok, screen.plan.findings

    assert snap_compare(app_at_pulumi(tmp_path), terminal_size=(100, 30), run_before=run_before)
