from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet, Static

from screens.base import StepScreen
from screens.jumpcloud_panel import JumpCloudCheck
from screens.widgets import CopyValue, FieldError
from wizard.state import StepId
from wizard.steps import APP_KINDS
from wizard.values import idp_sso_url, idp_url_value_problem


class CreateAppScreen(JumpCloudCheck, StepScreen):
    STEP = StepId.CREATE_APP
    JC_PART = "app"

    def compose_body(self) -> ComposeResult:
        state = self.view
        yield Label("Which kind of application did you create?")
        with RadioSet(id="app_kind"):
            for kind, label in APP_KINDS.items():
                yield RadioButton(label, value=state.app_kind == kind, name=kind)
        with Vertical(classes="field"):
            yield Label("IdP URL value (Advanced Settings > IdP URL)")
            yield Input(state.idp_url_value, placeholder="e.g. pulumi-acmecorp", id="idp_url_value")
            yield FieldError("idp_url_value")
        yield CopyValue("IdP URL (sign-in endpoint)", self._url(state.idp_url_value), id="idp-url")
        yield Static(
            "⚠ The IdP URL can never be changed after the app is saved in JumpCloud.",
            classes="warning-text",
        )
        with Vertical(classes="field"):
            yield Label("Display name (shown on the user's tile)")
            yield Input(state.display_name, placeholder="Pulumi", id="display_name")
            yield FieldError("display_name")
        yield Checkbox(
            "The app is saved in JumpCloud with exactly this IdP URL", state.idp_url_acknowledged, id="acknowledged"
        )
        yield FieldError("acknowledged")
        yield from self.compose_jumpcloud()

    def jc_inputs(self) -> dict:
        return {"idp_url_value": self.query_one("#idp_url_value", Input).value.strip()}

    @staticmethod
    def _url(value: str) -> str:
        if value and not idp_url_value_problem(value):
            return idp_sso_url(value)
        return idp_sso_url("<value>")

    def on_input_changed(self, event: Input.Changed) -> None:  # the base class posts the change
        if event.input.id == "idp_url_value":
            self.query_one("#idp-url", CopyValue).show(self._url(event.value))

    def _kind(self) -> str:
        pressed = self.query_one("#app_kind", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else ""

    def form(self) -> dict:
        return {
            "app_kind": self._kind(),
            "idp_url_value": self.query_one("#idp_url_value", Input).value.strip(),
            "display_name": self.query_one("#display_name", Input).value,
            "acknowledged": self.query_one("#acknowledged", Checkbox).value,
            "jumpcloud": self.jumpcloud,
        }

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()
