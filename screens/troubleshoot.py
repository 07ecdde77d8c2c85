from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static, TabbedContent, TabPane, TextArea

import assets
from screens.widgets.guide import Guide
from screens.widgets import FieldError, FindingsView

if TYPE_CHECKING:
    from screens.app import WizardApp


class TroubleshootScreen(Screen):
    """Paste a SAML response and get the diagnosis; search the catalogue of symptoms."""

    BINDINGS = [
        Binding("escape", "close", "Back to the wizard"),
        Binding("ctrl+t", "close", "Close", show=False, priority=True),
        Binding("ctrl+d", "diagnose", "Diagnose", priority=True),
    ]
    app: "WizardApp"

    def compose(self) -> ComposeResult:
        state = self.app.state
        yield Header()
        with TabbedContent(id="ts-tabs"):
            with TabPane("Diagnose a SAML response", id="ts-diagnose"):
                with VerticalScroll():
                    yield Guide(assets.guide("troubleshooting"), classes="guide")
                    with Horizontal(classes="input-row"):
                        yield Label("Organisation ", classes="inline-label")
                        yield Input(state.org, placeholder="acmecorp", id="ts_org")
                    yield FieldError("ts_org")
                    yield Label("SAML response (paste: XML, base64, SAMLResponse=… form body, or SAML-tracer JSON)")
                    yield TextArea("", id="response", show_line_numbers=False, soft_wrap=True)
                    with Horizontal(classes="input-row"):
                        yield Input(placeholder="or a file: ~/Downloads/saml-response.txt", id="response_path")
                        yield Button("Load", id="ts-load", compact=True)
                        yield Button("Diagnose [ctrl+d]", id="ts-run", compact=True, variant="primary")
                    yield FieldError("response_path")
                    yield FindingsView(id="ts-findings")
                    yield Static("", id="ts-summary")
                    yield TextArea("", id="ts-pretty", read_only=True, show_line_numbers=False)
            with TabPane("Symptoms catalogue", id="ts-catalogue"):
                with Vertical():
                    yield Input(placeholder="search: locked out, email already in use, certificate…", id="catalogue-search")
                    with VerticalScroll():
                        yield Static("", id="catalogue-results")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ts-pretty").display = False
        self.query_one("#ts-summary").display = False
        self._show_catalogue("")

    def action_close(self) -> None:
        self.app.pop_screen()

    # -- diagnosis --------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ts-load":
            self._load_file()
        elif event.button.id == "ts-run":
            self.action_diagnose()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "response_path":
            self._load_file()
        elif event.input.id == "ts_org":
            self.action_diagnose()

    def _load_file(self) -> None:
        from wizard.steps import load_metadata_file

        path_text = self.query_one("#response_path", Input).value
        data, problems = load_metadata_file(path_text, cap=4 * 1024 * 1024)
        slot = self.query_one("#err-response_path", FieldError)
        if data is None:
            slot.show("\n".join(p.message for p in problems).replace("metadata", "response"))
            return
        slot.show("")
        self.query_one("#response", TextArea).text = data.decode("utf-8", errors="replace")
        self.action_diagnose()

    def action_diagnose(self) -> None:
        org = self.query_one("#ts_org", Input).value.strip()
        from wizard.values import org_problem

        problem = org_problem(org)
        self.query_one("#err-ts_org", FieldError).show(problem or "")
        if problem:
            return
        text = self.query_one("#response", TextArea).text
        self.run_diagnosis(text, org)

    @work(exclusive=True, group="diagnose")
    async def run_diagnosis(self, text: str, org: str) -> None:
        view = self.query_one("#ts-findings", FindingsView)
        view.update("Diagnosing…")
        state = self.app.state
        try:
            report = await asyncio.to_thread(
                self.app.diagnose, text, org, state.api_base, state.metadata_xml
            )
        except Exception as exc:  # never lose the paste to a bug
            view.update(f"The diagnosis failed unexpectedly: {exc!r}")
            return
        view.show(report.findings)
        summary = self.query_one("#ts-summary", Static)
        table = Text()
        for key, value in report.summary.items():
            if value:
                table.append(f"{key.replace('_', ' ')}: ", style="bold").append(f"{value}\n")
        summary.update(table)
        summary.display = bool(table)
        pretty = self.query_one("#ts-pretty", TextArea)
        pretty.text = report.pretty_xml or ""
        pretty.display = bool(report.pretty_xml)

    # -- catalogue --------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "catalogue-search":
            self._show_catalogue(event.value)

    def _show_catalogue(self, query: str) -> None:
        results = self.query_one("#catalogue-results", Static)
        try:
            from wizard.catalogue import load_catalogue, search

            entries = search(load_catalogue(), query)
        except Exception as exc:
            results.update(f"The catalogue could not be read: {exc}")
            return
        text = Text()
        for entry in entries:
            text.append(entry.title + "\n", style="bold")
            text.append("You see: ", style="dim").append("; ".join(entry.symptoms) + "\n")
            text.append("Cause: ", style="dim").append(entry.cause + "\n")
            text.append("Fix: ", style="dim").append(entry.fix + "\n", style="italic")
            if entry.checks:
                text.append("Detected by: ", style="dim").append(", ".join(entry.checks) + "\n", style="cyan")
            text.append("\n")
        if not entries:
            text.append(f"Nothing in the catalogue matches “{query}”.")
        results.update(text)
