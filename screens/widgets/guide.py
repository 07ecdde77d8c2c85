from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

_INLINE = re.compile(
    r"\[(?P<ltext>[^\]]+)\]\((?P<url>https://[^)\s]+)\)|\*\*(?P<bold>.+?)\*\*|`(?P<code>[^`]+)`|\*(?P<em>[^*]+)\*"
)
LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<url>https://[^)\s]+)\)")


def link_style(url: str) -> Style:
    """Underlined, and a click runs the app's open_link: the browser opens it and the
    address is copied (a terminal without a browser still gets it)."""
    return Style(underline=True, bold=True, meta={"@click": f"app.open_link({url!r})"})


def render_guide(markdown: str) -> Text:
    """The small Markdown subset the guides use (paragraphs, numbered/bullet lists,
    **bold**, *italic*, `code`, [links](https://...)) as Rich text: cheaper than a
    Markdown widget."""
    out = Text()
    paragraphs = re.split(r"\n\s*\n", markdown.strip())
    for index, para in enumerate(paragraphs):
        if index:
            out.append("\n\n")
        lines = para.splitlines()
        merged: list[str] = []
        for line in lines:
            stripped = line.strip()
            if re.match(r"^(\d+\.|[-*]) ", stripped) or not merged:
                merged.append(stripped)
            else:
                merged[-1] += " " + stripped
        for n, line in enumerate(merged):
            if n:
                out.append("\n")
            bullet = re.match(r"^([-*]) (.*)$", line)
            if bullet:
                out.append("• ")
                line = bullet.group(2)
            pos = 0
            for match in _INLINE.finditer(line):
                out.append(line[pos : match.start()])
                if match.group("url"):
                    out.append(match.group("ltext"), style=link_style(match.group("url")))
                elif match.group("bold"):
                    out.append(match.group("bold"), style="bold")
                elif match.group("code"):
                    out.append(match.group("code"), style="bold cyan")
                else:
                    out.append(match.group("em"), style="italic")
                pos = match.end()
            out.append(line[pos:])
    return out


class Guide(Static):
    """A step's guide text, from assets/guides/<step>.md."""

    def __init__(self, markdown: str, **kwargs) -> None:
        super().__init__(render_guide(markdown), **kwargs)
