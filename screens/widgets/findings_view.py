from __future__ import annotations

from typing import Iterable

from rich.text import Text
from textual.widgets import Static

from wizard.findings import Finding, Severity

_MARK = {
    Severity.ERROR: ("✗ error", "bold red"),
    Severity.WARNING: ("! warning", "bold yellow"),
    Severity.INFO: ("i info", "bold cyan"),
    Severity.OK: ("✓ ok", "bold green"),
}


def render_findings(findings: Iterable[Finding]) -> Text:
    text = Text()
    for finding in findings:
        mark, style = _MARK[finding.severity]
        if text:
            text.append("\n")
        text.append(f"{mark}  ", style=style)
        text.append(finding.message)
        text.append(f"  [{finding.code}]", style="dim")
        if finding.fix and finding.severity is not Severity.OK:
            text.append("\n   → ", style="dim")
            text.append(finding.fix, style="italic")
    return text


class FindingsView(Static):
    """A list of findings: severity, message, code and fix."""

    def show(self, findings: Iterable[Finding]) -> None:
        findings = list(findings)
        self.update(render_findings(findings))
        self.set_class(bool(findings), "-shown")

    def clear(self) -> None:
        self.show([])
