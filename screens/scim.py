from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Label

from screens.base import StepScreen
from screens.widgets import CopyValue, FieldError
from wizard.state import StepId, StepStatus
from wizard.steps import check_scim_manual, check_scim_skip


class ScimScreen(StepScreen):
    STEP = StepId.SCIM

    def compose_body(self) -> ComposeResult:
        state = self.app.state
        yield CopyValue("Base URL (JumpCloud: Identity Management > Base URL)", self.app.values.scim_base_url, id="copy-scim")
        yield Checkbox(
            "Base URL and token are saved in JumpCloud and provisioning is active",
            state.scim_verification != "" and not state.scim_skipped,
            id="scim_confirmed",
        )
        yield FieldError("scim_confirmed")
        yield Checkbox("Skip SCIM for now", state.scim_skipped, id="skip")
        with Vertical(id="skip-box"):
            yield Label("Why is SCIM skipped? (kept in the setup record)")
            yield Input(state.scim_skip_reason, placeholder="e.g. our Pulumi edition has no SCIM", id="skip_reason")
            yield FieldError("skip_reason")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#skip-box").display = self.app.state.scim_skipped

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "skip":
            self.query_one("#skip-box").display = event.value
            if event.value:
                self.query_one("#skip_reason", Input).focus()

    def check(self):
        state = self.app.state
        skipped = self.query_one("#skip", Checkbox).value
        reason = self.query_one("#skip_reason", Input).value
        state.scim_skipped, state.scim_skip_reason = skipped, reason
        if skipped:
            return check_scim_skip(reason)
        confirmed = self.query_one("#scim_confirmed", Checkbox).value
        findings = check_scim_manual(confirmed)
        if confirmed and not state.scim_verification.startswith("verified"):
            state.scim_verification = "Confirmed by the admin, not verified."
        return findings

    def completion_status(self, findings):
        return StepStatus.SKIPPED if self.app.state.scim_skipped else super().completion_status(findings)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()
