from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from wizard.state import StepId, WizardState
from wizard.steps import STEPS


class ResumeScreen(ModalScreen[bool]):
    """Offered at launch when saved progress exists: resume (True) or start over (False)."""

    BINDINGS = [
        Binding("r", "resume", "Resume"),
        Binding("s", "start_over", "Start over"),
        Binding("escape", "resume", "Resume", show=False),
    ]

    def __init__(self, state: WizardState, *, asking: bool = False) -> None:
        super().__init__()
        self.saved = state
        self.asking = asking  # opened to start over (the command palette): confirm or go back
        self.armed = False  # Start over asked once: the second time discards

    def on_mount(self) -> None:
        if self.asking:
            self.action_start_over()

    def _kept_input(self) -> str:
        """A line naming the steps whose input was entered but not submitted ("" for none)."""
        steps = sorted(
            (STEPS[step] for step in StepId if step.value in self.saved.drafts),
            key=lambda s: s.number,
        )
        if not steps:
            return ""
        named = ", ".join(f"{s.number}. {s.title}" for s in steps)
        where = "that step" if len(steps) == 1 else "those steps"
        return (
            f"\nInput entered but not submitted is kept ({named}): it is shown on {where} again, "
            "not accepted until you press Next there.\n"
        )

    def compose(self) -> ComposeResult:
        step = STEPS[self.saved.current]
        # opened from the palette to start over, "Resume" would read as the launch's question
        title, ask, stay = (
            ("Start over?", "Go on where you are, or start over (the saved progress is discarded).", "Go on [r]")
            if self.asking
            else (
                "Saved progress found",
                "Resume where you left off, or start over (the saved progress is discarded).",
                "Resume [r]",
            )
        )
        with Vertical(id="resume-box"):
            yield Static(title, classes="step-title")
            yield Static(
                f"Organisation: {self.saved.org or '(not set)'}\n"
                f"{'Current' if self.asking else 'Last'} step: {step.number}. {step.title}\n"
                f"{self._kept_input() if not self.asking else ''}\n"
                f"{ask}",
                markup=False,
                id="resume-text",
            )
            yield Static("", id="start-over-warning", markup=False)
            with Horizontal(id="resume-buttons"):
                yield Button(Content(stay), id="resume", variant="primary")
                yield Button(Content("Start over [s]"), id="start-over", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "resume":
            self.dismiss(True)
        else:
            self.action_start_over()

    def action_resume(self) -> None:
        self.dismiss(True)

    def action_start_over(self) -> None:
        """The first press asks; only a second one discards the saved progress."""
        if self.armed:
            self.dismiss(False)
            return
        self.armed = True
        self.query_one("#start-over-warning", Static).update(
            "Start over discards every step's progress and cannot be undone. "
            f"Press s (or Discard everything) again to discard it, r to {'go on' if self.asking else 'resume'}."
        )
        self.query_one("#start-over", Button).label = Content("Discard everything [s]")
