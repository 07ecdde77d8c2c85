from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from wizard.state import WizardState
from wizard.steps import STEPS


class ResumeScreen(ModalScreen[bool]):
    """Offered at launch when saved progress exists: resume (True) or start over (False)."""

    BINDINGS = [
        Binding("r", "resume", "Resume"),
        Binding("s", "start_over", "Start over"),
        Binding("escape", "resume", "Resume", show=False),
    ]

    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.saved = state

    def compose(self) -> ComposeResult:
        step = STEPS[self.saved.current]
        with Vertical(id="resume-box"):
            yield Static("Saved progress found", classes="step-title")
            yield Static(
                f"Organisation: {self.saved.org or '(not set)'}\n"
                f"Last step: {step.number}. {step.title}\n\n"
                "Resume where you left off, or start over (the saved progress is discarded).",
                markup=False,
            )
            with Horizontal(id="resume-buttons"):
                yield Button("Resume [r]", id="resume", variant="primary")
                yield Button("Start over [s]", id="start-over", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "resume")

    def action_resume(self) -> None:
        self.dismiss(True)

    def action_start_over(self) -> None:
        self.dismiss(False)
