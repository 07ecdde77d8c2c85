from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Checkbox, Static

from screens.base import StepScreen
from screens.widgets import CopyValue, FieldError
from wizard.state import StepId


class SsoTabScreen(StepScreen):
    STEP = StepId.SSO_TAB
    BINDINGS = [Binding(str(n), f"copy_row({n})", f"Copy row {n}", show=False) for n in range(1, 7)] + [
        Binding("1-6", "noop", "Copy row", key_display="1-6"),
    ]

    def compose_body(self) -> ComposeResult:
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
                    tick = Checkbox(f"{n}. {row.label}", row.key in ticked, id=f"tick-{row.key}", name=row.key)
                    yield CopyValue(row.label, row.value, key=str(n), lead=tick, id=f"copy-{row.key}")
                    if row.note:
                        yield Static(row.note, classes="row-note")
        yield FieldError("rows")
        yield Static(
            "⚠ NameID Format: JumpCloud's default 'unspecified' is refused by Pulumi. Choose emailAddress "
            "now: changing it after users have signed in breaks their sign-in.",
            classes="warning-text",
        )

    def action_noop(self) -> None:
        pass

    def action_copy_row(self, number: int) -> None:
        rows = self.app.values.sso_rows()
        if 1 <= number <= len(rows):
            self.query_one(f"#copy-{rows[number - 1].key}", CopyValue).request()

    def form(self) -> dict:
        return {"rows": sorted(cb.name for cb in self.query(Checkbox) if cb.value and cb.name)}
