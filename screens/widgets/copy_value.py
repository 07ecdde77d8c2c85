from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Label, Static


def fit_middle(value: str, width: int) -> str:
    """``value`` whole when it fits ``width`` columns, else its start and its end with "…"
    between: the end is what tells apart values that share a long start (three of step
    3's URLs differ only after the organisation name)."""
    if width <= 0 or len(value) <= width:
        return value
    if width == 1:
        return "…"
    tail = (width - 1) // 2
    head = width - 1 - tail
    return f"{value[:head]}…{value[len(value) - tail :]}"


class CopyText(Static):
    """The value on one line, never broken inside; cut in the middle when too wide."""

    def __init__(self, value: str, **kwargs: object) -> None:
        super().__init__(value, markup=False, **kwargs)  # type: ignore[arg-type]
        self.value = value

    def update_value(self, value: str) -> None:
        self.value = value
        self.refresh(layout=True)

    def render(self) -> Content:
        return Content(fit_middle(self.value, self.content_size.width))

    def on_resize(self) -> None:
        self.refresh()


class CopyValue(Horizontal):
    """A value shown in full (selectable by hand) with a Copy button beside it."""

    class Requested(Message):
        def __init__(self, label: str, value: str) -> None:
            super().__init__()
            self.label = label
            self.value = value

    def __init__(
        self,
        label: str,
        value: str,
        *,
        key: str = "",
        copy_text: str | None = None,
        lead: Widget | None = None,
        id: str | None = None,
        classes: str = "",
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.label = label
        self.value = value  # what is shown
        self.copy_text = copy_text  # what is copied, when it differs from what is shown
        self.key = key
        self.lead = lead  # shown instead of the label (e.g. a checkbox that ticks the row)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="copy-head"):
            yield self.lead if self.lead is not None else Label(self.label, classes="copy-label")
            button_label = f"Copy [{self.key}]" if self.key else "Copy"
            yield Button(button_label, classes="copy-button", compact=True)
        yield CopyText(self.value, classes="copy-text")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.request()

    def show(self, value: str) -> None:
        """Replace the value shown (and copied, unless a separate copy text was given)."""
        self.value = value
        self.query_one(".copy-text", CopyText).update_value(value)

    def request(self) -> None:
        text = self.value if self.copy_text is None else self.copy_text
        self.post_message(self.Requested(self.label, text))
