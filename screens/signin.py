"""Step 7: sign in both ways; with a Pulumi access token and audit logs, the wizard
watches Pulumi's audit log and sees the sign-in itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.app import ComposeResult
from textual.widgets import Button, Checkbox, Static

from screens.base import StepScreen
from screens.watch import Watch
from screens.widgets import CopyValue, FieldError, FindingsView, Tick
from wizard.state import StepId
from wizard.steps import JUMPCLOUD_USER_CONSOLE

WATCH_LABEL = "Watch for sign-ins"


class SigninScreen(StepScreen):
    STEP = StepId.SIGNIN

    def __init__(self, view) -> None:
        super().__init__(view)
        self.signins = None  # the last SignInsSeen (holds no token)
        # sign-ins count from a minute before the step was opened (clocks differ a little)
        self.since = datetime.now(UTC) - timedelta(minutes=1)
        self.watch = Watch(self, "signin-watch", button="watch", status="#watch-status", label=WATCH_LABEL)

    def compose_body(self) -> ComposeResult:
        state = self.view
        values = self.app.values
        yield CopyValue("IdP-initiated: JumpCloud User Console", JUMPCLOUD_USER_CONSOLE, id="copy-console")
        yield Tick("Signing in from the Pulumi tile works", state.idp_initiated_ok, id="idp_initiated_ok")
        yield FieldError("idp_initiated_ok")
        signin = values.sp_signin_url or "your Pulumi console's /signin/sso/ page"
        yield CopyValue(f"SP-initiated: Pulumi SSO sign-in (organisation: {state.org})", signin, id="copy-signin")
        yield Tick("Signing in from Pulumi's SSO page works", state.sp_initiated_ok, id="sp_initiated_ok")
        yield FieldError("sp_initiated_ok")
        yield Button("It failed: troubleshoot (ctrl+t)", id="troubleshoot", compact=True)
        yield Static("Or let the wizard see the sign-in in Pulumi's audit log", classes="subhead")
        yield Static("", id="watch-status", markup=False)
        yield Button(WATCH_LABEL, id="watch", compact=True, variant="primary")
        yield FindingsView(id="watch-findings")

    def on_mount(self) -> None:
        from wizard.pulumi_api import find_token

        found = find_token(self.app.values.api_base)
        button = self.query_one("#watch", Button)
        button.display = found is not None
        self.query_one("#watch-status", Static).update(
            f"Pulumi access token: from {found.source}. With audit logs in your edition, a sign-in is seen "
            "within seconds."
            if found is not None
            else "No Pulumi access token here (PULUMI_ACCESS_TOKEN or `pulumi login`): tick what worked."
        )

    def on_unmount(self) -> None:
        self.watch.running = False  # leaving the step stops the watch

    def start_watch(self) -> None:
        from wizard.pulumi_api import find_token
        from wizard.pulumi_org import watch_sign_ins

        api_base, org = self.app.values.api_base, self.app.state.org
        timeout, since = self.app.network_timeout, self.since

        async def ask():
            token = find_token(api_base)
            if token is None:
                return None
            return await watch_sign_ins(api_base, org, token, since, timeout=timeout)

        def done(answer) -> bool:
            if answer is None:
                return True
            self.signins = answer
            self.query_one("#watch-findings", FindingsView).show(answer.findings)
            self.form_changed(checked=True)
            return bool(answer.seen) or answer.audit_logs is False or any(f.is_error for f in answer.findings)

        self.watch.toggle(ask, done, "for sign-ins")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "troubleshoot":
            event.stop()
            self.app.action_troubleshoot()
        elif event.button.id == "watch":
            event.stop()
            self.start_watch()

    def form(self) -> dict:
        return {
            "idp_initiated_ok": self.query_one("#idp_initiated_ok", Checkbox).value,
            "sp_initiated_ok": self.query_one("#sp_initiated_ok", Checkbox).value,
            "signins": self.signins,
        }
