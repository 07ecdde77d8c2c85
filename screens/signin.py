from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Button, Checkbox

from screens.base import StepScreen
from screens.widgets import CopyValue, FieldError
from wizard.state import StepId
from wizard.steps import JUMPCLOUD_USER_CONSOLE


class SigninScreen(StepScreen):
    STEP = StepId.SIGNIN

    def compose_body(self) -> ComposeResult:
        state = self.view
        values = self.app.values
        yield CopyValue("IdP-initiated: JumpCloud User Console", JUMPCLOUD_USER_CONSOLE, id="copy-console")
        yield Checkbox("Signing in from the Pulumi tile works", state.idp_initiated_ok, id="idp_initiated_ok")
        yield FieldError("idp_initiated_ok")
        signin = values.sp_signin_url or "your Pulumi console's /signin/sso/ page"
        yield CopyValue(f"SP-initiated: Pulumi SSO sign-in (organisation: {state.org})", signin, id="copy-signin")
        yield Checkbox("Signing in from Pulumi's SSO page works", state.sp_initiated_ok, id="sp_initiated_ok")
        yield FieldError("sp_initiated_ok")
        yield Button("It failed: troubleshoot (ctrl+t)", id="troubleshoot", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "troubleshoot":
            event.stop()
            self.app.action_troubleshoot()

    def form(self) -> dict:
        return {
            "idp_initiated_ok": self.query_one("#idp_initiated_ok", Checkbox).value,
            "sp_initiated_ok": self.query_one("#sp_initiated_ok", Checkbox).value,
        }
