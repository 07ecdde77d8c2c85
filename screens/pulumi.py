"""Step 6: configure the Pulumi organisation, then verify it through Pulumi's API
(or confirm by hand when the API cannot be reached)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea

from screens.base import StepScreen
from screens.widgets import CopyValue, FieldError, FindingsView
from wizard.findings import Finding, Severity
from wizard.pulumi_step import (
    SWITCH_CHECKLIST,
    check_pulumi_step,
    choose_token,
    token_source_label,
    unexpected_failure,
    verification_after,
)
from wizard.state import StepId

VERIFY_LABEL = "Verify with Pulumi"
_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.OK: 2, Severity.INFO: 3}


def _display_order(findings: list[Finding]) -> list[Finding]:
    """Problems first, then the verdict, then what is only informative (stable)."""
    return sorted(findings, key=lambda f: _ORDER[f.severity])


class PulumiScreen(StepScreen):
    STEP = StepId.PULUMI
    OWN_FINDINGS_VIEW = True

    def __init__(self) -> None:
        super().__init__()
        self.result = None  # the last ApiResult of "Verify with Pulumi" (holds no token)
        self._found_source: str | None = None  # where a token was found (never the token)
        self._token_input: Input | None = None

    def compose_body(self) -> ComposeResult:
        state = self.app.state
        if self.app.values.org_url:
            yield CopyValue("Your organisation in Pulumi", self.app.values.org_url, id="org-url")
        yield CopyValue(
            "Metadata XML (the whole file)", f"{len(state.metadata_xml):,} characters, shown below",
            copy_text=state.metadata_xml, id="copy-xml",
        )
        yield TextArea(state.metadata_xml, read_only=True, id="metadata-xml", show_line_numbers=False, soft_wrap=True)

        yield Static("Before you switch: tick each item once it is true", classes="subhead")
        with Vertical(id="checklist"):
            for number, item in enumerate(SWITCH_CHECKLIST, start=1):
                yield Checkbox(f"{number}. {item.title}", state.pulumi_confirmed, id=f"switch-{item.key}")
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
        yield Checkbox("I pasted the metadata in Pulumi and chose Apply changes", state.pulumi_confirmed, id="applied")
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

    def on_input_changed(self, event: Input.Changed) -> None:
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
        from wizard.pulumi_api import find_token

        api_base = self.app.values.api_base
        token = choose_token(find_token(api_base), self.query_one("#token", Input).value)
        button = self.query_one("#verify", Button)
        button.disabled = True
        button.label = "Verifying…"
        view = self.query_one("#findings", FindingsView)
        view.update("Asking Pulumi what it has loaded …")
        view.set_class(True, "-shown")
        self.run_verify(api_base, self.app.state.org, token, self.app.state.metadata_xml)

    @work(exclusive=True, group="pulumi-verify")
    async def run_verify(self, api_base: str, org: str, token, metadata_xml: str) -> None:
        from wizard.pulumi_api import ApiResult, no_token_finding, verify_pulumi

        try:
            if token is None:
                result = ApiResult([no_token_finding(api_base)])
            else:
                from wizard.metadata import check_metadata

                report = check_metadata(metadata_xml) if metadata_xml.strip() else None
                metadata = report.metadata if report is not None else None
                result = await verify_pulumi(api_base, org, token, metadata, timeout=self.app.network_timeout)
        except Exception as exc:  # a bug must not quit the app: it becomes a finding
            result = ApiResult([unexpected_failure("Verifying with Pulumi", exc)])
        finally:
            token = None  # drop the reference as soon as the call is done
            if self.is_attached:  # the admin may have left the step meanwhile
                button = self.query_one("#verify", Button)
                button.disabled = False
                button.label = VERIFY_LABEL
        if not self.is_attached:
            return
        self.result = result
        self.show_findings(_display_order(result.findings))
        state = self.app.state
        codes = [f.code for f in result.findings]
        updated = verification_after(codes, result.verified, state.pulumi_verification)
        if updated != state.pulumi_verification:
            state.pulumi_verification = updated
            self.app.save()
        self.call_after_refresh(self.query_one("#token-source").scroll_visible, animate=False, top=True)

    # -- the gate ---------------------------------------------------------

    def _ticked(self) -> list[str]:
        return [item.key for item in SWITCH_CHECKLIST if self.query_one(f"#switch-{item.key}", Checkbox).value]

    def check(self):
        state = self.app.state
        ticked = self._ticked()
        applied = self.query_one("#applied", Checkbox).value
        codes = [f.code for f in self.result.findings] if self.result is not None else None
        gate = check_pulumi_step(
            codes, bool(self.result and self.result.verified), ticked, applied,
            earlier_verification=state.pulumi_verification,
        )
        state.pulumi_confirmed = applied and len(ticked) == len(SWITCH_CHECKLIST)
        if gate.passed:
            state.pulumi_verification = gate.verification
            return gate.findings
        if self.result is not None:
            return _display_order(self.result.findings) + gate.findings
        return gate.findings
