from __future__ import annotations

from textual import events
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from wizard.state import STEP_ORDER, StepId, StepStatus, WizardState
from wizard.steps import STEPS


class StepList(Static):
    """The always-visible list of steps with their state; clicking a step goes there once
    it is reached (the app says which step to finish first otherwise).  Keyboard users
    move with Back/Next and the palette's "Go to step".

    Each state has its own mark, and under the steps a legend names the marks in use,
    so the list reads without colour.

    One line of text per step, not an OptionList: it is on every step screen, and the
    OptionList cost about 7 ms of each screen's first paint.  It takes no focus, so Tab
    goes straight through the step's own fields.
    """

    class Chosen(Message):
        def __init__(self, step: StepId) -> None:
            super().__init__()
            self.step = step

    def __init__(self, state: WizardState, current: StepId, *, folded: bool = False) -> None:
        super().__init__(self.render_steps(state, current, folded=folded), id="steps")
        self.current = current
        self.folded = folded
        self.border_title = "" if folded else "Steps"
        self.set_class(folded, "-folded")

    @staticmethod
    def render_steps(state: WizardState, current: StepId, *, folded: bool = False) -> Content:
        """The steps with their marks; ``folded``: mark and number only (a narrow strip
        that leaves a narrow window's width to the step's values)."""
        parts: list[str | tuple[str, str]] = []
        for number, step in enumerate(STEP_ORDER, start=1):
            marker = "▶" if step is current else " "
            glyph = state.status(step).glyph
            line = f"{marker}{glyph}{number}" if folded else f"{marker}{glyph} {number}. {STEPS[step].title}"
            if number > 1:
                parts.append("\n")
            if step is current:
                parts.append(
                    (line.ljust(4 if folded else 24), "bold $block-cursor-foreground on $block-cursor-background")
                )
            elif state.can_visit(step):
                parts.append(line)
            else:
                parts.append((line, "$foreground 40%"))  # not reached yet
        if folded:  # the step's own title says its state in words
            return Content.assemble(*parts)
        parts.append("\n")
        used = {state.status(step) for step in STEP_ORDER}
        # the marks in use, named (one plain part: a styled part per line costs start-up)
        parts.append("".join(f"\n {s.glyph} {s.words}" for s in StepStatus if s in used))
        return Content.assemble(*parts)

    def show_state(self, state: WizardState) -> None:
        self.update(self.render_steps(state, self.current, folded=self.folded))

    def fold(self, state: WizardState, folded: bool) -> None:
        if folded != self.folded:
            self.folded = folded
            self.border_title = "" if folded else "Steps"
            self.set_class(folded, "-folded")
            self.show_state(state)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not 0 <= offset.y < len(STEP_ORDER):
            return
        event.stop()
        self.post_message(self.Chosen(STEP_ORDER[offset.y]))  # the app refuses a step not reached yet
