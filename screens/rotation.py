"""Day two: load JumpCloud's regenerated signing certificate into Pulumi.

Pushed over any step by ``app.action_rotate()``; escape closes it.  The new export
is compared with what Pulumi has (checks + old-vs-new difference), the admin
confirms explicitly, then the metadata is replaced and read back to prove the new
certificate live.  Every network call runs in a worker; every failure is a finding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Collapsible, Footer, Header, Input, Label, Static, TextArea

import assets
from screens.check import CheckRunner
from screens.widgets import FieldError, FindingsView, Tick, place_findings
from wizard.findings import Finding
from wizard.pulumi_step import (
    check_apply,
    check_new_metadata_text,
    check_rotation_target,
    choose_token,
    load_new_metadata,
    rotation_live,
    token_source_label,
    unexpected_failure,
)
from wizard.rotation import JUMPCLOUD_STEPS

if TYPE_CHECKING:
    from screens.host import WizardHost

COMPARE_LABEL = "Compare with Pulumi"
APPLY_LABEL = "Apply: replace the metadata in Pulumi"


class DiffView(Grid):
    """Old vs new, one row per value: the changed ones marked and highlighted."""

    async def show_rows(self, rows: list[Any]) -> None:
        await self.remove_children()
        cells: list[Static] = [
            Static("", classes="diff-head"),
            Static("Pulumi has now", classes="diff-head"),
            Static("New file", classes="diff-head"),
        ]
        # the changed rows first: they are what the admin confirms
        for row in sorted(rows, key=lambda r: not r.changed):
            kind = "-changed" if row.changed else "-same"
            mark = "≠ " if row.changed else "  "
            cells.append(Static(mark + row.label, classes=f"diff-label {kind}", markup=False))
            cells.append(Static(row.old or "-", classes=f"diff-old {kind}", markup=False))
            cells.append(
                Static((row.new or "-") if row.changed else "(unchanged)", classes=f"diff-new {kind}", markup=False)
            )
        await self.mount_all(cells)

    def text(self) -> str:
        """The grid as plain lines (label | old | new), for tests and screen readers."""
        cells = [str(cell.render()) for cell in self.query(Static)]
        return "\n".join(" | ".join(cells[i : i + 3]) for i in range(0, len(cells), 3))


class RotationScreen(Screen):
    CSS_PATH = assets.path("rotation.tcss")  # loaded when the screen is first shown

    class Rotated(Message):
        """Pulumi now serves the new certificate: the app decides what it means for the
        steps (``flow.adopt_rotation``).  Holds the export, never the token."""

        def __init__(self, org: str, api_base: str, xml: str, source: str) -> None:
            super().__init__()
            self.org, self.api_base, self.xml, self.source = org, api_base, xml, source

    BINDINGS = [Binding("escape", "close", "Close", priority=True)]
    FIELDS = {"org": "rot_org", "api_base": "rot_api"}  # where a finding about each meaning is shown

    app: WizardHost  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.plan = None  # the last RotationPlan (holds the new XML, no secret)
        self.outcome = None  # the last ApiResult of Apply
        self._applying = False
        self._planned_for: tuple[str, str, str] | None = None
        self._found_source: str | None = None
        self._applied: tuple[str, str, str] = ("", "", "")
        self._loaded: tuple[str, str] = ("", "")  # the file last loaded, and its text
        self._token_input: Input | None = None
        self.checker: CheckRunner = CheckRunner(self, "rotation", buttons=("compare", "apply"))

    @property
    def busy(self) -> bool:
        return self.checker.busy

    def compose(self) -> ComposeResult:
        state = self.app.state
        yield Header()
        with VerticalScroll(id="rotation-body"):
            yield Static("Rotate JumpCloud's signing certificate in Pulumi", classes="step-title")
            # Pulumi first: from the moment the certificate is regenerated sign-in fails until
            # Pulumi has the new metadata, so a missing token is found before, not after
            yield Static("First, the Pulumi organisation and a way in (before you regenerate)", classes="subhead")
            with Horizontal(classes="input-row"):
                yield Label("Organisation", classes="inline-label")
                yield Input(state.org, placeholder="as in app.pulumi.com/<org>", id="rot_org")
                yield Label("API URL", classes="inline-label")
                yield Input(state.api_base, id="rot_api")
            yield FieldError("rot_org")
            yield FieldError("rot_api")
            yield Static("", id="token-source", markup=False)
            with Vertical(classes="field"):
                yield Label("Access token of an organisation admin (never saved)", id="token-label")
                self._token_input = Input(password=True, placeholder="paste a Pulumi access token (pul-…)", id="token")
                yield self._token_input
                yield FieldError("token")

            yield Static("Then, in JumpCloud:", classes="subhead")
            steps = Text()
            for number, step in enumerate(JUMPCLOUD_STEPS, start=1):
                steps.append(("\n" if number > 1 else "") + f"{number}. ", style="bold").append(step)
            yield Static(steps, id="jumpcloud-steps")

            yield Static("The new metadata (exported after regenerating)", classes="subhead")
            with Horizontal(classes="input-row"):
                yield Input(placeholder="~/Downloads/JumpCloud-Pulumi-metadata.xml", id="metadata_path")
                yield Button("Load", id="load", compact=True)
            with Collapsible(title="Or paste the XML", collapsed=True, id="paste-box"):
                yield TextArea("", id="paste", show_line_numbers=False, soft_wrap=True)
            yield FieldError("metadata_path")
            yield Button(COMPARE_LABEL, id="compare", compact=True, variant="primary")
            yield FieldError("compare")
            yield FindingsView(id="findings")
            yield DiffView(id="diff")

            yield Tick("I regenerated the certificate in JumpCloud; use this file in Pulumi now", False, id="confirm")
            yield FieldError("confirm")
            yield Button(APPLY_LABEL, id="apply", compact=True, variant="warning")
            yield FindingsView(id="outcome")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diff").display = False
        self.sub_title = "Certificate rotation"
        self._refresh_token_source()

    def on_unmount(self) -> None:
        if self._token_input is not None:
            self._token_input.value = ""  # the entered token is forgotten

    def action_close(self) -> None:
        if self._applying:
            self.notify("Wait for Pulumi's answer to the update before closing.", severity="warning")
            return
        self.app.pop_screen()

    # -- inputs -----------------------------------------------------------

    def _target(self) -> tuple[str, str]:
        return self.query_one("#rot_org", Input).value.strip(), self.query_one("#rot_api", Input).value.strip()

    def _normalized_api(self, api: str) -> str:
        from wizard.values import normalize_api_base

        try:
            return normalize_api_base(api)
        except ValueError:
            return api

    def _refresh_token_source(self) -> None:
        from wizard.pulumi_api import find_token

        _, api = self._target()
        found = find_token(self._normalized_api(api))
        self._found_source = found.source if found is not None else None
        found = None
        entered = bool(self.query_one("#token", Input).value.strip())
        self.query_one("#token-source", Static).update(
            "Access token: " + token_source_label(self._found_source, entered) + "."
        )
        needed = "optional: one was found" if self._found_source else "needed: none was found"
        self.query_one("#token-label", Label).update(f"Access token of an organisation admin ({needed}; never saved)")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("token", "rot_api"):
            self._refresh_token_source()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "metadata_path":
            self.load_file()
        else:
            self.start_compare()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "load":
            self.load_file()
        elif event.button.id == "compare":
            self.start_compare()
        elif event.button.id == "apply":
            self.start_apply()

    def load_file(self) -> None:
        text, problems = load_new_metadata(self.query_one("#metadata_path", Input).value)
        self._place(problems)
        if text is not None:
            self._loaded = (self.query_one("#metadata_path", Input).value.strip(), text)
            self.query_one("#paste", TextArea).text = text
            self.notify(f"Loaded {len(text):,} characters: press Compare.", timeout=4)

    def _new_xml(self) -> str:
        return self.query_one("#paste", TextArea).text

    def _place(self, findings: list[Finding], view_id: str = "findings") -> None:
        place_findings(self, findings, view=f"#{view_id}", fields=self.FIELDS)

    def _token(self, api: str):
        from wizard.pulumi_api import find_token

        return choose_token(find_token(api), self.query_one("#token", Input).value)

    # -- compare ----------------------------------------------------------

    def start_compare(self) -> None:
        if self.busy:
            return
        org, api = self._target()
        xml = self._new_xml()
        problems = check_rotation_target(org, api) + check_new_metadata_text(xml)
        api = self._normalized_api(api)
        token = self._token(api)
        if token is None:
            from wizard.pulumi_api import no_token_finding

            problems.append(no_token_finding(api))
        self.query_one("#outcome", FindingsView).clear()
        if problems:
            token = None
            self._place(problems)
            return
        self._place([])
        self.plan = None
        self.query_one("#diff", DiffView).display = False
        self.query_one("#confirm", Checkbox).value = False
        view = self.query_one("#findings", FindingsView)
        view.running("Checking the new file and asking Pulumi what it has now …")
        now, timeout = self.app.now(), self.app.network_timeout

        async def compare() -> tuple[Any, list[Finding]]:
            from wizard.metadata import check_metadata
            from wizard.pulumi_api import PulumiClient
            from wizard.rotation import plan_rotation, precheck_rotation

            report = check_metadata(xml, now=now)
            refused = precheck_rotation(report, new_xml=xml)
            if refused is not None:  # a bad file is said as such, without asking Pulumi
                return refused, refused.findings
            async with PulumiClient(api, token, timeout=timeout) as client:
                got = await client.get_saml(org)
            if got.ok and got.saml is not None:
                plan = plan_rotation(got.saml, report, new_xml=xml, now=now)
                return plan, plan.findings
            return None, got.findings

        async def show(result: tuple[Any, list[Finding]]) -> None:
            plan, findings = result
            self.plan = plan
            self._planned_for = (org, api, xml) if plan is not None else None
            self._place(findings)
            await self._show_diff()
            target = self.query_one("#diff") if plan is not None and plan.rows else self.query_one("#findings")
            self.call_after_refresh(target.scroll_visible, animate=False, top=True)

        self.checker.start(
            compare,
            show,
            lambda exc: (None, [unexpected_failure("Comparing with Pulumi", exc)]),
            button="compare",
            busy_label="Comparing…",
        )

    async def _show_diff(self) -> None:
        diff = self.query_one("#diff", DiffView)
        if self.plan is None or not self.plan.rows:
            diff.display = False
            return
        await diff.show_rows(self.plan.rows)
        diff.display = True

    # -- apply ------------------------------------------------------------

    def start_apply(self) -> None:
        if self.busy:
            return
        org, api = self._target()
        current = (org, self._normalized_api(api), self._new_xml())
        confirmed = self.query_one("#confirm", Checkbox).value
        problems = check_apply(self.plan, confirmed, plan_inputs_changed=current != self._planned_for)
        token = self._token(current[1]) if not problems else None
        if not problems and token is None:
            from wizard.pulumi_api import no_token_finding

            problems = [no_token_finding(current[1])]
        if problems:
            self._place(problems, "outcome")
            return
        self._place([], "outcome")
        self._applied = current  # what was sent: the org, the API and the export
        self.query_one("#outcome", FindingsView).running("Sending the new metadata to Pulumi, then reading it back …")
        self._applying = True
        api, plan, timeout = current[1], self.plan, self.app.network_timeout

        async def apply() -> Any:
            from wizard.pulumi_api import PulumiClient
            from wizard.rotation import apply_rotation

            try:
                async with PulumiClient(api, token, timeout=timeout) as client:
                    return await apply_rotation(client, org, plan)
            finally:
                self._applying = False

        def failed(exc: Exception) -> Any:
            from wizard.pulumi_api import ApiResult

            return ApiResult([unexpected_failure("Replacing the metadata in Pulumi", exc)])

        self.checker.start(apply, self._show_outcome, failed, button="apply", busy_label="Applying…")

    def _show_outcome(self, result: Any) -> None:
        self.outcome = result
        outcome = self.query_one("#outcome", FindingsView)
        outcome.show(result.findings)
        self.call_after_refresh(outcome.scroll_visible, animate=False)
        if rotation_live(result):
            org, api, xml = self._applied
            path, loaded = self._loaded
            self.post_message(self.Rotated(org, api, xml, path if loaded == xml else "pasted XML"))
            self.query_one("#confirm", Checkbox).value = False
            self.plan = None  # applied: a new rotation starts with a new comparison
            self._planned_for = None
            self.notify("Pulumi now uses the new certificate.", title="Rotated", timeout=8)
