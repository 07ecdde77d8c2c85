from __future__ import annotations

from textual.widgets import Static


class FieldError(Static):
    """The reason a field was refused, shown right under it (hidden when empty).

    A reason is never left inside a folded section: showing one opens any collapsed
    Collapsible around it (the SCIM base URL, for one, sits in a folded section, and
    an unreachable endpoint is reported against it).
    """

    def __init__(self, field: str) -> None:
        super().__init__("", id=f"err-{field}", classes="field-error", markup=False)
        self.field = field

    def show(self, text: str) -> None:
        self.update(text)
        self.set_class(bool(text), "-shown")
        if text:
            from textual.widgets import Collapsible

            for node in self.ancestors:
                if isinstance(node, Collapsible) and node.collapsed:
                    node.collapsed = False
