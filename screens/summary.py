from __future__ import annotations

from pathlib import Path

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from screens.base import StepScreen
from screens.widgets import FieldError
from wizard.findings import has_errors
from wizard.state import STEP_ORDER, STEP_TITLES, StepId, StepStatus
from wizard.steps import check_record_path


class SummaryScreen(StepScreen):
    STEP = StepId.SUMMARY
    NEXT_LABEL = "Finish"

    def compose_body(self) -> ComposeResult:
        yield Static(self._table(), id="summary-table")
        state = self.app.state
        default = state.record_path or str(Path.cwd() / f"pulumi-sso-{state.org or 'setup'}.md")
        with Vertical(classes="field"):
            yield Label("Write the setup record to")
            with Horizontal(classes="input-row"):
                yield Input(default, id="record_path")
                yield Button("Write", id="write", compact=True)
            yield FieldError("record_path")
        yield Static("", id="written", markup=False)

    def _table(self) -> Table:
        state = self.app.state
        table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
        table.add_column("Step")
        table.add_column("State")
        for number, step in enumerate(STEP_ORDER, start=1):
            if step is StepId.SUMMARY:
                continue
            status = state.status(step)
            style = {StepStatus.DONE: "green", StepStatus.WARNINGS: "yellow", StepStatus.SKIPPED: "cyan",
                     StepStatus.FAILED: "red"}.get(status, "dim")
            table.add_row(f"{number}. {STEP_TITLES[step]}", f"[{style}]{status.words}[/]")
        return table

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "write":
            event.stop()
            self.write_record()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.write_record()

    def write_record(self) -> list:
        path_text = self.query_one("#record_path", Input).value
        findings = check_record_path(path_text)
        self.show_findings(findings)
        if has_errors(findings):
            return findings
        from wizard.report import write_record

        try:
            written = write_record(self.app.state, path_text, now=self.app.now())
        except OSError as exc:
            from wizard.findings import error

            findings = [error("step.record.write", f"Could not write the record: {exc.strerror or exc}.",
                              "Choose another folder.", "record_path")]
            self.show_findings(findings)
            return findings
        self.app.state.record_path = str(written)
        self.app.save()
        self.query_one("#written", Static).update(f"✓ Setup record written to {written}")
        self.notify(f"Setup record written to {written}")
        return []

    def check(self):
        incomplete = [s for s in STEP_ORDER if s is not StepId.SUMMARY and not self.app.state.status(s).complete]
        if incomplete:
            from wizard.findings import error

            names = ", ".join(STEP_TITLES[s] for s in incomplete)
            return [error("step.summary.incomplete", f"Finish these steps first: {names}.", "Choose them in the step list.")]
        return self.write_record()
