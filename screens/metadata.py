from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Collapsible, Input, Label, Static, TextArea

from screens.base import StepScreen
from screens.check import CheckRunner
from screens.widgets import FieldError, FindingsView, Tick, fold_fingerprints
from wizard.files import decode_text, named_path
from wizard.findings import Severity, error
from wizard.state import StepId
from wizard.steps import load_metadata_file, summarize_metadata


def _short(path: Path) -> str:
    home = Path.home()
    try:
        return "~/" + str(path.relative_to(home))
    except ValueError:
        return str(path)


class MetadataScreen(StepScreen):
    STEP = StepId.METADATA
    OWN_FINDINGS_VIEW = True

    def __init__(self, view) -> None:
        super().__init__(view)
        self.report = None  # the last check's MetadataReport
        self._source = ""
        # What is loaded (checked, not yet accepted): Next sends it up with the report.
        self._path = view.metadata_path
        self._xml = view.metadata_xml
        self._watched: tuple[Path, float, int] | None = None
        self._found: Path | None = None
        self._auto_path = ""  # the found export the path box was filled with (not typed)
        self.checker: CheckRunner = CheckRunner(self, "metadata-check", status="#gate-message")

    def compose_body(self) -> ComposeResult:
        state = self.view
        with Horizontal(id="found-row"):
            yield Static("Looking for an export…", id="found", markup=False)
            yield Button("Use this file", id="use-found", compact=True, disabled=True)
        if getattr(self.app, "jumpcloud_key", ""):
            with Horizontal(id="jc-load-row"):
                yield Static("Or have the wizard fetch it through JumpCloud's API:", classes="day-two-text")
                yield Button("Load from JumpCloud", id="jc-load", compact=True)
        with Vertical(classes="field"):
            yield Label("Path of the exported file")
            with Horizontal(classes="input-row"):
                yield Input(
                    state.metadata_path, placeholder="the path of JumpCloud-<name>-metadata.xml", id="metadata_path"
                )
                yield Button("Load", id="load", compact=True)
            yield FieldError("metadata_path")
        with Collapsible(
            title="Or paste the XML", collapsed=not (state.metadata_xml and not state.metadata_path), id="paste-box"
        ):
            yield TextArea(state.metadata_xml if not state.metadata_path else "", id="paste", show_line_numbers=False)
            yield Button("Check pasted XML", id="check-paste", compact=True)
        yield FieldError("source")
        yield Static("", id="facts")
        yield FindingsView(id="findings")
        yield Tick("I have read the warnings and accept them", False, id="ack_warnings")
        yield FieldError("ack_warnings")

    def on_mount(self) -> None:
        self.query_one("#ack_warnings", Checkbox).display = False
        self.query_one("#facts").display = False
        self._look_for_exports()
        # What was loaded before is checked again, without scrolling away from the guide.
        if self._path:
            self.load_path(self._path, reveal=False)
        elif self._xml:
            self.run_check(self._xml, "pasted XML", reveal=False)
        self.set_interval(1.0, self._poll_file)

    def _look_for_exports(self, *, again: bool = False) -> None:
        """Offer the newest export in Downloads or here; ``again``: a later look (an export
        downloaded meanwhile is offered), which never moves the focus or fills the path."""
        found_text = self.query_one("#found", Static)
        try:
            from wizard.metadata import find_exports

            exports = find_exports(self.app.export_folders())
        except Exception:  # a folder we cannot list is not the admin's problem here
            exports = []
        if exports:
            if again and exports[0] == self._found:
                return
            self._found = exports[0]
            found_text.update(f"Found: {_short(exports[0])}")
            use = self.query_one("#use-found", Button)
            use.disabled = False
            use.display = True
            if again:
                return
            path_input = self.query_one("#metadata_path", Input)
            if not path_input.value:
                path_input.value = self._auto_path = str(exports[0])
            if not self._path and not self._xml:
                use.focus()
        elif again:
            return
        else:
            found_text.update("No JumpCloud-*metadata.xml in Downloads or the current folder.")
            self.query_one("#use-found", Button).display = False

    # -- loading ----------------------------------------------------------

    _next_after_check = False  # Next pressed with a path typed but not loaded: submit once checked

    def _typed_path(self) -> str:
        """A path the admin typed in the box and has not loaded ("" when none): not the
        file loaded, nor the found export the box was filled with."""
        typed = self.query_one("#metadata_path", Input).value.strip()
        return typed if typed and typed not in (self._path, self._auto_path) else ""

    def action_next(self) -> None:
        if self.checker.busy:
            # the export is still being checked (on resume, or just loaded): Next goes on
            # once it has been, with its verdict, instead of judging the step without it
            self._next_after_check = True
            return
        path = self.query_one("#metadata_path", Input).value.strip()
        typed = self._typed_path()
        if typed or (self.report is None and not self._xml.strip() and path):
            # the path in the box is what the admin means, not an export loaded before: load it first
            self._next_after_check = True
            self.load_path(typed or path)
            return
        super().action_next()

    def load_path(self, path_text: str, *, reveal: bool = True) -> None:
        self.query_one("#metadata_path", Input).value = path_text
        data, problems = load_metadata_file(path_text)
        self.show_findings(problems)
        if data is None:
            self._watched = None
            self._next_after_check = False  # what is wrong with the path is shown beside it
            # the facts of the file loaded before would read as this path's: they go with its findings
            self.query_one("#facts").display = False
            return
        path = named_path(path_text)
        try:
            st = path.stat()
            self._watched = (path, st.st_mtime, st.st_size)
        except OSError:
            self._watched = None
        self._path = path_text
        self._mark_found_loaded(path)
        self._clear_paste()
        # Kept as text for step 6's copy; a UTF-16 export is decoded as such, not mangled.
        self._xml = decode_text(data) or data.decode("utf-8", errors="replace")
        self.run_check(data, _short(path.resolve()), reveal=reveal)

    def _mark_found_loaded(self, path: Path) -> None:
        """The export offered is the one loaded: say so, and stop offering it."""
        if self._found is None:
            return
        try:
            same = path.resolve() == self._found.resolve()
        except OSError:
            same = False
        use = self.query_one("#use-found", Button)
        use.disabled = same
        if same:
            self.query_one("#found", Static).update(f"Found and loaded: {_short(self._found)}")

    _polls = 0

    def _poll_file(self) -> None:
        self._polls += 1
        if self._polls % 3 == 0:  # an export downloaded while this step is open is offered too
            self._look_for_exports(again=True)
        if not self._watched:
            return
        path, mtime, size = self._watched
        try:
            st = path.stat()
        except OSError:
            return
        if (st.st_mtime, st.st_size) != (mtime, size):
            self.notify(f"{path.name} changed on disk: checking it again.")
            self.load_path(str(path))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "use-found" and self._found is not None:
            event.stop()
            self.load_path(str(self._found))
        elif event.button.id == "load":
            event.stop()
            self.load_path(self.query_one("#metadata_path", Input).value)
        elif event.button.id == "jc-load":
            event.stop()
            self._load_from_jumpcloud()
        elif event.button.id == "check-paste":
            event.stop()
            self._check_paste()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.load_path(event.value)

    def _check_paste(self) -> None:
        text = self.query_one("#paste", TextArea).text
        self._watched = None
        self._path = ""
        self.query_one("#metadata_path", Input).value = ""
        self._xml = text
        self.run_check(text, "pasted XML")

    def _clear_paste(self) -> None:
        """Another source was loaded: XML pasted earlier is not what is checked any more."""
        paste = self.query_one("#paste", TextArea)
        if paste.text:
            paste.text = ""  # empty: its Changed event checks nothing

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id == "paste" and event.text_area.text.strip():
            self._check_paste()

    def _load_from_jumpcloud(self) -> None:
        """Fetch the app's metadata through JumpCloud's API, then check it as a loaded file."""
        from wizard.jumpcloud_step import run_check

        key, timeout, state = self.app.jumpcloud_key, self.app.network_timeout, self.app.state

        async def work():
            return await run_check(state, key, metadata=True, timeout=timeout)

        def done(check) -> None:
            if check.metadata_xml is None:
                self.show_findings(list(check.findings))
                return
            label = check.application["displayLabel"] if check.application else "the app"
            self._watched = None
            self._path = ""
            self.query_one("#metadata_path", Input).value = ""
            self._clear_paste()
            self._xml = check.metadata_xml
            self.run_check(check.metadata_xml, f"JumpCloud's API (app '{label}')")

        def failed(exc: Exception):
            from wizard.jumpcloud import JumpCloudCheck

            return JumpCloudCheck(
                [
                    error(
                        "jumpcloud.unexpected",
                        f"Asking JumpCloud failed unexpectedly ({type(exc).__name__}).",
                        "Try again.",
                    )
                ]
            )

        CheckRunner(self, "jumpcloud-load", buttons=("jc-load",), status="#gate-message").start(
            work,
            done,
            failed,
            running="Fetching the metadata from JumpCloud …",
            button="jc-load",
            busy_label="Fetching…",
        )

    # -- the check (in a worker: lxml and cryptography load on first use) --

    def run_check(self, data: bytes | str, source: str, reveal: bool = True) -> None:
        from wizard.metadata import MetadataReport, check_metadata

        idp_url_value, now = self.app.state.idp_url_value or None, self.app.now()
        idp_entity_id = self.app.state.idp_entity_id

        def failed(exc: Exception) -> MetadataReport:
            return MetadataReport(
                [
                    error(
                        "metadata.unexpected",
                        f"The check failed unexpectedly ({type(exc).__name__}).",
                        "Try again; if it persists, run 'jumpcloud-pulumi-sso check-metadata FILE'.",
                        "source",
                    )
                ],
                None,
            )

        self.checker.start(
            lambda: asyncio.to_thread(
                check_metadata, data, idp_url_value=idp_url_value, now=now, idp_entity_id=idp_entity_id
            ),
            lambda report: self.show_report(report, source, reveal=reveal),
            failed,
            running="Checking the metadata…",
            delay=0.05 if isinstance(data, str) else 0,  # let a fast typist finish a paste
        )

    def show_report(self, report, source: str, *, reveal: bool = True) -> None:
        self.report = report
        self._source = source
        facts = self.query_one("#facts", Static)
        meta = report.metadata
        if meta is not None:
            summary = summarize_metadata(meta, source)
            text = Text()
            text.append("Source: ", style="bold").append(source + "\n")
            text.append("IdP entity ID: ", style="bold").append(summary["entity_id"] or "(none)")
            text.append("\nSSO URL: ", style="bold").append(summary["sso_url"] or "(none)")
            if "cert_sha256" in summary:
                text.append("\nCertificate: ", style="bold").append(summary["cert_subject"])
                text.append("\nSHA-256: ", style="bold").append(fold_fingerprints(summary["cert_sha256"]))
                text.append("\nExpires: ", style="bold").append(summary["cert_not_after"])
            facts.update(text)
            facts.display = True
        else:
            facts.display = False
        warned = any(f.severity is Severity.WARNING for f in report.findings) and report.ok
        self.query_one("#ack_warnings", Checkbox).display = warned
        self.show_findings(report.findings)
        if report.ok:
            self.query_one("#gate-message", Static).update("")
        self.form_changed(checked=True)
        self.refresh_title()
        if self._next_after_check:
            self._next_after_check = False
            self.call_after_refresh(StepScreen.action_next, self)  # the gate decides, with the verdict
            return
        if reveal:  # the admin just loaded or pasted something: show the verdict
            findings_view = self.query_one("#findings")
            self.call_after_refresh(findings_view.scroll_visible, animate=False)

    def unaccepted(self) -> str:
        """What is loaded and checked here but not accepted with Next ("" when nothing):
        ctrl+q says so before quitting."""
        state = self.app.state
        if self.report is None or not self._xml.strip():
            return ""
        if self._xml == state.metadata_xml and state.status(StepId.METADATA).complete:
            return ""
        return f"The metadata ({self._source})" if self._source else "The metadata"

    def form(self) -> dict:
        typed = self._typed_path()
        if typed:  # what the step holds is a path to load (kept as such when the admin goes Back)
            return {"metadata_path": typed, "metadata_xml": "", "source": "", "report": None, "ack_warnings": False}
        return {
            "metadata_path": self._path,
            "metadata_xml": self._xml,
            "source": self._source,
            "report": self.report,
            "ack_warnings": self.query_one("#ack_warnings", Checkbox).value,
        }
