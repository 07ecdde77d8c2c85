from __future__ import annotations

from textual.widgets import Static


class FieldError(Static):
    """The reason a field was refused, shown right under it (hidden when empty)."""

    def __init__(self, field: str) -> None:
        super().__init__("", id=f"err-{field}", classes="field-error", markup=False)
        self.field = field

    def show(self, text: str) -> None:
        self.update(text)
        self.set_class(bool(text), "-shown")
