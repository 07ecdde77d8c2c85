from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.text import Text
from textual.dom import DOMNode
from textual.widgets import Static

from screens.widgets.field_error import FieldError
from wizard.findings import Finding, Severity, in_reading_order

_MARK = {
    Severity.ERROR: ("✗ error", "bold red"),
    Severity.WARNING: ("! warning", "bold yellow"),
    Severity.INFO: ("i info", "bold cyan"),
    Severity.OK: ("✓ ok", "bold green"),
}


def render_findings(findings: Iterable[Finding]) -> Text:
    text = Text()
    for finding in in_reading_order(findings):
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
    """A list of findings: severity, message, code and fix, problems first."""

    def show(self, findings: Iterable[Finding]) -> None:
        findings = list(findings)
        self.update(render_findings(findings))
        self.set_class(bool(findings), "-shown")

    def clear(self) -> None:
        self.show([])

    def running(self, text: str) -> None:
        """Say that a check is running (its findings replace this when it is done)."""
        self.update(text)
        self.set_class(True, "-shown")


def place_findings(
    screen: DOMNode,
    findings: Iterable[Finding],
    *,
    view: str = "#findings",
    fields: Mapping[str, str] | None = None,
) -> None:
    """Show each finding beside the field it is about, else in the findings list.

    A finding names its field by meaning (``org``, ``api_base``, ``metadata_path``...);
    ``fields`` maps a meaning to the slot that shows it on this screen when the two
    differ.  Errors and warnings with a slot go beside it (every slot is refreshed,
    so a reason no longer found disappears); everything else, and what has no slot
    here, goes to the list.
    """
    fields = fields or {}
    by_slot: dict[str, list[str]] = {}
    loose: list[Finding] = []
    for finding in in_reading_order(findings):
        slot = fields.get(finding.field, finding.field) if finding.field else None
        if slot and finding.severity in (Severity.ERROR, Severity.WARNING) and screen.query(f"#err-{slot}"):
            by_slot.setdefault(slot, []).append(finding.message + (f"\n→ {finding.fix}" if finding.fix else ""))
            continue
        if finding.code != "step.ok":
            loose.append(finding)
    for error_slot in screen.query(FieldError):
        error_slot.show("\n".join(by_slot.get(error_slot.field, [])))
    screen.query_one(view, FindingsView).show(loose)
