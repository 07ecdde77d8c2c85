from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Static

from screens.base import StepScreen
from screens.jumpcloud_panel import JumpCloudCheck
from screens.widgets import CopyValue, FieldError, FindingsView, Tick
from wizard.state import StepId
from wizard.steps import IDP_ENTITY_ROW
from wizard.values import recommended_idp_entity_id


class SsoTabScreen(JumpCloudCheck, StepScreen):
    STEP = StepId.SSO_TAB
    JC_PART = "sso"
    BINDINGS = [Binding(str(n), f"copy_row({n})", f"Copy row {n}", show=False) for n in range(1, 8)] + [
        Binding("1-7", "noop", "Copy row", key_display="1-7"),
    ]

    def compose_body(self) -> ComposeResult:
        # With an API key, the check (and the fix) comes first: it replaces six ticks, and
        # below the six rows an admin at 100x30 never saw it; without one it stays below.
        if self._jc_key():
            yield from self._compose_check_and_fix()
        values = self.app.values
        ticked = set(self.view.ticked_rows)
        if values.self_hosted:
            yield Static(
                "Self-hosted: these paths are Pulumi Cloud's, applied to your API domain (inferred, "
                "not documented). Check them against your installation.",
                classes="warning-text",
            )
        with Vertical(id="rows"):
            for n, row in enumerate(values.sso_rows(), start=1):
                with Vertical(classes="sso-row"):
                    tick = Tick(f"{n}. {row.label}", row.key in ticked, id=f"tick-{row.key}", name=row.key)
                    yield CopyValue(row.label, row.value, key=str(n), lead=tick, id=f"copy-{row.key}")
                    if row.note:
                        yield Static(row.note, classes="row-note")
            # JumpCloud's own field: free text, so the admin may keep another value (an Input)
            with Vertical(classes="sso-row", id="idp-entity-row"):
                with Horizontal(classes="copy-head"):
                    yield Tick(
                        "7. IdP Entity ID", IDP_ENTITY_ROW in ticked, id=f"tick-{IDP_ENTITY_ROW}", name=IDP_ENTITY_ROW
                    )
                    yield Button("Copy [7]", id="copy-idp-entity", classes="copy-button", compact=True)
                yield Input(
                    self.view.idp_entity_id or recommended_idp_entity_id(self.view.idp_url_value),
                    placeholder="the IdP Entity ID entered in JumpCloud",
                    id=IDP_ENTITY_ROW,
                )
                yield Static(
                    "On JumpCloud's SSO tab, required there. Free text: suggested is this "
                    "app's IdP URL, which no other app has; keep another value if JumpCloud already "
                    "holds one, and enter it here. Step 5 checks that the export carries it.",
                    classes="row-note",
                )
                yield FieldError(IDP_ENTITY_ROW)
        yield FieldError("rows")
        yield Static(
            "⚠ NameID Format: JumpCloud's default 'unspecified' is refused by Pulumi. Choose emailAddress "
            "now: changing it after users have signed in breaks their sign-in.",
            classes="warning-text",
        )
        if not self._jc_key():
            yield from self._compose_check_and_fix()

    def _compose_check_and_fix(self) -> ComposeResult:
        yield from self.compose_jumpcloud()
        with Vertical(id="jc-fix"):
            yield Static("What Fix in JumpCloud changes on the app's SSO tab (only these fields):", classes="subhead")
            yield Static("", id="jc-diff", markup=False)
            yield Tick("I checked the difference above", False, id="jc-fix-confirm")
            yield Button("Fix in JumpCloud", id="jc-fix-run", compact=True, disabled=True)
            yield FindingsView(id="jc-fix-findings")

    def on_mount(self) -> None:
        self.query_one("#jc-fix").display = False

    def jc_buttons(self) -> tuple[str, ...]:
        return ("jc-fix-run",)

    def jumpcloud_shown(self, check) -> None:
        from wizard.jumpcloud_step import applies

        differs = check.mismatched if check.app is not None and applies(check, self._jc_state()) else []
        box = self.query_one("#jc-fix")
        box.display = bool(differs)
        if differs:
            # each value on a line of its own, so a long URL wraps as a whole at 80 columns
            # and a trailing '/' stays in sight at the end of it
            lines = []
            for f in differs:
                lines += [f.label, "  now:", f"    {f.now or '(empty)'}", "  will be:", f"    {f.want}"]
            self.query_one("#jc-diff", Static).update("\n".join(lines))
        self.query_one("#jc-fix-confirm", Checkbox).value = False
        self._fix_ready()

    def _fix_ready(self) -> None:
        check = self.jumpcloud
        ready = bool(check is not None and check.mismatched) and self.query_one("#jc-fix-confirm", Checkbox).value
        self.query_one("#jc-fix-run", Button).disabled = not ready

    def on_input_changed(self, event: Input.Changed) -> None:  # the base class posts the form's change
        if event.input.id == IDP_ENTITY_ROW and self._last_form is not None:
            # the tick said the old value is in JumpCloud, not this one
            self.query_one(f"#tick-{IDP_ENTITY_ROW}", Checkbox).value = False

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:  # the base class posts the form's change
        if event.checkbox.id == "jc-fix-confirm":
            self._fix_ready()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "copy-idp-entity":
            event.stop()
            self._copy_idp_entity_id()
        elif event.button.id == "jc-fix-run":
            event.stop()
            self._fix()

    def _fix(self) -> None:
        from wizard.jumpcloud_step import run_fix

        check = self.jumpcloud
        if check is None or not check.mismatched or not self.query_one("#jc-fix-confirm", Checkbox).value:
            return
        key, timeout, state = self._jc_key(), self.app.network_timeout, self._jc_state()

        async def work():
            return await run_fix(state, key, check, timeout=timeout)

        self.jc_action(
            work,
            shown_in="#jc-fix-findings",
            running="Fixing in JumpCloud …",
            button="jc-fix-run",
            busy_label="Fixing…",
        )

    def action_noop(self) -> None:
        pass

    def action_copy_row(self, number: int) -> None:
        """Copy row ``number``'s value and focus its tick: the guide's next move, space,
        then ticks the row just copied, not whichever had focus."""
        rows = self.app.values.sso_rows()
        if 1 <= number <= len(rows):
            key = rows[number - 1].key
            self.query_one(f"#copy-{key}", CopyValue).request()
        elif number == len(rows) + 1:
            key = IDP_ENTITY_ROW
            self._copy_idp_entity_id()
        else:
            return
        tick = self.query_one(f"#tick-{key}", Checkbox)
        self.focus_in_view(tick, show=tick.query_ancestor(".sso-row"))

    def _copy_idp_entity_id(self) -> None:
        value = self.query_one(f"#{IDP_ENTITY_ROW}", Input).value.strip()
        if not value:
            self.notify("Nothing to copy: enter the IdP Entity ID first.", severity="warning", timeout=4)
            return
        self.post_message(CopyValue.Requested("IdP Entity ID", value))

    def form(self) -> dict:
        ticks = self.query_one("#rows").query(Checkbox)
        return {
            "rows": sorted(cb.name for cb in ticks if cb.value and cb.name),
            IDP_ENTITY_ROW: self.query_one(f"#{IDP_ENTITY_ROW}", Input).value,
            "jumpcloud": self.jumpcloud,
        }
