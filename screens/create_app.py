from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Checkbox, Input, Label, RadioSet, Static

from screens.base import StepScreen
from screens.jumpcloud_panel import JumpCloudCheck
from screens.widgets import Choice, CopyValue, FieldError, FindingsView, Tick
from wizard.state import StepId
from wizard.steps import APP_KINDS
from wizard.values import idp_sso_url, idp_url_value_problem, idp_value_from_url


class CreateAppScreen(JumpCloudCheck, StepScreen):
    STEP = StepId.CREATE_APP
    URL_FIELDS = {"idp_url_value": (idp_value_from_url, "the IdP URL value")}  # the whole URL gives the value
    JC_PART = "app"

    def compose_body(self) -> ComposeResult:
        state = self.view
        yield Label("Which kind of application did you create?")
        with RadioSet(id="app_kind"):
            for kind, label in APP_KINDS.items():
                yield Choice(label, value=state.app_kind == kind, name=kind)
        with Vertical(classes="field"):
            yield Label("IdP URL value (Advanced Settings > IdP URL)")
            yield Input(state.idp_url_value, placeholder="e.g. pulumi-acmecorp", id="idp_url_value")
            yield FieldError("idp_url_value")
        yield CopyValue("IdP URL (sign-in endpoint)", self._url(state.idp_url_value), id="idp-url")
        yield Static(
            "⚠ The IdP URL can never be changed after the app is saved in JumpCloud.",
            classes="warning-text",
        )
        with Vertical(classes="field"):
            yield Label("Display name (shown on the user's tile)")
            yield Input(state.display_name, placeholder="the name under the tile, e.g. Pulumi Cloud", id="display_name")
            yield FieldError("display_name")
        yield Tick(
            "The app is saved in JumpCloud with exactly this IdP URL", state.idp_url_acknowledged, id="acknowledged"
        )
        yield FieldError("acknowledged")
        yield from self.compose_jumpcloud()
        with Vertical(id="jc-create"):
            yield Static("", id="jc-create-what", markup=False)
            yield Tick("Create it with this IdP URL (it can never be changed)", False, id="jc-create-confirm")
            yield Button("Create in JumpCloud", id="jc-create-run", compact=True, disabled=True)
            yield FindingsView(id="jc-create-findings")

    def on_mount(self) -> None:
        self.query_one("#jc-create").display = False

    def jc_inputs(self) -> dict:
        return {
            "idp_url_value": self.query_one("#idp_url_value", Input).value.strip(),
            "display_name": self.query_one("#display_name", Input).value,
        }

    def jc_buttons(self) -> tuple[str, ...]:
        return ("jc-create-run",)

    def jumpcloud_shown(self, check) -> None:
        missing = check.application is None and any(f.code == "jumpcloud.app.not_found" for f in check.findings)
        self.query_one("#jc-create").display = missing
        if missing:
            state = self._jc_state()
            self.query_one("#jc-create-what", Static).update(
                f"Or have the wizard create it from JumpCloud's catalogue (the Pulumi connector): "
                f"'{state.display_name.strip() or 'Pulumi'}' at {idp_sso_url(state.idp_url_value)}, with the "
                "six SSO-tab values of step 3 filled in."
            )
        self.query_one("#jc-create-confirm", Checkbox).value = False
        self.query_one("#jc-create-run", Button).disabled = True  # until the tick

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:  # the base class posts the form's change
        if event.checkbox.id == "jc-create-confirm":
            self.query_one("#jc-create-run", Button).disabled = not event.value

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "jc-create-run":
            event.stop()
            self._create()

    def _create(self) -> None:
        from wizard.jumpcloud_step import run_create

        if not self.query_one("#jc-create-confirm", Checkbox).value:
            return
        key, timeout, state = self._jc_key(), self.app.network_timeout, self._jc_state()

        async def work():
            return await run_create(state, key, timeout=timeout)

        self.jc_action(
            work,
            shown_in="#jc-create-findings",
            running="Creating the app in JumpCloud …",
            button="jc-create-run",
            busy_label="Creating…",
        )

    @staticmethod
    def _url(value: str) -> str:
        if value and not idp_url_value_problem(value):
            return idp_sso_url(value)
        return idp_sso_url("<value>")

    def on_input_changed(self, event: Input.Changed) -> None:  # the base class posts the change
        if event.input.id == "idp_url_value":
            self.query_one("#idp-url", CopyValue).show(self._url(event.value))

    def _kind(self) -> str:
        pressed = self.query_one("#app_kind", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else ""

    def form(self) -> dict:
        return {
            "app_kind": self._kind(),
            "idp_url_value": self.query_one("#idp_url_value", Input).value.strip(),
            "display_name": self.query_one("#display_name", Input).value,
            "acknowledged": self.query_one("#acknowledged", Checkbox).value,
            "jumpcloud": self.jumpcloud,
        }

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()
