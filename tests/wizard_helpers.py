"""Helpers for driving the wizard with Pilot (imported by the Pilot and snapshot tests)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from screens.app import WizardApp

FIXED_NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PULUMI_TOKEN = "pul-c1i5ecret0123456789abcdef0123456789abcd"
# the rows of step 3 to tick: the six values and JumpCloud's IdP Entity ID
SSO_TAB_ROWS = (
    "sp_entity_id",
    "acs_url",
    "relay_state",
    "nameid",
    "nameid_format",
    "signature_algorithm",
    "idp_entity_id",
)


class CopyRecorder:
    """Stands in for the system clipboard: records, never touches the real one."""

    def __init__(self) -> None:
        self.copied: list[str] = []

    def __call__(self, text: str) -> str | None:
        self.copied.append(text)
        return None


def make_app(state_dir: Path, downloads: Path | None = None, recorder: CopyRecorder | None = None) -> WizardApp:
    folders = [downloads] if downloads else []
    app = WizardApp(
        state_dir,
        now=lambda: FIXED_NOW,
        export_folders=lambda: list(folders),
        system_copy=recorder if recorder is not None else CopyRecorder(),
        cursor_blink=False,
    )
    # scrolls (a focused field brought into view) end at once: a click or a snapshot taken
    # during one would land on where things were, and pass or fail with the machine's speed
    app.animation_level = "none"
    # notifications stay for the test to read: expired ones leave app._notifications, and a
    # loaded machine can take longer than a notification's few seconds to reach the assertion
    app.NOTIFICATION_TIME_SCALE = 100.0
    return app


async def type_into(pilot, selector: str, text: str, *, keys: bool = False) -> None:
    """Clear a field and enter ``text`` as the admin would: pasted (one event), or with
    ``keys`` typed one key at a time (about 60 ms a key: only where typing is the point)."""
    from textual import events

    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    if hasattr(widget, "clear"):
        widget.clear()
    await pilot.pause()
    if text and keys:
        await pilot.press(*[_key(c) for c in text])
    elif text:
        widget.post_message(events.Paste(text))
    await pilot.pause()


def _key(char: str) -> str:
    return {
        " ": "space",
        "\n": "enter",
        "/": "slash",
        ".": "full_stop",
        "-": "minus",
        "_": "underscore",
        ":": "colon",
        "~": "tilde",
        ",": "comma",
    }.get(char, char)


async def tick(pilot, selector: str, value: bool = True) -> None:
    box = pilot.app.screen.query_one(selector)
    if box.value != value:
        box.focus()
        await pilot.press("space")
    await pilot.pause()
    assert box.value == value


async def next_step(pilot) -> None:
    await pilot.press("ctrl+n")
    await pilot.pause()
    await pilot.pause()


def error_text(pilot, field: str) -> str:
    return str(pilot.app.screen.query_one(f"#err-{field}").render())


def mark_complete(state, step, status=None, note: str = ""):
    """Record ``step`` as the wizard would after its gate passed: verified for the steps
    checked against a file, confirmed (the admin's word) for the others, with the
    inputs it rests on as they are in ``state`` now."""
    from wizard import flow
    from wizard.state import StepId, StepRecord, StepStatus

    if status is None:
        status = StepStatus.VERIFIED if step in (StepId.METADATA, StepId.SUMMARY) else StepStatus.CONFIRMED
    state.set_record(
        step, StepRecord(status, note or f"{status.words} in the test's saved state", flow.basis_of(state, step))
    )
    return state


def complete_before(state, step):
    """``state`` with every step before ``step`` complete, saved at ``step``."""
    from wizard.state import STEP_ORDER

    for earlier in STEP_ORDER[: STEP_ORDER.index(step)]:
        mark_complete(state, earlier)
    state.current_step = step.value
    return state


async def set_value(pilot, selector: str, value) -> None:
    """Put ``value`` in a field as a paste would (for tests not about typing)."""
    from textual.widgets import TextArea

    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    if isinstance(widget, TextArea):
        widget.text = value
    else:
        widget.value = value
    await pilot.pause()


def finished_setup(folder, *, org: str = "acmecorp", through=None):
    """A state taken through the real gates of the step model, as an admin who
    finished the wizard leaves it: Pulumi confirmed by hand, SCIM skipped, the record
    written into ``folder``.  ``through``: stop before that step instead."""
    from tests.exports import GOOD_EXPORT
    from wizard import flow
    from wizard.metadata import check_metadata
    from wizard.report import write_record
    from wizard.state import STEP_ORDER, StepId, WizardState
    from wizard.steps import record_digest

    forms = {
        StepId.WELCOME: {
            "org": org,
            "api_base": "https://api.pulumi.com",
            "has_sso_package": True,
            "has_saml_edition": True,
        },
        StepId.CREATE_APP: {
            "app_kind": "connector",
            "idp_url_value": "bitdefender",
            "display_name": "Pulumi",
            "acknowledged": True,
        },
        StepId.SSO_TAB: {
            "rows": list(SSO_TAB_ROWS),
            "idp_entity_id": "strategicgroupnw",  # GOOD_EXPORT's entityID
        },
        StepId.GROUPS: {"groups": "Engineering\nSRE"},
        StepId.METADATA: {
            "metadata_path": str(GOOD_EXPORT),
            "metadata_xml": GOOD_EXPORT.read_text(),
            "source": "JumpCloud-Pulumi-metadata.xml",
            "ack_warnings": False,
            "report": check_metadata(GOOD_EXPORT.read_bytes(), idp_url_value="bitdefender", now=FIXED_NOW),
        },
        StepId.PULUMI: {"checklist": ["saml_admin", "own_account", "members", "immediate"], "applied": True},
        StepId.SIGNIN: {"idp_initiated_ok": True, "sp_initiated_ok": True},
        StepId.SCIM: {"skip": True, "skip_reason": "no Enterprise edition yet"},
    }
    state = WizardState()
    for step in STEP_ORDER:
        if step is through:
            state.current_step = step.value
            return state
        if step is StepId.SUMMARY:
            written = write_record(state, Path(folder) / f"pulumi-sso-{org}.md", now=FIXED_NOW)
            form = {"record_path": str(written), "written": str(written), "written_digest": record_digest(state)}
        else:
            form = forms[step]
        outcome = flow.submit(state, step, form)
        assert outcome.passed, (step, outcome.verdict.findings)
    state.current_step = StepId.SUMMARY.value
    return state


async def settle(pilot) -> None:
    """Wait until every check started so far has finished and what it posted is handled."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def until(pilot, condition, *, seconds: float = 8.0, what: str = "the screen to change") -> None:
    """Wait for what only time brings (a file watcher's next look, a slow server), failing
    after ``seconds``; for a check that was started, ``settle`` is exact."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)
    await pilot.pause()


def saved_app(folder: Path, step, **kwargs) -> WizardApp:
    """The app over a state saved at ``step`` by an admin who took the steps before it."""
    from wizard.state import StateStore

    state_dir = Path(folder) / "state"
    StateStore(state_dir).save(finished_setup(folder, through=step))
    return make_app(state_dir, **kwargs)


async def resume(pilot, screen_type=None):
    """Accept the resume prompt; wait for the step's checks; the step's screen."""
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "ResumeScreen", what="the resume prompt")
    await pilot.press("r")
    await settle(pilot)
    if screen_type is not None:
        assert isinstance(pilot.app.screen, screen_type), pilot.app.screen
    return pilot.app.screen


@contextmanager
def pulumi_with_org(monkeypatch, org: str):
    """The Pulumi stand-in (tests/pulumi_fake.py) holding ``org`` before SAML is set up
    (kind "pulumi"), with its token, ``PULUMI_TOKEN``, in PULUMI_ACCESS_TOKEN."""
    from tests.pulumi_fake import FakePulumi

    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", PULUMI_TOKEN)
    with FakePulumi(PULUMI_TOKEN) as server:
        server.add_org(org, None, kind="pulumi")
        yield server
