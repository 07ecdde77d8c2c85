from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Collapsible, Input, Label

from screens.base import StepScreen
from screens.widgets import CopyValue, FieldError, FindingsView
from wizard.state import StepId, StepStatus
from wizard.steps import check_scim_skip, check_scim_step


class ScimScreen(StepScreen):
    STEP = StepId.SCIM
    OWN_FINDINGS_VIEW = True

    def __init__(self) -> None:
        super().__init__()
        self.probe = None  # the last ScimProbeResult (holds no secret)

    def compose_body(self) -> ComposeResult:
        state = self.app.state
        base = self._base_url()
        yield CopyValue("Base URL (JumpCloud: Identity Management > Base URL)", base, id="copy-scim")
        with Collapsible(title="Self-hosted: use a different base URL", collapsed=not state.scim_base_url, id="scim-advanced"):
            yield Input(state.scim_base_url or base, id="scim_base_url")
            yield FieldError("scim_base_url")
        with Vertical(classes="field"):
            yield Label("SCIM token (paste it; it is checked, never saved)")
            with Horizontal(classes="input-row"):
                yield Input(password=True, placeholder="paste the token from Pulumi", id="scim_token")
                yield Button("Show", id="toggle-token", compact=True)
                yield Button("Check", id="check-scim", compact=True, variant="primary")
            yield FieldError("scim_token")
        yield FindingsView(id="findings")
        yield Checkbox(
            "This machine cannot reach the endpoint; JumpCloud's Test Connection passed",
            state.scim_verification.startswith("Confirmed") and not state.scim_skipped,
            id="scim_confirmed",
        )
        yield FieldError("scim_confirmed")
        yield Checkbox("Skip SCIM for now", state.scim_skipped, id="skip")
        with Vertical(id="skip-box"):
            yield Label("Why is SCIM skipped? (kept in the setup record)")
            yield Input(state.scim_skip_reason, placeholder="e.g. our Pulumi edition has no SCIM", id="skip_reason")
            yield FieldError("skip_reason")

    def _base_url(self) -> str:
        return self.app.state.scim_base_url or self.app.values.scim_base_url

    def on_mount(self) -> None:
        self.query_one("#skip-box").display = self.app.state.scim_skipped

    def on_unmount(self) -> None:
        # Leaving the step forgets the token.
        try:
            self.query_one("#scim_token", Input).value = ""
        except Exception:
            pass

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "skip":
            self.query_one("#skip-box").display = event.value
            if event.value:
                self.query_one("#skip_reason", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "scim_base_url":
            self.query_one("#copy-scim", CopyValue).show(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "toggle-token":
            event.stop()
            token = self.query_one("#scim_token", Input)
            token.password = not token.password
            event.button.label = "Show" if token.password else "Hide"
        elif event.button.id == "check-scim":
            event.stop()
            self.start_check()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "scim_token":
            self.start_check()
        else:
            self.action_next()

    def _chosen_base(self) -> tuple[str, str | None]:
        from wizard.scim import scim_base_problem

        text = self.query_one("#scim_base_url", Input).value.strip()
        return text, scim_base_problem(text)

    def start_check(self) -> None:
        base, problem = self._chosen_base()
        self.query_one("#err-scim_base_url", FieldError).show(problem or "")
        if problem:
            return
        token = self.query_one("#scim_token", Input).value
        button = self.query_one("#check-scim", Button)
        button.disabled = True
        button.label = "Checking…"
        self.query_one("#findings", FindingsView).update(f"Checking the token against {base} …")
        self.query_one("#findings", FindingsView).set_class(True, "-shown")
        self.run_probe(base, token)

    @work(exclusive=True, group="scim-probe")
    async def run_probe(self, base: str, token: str) -> None:
        from wizard.scim import probe_scim

        try:
            result = await probe_scim(base, token, timeout=self.app.network_timeout)
        finally:
            token = ""  # noqa: F841 - drop the reference as soon as the probe is done
        if not self.is_attached:  # the admin left the step while the probe ran
            return
        button = self.query_one("#check-scim", Button)
        button.disabled = False
        button.label = "Check"
        self.probe = result
        self.show_findings(result.findings)
        state = self.app.state
        if result.ok:
            users = f"{result.total_results} user(s) provisioned so far" if result.total_results is not None else ""
            state.scim_verification = f"Verified: the token was accepted by {result.base_url} ({users})."
            self.app.save()

    def check(self):
        state = self.app.state
        skipped = self.query_one("#skip", Checkbox).value
        reason = self.query_one("#skip_reason", Input).value
        state.scim_skipped, state.scim_skip_reason = skipped, reason
        base, problem = self._chosen_base()
        if not problem:
            state.scim_base_url = "" if base == self.app.values.scim_base_url else base
        if skipped:
            return check_scim_skip(reason)
        confirmed = self.query_one("#scim_confirmed", Checkbox).value
        codes = [f.code for f in self.probe.findings] if self.probe else None
        findings = check_scim_step(codes, bool(self.probe and self.probe.ok), confirmed)
        if not (self.probe and self.probe.ok) and confirmed and not any(f.is_error for f in findings):
            state.scim_verification = "Confirmed by the admin, not verified."
        if self.probe is not None and any(f.is_error for f in findings):
            findings = list(self.probe.findings) + findings
        return findings

    def completion_status(self, findings):
        return StepStatus.SKIPPED if self.app.state.scim_skipped else super().completion_status(findings)
