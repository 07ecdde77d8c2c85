from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import MountError
from textual.widgets import Button, Checkbox, Input, Static

from screens.base import StepScreen
from screens.check import CheckRunner
from screens.widgets import FieldError, FindingsView, Tick
from wizard.state import StepId
from wizard.values import DEFAULT_API_BASE, JUMPCLOUD_CONSOLE, JUMPCLOUD_CONSOLE_EU, JUMPCLOUD_CONSOLE_IN, org_from_url

if TYPE_CHECKING:
    from textual.timer import Timer


class WelcomeScreen(StepScreen):
    STEP = StepId.WELCOME
    URL_FIELDS = {"org": (org_from_url, "the organisation name")}  # a console URL gives the name
    BINDINGS = [Binding("ctrl+j", "open_jumpcloud", "JumpCloud API")]

    class JumpCloudKeyEntered(Message):
        """A JumpCloud API key was typed (the app keeps it in memory; it is no part of the form)."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

        def __repr__(self) -> str:
            return "JumpCloudKeyEntered(<key>)"

    def compose_body(self) -> ComposeResult:
        state = self.view
        yield Static("Pulumi organisation name (case-sensitive: app.pulumi.com/[b]<org>[/b])", classes="field-label")
        yield Input(state.org, placeholder="e.g. acmecorp", id="org")
        yield FieldError("org")
        yield Static("Pulumi API base URL (change it only for self-hosted Pulumi Cloud)", classes="field-label")
        yield Input(state.api_base, placeholder=DEFAULT_API_BASE, id="api_base")
        yield FieldError("api_base")
        # the Pulumi token line, its check and its answer are mounted here once the token is
        # looked for; the JumpCloud API fields below the button that asks for them: the first
        # screen of a first run waits for neither
        yield Static("Before you start, confirm:", classes="subhead")
        yield Tick("JumpCloud has the SSO Package (or the SSO add-on)", state.has_sso_package, id="has_sso_package")
        yield FieldError("has_sso_package")
        yield Tick("My Pulumi edition supports SAML SSO (paid editions)", state.has_saml_edition, id="has_saml_edition")
        yield FieldError("has_saml_edition")
        with Horizontal(id="day-two"):
            yield Static("Already set up? JumpCloud's certificate expiring?", classes="day-two-text")
            yield Button("Rotate the certificate", id="rotate", compact=True)

    pulumi = None  # the last Check with Pulumi (an OrgCheck; holds no token)
    _token_timer: Timer | None = None  # the pending token lookup, restarted by each API-base key
    _token_looked_for: str | None = None  # the API base the last lookup was for
    TOKEN_LOOKUP_PAUSE = 0.3  # seconds of no typing in the API base before the token is looked for
    _pulumi_runner: CheckRunner | None = None

    def _jumpcloud_widgets(self) -> list:
        state = self.view
        return [
            Static(
                "With a JumpCloud administrator's API key (Admin Portal: your account menu > My API Key) the "
                "wizard checks steps 2 to 5 in JumpCloud itself, and fixes what differs when you ask. The key "
                "is kept in memory for this session only: never saved, never logged.",
                classes="row-note",
            ),
            Static("", id="jumpcloud-key-source", markup=False),
            Input(password=True, placeholder="paste a JumpCloud API key (optional)", id="jumpcloud_key"),
            Static(
                f"JumpCloud API URL (EU region: {JUMPCLOUD_CONSOLE_EU}; India: {JUMPCLOUD_CONSOLE_IN})",
                classes="field-label",
            ),
            Input(state.jumpcloud_url or JUMPCLOUD_CONSOLE, placeholder=JUMPCLOUD_CONSOLE, id="jumpcloud_url"),
            FieldError("jumpcloud_url"),
            Static(
                "Organisation ID (only for an administrator of several JumpCloud organisations)",
                classes="field-label",
            ),
            Input(state.jumpcloud_org_id, placeholder="optional", id="jumpcloud_org_id"),
        ]

    def action_open_jumpcloud(self) -> None:
        """ctrl+j: show the JumpCloud API fields (made on first use) and go to the key."""
        self.open_jumpcloud()
        self.call_after_refresh(lambda: self.focus_in_view(self.query_one("#jumpcloud_key", Input)))

    def open_jumpcloud(self) -> None:
        """Show the JumpCloud API fields (made on first use, before the day-two row)."""
        if self.query("#jumpcloud_key"):
            return
        widgets = [Static("JumpCloud's API (optional)", classes="subhead"), *self._jumpcloud_widgets()]
        self.query_one("#body").mount_all(widgets, before=self.query_one("#day-two"))
        self.call_after_refresh(self._show_key_source)

    def on_mount(self) -> None:
        state = self.view
        if state.jumpcloud_url or state.jumpcloud_org_id or getattr(self.app, "jumpcloud_key", ""):
            self.open_jumpcloud()
        # The token is looked for once the screen is up, in a thread: finding it imports
        # the Pulumi client (and httpx), which the first screen must not wait for.
        self._look_for_pulumi_token()

    def _look_for_pulumi_token(self) -> None:
        """Look for a token for the API base once typing has paused (not on every key)."""
        if self._token_timer is not None:
            self._token_timer.stop()
        self._token_timer = self.set_timer(self.TOKEN_LOOKUP_PAUSE, self._start_token_lookup)

    def _start_token_lookup(self) -> None:
        self._token_timer = None
        try:
            api_base = self._api_base()
        except NoMatches:  # the screen is being taken down (the app is closing)
            return
        if api_base == self._token_looked_for:
            # the same URL again (the field's first value arriving after the screen's own
            # lookup, or cleared back to the default): its answer is shown or on its way
            return
        self._token_looked_for = api_base

        async def show(source: str | None) -> None:
            if self not in self.app.screen_stack or not self.is_attached:
                return  # the admin has gone on: this screen is being taken down
            try:
                if self._api_base() == api_base:  # an answer for an older value is dropped
                    await self._show_pulumi_source(source)
            except (NoMatches, MountError):  # the app is closing and this screen's fields are gone
                return

        def look() -> None:
            source = self._pulumi_token_source(api_base)
            if self.is_attached:
                self.app.call_from_thread(show, source)

        self.run_worker(look, thread=True, group="pulumi-token", exclusive=True)

    @staticmethod
    def _pulumi_token_source(api_base: str) -> str | None:
        from wizard.values import api_base_problem

        if api_base_problem(api_base):
            return None
        from wizard.pulumi_api import find_token

        found = find_token(api_base)
        return found.source if found is not None else None

    def _api_base(self) -> str:
        return self.query_one("#api_base", Input).value.strip() or DEFAULT_API_BASE

    async def _show_pulumi_source(self, source: str | None) -> None:
        text = (
            f"Pulumi access token: from {source}. Check with Pulumi reads the organisation's "
            "edition and your role (nothing is changed)."
            if source is not None
            else "No Pulumi access token (PULUMI_ACCESS_TOKEN or `pulumi login`): the edition is your word "
            "until step 6, where a token can be pasted."
        )
        if not self.query("#pulumi-token-source"):
            line = Static("", id="pulumi-token-source", markup=False)
            await self.query_one("#body").mount(line, after=self.query_one("#err-api_base"))
        self.query_one("#pulumi-token-source", Static).update(text)
        found = self.query("#pulumi-check")
        if source is not None and not found:
            check = [Button("Check with Pulumi", id="pulumi-check", compact=True), FindingsView(id="pulumi-findings")]
            await self.query_one("#body").mount_all(check, after=self.query_one("#pulumi-token-source"))
        elif source is None and found:
            for widget in [*found, *self.query("#pulumi-findings")]:
                await widget.remove()
        # the lines above the fields below them have changed height: the field being typed
        # in (ctrl+j's key field, say) must not be pushed out of sight by them
        focused = self.focused
        if focused is not None:
            self.call_after_refresh(focused.scroll_visible, animate=False)

    def _check_pulumi(self) -> None:
        from wizard.pulumi_api import find_token
        from wizard.pulumi_org import OrgCheck, check_org
        from wizard.pulumi_step import unexpected_failure
        from wizard.values import api_base_problem, normalize_api_base

        org = self.query_one("#org", Input).value
        api_base = self._api_base()
        api_base = api_base if api_base_problem(api_base) else normalize_api_base(api_base)
        token, timeout = find_token(api_base), self.app.network_timeout
        if token is None:
            return

        async def work():
            return await check_org(api_base, org, token, timeout=timeout)

        def done(check) -> None:
            from wizard.codes import finding

            self.pulumi = check
            shown = list(check.findings)
            if check.proves_saml:
                shown.append(
                    finding("pulumi.org.ready", f"Pulumi: SAML SSO is available to {org} and you are an admin.")
                )
            self.query_one("#pulumi-findings", FindingsView).show(shown)
            self.form_changed(checked=True)

        if self._pulumi_runner is None:
            self._pulumi_runner = CheckRunner(self, "pulumi-org", buttons=("pulumi-check",), status="#pulumi-findings")
        self._pulumi_runner.start(
            work,
            done,
            lambda exc: OrgCheck(org, api_base, None, [unexpected_failure("Checking with Pulumi", exc)]),
            running="Asking Pulumi …",
            button="pulumi-check",
            busy_label="Checking…",
        )

    def _show_key_source(self) -> None:
        if not self.query("#jumpcloud_key"):
            return
        source = getattr(self.app, "jumpcloud_key_source", "")
        typed = bool(self.query_one("#jumpcloud_key", Input).value.strip())
        text = (
            "JumpCloud API key: typed here."
            if typed
            else f"JumpCloud API key: {source}."
            if source
            else "No JumpCloud API key yet."
        )
        self.query_one("#jumpcloud-key-source", Static).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:  # the base class posts the form's change
        if event.input.id == "api_base":
            self._look_for_pulumi_token()
        if event.input.id == "jumpcloud_key":
            self.post_message(self.JumpCloudKeyEntered(event.value))
            self.call_after_refresh(self._show_key_source)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "pulumi-check":
            event.stop()
            self._check_pulumi()
            return
        if event.button.id == "rotate":
            event.stop()
            self.app.action_rotate()

    def form(self) -> dict:
        return {
            "org": self.query_one("#org", Input).value,
            "api_base": self.query_one("#api_base", Input).value or DEFAULT_API_BASE,
            "has_sso_package": self.query_one("#has_sso_package", Checkbox).value,
            "has_saml_edition": self.query_one("#has_saml_edition", Checkbox).value,
            **self._jumpcloud_form(),
            "pulumi": self.pulumi,
        }

    def _jumpcloud_form(self) -> dict:
        if not self.query("#jumpcloud_url"):  # not opened: what was saved stands
            return {}
        return {
            "jumpcloud_url": self.query_one("#jumpcloud_url", Input).value,
            "jumpcloud_org_id": self.query_one("#jumpcloud_org_id", Input).value,
        }

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()
