"""The frame every step shares: header, step list, guide, body, findings, Back/Next, footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

import assets
from screens.widgets.guide import Guide
from screens.widgets import FieldError, FindingsView, StepList
from wizard.findings import Finding, Severity, has_errors
from wizard.state import STEP_ORDER, STEP_TITLES, StepId, StepStatus

if TYPE_CHECKING:
    from screens.app import WizardApp

MIN_WIDTH, MIN_HEIGHT = 80, 24
# Beside Back/Next the gate has two lines of about 25 columns at 80x24: a longer
# reason would be cut off there, so it is only pointed to (it is shown whole above).
GATE_QUOTE_MAX = 48


class TooSmall(Static):
    def __init__(self) -> None:
        super().__init__(
            f"This window is too small.\nMake it at least {MIN_WIDTH} columns by {MIN_HEIGHT} rows.",
            id="too-small",
        )


class StepScreen(Screen):
    """One wizard step.  Subclasses compose the body and gather input for the check."""

    STEP: ClassVar[StepId]
    NEXT_LABEL: ClassVar[str] = "Next"
    # Focus the first field of the step, not the step list, so the admin can type at once.
    AUTO_FOCUS = "#body *"
    # A step that places the findings list itself (inside compose_body) sets this.
    OWN_FINDINGS_VIEW: ClassVar[bool] = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("ctrl+b", "back", "Back", priority=True),
        Binding("ctrl+t", "app.troubleshoot", "Troubleshoot", priority=True),
    ]

    app: "WizardApp"

    def compose(self) -> ComposeResult:
        state = self.app.state
        number = STEP_ORDER.index(self.STEP) + 1
        yield Header()
        with Horizontal(id="main"):
            yield StepList(state, self.STEP)
            with Vertical(id="content"):
                with VerticalScroll(id="body"):
                    yield Static(f"Step {number} of {len(STEP_ORDER)}: {STEP_TITLES[self.STEP]}", classes="step-title")
                    yield Guide(assets.guide(self.STEP.value), classes="guide")
                    yield from self.compose_body()
                    if not self.OWN_FINDINGS_VIEW:
                        yield FindingsView(id="findings")
                with Horizontal(id="nav"):
                    yield Button("◀ Back", id="back", disabled=self.STEP is STEP_ORDER[0], compact=True)
                    yield Static("", id="gate-message", markup=False)
                    yield Button(f"{self.NEXT_LABEL} ▶", id="next", variant="primary", compact=True)
        yield TooSmall()
        yield Footer()

    def compose_body(self) -> Iterable:  # pragma: no cover - overridden
        return []

    # -- the gate ---------------------------------------------------------

    def check(self) -> list[Finding]:
        """Gather the input, store it in the app state, and run the step's check."""
        raise NotImplementedError

    def completion_status(self, findings: list[Finding]) -> StepStatus:
        if any(f.severity is Severity.WARNING for f in findings):
            return StepStatus.WARNINGS
        return StepStatus.DONE

    def show_findings(self, findings: list[Finding]) -> None:
        """Each finding beside its field when the field has an error slot, else in the list."""
        by_field: dict[str, list[str]] = {}
        loose: list[Finding] = []
        for finding in findings:
            if finding.field and self.query(f"#err-{finding.field}"):
                if finding.severity in (Severity.ERROR, Severity.WARNING):
                    text = finding.message + (f"\n→ {finding.fix}" if finding.fix else "")
                    by_field.setdefault(finding.field, []).append(text)
                    continue
            if finding.code != "step.ok":
                loose.append(finding)
        for slot in self.query(FieldError):
            slot.show("\n".join(by_field.get(slot.field, [])))
        self.query_one("#findings", FindingsView).show(loose)
        gate = self.query_one("#gate-message", Static)
        errors = [f for f in findings if f.is_error]
        if errors:
            if len(errors) == 1 and len(errors[0].message) <= GATE_QUOTE_MAX:
                gate.update(f"Not yet: {errors[0].message}")
            else:
                count = "1 thing" if len(errors) == 1 else f"{len(errors)} things"
                gate.update(f"Not yet: {count} to fix (shown above).")
            gate.set_class(True, "-error")
        else:
            gate.update("")
            gate.set_class(False, "-error")

    def action_next(self) -> None:
        findings = self.check()
        self.show_findings(findings)
        if has_errors(findings):
            self.app.record_status(self.STEP, StepStatus.FAILED)
            self.refresh_step_list()
            first = next((f for f in findings if f.is_error and f.field), None)
            if first is not None:
                self._focus_field(first.field or "")
            self._reveal_first_reason()
            return
        self.app.record_status(self.STEP, self.completion_status(findings))
        self.app.go_next(self.STEP)

    def _reveal_first_reason(self) -> None:
        """Scroll the first reason shown into view: the gate says "shown above"."""
        first = next(iter(self.query(".field-error.-shown, FindingsView.-shown")), None)  # DOM order
        if first is not None:
            self.call_after_refresh(first.scroll_visible, animate=False)

    def _focus_field(self, field: str) -> None:
        for widget in self.query(f"#{field}"):
            if widget.focusable:
                widget.focus()
                return

    def action_back(self) -> None:
        self.app.go_back(self.STEP)

    # Textual calls the handler of every class in the MRO, so a step's own
    # on_button_pressed / on_mount runs before these without calling super().
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "next":
            event.stop()
            self.action_next()
        elif event.button.id == "back":
            event.stop()
            self.action_back()

    def on_step_list_chosen(self, message: StepList.Chosen) -> None:
        if message.step is not self.STEP:
            self.app.go_to(message.step)

    def refresh_step_list(self) -> None:
        self.query_one(StepList).show_state(self.app.state)

    _shown_before = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # The first time a step is shown, its widgets were styled a moment ago as they
        # were mounted, and Textual would style every one of them again (about 7 ms
        # on the first screen, with nothing changed).  Later resumes (back from troubleshooting or
        # rotation, where the theme may have changed) still restyle.  Runs before
        # Screen's own handler, which reads the flag.
        if not self._shown_before:
            self._shown_before = True
            event.refresh_styles = False

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < MIN_WIDTH or event.size.height < MIN_HEIGHT, "-too-small")

    def on_mount(self) -> None:
        # Focusing the first field may scroll it into view; start at the step's title instead.
        body = self.query_one("#body", VerticalScroll)
        self.call_after_refresh(body.scroll_home, animate=False)
        size = self.app.size
        self.set_class(size.width < MIN_WIDTH or size.height < MIN_HEIGHT, "-too-small")
        self.sub_title = self.app.state.org or ""
        self.call_after_refresh(self.app.first_screen_painted)
