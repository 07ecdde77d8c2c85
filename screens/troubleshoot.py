"""Troubleshooting: paste a SAML response and get the diagnosis; search the catalogue of symptoms.

Pushed over any step (ctrl+t or the command palette); escape or ctrl+t pops it, so
the step underneath keeps whatever was typed into it.  The pasted response lives in
the TextArea only: it is never put in the app state, so it never reaches the disk.
Every rule about SAML is in ``wizard.troubleshoot`` / ``wizard.response``; this
module gathers the input, runs the diagnosis in a worker and renders the result.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static, TabbedContent, TabPane, TextArea

import assets
from screens.check import CheckRunner
from screens.widgets import FieldError, FindingsView, fold_fingerprints
from screens.widgets.guide import Guide
from wizard.state import StepId
from wizard.steps import STEPS

if TYPE_CHECKING:
    from screens.host import WizardHost
    from wizard.catalogue import Entry
    from wizard.troubleshoot import Troubleshooting

PASTE_PLACEHOLDER = "Paste the SAML response here: XML, base64, SAMLResponse=… form body, or a SAML-tracer JSON export"


def _step_label(step: str) -> str:
    try:
        row = STEPS[StepId(step)]
    except ValueError:
        return step
    return f"wizard step {row.number}: {row.title}"


def render_entry(entry: Entry, *, brief: bool = False) -> Group:
    """One catalogue entry: title, then (symptoms, cause,) fix, where, checks with a hanging indent."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column("label", no_wrap=True, style="dim", width=12)
    grid.add_column("text", ratio=1)
    if not brief:
        for symptom in entry.symptoms:
            grid.add_row("You see", Text(symptom))
        grid.add_row("Cause", Text(entry.cause))
    grid.add_row(Text("Fix", style="bold green"), Text(entry.fix))
    grid.add_row("Where", Text(_step_label(entry.step)))
    if entry.checks:
        grid.add_row("Detected by", Text(", ".join(entry.checks), style="cyan"))
    else:
        grid.add_row("Detected by", Text("no automatic check: recognise it by the symptoms", style="italic"))
    return Group(Text("● " + entry.title, style="bold"), Padding(grid, (0, 0, 0, 2)))


class SummaryRows:
    """The summary's rows laid out for the width they get: a label column and the value
    beside it; a value too long for the space beside its label goes on the lines under
    it, at the left, so that a URL is not broken inside when a whole line can hold it
    (at 80 columns the Audience was cut as '…/metada' + 'ta')."""

    LABEL = 19

    def __init__(self, rows: list[tuple[Text, Text, Text]]) -> None:
        self.rows = rows  # (mark, label, value)

    def __rich_console__(self, console, options):  # type: ignore[no-untyped-def]
        width = options.max_width
        beside = width - 2 - self.LABEL - 1  # mark and space, label, space
        for mark, label, value in self.rows:
            lines = value.split("\n") if value.plain else [value]
            head = Text.assemble(mark, " ", label.copy(), " ")
            head.truncate(2 + self.LABEL + 1, pad=True)
            if all(line.cell_len <= beside for line in lines):
                for i, line in enumerate(lines):
                    yield (head if i == 0 else Text(" " * (3 + self.LABEL))) + line
                continue
            yield head
            for line in lines:  # folded only when longer than a whole line
                for piece in line.wrap(console, max(width - 4, 20), overflow="fold"):
                    yield Text("    ") + piece


def render_summary(report: Troubleshooting) -> SummaryRows:
    """The decoded values; a flagged one in red with the expected value under it in green."""
    rows: list[tuple[Text, Text, Text]] = []
    for row in report.rows:
        if row.flagged:
            value = Text(fold_fingerprints(row.value), style="red")
            rows.append((Text("✗", style="bold red"), Text(row.label, style="bold red"), value))
            if row.expected:
                expected = Text(fold_fingerprints(row.expected), style="bold green")
                rows.append((Text(" "), Text("expected", style="bold green"), expected))
        else:
            rows.append((Text(" "), Text(row.label, style="bold"), Text(fold_fingerprints(row.value))))
    return SummaryRows(rows)


class PasteArea(TextArea):
    """The box a response is pasted into.  It wraps long lines only while what it holds
    is of a normal size: soft-wrapping a megabyte of one-line base64 takes Textual
    seconds, and such a paste is diagnosed, not read."""

    WRAP_LIMIT = 20_000  # characters; a JumpCloud response pasted as base64 is 6-12 thousand

    def hold(self, text: str) -> None:
        """Replace the content (a loaded file), wrapping only a normal-sized one."""
        self.soft_wrap = len(text) <= self.WRAP_LIMIT
        self.text = text

    class Pasted(Message):
        """Something was pasted: the screen diagnoses it, as step 5 checks a pasted export."""

    diagnosed: str | None = None  # what the last diagnosis read, while it is still all the box holds

    async def _on_paste(self, event: events.Paste) -> None:
        # Textual calls this before TextArea's own _on_paste (handlers run down the class
        # hierarchy), which inserts the text: calling it here too would paste twice
        if self.diagnosed is not None and self.text == self.diagnosed:
            self.text = ""  # a paste over a diagnosed response replaces it, not added to it
        self.diagnosed = None
        self.soft_wrap = len(self.text) + len(event.text) <= self.WRAP_LIMIT
        self.post_message(self.Pasted())  # handled after the text is in

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if not self.soft_wrap and len(self.text) <= self.WRAP_LIMIT:  # cut back to a normal size
            self.soft_wrap = True


class TroubleshootScreen(Screen):
    """Paste a SAML response and get the diagnosis; search the catalogue of symptoms."""

    CSS_PATH = assets.path("troubleshoot.tcss")  # loaded when the screen is first shown

    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("ctrl+t", "close", "Close", show=False, priority=True),
        Binding("ctrl+d", "diagnose", "Diagnose", priority=True),
        Binding("ctrl+o", "load", "Load file", priority=True),
        Binding("ctrl+f", "catalogue", "Catalogue", priority=True),
        Binding("ctrl+r", "clear", "Clear", priority=True),
        # not in the footer (no room at 80 columns): the line that says the tab is
        # ready names the key, and the palette lists it
        Binding("ctrl+g", "decoded", "Decoded XML", show=False, priority=True),
    ]
    app: WizardHost  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.report: Troubleshooting | None = None
        self.checker: CheckRunner = CheckRunner(self, "diagnose", buttons=("ts-run",), status="#ts-status")

    @property
    def busy(self) -> bool:
        return self.checker.busy

    # -- layout -----------------------------------------------------------

    def compose(self) -> ComposeResult:
        state = self.app.state
        yield Header()
        with TabbedContent(id="ts-tabs"):
            with TabPane("Diagnose a SAML response", id="ts-diagnose"):
                with Vertical(id="ts-input"):
                    with Horizontal(id="ts-row"):
                        yield Label("Org", id="ts-org-label")
                        yield Input(state.org, placeholder="acmecorp", id="ts_org", compact=True)
                        # labelled: at 80 columns a placeholder saying what the field is was cut short
                        yield Label("Response file", id="ts-file-label")
                        yield Input(placeholder="~/Downloads/saml-response.txt", id="response_path", compact=True)
                        yield Button("Load", id="ts-load", compact=True)
                        yield Button("Diagnose", id="ts-run", compact=True, variant="primary")
                    with Horizontal(id="ts-row2"):
                        yield Label("Metadata", id="ts-metadata-label")
                        yield Input(
                            placeholder="step 5's export, or a path",
                            id="ts_metadata",
                            compact=True,
                        )
                        yield Label("Captured (UTC)", id="ts-at-label")
                        yield Input(placeholder="now, or 2026-11-30 14:05", id="ts_at", compact=True)
                    yield FieldError("ts_org")
                    yield FieldError("response_path")
                    yield FieldError("ts_metadata")
                    yield FieldError("ts_at")
                    yield PasteArea(
                        "", id="response", show_line_numbers=False, soft_wrap=True, placeholder=PASTE_PLACEHOLDER
                    )
                with VerticalScroll(id="ts-results"):
                    yield Static("", id="ts-status", markup=False)
                    yield Guide(assets.guide("troubleshooting"), id="ts-guide", classes="guide")
                    yield FindingsView(id="ts-findings")
                    yield Static("", id="ts-related")
                    yield Static("", id="ts-summary")
                    yield Static("", id="ts-pretty-label", markup=False)
            # a tab of its own: inside the results, its scrollbar sat inside theirs
            with TabPane("Decoded XML", id="ts-decoded"):
                # not wrapped: a wrapped line of XML loses its indentation
                yield TextArea("", id="ts-pretty", read_only=True, show_line_numbers=False, soft_wrap=False)
            with TabPane("Symptoms catalogue", id="ts-catalogue"), Vertical(id="ts-catalogue-box"):
                yield Input(
                    placeholder="search: locked out, email already in use, certificate…",
                    id="catalogue-search",
                    compact=True,
                )
                yield Static("", id="catalogue-count", markup=False)
                with VerticalScroll(id="ts-catalogue-scroll"):
                    yield Static("", id="catalogue-results")
        yield Footer()

    def on_mount(self) -> None:
        for selector in ("#ts-related", "#ts-summary", "#ts-pretty-label"):
            self.query_one(selector).display = False
        self.query_one("#ts-tabs", TabbedContent).disable_tab("ts-decoded")
        self._show_idle_status()
        self._show_catalogue("")
        self.query_one("#response", TextArea).focus()

    def _show_idle_status(self) -> None:
        from wizard.troubleshoot import NO_METADATA_NOTE, STEP5_METADATA

        status = self.query_one("#ts-status", Static)
        named = self.query_one("#ts_metadata", Input).value.strip()
        if named:
            status.update(f"The signature will be checked against the metadata in {named}.")
        elif self.app.state.metadata_xml.strip():
            status.update(f"The signature will be checked against {STEP5_METADATA}.")
        else:
            status.update(NO_METADATA_NOTE)

    # -- navigation -------------------------------------------------------

    def on_screen_resume(self) -> None:
        # the screen lives for the session: the wizard's organisation may have changed since
        # it was last shown; an organisation typed here by the admin is left as typed
        org = self.query_one("#ts_org", Input)
        if org.value == getattr(self, "_org_given", org.value):
            org.value = self.app.state.org
        self._org_given = self.app.state.org
        if self.report is None:
            self._show_idle_status()

    def on_paste_area_pasted(self, message: PasteArea.Pasted) -> None:
        self.call_after_refresh(self.action_diagnose)

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_clear(self) -> None:
        """Forget the paste and its diagnosis (the fields above are kept)."""
        self.query_one("#ts-tabs", TabbedContent).active = "ts-diagnose"
        area = self.query_one("#response", PasteArea)
        area.hold("")
        area.diagnosed = None
        self.remove_class("-diagnosed")
        self._clear_results()
        self.query_one("#ts-pretty", TextArea).text = ""
        self.query_one("#ts-guide").display = True
        self._show_idle_status()
        area.focus()

    def action_catalogue(self) -> None:
        tabs = self.query_one("#ts-tabs", TabbedContent)
        tabs.active = "ts-diagnose" if tabs.active == "ts-catalogue" else "ts-catalogue"

    def action_decoded(self) -> None:
        """Open the Decoded XML tab, or go back to the diagnosis from it."""
        tabs = self.query_one("#ts-tabs", TabbedContent)
        if tabs.active == "ts-decoded":
            tabs.active = "ts-diagnose"
        elif tabs.get_tab("ts-decoded").disabled:
            self.notify(
                "This paste did not decode to XML: the diagnosis says why."
                if self.report is not None
                else "Nothing decoded yet: paste a SAML response and press ctrl+d.",
                severity="warning",
            )
        else:
            tabs.active = "ts-decoded"
            self.query_one("#ts-pretty", TextArea).focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "ts-catalogue":
            self.query_one("#catalogue-search", Input).focus()
        elif event.pane.id == "ts-diagnose":
            self.query_one("#response", TextArea).focus()

    # -- input ------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ts-load":
            self.action_load()
        elif event.button.id == "ts-run":
            self.action_diagnose()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "response_path":
            self.action_load()
        elif event.input.id in ("ts_org", "ts_metadata", "ts_at"):
            self.action_diagnose()

    def action_load(self) -> None:
        from wizard.troubleshoot import read_response_file

        tabs = self.query_one("#ts-tabs", TabbedContent)
        tabs.active = "ts-diagnose"
        path_text = self.query_one("#response_path", Input).value
        text, problems = read_response_file(path_text)
        slot = self.query_one("#err-response_path", FieldError)
        if text is None:
            slot.show("\n".join(f"{p.message} {p.fix}".strip() for p in problems))
            self.query_one("#response_path", Input).focus()
            return
        slot.show("")
        self.query_one("#response", PasteArea).hold(text)
        self.action_diagnose()

    def action_diagnose(self) -> None:
        from wizard.values import org_problem

        self.query_one("#ts-tabs", TabbedContent).active = "ts-diagnose"
        org = self.query_one("#ts_org", Input).value.strip()
        problem = org_problem(org)
        self.query_one("#err-ts_org", FieldError).show(problem or "")
        if problem:
            self.query_one("#ts_org", Input).focus()
            return
        from wizard.troubleshoot import diagnosis_inputs

        state = self.app.state
        inputs = diagnosis_inputs(
            self.query_one("#ts_metadata", Input).value,
            self.query_one("#ts_at", Input).value,
            state.metadata_xml,
            now=self.app.now(),
            step5=state.record(StepId.METADATA),
        )
        for slot in ("ts_metadata", "ts_at"):
            self.query_one(f"#err-{slot}", FieldError).show(
                "\n".join(f"{p.message} {p.fix}".strip() for p in (*inputs.problems, *inputs.notes) if p.field == slot)
            )
        if inputs.problems:
            self.query_one(f"#{inputs.problems[0].field}", Input).focus()
            if self.report is not None:  # what is below is the last diagnosis, not one of these inputs
                self.query_one("#ts-status", Static).update(
                    Text("Not diagnosed: fix the field above. The results below are from the last diagnosis.", "yellow")
                )
            return
        area = self.query_one("#response", PasteArea)
        text = area.text
        area.diagnosed = text
        api_base = state.api_base

        def failed(exc: Exception) -> Exception:
            return exc

        def run() -> Troubleshooting:
            return self.app.diagnose(
                text,
                org,
                api_base,
                inputs.metadata_xml,
                at=inputs.now,
                metadata_source=inputs.metadata_source,
            )

        self.checker.start(
            lambda: asyncio.to_thread(run),
            self._show_outcome,
            failed,
            running="Diagnosing…",
        )

    # -- the diagnosis ----------------------------------------------------

    def _show_outcome(self, report: Troubleshooting | Exception) -> None:
        if isinstance(report, Exception):  # never lose the paste (or the app) to a bug
            self._show_failure(
                f"The diagnosis failed unexpectedly ({report.__class__.__name__}: {report}). "
                "Your paste is kept; try again, or report this."
            )
            return
        try:
            self._show_report(report)
        except Exception as exc:
            self._show_failure(f"The diagnosis could not be shown ({exc.__class__.__name__}: {exc}).")

    _stale = False  # the paste was edited since the diagnosis shown

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """An edit after the diagnosis: say that what is shown is about the paste before it."""
        area = event.text_area
        if not isinstance(area, PasteArea) or self.report is None or area.diagnosed is None:
            return
        stale = area.text != area.diagnosed
        if stale != self._stale:
            self._stale = stale
            self.set_class(stale, "-stale")
            if stale:
                note = Text(
                    "The paste has changed since it was diagnosed: what is below is about it as it was. "
                    "Press ctrl+d to diagnose it as it is now.",
                    style="yellow",
                )
                self.query_one("#ts-status", Static).update(note)
            else:
                self._show_report(self.report)

    def _clear_results(self) -> None:
        """No diagnosis shown: no findings, no summary, no Decoded XML tab."""
        self.report = None
        self.query_one("#ts-findings", FindingsView).clear()
        for selector in ("#ts-related", "#ts-summary", "#ts-pretty-label"):
            self.query_one(selector).display = False
        self.query_one("#ts-tabs", TabbedContent).disable_tab("ts-decoded")

    def _show_failure(self, message: str) -> None:
        self._clear_results()
        self.query_one("#ts-status", Static).update(message)

    def _show_report(self, report: Troubleshooting) -> None:
        self.report = report
        self._stale = False
        self.remove_class("-stale")
        self.add_class("-diagnosed")
        self.query_one("#ts-guide").display = False
        status = Text(report.metadata_note, style="" if report.signature_checked_against_metadata else "yellow")
        self.query_one("#ts-status", Static).update(status)
        self.query_one("#ts-findings", FindingsView).show(report.findings)

        related = self.query_one("#ts-related", Static)
        parts: list = []
        if report.related:
            parts.append(Text("Known problems these findings point to", style="bold underline"))
            parts.extend(render_entry(entry, brief=True) for entry in report.related)
        if report.catalogue_problem:
            parts.append(Text(report.catalogue_problem, style="yellow"))
        related.update(Group(*parts))
        related.display = bool(parts)

        summary = self.query_one("#ts-summary", Static)
        summary.update(render_summary(report))
        summary.display = bool(report.rows)

        pretty = self.query_one("#ts-pretty", TextArea)
        pretty.text = report.pretty_xml or ""
        tabs = self.query_one("#ts-tabs", TabbedContent)
        label = self.query_one("#ts-pretty-label", Static)
        if report.pretty_xml:
            tabs.enable_tab("ts-decoded")
            label.update("The response as decoded and indented is in the Decoded XML tab (ctrl+g).")
        else:
            tabs.disable_tab("ts-decoded")
        label.display = bool(report.pretty_xml)
        self.query_one("#ts-results", VerticalScroll).scroll_home(animate=False)

    # -- catalogue --------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "catalogue-search":
            self._show_catalogue(event.value)
        elif event.input.id == "ts_metadata" and self.report is None:
            self._show_idle_status()

    def _org_for_catalogue(self) -> tuple[str, str]:
        from wizard.values import org_problem

        org = self.query_one("#ts_org", Input).value.strip()
        return (org if not org_problem(org) else "<org>"), self.app.values.api_base

    def _show_catalogue(self, query: str) -> None:
        from wizard.troubleshoot import search_catalogue

        results = self.query_one("#catalogue-results", Static)
        count = self.query_one("#catalogue-count", Static)
        org, api_base = self._org_for_catalogue()
        try:
            entries, total = search_catalogue(query, org=org, api_base=api_base)
        except Exception as exc:  # a broken package: say so, keep the screen
            count.update("")
            results.update(Text(f"The catalogue could not be read: {exc}", style="yellow"))
            return
        if query.strip():
            count.update(f"{len(entries)} of {total} entries match “{query.strip()}” (every word must match).")
        else:
            count.update(f"{total} entries. Type to search; every word must match.")
        parts: list = []
        for entry in entries:
            parts.extend([render_entry(entry), Text("")])
        if not entries:
            parts.append(
                Text(
                    "Nothing in the catalogue matches. Try fewer or other words, or paste the SAML "
                    "response in the first tab for a diagnosis."
                )
            )
        results.update(Group(*parts))
        self.query_one("#ts-catalogue-scroll", VerticalScroll).scroll_home(animate=False)
