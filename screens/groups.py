"""Step 4: the user groups bound to the application; with an API key, read from JumpCloud
and bound there when the admin chooses."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Checkbox, Label, Static, TextArea

from screens.base import StepScreen
from screens.jumpcloud_panel import JumpCloudCheck
from screens.widgets import FieldError, FindingsView, Tick
from wizard.state import StepId


class GroupsScreen(JumpCloudCheck, StepScreen):
    STEP = StepId.GROUPS
    JC_PART = "groups"

    def compose_body(self) -> ComposeResult:
        yield Label("Groups bound to the application:")  # how to list them is in the guide above
        area = TextArea("\n".join(self.view.groups), id="groups", soft_wrap=True, show_line_numbers=False)
        yield area
        yield FieldError("groups")
        yield Static("", id="note-groups", classes="field-note", markup=False)
        yield from self.compose_jumpcloud()
        with Vertical(id="jc-bind"):
            yield Static("Other groups in JumpCloud: tick those to bind to the app", classes="subhead")
            yield Vertical(id="jc-group-list")
            yield Tick("Bind the ticked groups to the app", False, id="jc-bind-confirm")
            yield Button("Bind in JumpCloud", id="jc-bind-run", compact=True, disabled=True)
            yield FindingsView(id="jc-bind-findings")

    def on_mount(self) -> None:
        self.query_one("#jc-bind").display = False
        self.query_one("#note-groups").display = False

    def jc_buttons(self) -> tuple[str, ...]:
        return ("jc-bind-run",)

    def jumpcloud_shown(self, check) -> None:
        if check.application is None:
            self.query_one("#jc-bind").display = False
            return
        if check.groups:  # what JumpCloud holds is what the step records
            self.query_one("#groups", TextArea).text = "\n".join(check.groups)
        others = [g["name"] for g in check.all_groups if g["name"] not in check.groups]
        box = self.query_one("#jc-group-list", Vertical)
        box.remove_children()
        box.mount_all(Tick(name, False, name=name, classes="jc-group") for name in others)
        self.query_one("#jc-bind").display = bool(others)
        self._bind_ready()

    def _chosen(self) -> list[str]:
        return [cb.name for cb in self.query(".jc-group").results(Checkbox) if cb.value and cb.name]

    def _bind_ready(self) -> None:
        ready = bool(self._chosen()) and self.query_one("#jc-bind-confirm", Checkbox).value
        self.query_one("#jc-bind-run", Button).disabled = not ready

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:  # the base class posts the form's change
        if event.checkbox.id == "jc-bind-confirm" or event.checkbox.has_class("jc-group"):
            self._bind_ready()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "jc-bind-run":
            event.stop()
            self._bind()

    def _bind(self) -> None:
        from wizard.jumpcloud_step import run_bind

        check, names = self.jumpcloud, self._chosen()
        if check is None or not names or not self.query_one("#jc-bind-confirm", Checkbox).value:
            return
        key, timeout, state = self._jc_key(), self.app.network_timeout, self._jc_state()

        async def work():
            return await run_bind(state, key, check, names, timeout=timeout)

        self.query_one("#jc-bind-confirm", Checkbox).value = False
        self.jc_action(
            work,
            shown_in="#jc-bind-findings",
            running="Binding in JumpCloud …",
            button="jc-bind-run",
            busy_label="Binding…",
        )

    def form(self) -> dict:
        return {"groups": self.query_one("#groups", TextArea).text, "jumpcloud": self.jumpcloud}
