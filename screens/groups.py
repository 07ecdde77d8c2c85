from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label, TextArea

from screens.base import StepScreen
from screens.widgets import FieldError
from wizard.state import StepId


class GroupsScreen(StepScreen):
    STEP = StepId.GROUPS

    def compose_body(self) -> ComposeResult:
        yield Label("User groups bound to the application (one per line):")
        area = TextArea("\n".join(self.view.groups), id="groups", soft_wrap=True, show_line_numbers=False)
        yield area
        yield FieldError("groups")

    def form(self) -> dict:
        return {"groups": self.query_one("#groups", TextArea).text}
