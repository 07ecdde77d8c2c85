"""The frame every step shares: header, step list, guide, body, findings, Back/Next, footer.

A step screen only gathers its form (``form()``) and shows what it is told.  It
posts ``Submitted`` when the admin presses Next and ``FormChanged`` when anything
in the form changes; the app runs the step model (``wizard.flow``), moves, and
tells the screen what to show.  A screen never writes the wizard's state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Static

import assets
from screens.widgets import CopyValue, FindingsView, StepList, place_findings
from screens.widgets.guide import Guide
from wizard.findings import Finding
from wizard.state import STEP_ORDER, StepId, StepStatus, WizardState
from wizard.steps import STEPS, Step

if TYPE_CHECKING:  # only named in annotations: importing TextArea costs start-up its tree-sitter
    from textual.widgets import Checkbox, Input, RadioSet, TextArea

    from screens.host import WizardHost

MIN_WIDTH, MIN_HEIGHT = 80, 24
# Below this width the step list folds to a strip of marks and numbers (ctrl+l opens
# it), so that a URL to copy fits on one line at 80 columns.
FOLD_BELOW = 100
# Beside Back/Next the gate has two lines: a reason that would not fit in them is
# only pointed to (it is shown whole above).  Before the gate has a width (the first
# layout), a reason up to this long is quoted: it fits at 80x24 with the list folded.
GATE_QUOTE_MAX = 48


class TooSmall(Static):
    def __init__(self) -> None:
        super().__init__(
            f"This window is too small.\nMake it at least {MIN_WIDTH} columns by {MIN_HEIGHT} rows.",
            id="too-small",
        )


def _fits_gate(gate: Static, text: str) -> bool:
    """True when ``text`` wraps to at most the gate's two lines at its present width."""
    import textwrap

    width = gate.content_size.width
    if width <= 0:
        return len(text) - len("Not yet: ") <= GATE_QUOTE_MAX
    return len(textwrap.wrap(text, width)) <= 2


def status_line(state: WizardState, step: StepId) -> str:
    """The step's state in words under its title ("" while not started)."""
    record = state.record(step)
    if record.status is StepStatus.NOT_STARTED:
        return ""
    words = record.status.words
    note = record.note.removeprefix(f"{words}: ")  # "reopened: …", "skipped: …": the word once
    return f"{record.status.glyph} {words}" + (f": {note}" if note else "")


class StepScreen(Screen):
    """One wizard step.  Subclasses compose the body and say what their form holds."""

    STEP: ClassVar[StepId]
    NEXT_LABEL: ClassVar[str] = "Next"
    # Focus the first field of the step, not the step list, so the admin can type at once.
    AUTO_FOCUS = "#body *"
    # A step that places the findings list itself (inside compose_body) sets this.
    OWN_FINDINGS_VIEW: ClassVar[bool] = False
    # Where a finding about a meaning (org, api_base, token...) is shown on this step,
    # when the slot is not named after the meaning itself.
    FIELDS: ClassVar[dict[str, str]] = {}
    # Fields where a whole URL may be pasted or typed: field id -> (what to take from the
    # URL, None when it is not such a URL; what it is, in words)
    URL_FIELDS: ClassVar[dict[str, tuple[Callable[[str], str | None], str]]] = {}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("ctrl+b", "back", "Back", priority=True),
        Binding("ctrl+t", "app.troubleshoot", "Troubleshoot", priority=True),
        Binding("ctrl+l", "toggle_steps", "Steps", priority=True),
    ]

    app: WizardHost  # type: ignore[assignment]

    class Submitted(Message):
        """The admin pressed Next with this form."""

        def __init__(self, screen: StepScreen, form: dict[str, Any]) -> None:
            super().__init__()
            self.screen, self.step, self.form = screen, screen.STEP, form

    class FormChanged(Message):
        """Something in the form changed: a field, a tick, or a check's result."""

        def __init__(self, step: StepId, form: dict[str, Any], *, live: bool, checked: bool) -> None:
            super().__init__()
            self.step, self.form = step, form
            self.live = live  # the admin was refused: the reasons follow every change
            self.checked = checked  # a check's result arrived

    def __init__(self, view: WizardState) -> None:
        super().__init__()
        self.view = view  # what to show: the saved state with this step's draft on top
        self.refused = False
        self._last_form: dict[str, Any] | None = None
        self._url_field_values: dict[str, str] = {}  # each URL field's value before its last change

    @property
    def row(self) -> Step:
        return STEPS[self.STEP]

    def compose(self) -> ComposeResult:
        number = self.row.number
        yield Header()
        with Horizontal(id="main"):
            yield StepList(self.app.state, self.STEP, folded=self._folded(self.app.size.width))
            with Vertical(id="content"):
                with VerticalScroll(id="body"):
                    yield Static(self._title(), classes="step-title", id="step-title")
                    yield Guide(assets.guide(self.row.guide), classes="guide")
                    yield from self.compose_body()
                    if not self.OWN_FINDINGS_VIEW:
                        yield FindingsView(id="findings")
                with Horizontal(id="nav"):
                    yield Button("◀ Back", id="back", disabled=number == 1, compact=True)
                    yield Static("", id="gate-message", markup=False)
                    yield Button(f"{self.NEXT_LABEL} ▶", id="next", variant="primary", compact=True)
        yield TooSmall()
        yield Footer()

    _ready = False  # the step failed at the last Next, and what it holds now passes
    _reason_now = ""  # ... or the first reason it does not, now

    _reopens: tuple[str, str] = ("", "")  # what Next would reopen, in words: whole, and short

    def show_ready(self, ready: bool, reason_now: str = "") -> None:
        if (ready, reason_now) != (self._ready, self._reason_now):
            self._ready, self._reason_now = ready, reason_now
            self.refresh_title()
            if ready:  # beside Next too: at 80x24 the title may be scrolled away
                self._show_idle_gate(self.query_one("#gate-message", Static))

    def show_reopens(self, whole: str, short: str) -> None:
        """What Next would reopen (the app works it out from the form): beside Next, where
        no reason stops the step, so that a change to an earlier answer is no surprise."""
        self._reopens = (whole, short)
        gate = self.query_one("#gate-message", Static)
        if not gate.has_class("-error"):  # the reasons to fix come first
            self._show_idle_gate(gate)

    def show_notes(self, notes: list[Finding]) -> None:
        """Information about what is entered, in the field's note line (``#note-<field>``)
        where the step has one; the notes of every such line are replaced."""
        for line in self.query(".field-note").results(Static):
            field = (line.id or "").removeprefix("note-")
            said = [f"ℹ {n.message} {n.fix}".strip() for n in notes if n.field == field]
            line.update("\n".join(said))
            line.display = bool(said)

    def _show_idle_gate(self, gate: Static) -> None:
        """The line beside Next when nothing stops the step: "Passes now" after a refusal,
        and what accepting the step would reopen."""
        whole, short = self._reopens
        ready = "Passes now. " if self._ready else ""
        said = ready + whole
        if whole and not _fits_gate(gate, said):
            said = ready + short
        gate.update(said if whole else ("Passes now: press Next." if self._ready else ""))
        gate.set_class(False, "-error")
        gate.set_class(bool(whole), "-warning")

    def _title(self) -> Content:
        title = Content(f"Step {self.row.number} of {len(STEP_ORDER)}: {self.row.title}")
        status = status_line(self.app.state, self.STEP)
        recorded = self.app.state.status(self.STEP)
        failed = recorded is StepStatus.FAILED
        if failed and self._ready:
            status = "✗ refused at the last Next; what is here now passes: press Next (ctrl+n)"
        elif failed and self._reason_now:
            status = f"✗ not accepted yet: {self._reason_now}"
        pending = self.unaccepted() if recorded.complete else ""
        if pending:  # the line above is about what was accepted, not what the step shows now
            status += f"\n↻ {pending}, checked below, is not accepted yet: the line above is about the one before."
        if not status:
            return title
        return Content.assemble(title, "\n", (status, "not bold $text-muted"))

    def unaccepted(self) -> str:
        """What the step shows, checked, that differs from what it accepted ("" when nothing)."""
        return ""

    def refresh_title(self) -> None:
        self.query_one("#step-title", Static).update(self._title())

    def compose_body(self) -> Iterable:  # pragma: no cover - overridden
        return []

    # -- the form -----------------------------------------------------------

    def form(self) -> dict[str, Any]:
        """What the step's fields hold, by meaning (and the last result of its check)."""
        raise NotImplementedError

    def form_changed(self, *, checked: bool = False) -> None:
        """Tell the app the form changed (``checked``: a check's result arrived)."""
        if self._last_form is None and not checked:
            return  # still mounting: the widgets are reporting the values they start with
        form = self.form()
        if self._untick_stale_confirmations(form):
            return  # the untick changes the form again, and that change is posted
        self.post_message(self.FormChanged(self.STEP, form, live=self.refused, checked=checked))

    def _untick_stale_confirmations(self, form: dict[str, Any]) -> bool:
        """A tick that vouches for a value is cleared when the value changes: the admin
        confirmed the old one."""
        last, self._last_form = self._last_form, form
        unticked = False
        for box, fields in self.row.vouches.items():
            if form.get(box) and last is not None and any(form.get(f) != last.get(f) for f in fields):
                tick: Checkbox = self.query_one(f"#{self.FIELDS.get(box, box)}")  # type: ignore[assignment]
                tick.value = False
                unticked = True
        return unticked

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in self.URL_FIELDS:
            before = self._url_field_values.get(event.input.id, "")
            self._url_field_values[event.input.id] = event.value
            if len(event.value) - len(before) > 1 and self._take_from_url(event.input.id, "pasted"):
                return  # a paste: taken at once (typed key by key, it waits until the field is done)
        self.form_changed()

    def _take_from_url(self, field_id: str, how: str = "entered") -> bool:
        """Replace a URL in the field by what it names (and say so); True when it did."""
        extract, words = self.URL_FIELDS[field_id]
        field: Input = self.query_one(f"#{field_id}")  # type: ignore[assignment]
        taken = extract(field.value.strip())
        if taken is None or taken == field.value:
            return False
        field.value = taken
        self.notify(f"Took {words} '{taken}' from the URL you {how}.", timeout=6)
        return True

    def on_input_blurred(self, event: Input.Blurred) -> None:
        if event.input.id in self.URL_FIELDS:  # typed key by key: the field is done now
            self._take_from_url(event.input.id)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.form_changed()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.form_changed()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.form_changed()

    # -- what the app tells the screen --------------------------------------

    def show_findings(self, findings: list[Finding], blocking: list[Finding] | None = None) -> None:
        """Each finding beside its field when the step has a slot for it, else in the
        list; the line beside Next counts what still stops the step: ``blocking`` when
        given (a check's answer shown with the verdict may not decide it), else all."""
        place_findings(self, findings, fields=self.FIELDS)
        gate = self.query_one("#gate-message", Static)
        errors = [f for f in (findings if blocking is None else blocking) if f.is_error]
        if errors:
            quote = f"Not yet: {errors[0].message}"
            if len(errors) == 1 and _fits_gate(gate, quote):
                gate.update(quote)
            else:
                count = "1 thing" if len(errors) == 1 else f"{len(errors)} things"
                gate.update(f"Not yet: {count} to fix (shown above).")
            gate.set_class(True, "-error")
            gate.set_class(False, "-warning")
        else:
            self._show_idle_gate(gate)

    def show_answer(self, findings: list[Finding]) -> None:
        """A check this step ran has answered: its findings beside their fields, and the
        app told (it decides what the answer means for the step)."""
        place_findings(self, findings, fields=self.FIELDS)
        self.form_changed(checked=True)

    def show_refusal(self, findings: list[Finding], blocking: list[Finding]) -> None:
        """Next was refused for ``blocking``: show everything, focus the first field to
        fix, and from now on let the reasons follow every change."""
        self.refused = True
        self.show_findings(findings, blocking)
        first = next((f for f in blocking if f.is_error and f.field), None)
        if first is not None:
            self._focus_field(self.FIELDS.get(first.field or "", first.field or ""))
        self._reveal_first_reason()

    def show_state(self) -> None:
        """The step list and the line under the title, after the step's state changed."""
        self.query_one(StepList).show_state(self.app.state)
        self.refresh_title()

    def _reveal_first_reason(self) -> None:
        """Scroll the first reason shown into view: the gate says "shown above"."""
        first = next(iter(self.query(".field-error.-shown, FindingsView.-shown")), None)  # DOM order
        if first is not None:
            # the whole field (its label and input with the reason under them), not the reason alone
            target = first.parent if isinstance(first.parent, Widget) and first.parent.has_class("field") else first
            self.call_after_refresh(target.scroll_visible, animate=False)

    def focus_in_view(self, widget: Widget, show: Widget | None = None) -> None:
        """Focus ``widget`` and scroll it (or ``show``, a box around it) into view once laid
        out: a field just mounted or unhidden is focused before Textual knows where it is,
        so focusing alone can leave it out of sight, taking keys the admin cannot see."""
        widget.focus()
        self.call_after_refresh((show or widget).scroll_visible, animate=False)

    def _focus_field(self, field: str) -> None:
        """Focus the field a reason is about; for a group of ticks (step 3's rows, step 6's
        checklist), the first one not ticked, so that space ticks it."""
        from textual.widgets import Checkbox

        for widget in self.query(f"#{field}"):
            if widget.focusable:
                widget.focus()
                return
            unticked = next((box for box in widget.query(Checkbox) if not box.value), None)
            if unticked is not None:
                unticked.focus()
                return

    # -- navigation ---------------------------------------------------------

    def action_next(self) -> None:
        for field_id in self.URL_FIELDS:
            self._take_from_url(field_id)
        self.post_message(self.Submitted(self, self.form()))

    def action_back(self) -> None:
        self.app.go_back(self.STEP)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back" and self.row.number == 1:
            return None  # nothing before step 1: ctrl+b shown dimmed in the footer, as the button is
        return True

    # Textual calls the handler of every class in the MRO, so a step's own
    # on_button_pressed / on_mount runs before these without calling super().
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "next":
            event.stop()
            self.action_next()
        elif event.button.id == "back":
            event.stop()
            self.action_back()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A focused tick or Copy button brings its whole row into view: the value under
        it (and the note under that), not only the line that took the focus."""
        row = next((node for node in event.widget.ancestors if node.has_class("sso-row")), None)
        if row is None:
            row = next((node for node in event.widget.ancestors if isinstance(node, CopyValue)), None)
        if isinstance(row, Widget):
            self.call_after_refresh(row.scroll_visible, animate=False)

    def on_step_list_chosen(self, message: StepList.Chosen) -> None:
        if message.step is not self.STEP:
            self.app.go_to(message.step)

    _shown_before = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # The first time a step is shown, its widgets were styled a moment ago as they
        # were mounted, and Textual would style every one of them again (about 7 ms
        # on the first screen, with nothing changed).  Later resumes (back from troubleshooting or
        # rotation, where the theme may have changed) still restyle.  Runs before
        # Screen's own handler, which reads the flag.
        if not self._shown_before:
            self._shown_before = True
            event.refresh_styles = False
        else:
            self._fold_steps()  # the window or the admin's choice may have changed meanwhile
        self._ask_for_a_fresh_verdict()  # shown again from under the resume prompt or a dialog

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < MIN_WIDTH or event.size.height < MIN_HEIGHT, "-too-small")
        self._fold_steps()

    def _folded(self, width: int) -> bool:
        """Folded below FOLD_BELOW columns, unless the admin chose otherwise (ctrl+l)."""
        chosen = self.app.steps_folded
        return width < FOLD_BELOW if chosen is None else chosen

    def _fold_steps(self) -> None:
        for steps in self.query(StepList):
            steps.fold(self.app.state, self._folded(self.app.size.width))

    def action_toggle_steps(self) -> None:
        """Fold or open the step list (the choice holds for every step, at any width)."""
        self.app.steps_folded = not self.query_one(StepList).folded
        self._fold_steps()

    def on_mount(self) -> None:
        # Focusing the first field may scroll it into view; start at the step's title instead.
        body = self.query_one("#body", VerticalScroll)
        self.call_after_refresh(body.scroll_home, animate=False)
        self.call_after_refresh(lambda: self.call_after_refresh(self._first_focus_in_sight))
        size = self.app.size
        self.set_class(size.width < MIN_WIDTH or size.height < MIN_HEIGHT, "-too-small")
        self.sub_title = self.app.state.org or ""
        from textual.widgets import Input

        for field in self.query(Input):  # Tab into a field must not select its text: a key would wipe it
            field.select_on_focus = False
        self.call_after_refresh(self._start_following_the_form)
        self.call_after_refresh(self.app.first_screen_painted)

    def _first_focus_in_sight(self) -> None:
        """The step opens at its guide; when the first field is below it (step 2 at 80x24),
        keys must not go to a field out of sight (arrows would change a choice unseen): the
        body takes the focus instead, so arrows scroll the guide and Tab goes to the field."""
        body = self.query_one("#body", VerticalScroll)
        focused = self.focused
        if focused is None or focused is body or body not in focused.ancestors:
            return
        if not body.content_region.contains_region(focused.region):
            body.focus(scroll_visible=False)

    def _start_following_the_form(self) -> None:
        # The widgets' own Changed messages from mounting have been handled by now.
        if self._last_form is None:
            self._last_form = self.form()
            self._ask_for_a_fresh_verdict()

    def _ask_for_a_fresh_verdict(self) -> None:
        """The line under the title says why the last Next was refused; what the step shows
        now (input restored on resume, say) may pass, and input restored from a draft may
        reopen later steps: the app is asked to say so at once."""
        state = self.app.state
        if self._last_form is not None and (
            state.status(self.STEP) is StepStatus.FAILED or state.drafts.get(self.STEP.value)
        ):
            self.post_message(self.FormChanged(self.STEP, self._last_form, live=False, checked=False))
