from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from screens.base import StepScreen
from screens.widgets import FieldError
from wizard.findings import error, has_errors
from wizard.state import STEP_ORDER, StepId, StepStatus
from wizard.steps import STEPS, check_record_path, record_file_name, record_target

_STYLE = {
    StepStatus.VERIFIED: "green",
    StepStatus.CONFIRMED: "cyan",
    StepStatus.WARNINGS: "yellow",
    StepStatus.SKIPPED: "cyan",
    StepStatus.REOPENED: "yellow",
    StepStatus.FAILED: "red",
}


class SummaryScreen(StepScreen):
    class RecordWritten(Message):
        """The record was written to ``path``: the app keeps where (a later change to an
        earlier step makes the record stale, not its place)."""

        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    STEP = StepId.SUMMARY
    NEXT_LABEL = "Finish"

    def __init__(self, view) -> None:
        super().__init__(view)
        self._written = ""  # the record written on this visit, and what it said
        self._written_digest = ""

    def compose_body(self) -> ComposeResult:
        yield Static(self._table(), id="summary-table")
        state = self.view
        default = state.record_path or str(Path.cwd() / record_file_name(state.org))
        with Vertical(classes="field"):
            yield Label("Write the setup record to")
            with Horizontal(classes="input-row"):
                yield Input(default, id="record_path")
                yield Button("Write", id="write", compact=True)
            yield FieldError("record_path")
        yield Static("", id="written", markup=False)

    def _table(self) -> Group:
        """Each step's state, then the evidence behind it indented under it (a note as
        wide as the step allows: a URL in it is never cut off)."""
        state = self.app.state
        parts: list[Padding | Table] = []
        for step in STEP_ORDER:
            if step is StepId.SUMMARY:
                continue
            record = state.record(step)
            line = Table.grid(padding=(0, 2))
            line.add_column(width=22, no_wrap=True)
            line.add_column(no_wrap=True)
            line.add_row(
                f"{STEPS[step].number}. {STEPS[step].title}",
                Text(f"{record.status.glyph} {record.status.words}", style=_STYLE.get(record.status, "dim")),
            )
            parts.append(line)
            if record.note:
                parts.append(Padding(Text(record.note, style="dim", overflow="fold"), (0, 0, 0, 3)))
        return Group(*parts)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "write":
            event.stop()
            self.write_record()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.write_record()

    def write_record(self) -> bool:
        """Write the record of what the wizard knows now; True when it is written."""
        from wizard.report import write_record
        from wizard.steps import record_digest

        field = self.query_one("#record_path", Input)
        path_text = record_target(field.value, self.app.state.org)
        if path_text != field.value:  # a folder: the record's file in it, shown where it was typed
            field.value = path_text
        findings = check_record_path(path_text)
        self.show_findings(findings)
        if has_errors(findings):
            return False
        state = self.app.state
        try:
            written = write_record(state, path_text, now=self.app.now())
        except OSError as exc:
            self.show_findings(
                [
                    error(
                        "step.record.write",
                        f"Could not write the record: {exc.strerror or exc}.",
                        "Choose another folder.",
                        "record_path",
                    )
                ]
            )
            return False
        self._written, self._written_digest = str(written), record_digest(state)
        self.post_message(self.RecordWritten(str(written)))
        self.query_one("#written", Static).update(f"✓ Setup record written to {written}")
        self.notify(f"Setup record written to {written}")
        self.form_changed(checked=True)
        return True

    def action_next(self) -> None:
        # Finish writes the record first when it is not written yet (or is out of date).
        from wizard.steps import record_digest

        if (self._written and self._written_digest == record_digest(self.app.state)) or self.write_record():
            super().action_next()

    def form(self) -> dict:
        return {
            "record_path": self.query_one("#record_path", Input).value,
            "written": self._written,
            "written_digest": self._written_digest,
        }
