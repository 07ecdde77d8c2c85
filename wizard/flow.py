"""Runs the step model (``wizard.steps.STEPS``) over the wizard's state.

Everything that changes a step's status goes through here:

- ``submit``: the admin pressed Next.  The form is tried on a copy of the state;
  when the gate passes, it goes into the state, the step is recorded with its
  evidence and the values of the inputs it rests on, and every other step resting
  on an input that changed is reopened.  When the gate refuses, the state keeps
  what was accepted before, the step is failed, and the form is kept as a draft.
- ``preview``: what the gate would say of a form, changing nothing (live reasons).
- ``revise``: a check finished on a step's committed input and said no: a step
  that was complete is failed at once.
- ``reconcile``: any complete step whose inputs differ from the ones it was
  completed with is reopened, and stale drafts are dropped.  Run after every
  submit and when a saved state is loaded, so the rules hold however the state
  changed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from wizard.state import STEP_ORDER, StepId, StepRecord, StepStatus, WizardState
from wizard.steps import INPUTS, STEPS, Form, Step, Verdict

QUOTE_MAX = 40  # old and new values longer than this are quoted around where they differ
QUOTE_CONTEXT = 8  # characters kept either side of that difference


def quote_change(before: str, after: str) -> tuple[str, str] | None:
    """How an old and a new value are quoted in a reason: whole when short; when long, the
    part where they differ with a few characters either side, the rest as "…" (a long
    organisation name changed at its end reads "…ring-team → …ring-team2"); None when even
    the differing part is too long to quote."""
    if len(before) <= QUOTE_MAX and len(after) <= QUOTE_MAX:
        return before, after
    prefix = 0
    while prefix < min(len(before), len(after)) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(before), len(after)) - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    start = max(0, prefix - QUOTE_CONTEXT)
    keep_end = max(0, suffix - QUOTE_CONTEXT)

    def cut(value: str) -> str | None:
        end = len(value) - keep_end
        if end - start > QUOTE_MAX:
            return None
        return ("…" if start else "") + value[start:end] + ("…" if end < len(value) else "")

    old, new = cut(before), cut(after)
    return None if old is None or new is None else (old, new)


@dataclass(frozen=True)
class Reopened:
    step: StepId
    changed: tuple[str, ...]  # names in INPUTS
    why: str  # "the organisation name changed (acmecorp → acmecorp2)"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    reopened: list[Reopened] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.verdict.passed


def basis_of(state: WizardState, step: StepId) -> dict[str, str]:
    """The current values of the inputs ``step`` rests on."""
    return {name: INPUTS[name].read(state) for name in STEPS[step].rests_on}


def _first_error(verdict: Verdict) -> str:
    return next((f.message for f in verdict.findings if f.is_error), "")


def _candidate(state: WizardState, row: Step, form: Form) -> WizardState:
    candidate = copy.deepcopy(state)
    row.apply(candidate, form)
    return candidate


def preview(state: WizardState, step: StepId, form: Form) -> Verdict:
    """The gate's verdict on ``form``, without changing the state."""
    row = STEPS[step]
    return row.gate(_candidate(state, row, form), form)


def before_next(state: WizardState, step: StepId, form: Form) -> tuple[Verdict, list[Reopened]]:
    """What Next on ``step`` with ``form`` would say (the gate's verdict), and the steps it
    would reopen: those completed on an input the form changes (with what the gate would
    record, such as step 5's facts of a new export).  The state is not changed."""
    row = STEPS[step]
    candidate = _candidate(state, row, form)
    verdict = row.gate(candidate, form)
    if verdict.passed:
        for name, value in verdict.updates.items():
            setattr(candidate, name, value)
    return verdict, [r for r in reconcile(candidate) if r.step is not step]


def keep_record_path(state: WizardState, path: str) -> None:
    """The setup record was written to ``path``: where step 9 offers to write it next."""
    state.record_path = path


def adopt_rotation(state: WizardState, org: str, api_base: str, new_xml: str, source: str) -> list[Reopened] | None:
    """A certificate rotation, made from the wizard for this setup's organisation, was
    applied and read back from Pulumi: the rotated export becomes step 5's, through step
    5's own gate, and Pulumi's read-back is step 6's evidence; what rests on the old
    certificate (sign-in, the record) is reopened.  Without this the steps kept showing
    the old export as loaded and verified.  None, and nothing changed, for another
    organisation, or when step 5 was never accepted (no export of this setup to replace).
    An export step 5's gate would not take (another IdP Entity ID than step 3's) fails
    step 5 with the gate's reason, as Next would: it is not shown as verified."""
    from dataclasses import replace

    from wizard.metadata import check_metadata
    from wizard.values import normalize_api_base

    try:
        same_place = (org, normalize_api_base(api_base)) == (state.org, normalize_api_base(state.api_base))
    except ValueError:
        same_place = False
    if not same_place or not state.status(StepId.METADATA).complete:
        return None
    report = check_metadata(new_xml)
    if report.metadata is None or not report.ok:
        return None  # not an export Pulumi takes: no rotation applied it
    source = source or "pasted XML"
    # the warnings were shown at the rotation, and it was confirmed
    form = {"metadata_path": source, "metadata_xml": new_xml, "source": source, "report": report, "ack_warnings": True}
    verdict = preview(state, StepId.METADATA, form)
    if not verdict.passed:
        return submit(state, StepId.METADATA, form).reopened
    pulumi_complete = state.status(StepId.PULUMI).complete
    warnings = verdict.updates.get("metadata_warnings", [])
    note = f"the rotated export ({source}) passed the metadata checks Pulumi documents"
    if warnings:
        note += f"; {len(warnings)} warning(s) shown at the rotation"
    _accept(state, StepId.METADATA, form, replace(verdict, note=note))
    state.drafts.pop(StepId.PULUMI.value, None)
    if pulumi_complete:  # step 6 done before: the read-back is its evidence now (else it is still to do)
        read_back = "Pulumi's API returned the rotated metadata (the new certificate) after the rotation"
        state.set_record(StepId.PULUMI, StepRecord(StepStatus.VERIFIED, read_back, basis_of(state, StepId.PULUMI)))
    return reconcile(state)


def reopen_warning(reopened: list[Reopened], *, short: bool = False) -> str:
    """Said before Next: "Accepting this reopens steps 3 and 6: the organisation name changed (a → b)."
    (``short``: without the reason); "" when nothing would be reopened."""
    if not reopened:
        return ""
    numbers = [STEPS[r.step].number for r in reopened]
    if len(numbers) == 1:
        steps = f"step {numbers[0]}"
    elif len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        steps = f"steps {numbers[0]} to {numbers[-1]}"  # 3 to 8: shorter than the list, so the reason fits
    else:
        steps = "steps " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
    if short:  # the first reason, without the old and new values
        first = next((name for name in reopened[0].changed if name != "record"), None)
        return f"Accepting this reopens {steps}: {INPUTS[first].words if first else 'what it rests on'} changed."
    return f"Accepting this reopens {steps}: {reopened[0].why}."


def submit(state: WizardState, step: StepId, form: Form) -> Outcome:
    """The admin pressed Next on ``step`` with ``form``."""
    row = STEPS[step]
    verdict = row.gate(_candidate(state, row, form), form)
    earlier = state.record(step)
    if not verdict.passed:
        state.set_record(step, StepRecord(StepStatus.FAILED, _first_error(verdict), earlier.basis))
        keep_draft(state, step, form)
        return Outcome(verdict, reconcile(state))
    _accept(state, step, form, verdict)
    return Outcome(verdict, reconcile(state))


def _accept(state: WizardState, step: StepId, form: Form, verdict: Verdict) -> None:
    """``form`` passed ``step``'s gate: it goes into the state, with what the gate records."""
    STEPS[step].apply(state, form)
    for name, value in verdict.updates.items():
        setattr(state, name, value)
    state.drafts.pop(step.value, None)
    state.set_record(step, StepRecord(verdict.status, verdict.note, basis_of(state, step)))


def revise(state: WizardState, step: StepId, form: Form) -> bool:
    """A check finished on ``step``.  When it ran on what the step has committed (the
    form changes nothing in the state) and a check of the real thing said no, a step
    that was complete is failed now.  True when the status changed."""
    earlier = state.record(step)
    if not earlier.status.complete:
        return False
    row = STEPS[step]
    candidate = _candidate(state, row, form)
    if candidate != state:  # the check was of something not yet accepted
        return False
    verdict = row.gate(candidate, form)
    if verdict.passed or not verdict.refuted:
        return False
    state.set_record(step, StepRecord(StepStatus.FAILED, _first_error(verdict), earlier.basis))
    reconcile(state)
    return True


def _words(state: WizardState, old: dict[str, str], changed: list[str]) -> str:
    from wizard.values import recommended_idp_entity_id

    specific = [name for name in changed if name != "record"] or changed
    if "idp_url_value" in specific and "idp_entity_id" in specific:
        # the wizard's own suggestion for the old app went with it: not a change the admin made
        if old.get("idp_entity_id") == recommended_idp_entity_id(old.get("idp_url_value", "")):
            specific.remove("idp_entity_id")
    parts = []
    for name in specific:
        spec = INPUTS[name]
        before, after = old.get(name, ""), spec.read(state)
        quoted = quote_change(before, after) if spec.shown and before and after else None
        if quoted is not None:
            parts.append(f"{spec.words} changed ({quoted[0]} → {quoted[1]})")
        else:
            parts.append(f"{spec.words} changed")
    return "; ".join(parts)


def _clear(state: WizardState, names: tuple[str, ...]) -> None:
    defaults = WizardState()
    for name in names:
        setattr(state, name, copy.deepcopy(getattr(defaults, name)))


WAS = "was:"


def _note_changed_back(state: WizardState, step: StepId, record: StepRecord) -> None:
    """A reopened step whose inputs are back to what it was completed with says so: its
    note no longer names a change that the screen does not show (its confirmations were
    cleared all the same, and the admin gives them again)."""
    was = {key[len(WAS) :]: value for key, value in (record.basis or {}).items() if key.startswith(WAS)}
    if not was or any(name not in INPUTS for name in was):
        return
    back = all(INPUTS[name].read(state) == value for name, value in was.items())
    names = ", ".join(INPUTS[name].words for name in was)
    back_note = f"reopened: {names} changed and changed back; confirm this step again"
    note = back_note if back else f"reopened: {_words(state, was, list(was))}"
    if note != record.note:
        state.set_record(step, StepRecord(StepStatus.REOPENED, note, record.basis))


def reconcile(state: WizardState) -> list[Reopened]:
    """Reopen every step completed on inputs that have changed since; drop stale drafts."""
    reopened: list[Reopened] = []
    for step in STEP_ORDER:  # in order: the summary, last, sees the statuses reopened before it
        row = STEPS[step]
        if not row.rests_on:
            continue
        record = state.record(step)
        draft = state.drafts.get(step.value)
        if record.status is StepStatus.REOPENED and record.basis:
            _note_changed_back(state, step, record)  # its "was:" basis names no input: it goes on as empty
        if record.basis is None:  # saved by an earlier version: taken as it is now, once
            state.set_record(step, StepRecord(record.status, record.note, basis_of(state, step)))
            continue
        if not record.basis and not draft:
            continue
        now = basis_of(state, step)
        if draft and any(draft.get("basis", {}).get(name, value) != value for name, value in now.items()):
            del state.drafts[step.value]  # entered for values that no longer hold
        changed = [name for name in row.rests_on if name in record.basis and record.basis[name] != now[name]]
        if not changed:
            continue
        _clear(state, row.clears)
        state.drafts.pop(step.value, None)
        why = _words(state, record.basis, changed)
        # what the step was completed with, kept to tell a change that was undone (never compared
        # as a basis: no input is named "was:...")
        was = {f"{WAS}{name}": record.basis[name] for name in changed}
        state.set_record(step, StepRecord(StepStatus.REOPENED, f"reopened: {why}", was))
        reopened.append(Reopened(step, tuple(changed), why))
    return reopened


# --------------------------------------------------------------------------- drafts


def _storable(value: Any) -> bool:
    if isinstance(value, (str, bool)):
        return True
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def keep_draft(state: WizardState, step: StepId, form: Form) -> None:
    """Keep what the admin entered on ``step`` but did not submit (text, ticks; never a
    check's result), with the inputs it was entered for."""
    kept = {name: value for name, value in form.items() if _storable(value)}
    state.drafts.pop(step.value, None)
    if kept and _candidate(state, STEPS[step], kept) != state:  # only what differs from the saved values
        state.drafts[step.value] = {"form": kept, "basis": basis_of(state, step)}


def view(state: WizardState, step: StepId) -> WizardState:
    """The state as ``step``'s screen should show it: the committed values with the
    step's draft on top."""
    draft = state.drafts.get(step.value)
    shown = copy.deepcopy(state)
    if draft:
        STEPS[step].apply(shown, draft.get("form", {}))
    return shown
