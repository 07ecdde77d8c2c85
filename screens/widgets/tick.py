from __future__ import annotations

from textual.geometry import Size
from textual.widgets import Checkbox, RadioButton


class Tick(Checkbox):
    """A checkbox whose mark reads without colour: ``✓`` when ticked, blank when not.

    Textual's own draws the same ``X`` for both and tells them apart by colour only,
    which a monochrome terminal, a screen reader's text or a pasted capture loses.
    """

    @property  # read by ToggleButton each time it draws the button
    def BUTTON_INNER(self) -> str:
        return "✓" if self.value else " "

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Textual's is always one line: with "text-wrap: wrap" a long label takes the lines it needs
        return max(1, self.render().get_height(self.styles, width))


class Choice(RadioButton):
    """A radio button whose mark reads without colour: ``●`` when chosen, blank when not."""

    @property
    def BUTTON_INNER(self) -> str:
        return "●" if self.value else " "
