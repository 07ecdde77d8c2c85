from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Collapsible, Input, Label, Static

from screens.base import StepScreen
from screens.check import CheckRunner
from screens.watch import Watch
from screens.widgets import CopyValue, FieldError, FindingsView, Tick
from wizard.state import StepId
from wizard.steps import effective_scim_base_url

TEAMS_LABEL = "Watch for teams in Pulumi"


class ScimScreen(StepScreen):
    STEP = StepId.SCIM
    OWN_FINDINGS_VIEW = True
    # The probe's answer about the endpoint (DNS, refused, timeout...) is shown at the
    # check that got it, not inside the folded "Self-hosted" section, where it would tell
    # an admin of Pulumi Cloud to change a URL that is not the cause.  A base URL the
    # rule refuses is said beside that field before any probe (start_check).
    FIELDS = {"scim_base_url": "scim_token"}

    def __init__(self, view) -> None:
        super().__init__(view)
        self.probe = None  # the last ScimProbeResult (holds no secret)
        self.checker: CheckRunner = CheckRunner(self, "scim-probe", buttons=("check-scim",), status="#findings")
        self.teams_watch = Watch(self, "teams-watch", button="watch-teams", status="#teams-status", label=TEAMS_LABEL)

    def compose_body(self) -> ComposeResult:
        state = self.view
        base = effective_scim_base_url(state)
        if state.pulumi_scim == "no":
            yield Static(
                "⚠ Pulumi said on step 1 that SCIM provisioning is not in this organisation's edition "
                "(it needs Enterprise or higher): skip this step, or upgrade first.",
                classes="warning-text",
                id="scim-unavailable",
            )
        yield CopyValue("Base URL (JumpCloud: Identity Management > Base URL)", base, id="copy-scim")
        with Collapsible(
            title="Self-hosted: use a different base URL", collapsed=not state.scim_base_url, id="scim-advanced"
        ):
            yield Input(state.scim_base_url or base, id="scim_base_url")
            yield FieldError("scim_base_url")
        with Vertical(classes="field"):
            yield Label("SCIM token (paste it; it is checked, never saved)")
            with Horizontal(classes="input-row"):
                yield Input(password=True, placeholder="paste the token from Pulumi", id="scim_token")
                yield Button("Show", id="toggle-token", compact=True)
                yield Button("Check", id="check-scim", compact=True, variant="primary")
            yield FieldError("scim_token")
        yield FindingsView(id="findings")
        yield Tick(
            "This machine cannot reach the endpoint; JumpCloud's Test Connection passed",
            state.scim_confirmed and not state.scim_skipped,
            id="scim_confirmed",
        )
        yield FieldError("scim_confirmed")
        yield Static("Then: the groups of step 4 arriving in Pulumi as teams", classes="subhead")
        yield Static("", id="teams-status", markup=False)
        yield Button(TEAMS_LABEL, id="watch-teams", compact=True)
        yield FindingsView(id="teams-findings")
        yield Tick("Skip SCIM for now", state.scim_skipped, id="skip")
        with Vertical(id="skip-box"):
            yield Label("Why is SCIM skipped? (kept in the setup record)")
            yield Input(state.scim_skip_reason, placeholder="e.g. our Pulumi edition has no SCIM", id="skip_reason")
            yield FieldError("skip_reason")

    def on_mount(self) -> None:
        self.query_one("#skip-box").display = self.view.scim_skipped
        from wizard.pulumi_api import find_token

        found = find_token(self.app.values.api_base)
        self.query_one("#watch-teams", Button).display = found is not None
        groups = ", ".join(self.app.state.groups) or "none recorded"
        self.query_one("#teams-status", Static).update(
            f"Once provisioning is on in JumpCloud, the groups pushed ({groups}) appear in Pulumi as teams. "
            + (
                f"Pulumi access token: from {found.source}."
                if found
                else "A Pulumi access token lets the wizard watch for them."
            )
        )

    def start_teams_watch(self) -> None:
        from wizard.pulumi_api import find_token
        from wizard.pulumi_org import watch_teams

        api_base, org, groups = self.app.values.api_base, self.app.state.org, list(self.app.state.groups)
        timeout = self.app.network_timeout

        async def ask():
            token = find_token(api_base)
            return [] if token is None else await watch_teams(api_base, org, token, groups, timeout=timeout)

        def done(findings) -> bool:
            self.query_one("#teams-findings", FindingsView).show(findings)
            return not findings or any(f.is_error or f.code == "pulumi.scim.teams_ok" for f in findings)

        self.teams_watch.toggle(ask, done, "for teams")

    def on_unmount(self) -> None:
        self.teams_watch.running = False
        # Leaving the step forgets the token.
        try:
            self.query_one("#scim_token", Input).value = ""
        except Exception:
            pass

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:  # the base class posts the change
        if event.checkbox.id == "skip":
            self.query_one("#skip-box").display = event.value
            if event.value:  # once the box is laid out: focusing it before does not scroll to it
                self.call_after_refresh(
                    lambda: self.focus_in_view(self.query_one("#skip_reason", Input), show=self.query_one("#skip-box"))
                )

    def on_input_changed(self, event: Input.Changed) -> None:  # the base class posts the change
        if event.input.id == "scim_base_url":
            self.query_one("#copy-scim", CopyValue).show(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "toggle-token":
            event.stop()
            token = self.query_one("#scim_token", Input)
            token.password = not token.password
            event.button.label = "Show" if token.password else "Hide"
        elif event.button.id == "check-scim":
            event.stop()
            self.start_check()
        elif event.button.id == "watch-teams":
            event.stop()
            self.start_teams_watch()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "scim_token":
            self.start_check()
        else:
            self.action_next()

    def _chosen_base(self) -> tuple[str, str | None]:
        from wizard.scim import scim_base_problem

        text = self.query_one("#scim_base_url", Input).value.strip()
        return text, scim_base_problem(text)

    def start_check(self) -> None:
        from wizard.pulumi_step import unexpected_failure
        from wizard.scim import ScimProbeResult, probe_scim

        base, problem = self._chosen_base()
        self.query_one("#err-scim_base_url", FieldError).show(problem or "")
        if problem:
            return
        token, timeout = self.query_one("#scim_token", Input).value, self.app.network_timeout
        self.checker.start(
            lambda: probe_scim(base, token, timeout=timeout),
            self._show_probe,
            lambda exc: ScimProbeResult([unexpected_failure("Checking the SCIM token", exc)], base_url=base),
            running=f"Checking the token against {base} …",
            button="check-scim",
            busy_label="Checking…",
        )

    def _show_probe(self, result) -> None:
        self.probe = result
        self.show_answer(result.findings)

    def form(self) -> dict:
        return {
            "scim_base_url": self.query_one("#scim_base_url", Input).value.strip(),
            "skip": self.query_one("#skip", Checkbox).value,
            "skip_reason": self.query_one("#skip_reason", Input).value,
            "scim_confirmed": self.query_one("#scim_confirmed", Checkbox).value,
            "probe": self.probe,
        }
