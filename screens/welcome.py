from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Input, Static

from screens.base import StepScreen
from screens.widgets import FieldError
from wizard.state import StepId
from wizard.values import DEFAULT_API_BASE


class WelcomeScreen(StepScreen):
    STEP = StepId.WELCOME

    def compose_body(self) -> ComposeResult:
        state = self.view
        yield Static("Pulumi organisation name (case-sensitive: app.pulumi.com/[b]<org>[/b])", classes="field-label")
        yield Input(state.org, placeholder="e.g. acmecorp", id="org")
        yield FieldError("org")
        yield Static("Pulumi API base URL (change it only for self-hosted Pulumi Cloud)", classes="field-label")
        yield Input(state.api_base, placeholder=DEFAULT_API_BASE, id="api_base")
        yield FieldError("api_base")
        yield Static("Before you start, confirm:", classes="subhead")
        yield Checkbox("JumpCloud has the SSO Package (or the SSO add-on)", state.has_sso_package, id="has_sso_package")
        yield FieldError("has_sso_package")
        yield Checkbox(
            "My Pulumi edition supports SAML SSO (paid editions)", state.has_saml_edition, id="has_saml_edition"
        )
        yield FieldError("has_saml_edition")
        with Horizontal(id="day-two"):
            yield Static("Already set up? JumpCloud's certificate expiring?", classes="day-two-text")
            yield Button("Rotate the certificate", id="rotate", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "rotate":
            event.stop()
            self.app.action_rotate()

    def form(self) -> dict:
        return {
            "org": self.query_one("#org", Input).value,
            "api_base": self.query_one("#api_base", Input).value or DEFAULT_API_BASE,
            "has_sso_package": self.query_one("#has_sso_package", Checkbox).value,
            "has_saml_edition": self.query_one("#has_saml_edition", Checkbox).value,
        }

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()
