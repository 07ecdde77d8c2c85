"""A yes/no question over the current screen: quit now?  quit with unaccepted work?"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """``title`` and ``text``; the yes button (key ``y``) dismisses True, the no button
    (``n`` or escape) False."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n", "answer(False)", "No", show=False),
        Binding("escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, title: str, text: str, *, yes: str, no: str, safe_default: bool = False) -> None:
        super().__init__()
        self.title_text, self.text, self.yes, self.no = title, text, yes, no
        self.safe_default = safe_default  # focus "no": enter alone must not do what is asked

    def on_mount(self) -> None:
        self.query_one("#confirm-no" if self.safe_default else "#confirm-yes", Button).focus()

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.title_text, classes="step-title", markup=False)
            yield Static(self.text, markup=False, id="confirm-text")
            with Horizontal(id="confirm-buttons"):
                # Content: a plain string label is markup, and "[y]" would vanish as a tag
                yield Button(Content(f"{self.yes} [y]"), id="confirm-yes", variant="primary")
                yield Button(Content(f"{self.no} [n]"), id="confirm-no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
