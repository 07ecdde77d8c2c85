from __future__ import annotations

from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from wizard.state import STEP_ORDER, STEP_TITLES, StepId, StepStatus, WizardState

_ICON = {
    StepStatus.NOT_STARTED: "○",
    StepStatus.DONE: "✓",
    StepStatus.WARNINGS: "!",
    StepStatus.SKIPPED: "»",
    StepStatus.FAILED: "✗",
}


class StepList(OptionList):
    """The always-visible list of steps with their state; choosing one goes there."""

    class Chosen(Message):
        def __init__(self, step: StepId) -> None:
            super().__init__()
            self.step = step

    def __init__(self, state: WizardState, current: StepId) -> None:
        super().__init__(*self._options(state, current), id="steps")
        self.current = current
        self.border_title = "Steps"

    @staticmethod
    def _options(state: WizardState, current: StepId) -> list[Option]:
        options = []
        for number, step in enumerate(STEP_ORDER, start=1):
            status = state.status(step)
            marker = "▶" if step is current else " "
            reachable = state.can_visit(step)
            prompt = f"{marker}{_ICON[status]} {number}. {STEP_TITLES[step]}"
            options.append(Option(prompt, id=step.value, disabled=not reachable))
        return options

    def on_mount(self) -> None:
        self.highlighted = STEP_ORDER.index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Chosen(StepId(event.option.id)))
