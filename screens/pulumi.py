from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Checkbox, Static, TextArea

from screens.base import StepScreen
from screens.widgets import CopyValue, FieldError
from wizard.state import StepId, StepStatus
from wizard.steps import PULUMI_SWITCH_WARNINGS, check_pulumi_confirmation


class PulumiScreen(StepScreen):
    STEP = StepId.PULUMI

    def compose_body(self) -> ComposeResult:
        state = self.app.state
        if self.app.values.org_url:
            yield CopyValue("Your organisation in Pulumi", self.app.values.org_url, id="org-url")
        yield CopyValue(
            "Metadata XML (the whole file)", f"{len(state.metadata_xml):,} characters, shown below",
            copy_text=state.metadata_xml, id="copy-xml",
        )
        area = TextArea(state.metadata_xml, read_only=True, id="metadata-xml", show_line_numbers=False, soft_wrap=True)
        yield area
        text = Text("What the switch to SAML does:\n", style="bold")
        for warning, advice in PULUMI_SWITCH_WARNINGS:
            text.append("⚠ ", style="bold yellow").append(warning + "\n")
            text.append("   " + advice + "\n", style="italic")
        yield Static(text, id="switch-warnings")
        yield Checkbox("I have read what the switch does to members", state.pulumi_confirmed, id="understood")
        yield FieldError("understood")
        yield Checkbox("I pasted the metadata in Pulumi and chose Apply changes", state.pulumi_confirmed, id="applied")
        yield FieldError("applied")

    def check(self):
        state = self.app.state
        understood = self.query_one("#understood", Checkbox).value
        applied = self.query_one("#applied", Checkbox).value
        findings = check_pulumi_confirmation(applied, understood)
        state.pulumi_confirmed = understood and applied
        if state.pulumi_confirmed and state.pulumi_verification != "verified by API":
            state.pulumi_verification = "confirmed by the admin, not verified"
        return findings

    def completion_status(self, findings):
        return StepStatus.DONE
