"""*Check with JumpCloud* on steps 2 to 4: JumpCloud's own answer, through its API.

A step screen mixes ``JumpCloudCheck`` in, yields ``compose_jumpcloud()`` in its body
and hands ``self.jumpcloud`` (the last check, for the inputs on screen) in with its
form; the step model (``wizard.jumpcloud_step``) decides what the answer proves.
The API key is the app's, held in memory for the session (from JUMPCLOUD_API_KEY or
step 1); without one the button says where to give it and the step works by ticks.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from screens.check import CheckRunner
from screens.widgets import FindingsView

CHECK_LABEL = "Check with JumpCloud"


class JumpCloudCheck:
    """The mixin: the section, the check, and what it answered."""

    JC_PART: ClassVar[str] = "app"  # what the step is about: "app", "sso" or "groups"
    JC_METADATA: ClassVar[bool] = False  # fetch and check the app's metadata too

    jumpcloud: Any = None  # the last JumpCloudCheck (holds no key)
    _jc_runner: CheckRunner[Any] | None = None

    def compose_jumpcloud(self) -> ComposeResult:
        with Vertical(id="jc-panel"):
            yield Static("Check with JumpCloud (optional)", classes="subhead")
            yield Static(self._jc_source(), id="jc-source", markup=False)
            with Horizontal(classes="input-row", id="jc-actions"):
                yield Button(CHECK_LABEL, id="jc-check", compact=True, variant="primary", disabled=not self._jc_key())
                yield from self.compose_jumpcloud_actions()
            yield FindingsView(id="jc-findings")

    def compose_jumpcloud_actions(self) -> ComposeResult:
        """More buttons beside the check (step 3: Fix in JumpCloud; step 4: Bind)."""
        return iter(())

    def _jc_key(self) -> str:
        return str(getattr(self.app, "jumpcloud_key", "") or "")  # type: ignore[attr-defined]

    def _jc_source(self) -> str:
        source = getattr(self.app, "jumpcloud_key_source", "")  # type: ignore[attr-defined]
        if not self._jc_key():
            return (
                "No JumpCloud API key: give one on step 1 (ctrl+j there, or JUMPCLOUD_API_KEY) to have this step "
                "checked in JumpCloud; without one, what you enter here is recorded as confirmed by you."
            )
        return f"JumpCloud API key: {source}. The wizard reads the app; it changes nothing unless you ask."

    def jc_runner(self) -> CheckRunner[Any]:
        if self._jc_runner is None:
            self._jc_runner = CheckRunner(
                self,  # type: ignore[arg-type]
                "jumpcloud",
                buttons=("jc-check", *self.jc_buttons()),
                status="#jc-findings",
            )
        return self._jc_runner

    def jc_buttons(self) -> tuple[str, ...]:
        return ()

    def jc_inputs(self) -> dict[str, Any]:
        """The inputs the check is for: the state with what is typed on this screen."""
        return {}

    def start_jumpcloud_check(self) -> None:
        from wizard.jumpcloud_step import run_check

        key, timeout = self._jc_key(), self.app.network_timeout  # type: ignore[attr-defined]
        state = self._jc_state()

        async def work() -> Any:
            return await run_check(state, key, metadata=self.JC_METADATA, timeout=timeout)

        self.jc_runner().start(
            work,
            self.jumpcloud_answered,
            self._jc_failed,
            running="Asking JumpCloud …",
            button="jc-check",
            busy_label="Checking…",
        )

    def _jc_state(self) -> Any:
        import copy

        state = copy.deepcopy(self.app.state)  # type: ignore[attr-defined]
        for name, value in self.jc_inputs().items():
            setattr(state, name, value)
        return state

    def _jc_failed(self, exc: Exception) -> Any:
        from wizard.codes import finding
        from wizard.jumpcloud import JumpCloudCheck as Result

        return Result(
            [
                finding(
                    "jumpcloud.unexpected",
                    f"Asking JumpCloud failed unexpectedly ({type(exc).__name__}).",
                    "Try again; if it persists, run 'jumpcloud-pulumi-sso check-jumpcloud' for details.",
                )
            ]
        )

    def jc_action(self, work: Any, *, shown_in: str, running: str, button: str, busy_label: str) -> None:
        """Run a change the admin confirmed (fix, bind, create): ``work`` returns what it did
        and the check made after it; the first goes to ``shown_in``, the second is shown as
        a new answer."""

        def done(result: Any) -> None:
            made, again = result
            self.query_one(shown_in, FindingsView).show(made)  # type: ignore[attr-defined]
            if again is not None:
                self.jumpcloud_answered(again)

        self.jc_runner().start(
            work,
            done,
            lambda exc: ([self._jc_failed(exc).findings[0]], None),
            running=running,
            button=button,
            busy_label=busy_label,
        )

    def jumpcloud_answered(self, check: Any) -> None:
        """Show what JumpCloud said about this step, then let the app judge it."""
        from wizard.jumpcloud_step import evidence

        self.jumpcloud = check
        proven = evidence(check, self._jc_state(), self.JC_PART)  # type: ignore[arg-type]
        shown = list(proven.findings) if proven is not None else list(check.findings)
        if proven is not None and proven.proof == "verified":
            from wizard.codes import finding

            shown.append(finding("jumpcloud.ok", proven.note[0].upper() + proven.note[1:] + "."))
        answer = self.query_one("#jc-findings", FindingsView)  # type: ignore[attr-defined]
        answer.show(shown)
        self.jumpcloud_shown(check)
        self.form_changed(checked=True)  # type: ignore[attr-defined]
        # the answer is under the button, often below the fold: in sight, or the press seems to do nothing
        self.call_after_refresh(answer.scroll_visible, animate=False)  # type: ignore[attr-defined]

    def jumpcloud_shown(self, check: Any) -> None:
        """After the answer is shown (step 3 shows the difference, step 4 the groups)."""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "jc-check":
            event.stop()
            self.start_jumpcloud_check()
