"""Step 6: configure the Pulumi organisation, then verify it through Pulumi's API
(or confirm by hand when the API cannot be reached)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea

from screens.base import StepScreen
from screens.check import CheckRunner
from screens.widgets import CopyValue, FieldError, FindingsView, Tick
from wizard.pulumi_step import SWITCH_CHECKLIST, choose_token, token_source_label, unexpected_failure
from wizard.state import StepId

VERIFY_LABEL = "Verify with Pulumi"


class PulumiScreen(StepScreen):
    STEP = StepId.PULUMI
    OWN_FINDINGS_VIEW = True
    # Pulumi's answer about the organisation or the API URL (set on step 1) is shown at
    # the check that got it, not at a field of another step.
    FIELDS = {"org": "verify", "api_base": "verify"}

    def __init__(self, view) -> None:
        super().__init__(view)
        self.result = None  # the last ApiResult of "Verify with Pulumi" (holds no token)
        self._found_source: str | None = None  # where a token was found (never the token)
        self._token_input: Input | None = None
        self.checker: CheckRunner = CheckRunner(self, "pulumi-verify", buttons=("verify",), status="#findings")

    def compose_body(self) -> ComposeResult:
        state = self.app.state  # the metadata accepted at step 5
        view = self.view
        if self.app.values.org_url:
            yield CopyValue("Your organisation in Pulumi", self.app.values.org_url, id="org-url")
        yield CopyValue(
            "Metadata XML (the whole file)",
            f"{len(state.metadata_xml):,} characters, shown below",
            copy_text=state.metadata_xml,
            id="copy-xml",
        )
        yield TextArea(state.metadata_xml, read_only=True, id="metadata-xml", show_line_numbers=False, soft_wrap=True)

        yield Static("Before you switch: tick each item once it is true", classes="subhead")
        with Vertical(id="checklist"):
            for number, item in enumerate(SWITCH_CHECKLIST, start=1):
                yield Tick(f"{number}. {item.title}", view.pulumi_confirmed, id=f"switch-{item.key}")
                yield Static(item.explanation, classes="row-note", markup=False)
        yield FieldError("checklist")

        yield Static("Verify with Pulumi (after Apply changes)", classes="subhead")
        yield Static("", id="token-source", markup=False)
        with Vertical(classes="field"):
            yield Label("Or paste an admin's token (used for this check only, never saved)")
            with Horizontal(classes="input-row"):
                self._token_input = Input(password=True, placeholder="paste a Pulumi access token (pul-…)", id="token")
                yield self._token_input
                yield Button(VERIFY_LABEL, id="verify", compact=True, variant="primary")
            yield FieldError("token")
        yield FieldError("verify")
        yield FindingsView(id="findings")

        yield Static("Or, when Pulumi's API cannot be reached from here, confirm by hand", classes="subhead")
        yield Tick("I pasted the metadata in Pulumi and chose Apply changes", view.pulumi_confirmed, id="applied")
        yield FieldError("applied")

    def on_mount(self) -> None:
        from wizard.pulumi_api import find_token

        found = find_token(self.app.values.api_base)
        self._found_source = found.source if found is not None else None
        found = None  # only where it came from is kept
        self._show_token_source()

    def on_unmount(self) -> None:
        # Leaving the step forgets an entered token.
        if self._token_input is not None:
            self._token_input.value = ""

    def _show_token_source(self) -> None:
        entered = bool(self.query_one("#token", Input).value.strip())
        text = "Access token: " + token_source_label(self._found_source, entered) + "."
        self.query_one("#token-source", Static).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:  # the base class posts the change
        if event.input.id == "token":
            self._show_token_source()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "token":
            self.start_verify()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "verify":
            event.stop()
            self.start_verify()

    # -- verify -----------------------------------------------------------

    def start_verify(self) -> None:
        from wizard.pulumi_api import ApiResult, find_token, no_token_finding, verify_pulumi

        api_base, org = self.app.values.api_base, self.app.state.org
        metadata_xml, timeout = self.app.state.metadata_xml, self.app.network_timeout
        token = choose_token(find_token(api_base), self.query_one("#token", Input).value)

        async def verify() -> ApiResult:
            if token is None:
                return ApiResult([no_token_finding(api_base)])
            from wizard.metadata import check_metadata

            report = check_metadata(metadata_xml) if metadata_xml.strip() else None
            metadata = report.metadata if report is not None else None
            return await verify_pulumi(api_base, org, token, metadata, timeout=timeout)

        self.checker.start(
            verify,
            self._show_result,
            lambda exc: ApiResult([unexpected_failure("Verifying with Pulumi", exc)]),
            running="Asking Pulumi what it has loaded …",
            button="verify",
            busy_label="Verifying…",
        )

    def _show_result(self, result) -> None:
        self.result = result
        self.show_answer(result.findings)
        # Scrolled once the answer's new height is laid out (a refresh later), or the scroll
        # would stop short of it.
        source = self.query_one("#token-source")
        self.call_after_refresh(self.call_after_refresh, source.scroll_visible, animate=False, top=True)

    # -- the form ---------------------------------------------------------

    def form(self) -> dict:
        return {
            "checklist": [
                item.key for item in SWITCH_CHECKLIST if self.query_one(f"#switch-{item.key}", Checkbox).value
            ],
            "applied": self.query_one("#applied", Checkbox).value,
            "result": self.result,
        }
