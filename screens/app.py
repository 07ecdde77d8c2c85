"""WizardApp: step order, navigation, saving, copying, the command palette."""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

import assets
from screens.base import StepScreen
from screens.widgets import CopyValue
from wizard import __version__, flow
from wizard.findings import Severity
from wizard.flow import Reopened
from wizard.state import STEP_ORDER, StateStore, StepId, StepStatus, WizardState
from wizard.steps import STEPS, org_values_of
from wizard.values import OrgValues, org_problem

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.timer import Timer


def step_screen_class(step: StepId) -> type[StepScreen]:
    """The screen of a step, imported when first shown: start-up loads one step only."""
    module, name = STEPS[step].screen.split(":")
    return getattr(importlib.import_module(module), name)


def reopened_message(reopened: list[Reopened]) -> str:
    """ "Reopened 3. SSO tab values, 6. Configure Pulumi: the organisation name changed (a → b)."."""
    by_reason: dict[str, list[str]] = {}
    for item in reopened:
        by_reason.setdefault(item.why, []).append(f"{STEPS[item.step].number}. {STEPS[item.step].title}")
    return "\n".join(f"Reopened {', '.join(steps)}: {why}." for why, steps in by_reason.items())


def _system_copy(text: str) -> str | None:
    """Copy with pyperclip; returns None on success, else why it could not."""
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception as exc:  # PyperclipException, or no clipboard program at all
        return str(exc) or exc.__class__.__name__
    return None


class WizardApp(App):
    TITLE = "JumpCloud → Pulumi SSO"
    SUB_TITLE = ""
    CSS_PATH = assets.path("wizard.tcss")
    BINDINGS = [
        Binding("ctrl+t", "troubleshoot", "Troubleshoot", show=False),
        # step 1 binds ctrl+j to its JumpCloud key field; elsewhere the key says where that is
        Binding("ctrl+j", "jumpcloud_key_elsewhere", show=False),
    ]

    def action_jumpcloud_key_elsewhere(self) -> None:
        self.notify(
            "A JumpCloud API key is given on step 1 (ctrl+j there, or JUMPCLOUD_API_KEY); "
            "it is kept for this session only.",
            timeout=6,
        )

    def __init__(
        self,
        state_dir: Path | str | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        export_folders: Callable[[], list[Path]] | None = None,
        system_copy: Callable[[str], str | None] | None = _system_copy,
        network_timeout: float = 10.0,
        cursor_blink: bool = True,
        poll_interval: float = 5.0,
    ) -> None:
        super().__init__()
        self.store = StateStore(state_dir)
        self._loaded = self.store.load()  # a small JSON file: read before the first screen is built
        self.state = self._loaded.state
        self._now = now
        self._export_folders = export_folders
        self._system_copy = system_copy
        self.load_warning = ""
        self.network_timeout = network_timeout
        self.poll_interval = poll_interval  # seconds between two looks at Pulumi while a step watches
        self.steps_folded: bool | None = None  # ctrl+l's choice; None: the step list folds below 100 columns
        self._cursor_blink = cursor_blink  # off in tests: a blinking cursor makes snapshots flaky
        # JumpCloud's API key: in memory for this session only, never in the state
        import os

        self._env_jumpcloud_key = os.environ.get("JUMPCLOUD_API_KEY", "").strip()
        self.jumpcloud_key = self._env_jumpcloud_key
        self.jumpcloud_key_source = "from JUMPCLOUD_API_KEY" if self.jumpcloud_key else ""

    def on_welcome_screen_jump_cloud_key_entered(self, message: Any) -> None:
        """Step 1's masked field: the key typed there (kept in memory only) or, cleared, the environment's."""
        typed = message.key.strip()
        if typed:
            self.jumpcloud_key, self.jumpcloud_key_source = typed, "typed on step 1 (kept for this session only)"
        else:
            self.jumpcloud_key = self._env_jumpcloud_key
            self.jumpcloud_key_source = "from JUMPCLOUD_API_KEY" if self._env_jumpcloud_key else ""

    # -- clock and folders (injectable for tests) -------------------------

    def now(self) -> datetime:
        return self._now() if self._now else datetime.now(UTC)

    def export_folders(self) -> list[Path]:
        if self._export_folders is not None:
            return self._export_folders()
        from wizard.steps import export_search_folders

        return export_search_folders()

    @property
    def values(self) -> OrgValues:
        return org_values_of(self.state)

    # -- start-up ---------------------------------------------------------

    def on_mount(self) -> None:
        # Shown once the app has finished mounting, not from inside its mount: Textual
        # holds back painting until then, so a step composed in here was rendered
        # once for nothing and painted a frame later (about 40 ms of start-up).
        self.call_later(self._show_first_screen)

    def _show_first_screen(self) -> None:
        result = self._loaded
        if result.warning:
            self.load_warning = result.warning
            self.notify(result.warning, title="Saved progress not used", severity="warning", timeout=12)
        state = self.state
        # The saved state may rest on other inputs than its steps were completed with
        # (edited by hand, or saved by an earlier version): the same rules apply.
        reopened = flow.reconcile(state)
        if reopened:
            self.save()
            self.notify(reopened_message(reopened), title="Saved progress", severity="warning", timeout=12)
        self.show_step(state.current if state.can_visit(state.current) else state.furthest_reachable(), save=False)
        if result.existed and self.state.started:
            from screens.resume import ResumeScreen

            self.push_screen(ResumeScreen(self.state), self._resume_answer)

    def first_screen_painted(self) -> None:
        """Resume the garbage collector that ``wizard.cli`` paused for start-up.

        What start-up built (about 90,000 objects) lives as long as the app, so it is
        frozen out of later collections instead of being walked now: a collection here
        costs ~35 ms, holds up the output of the first screen, and would free only a
        few thousand objects (well under 1 MiB).  When the collector was not paused
        (tests, embedding) this does nothing.
        """
        if gc.isenabled():
            return
        gc.freeze()
        gc.enable()

    def _resume_answer(self, resume: bool | None) -> None:
        if resume is False:
            self.start_over()

    def ask_start_over(self) -> None:
        """From the command palette: the same question as at launch, already asking to confirm."""
        from screens.resume import ResumeScreen

        self.push_screen(ResumeScreen(self.state, asking=True), self._resume_answer)

    def start_over(self) -> None:
        self.store.reset()
        self.state = WizardState()
        self.show_step(StepId.WELCOME)
        self.notify("Started over: the saved progress was discarded.")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if not self._cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    # -- navigation -------------------------------------------------------

    def show_step(self, step: StepId, *, save: bool = True) -> None:
        self.state.current_step = step.value
        if save:
            self.save()
        screen = step_screen_class(step)(flow.view(self.state, step))
        if len(self.screen_stack) == 1:  # only the empty default screen: the first step
            self.push_screen(screen)
            return
        # Leave any overlay (troubleshooting, rotation) and replace the step.
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(screen)

    def _step_screen(self, step: StepId) -> StepScreen | None:
        screen = self.screen
        return screen if isinstance(screen, StepScreen) and screen.STEP is step else None

    def on_step_screen_submitted(self, message: StepScreen.Submitted) -> None:
        """Next: the step model decides; the app moves or shows why not."""
        if message.screen is not self.screen:  # a second Next for a step already left
            return
        outcome = flow.submit(self.state, message.step, message.form)
        self.save()
        screen = self._step_screen(message.step)
        if not outcome.passed:
            if screen is not None:
                screen.show_state()
                screen.show_refusal(outcome.verdict.shown, outcome.verdict.findings)
            return
        if outcome.reopened:
            self.notify(
                reopened_message(outcome.reopened), title="Steps to check again", severity="warning", timeout=12
            )
        self.go_next(message.step)

    def on_summary_screen_record_written(self, message) -> None:  # SummaryScreen.RecordWritten
        """Where the record was written is kept: step 9 offers it again, also after an
        earlier step changed and dropped what was typed there."""
        flow.keep_record_path(self.state, message.path)
        self._save_soon()

    def on_rotation_screen_rotated(self, message) -> None:  # RotationScreen.Rotated
        """A rotation made here is live in Pulumi: steps 5 and 6 take the rotated export
        (the domain decides, flow.adopt_rotation), and what rests on the old one reopens."""
        reopened = flow.adopt_rotation(self.state, message.org, message.api_base, message.xml, message.source)
        if reopened is None:
            return  # not this setup's organisation, or no export of it accepted yet
        self.save()
        said = "Step 5 now holds the rotated export" + (
            ", and step 6 Pulumi's read-back of it." if self.state.status(StepId.PULUMI) is StepStatus.VERIFIED else "."
        )
        if reopened:
            names = ", ".join(f"{STEPS[r.step].number}. {STEPS[r.step].title}" for r in reopened)
            said += f" Reopened {names}: {reopened[0].why}."
        self.notify(said, timeout=10)

    def on_step_screen_form_changed(self, message: StepScreen.FormChanged) -> None:
        state, step = self.state, message.step
        flow.keep_draft(state, step, message.form)
        self._save_soon()  # what was typed survives a terminal closed without ctrl+q
        screen = self._step_screen(step)
        if message.checked and flow.revise(state, step, message.form):
            self.save()  # a check said no to what the step had: it is failed at once
            if screen is not None:
                screen.show_state()
        if screen is None:
            return
        # the gate's verdict on what is shown, and what accepting it would reopen: worked out once
        verdict, reopened = flow.before_next(state, step, message.form)
        failed = state.status(step) is StepStatus.FAILED
        if message.live:
            screen.show_findings(verdict.shown, verdict.findings)
        if message.live or failed:
            # the step's line says "failed" for the last Next: say when the form passes now, or why not now
            reason = next((f.message for f in verdict.findings if f.is_error), "")
            screen.show_ready(failed and verdict.passed, reason if failed and not verdict.passed else "")
        # a changed answer reopens what rests on it: said before Next, not after
        screen.show_reopens(flow.reopen_warning(reopened), flow.reopen_warning(reopened, short=True))
        # information about what is entered (never a reason not to go on), beside its field
        screen.show_notes([f for f in verdict.findings if f.severity is Severity.INFO and f.field])

    def go_next(self, step: StepId) -> None:
        index = STEP_ORDER.index(step)
        if index + 1 < len(STEP_ORDER):
            self.show_step(STEP_ORDER[index + 1])
        else:
            self.state.completed_at = self.now().isoformat(timespec="seconds")
            self.save()
            screen = self._step_screen(step)
            if screen is not None:
                screen.show_state()
            self._offer_to_quit()

    def _offer_to_quit(self) -> None:
        """Finish: the record is written; quit, or stay to look over the summary."""
        from screens.confirm import ConfirmScreen

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.exit()

        from wizard.report import evidence_counts

        where = self.state.record_path or "the file chosen on this step"
        self.push_screen(
            ConfirmScreen(
                "Every step is done",
                f"Steps 1 to 8: {evidence_counts(self.state)}. The setup record, written to {where}, "
                "says which is which.\n\n"
                "Quit the wizard now? Stay to look over the summary (ctrl+q quits later).",
                yes="Quit",
                no="Stay",
            ),
            answered,
        )

    def go_back(self, step: StepId) -> None:
        index = STEP_ORDER.index(step)
        if index > 0:
            self.show_step(STEP_ORDER[index - 1])

    def go_to(self, step: StepId) -> None:
        if self.state.can_visit(step):
            self.show_step(step)
        else:
            first = STEPS[self.state.furthest_reachable()]
            self.notify(f"Finish step {first.number} ({first.title}) first.", severity="warning")

    async def action_quit(self) -> None:
        from screens.confirm import ConfirmScreen

        unaccepted = getattr(self.screen, "unaccepted", None)
        pending = unaccepted() if callable(unaccepted) else ""
        if pending and isinstance(self.screen, StepScreen):  # a checked export not accepted: say so first
            passes = flow.preview(self.state, self.screen.STEP, self.screen.form()).passed
            then = (
                "Next accepts it, and nothing after step 5 uses it until then."
                if passes
                else "Next does not accept it yet (the step says why), and nothing after step 5 uses it."
            )

            def answered(quit_now: bool | None) -> None:
                if quit_now:
                    self.save()
                    self.exit()

            self.push_screen(
                ConfirmScreen(
                    "The metadata is not accepted yet",
                    f"{pending} is loaded and checked on step 5, but not accepted: {then}\n\n"
                    "Quit anyway? It is kept as unfinished input, and step 5 checks it again when "
                    "you resume.",
                    yes="Quit",
                    no="Stay",
                    safe_default=True,
                ),
                answered,
            )
            return
        self.save()  # what was entered on the step and not yet submitted is kept as its draft
        await super().action_quit()

    _save_timer: Timer | None = None
    _save_problem = ""  # the last saving error said (said again only when it changes)

    def _save_soon(self) -> None:
        """Save once the admin pauses (a second after the last change), not on every key."""
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(1.0, self.save)

    def save(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        try:
            self.store.save(self.state)
        except OSError as exc:
            problem = f"{exc.strerror or exc}"
            if problem != self._save_problem:
                self.notify(
                    f"Could not save progress to {self.store.path}: {problem}. "
                    "You can go on; set --state-dir to a writable folder to keep it.",
                    severity="error",
                    timeout=10,
                )
            self._save_problem = problem
        else:
            self._save_problem = ""

    def action_troubleshoot(self) -> None:
        from screens.troubleshoot import TroubleshootScreen

        if isinstance(self.screen, TroubleshootScreen):
            self.pop_screen()
            return
        # one screen for the session: what was pasted (and its diagnosis) is still there when
        # it is opened again, until the admin clears it; it is never saved (it may hold
        # personal data), so it is gone when the wizard is
        if not self.is_screen_installed("troubleshoot"):
            self.install_screen(TroubleshootScreen(), name="troubleshoot")
        self.push_screen("troubleshoot")

    def action_rotate(self) -> None:
        """Day two: replace JumpCloud's signing certificate in Pulumi."""
        from screens.rotation import RotationScreen

        if not isinstance(self.screen, RotationScreen):
            self.push_screen(RotationScreen())

    # -- copying ----------------------------------------------------------

    def on_copy_value_requested(self, message: CopyValue.Requested) -> None:
        self.copy_value(message.label, message.value)

    # how long a notification stays, as a multiple of its own timeout: the tests, which read
    # app._notifications (expired ones are dropped from it), lengthen it so that a slow
    # machine's seconds between a notification and the assertion cannot expire it
    NOTIFICATION_TIME_SCALE = 1.0

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification as plain text: they quote paths, file names and values, and a
        '[' in one must show as written, not be read as markup (or fail as bad markup)."""
        timeout = (self.NOTIFICATION_TIMEOUT if timeout is None else timeout) * self.NOTIFICATION_TIME_SCALE
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _guide_links(self, screen: Screen) -> list[tuple[str, str]]:
        """The links of the guide on ``screen`` (the troubleshooting guide's elsewhere)."""
        from screens.widgets.guide import LINK
        from wizard.links import TITLES

        step = getattr(screen, "STEP", None)
        guide = assets.guide(STEPS[step].guide if step is not None else "troubleshooting")
        return [(m.group("url"), TITLES.get(m.group("url"), m.group("text"))) for m in LINK.finditer(guide)]

    def action_open_link(self, url: str) -> None:
        """A link in a guide: open it in the browser, and copy it (over SSH, or without a
        browser, opening does nothing visible; the copy still works)."""
        from wizard.links import TITLES

        try:
            self.open_url(url)
        except Exception:  # no browser to hand it to: the copy below is the way
            pass
        # the whole address, never cut short: it may be what the admin selects by hand
        self.copy_value(TITLES.get(url, "link"), url, title=f"Opened and copied: {TITLES.get(url, 'link')}", whole=True)

    _copy_note_said = False  # the terminal-clipboard-only note has been shown once

    def copy_value(self, label: str, value: str, *, title: str = "", whole: bool = False) -> None:
        """Copy ``value`` and say so; ``whole``: the notice shows all of it, not its start."""
        self.copy_to_clipboard(value)  # OSC 52: works over SSH in most terminals
        problem = self._system_copy(value) if self._system_copy else None
        shown = value if whole or len(value) <= 60 else value[:57] + "…"
        # said once: repeated on every copy, four quick copies covered half of an 80x24 screen
        note = (
            ""
            if not problem or self._copy_note_said
            else "\n(terminal clipboard only; select the text by hand if paste fails)"
        )
        self._copy_note_said = self._copy_note_said or bool(note)
        self.notify(f"{shown}{note}", title=title or f"Copied {label}", timeout=8 if whole else 4)

    # -- diagnosis glue (runs in a worker thread) -------------------------

    def diagnose(
        self,
        text: str,
        org: str,
        api_base: str,
        metadata_xml: str,
        *,
        at: datetime | None = None,
        metadata_source: str | None = None,
    ):
        """``at``: the moment the response was captured (now when None); ``metadata_source``
        names the metadata in words when it is not step 5's export."""
        from wizard.troubleshoot import STEP5_METADATA, diagnose_for_org

        return diagnose_for_org(
            text,
            org=org,
            api_base=api_base,
            metadata_xml=metadata_xml,
            now=at or self.now(),
            metadata_source=metadata_source or STEP5_METADATA,
        )

    # -- command palette --------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        first = STEPS[self.state.furthest_reachable()]
        for step in STEP_ORDER:
            title, number = STEPS[step].title, STEPS[step].number
            # a step not reachable yet is listed too, saying why (choosing it says so again)
            help_text = (
                f"Open the {title} step"
                if self.state.can_visit(step)
                else f"Not yet: finish step {first.number} ({first.title}) first"
            )
            yield SystemCommand(f"Go to step {number}: {title}", help_text, partial(self.go_to, step))
        if not org_problem(self.state.org):
            values = self.values
            for row in values.all_rows():
                yield SystemCommand(f"Copy {row.label}", row.value, partial(self.copy_value, row.label, row.value))
        # the app's own values, entered on steps 2 and 3
        from wizard.values import idp_sso_url

        own = [("IdP URL", idp_sso_url(self.state.idp_url_value) if self.state.idp_url_value else "")]
        own.append(("IdP Entity ID", self.state.idp_entity_id))
        for label, value in own:
            if value:
                yield SystemCommand(f"Copy {label}", value, partial(self.copy_value, label, value))
        if self.state.metadata_xml:
            yield SystemCommand(
                "Copy metadata XML",
                "The whole exported metadata, for Pulumi",
                partial(self.copy_value, "metadata XML", self.state.metadata_xml),
            )
        yield SystemCommand(
            "Open troubleshooting", "Paste a SAML response; search the symptoms catalogue", self.action_troubleshoot
        )
        for url, title in self._guide_links(screen):
            yield SystemCommand(f"Open {title}", url, partial(self.action_open_link, url))
        yield SystemCommand(
            "Rotate the certificate", "Load JumpCloud's regenerated certificate into Pulumi", self.action_rotate
        )
        yield SystemCommand("Start over", "Discard the saved progress and begin again", self.ask_start_over)


def run_app(state_dir: str | None = None) -> int:
    app = WizardApp(state_dir)
    try:
        app.run()
    finally:
        gc.enable()  # in case the app ended before its first screen was painted
    return app.return_code or 0


__all__ = ["WizardApp", "__version__", "run_app"]
