"""Progress saved between runs, under the platform's state folder.  Never a secret.

Saved atomically (temp file + rename) with mode 0600, schema-versioned.  A
corrupt or unknown-version file is moved aside as ``state.json.bak`` and the
wizard starts fresh with a warning, never a traceback.
"""

from __future__ import annotations

import json
import os
import stat
import time
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from pathlib import Path
from typing import Any

from wizard.atomic import write_atomic
from wizard.values import DEFAULT_API_BASE

SCHEMA_VERSION = 2
STATE_DIR_ENV = "JUMPCLOUD_PULUMI_SSO_STATE_DIR"
STATE_FILE = "state.json"
MAX_STATE_BYTES = 16 * 1024 * 1024  # the metadata XML (1 MiB at most) and its draft, many times over
STALE_TEMP_SECONDS = 60.0


class StepId(str, Enum):
    """The steps, in the order the admin takes them.  What each one is (title, screen,
    gate, the inputs it rests on) is the table in ``wizard.steps``."""

    WELCOME = "welcome"
    CREATE_APP = "create_app"
    SSO_TAB = "sso_tab"
    GROUPS = "groups"
    METADATA = "metadata"
    PULUMI = "pulumi"
    SIGNIN = "signin"
    SCIM = "scim"
    SUMMARY = "summary"


STEP_ORDER: tuple[StepId, ...] = tuple(StepId)


class StepStatus(str, Enum):
    """A step's state, and the evidence behind it when it is complete."""

    # (in the order the step list's legend names them)
    VERIFIED = "verified"  # a check against the real thing (file, API, endpoint) passed
    WARNINGS = "warnings"  # verified, with warnings the admin acknowledged
    CONFIRMED = "confirmed"  # the admin's word, kept with what they confirmed
    SKIPPED = "skipped"  # the admin chose to skip it, with a reason
    REOPENED = "reopened"  # was complete; an input it rests on changed since
    FAILED = "failed"  # the last check or Next found an error
    NOT_STARTED = "not_started"

    @property
    def complete(self) -> bool:
        return self in _COMPLETE

    @property
    def words(self) -> str:
        """How the step list, the summary and the setup record name this state."""
        return _WORDS[self][1]

    @property
    def glyph(self) -> str:
        """A mark that tells the states apart without colour."""
        return _WORDS[self][0]


_COMPLETE = frozenset({StepStatus.VERIFIED, StepStatus.CONFIRMED, StepStatus.WARNINGS, StepStatus.SKIPPED})
_WORDS = {
    StepStatus.NOT_STARTED: ("○", "not started"),
    StepStatus.VERIFIED: ("✓", "verified"),
    StepStatus.CONFIRMED: ("✎", "confirmed"),
    StepStatus.WARNINGS: ("!", "with warnings"),
    StepStatus.SKIPPED: ("»", "skipped"),
    StepStatus.REOPENED: ("↺", "reopened"),
    StepStatus.FAILED: ("✗", "failed"),
}


@dataclass
class StepRecord:
    """What the wizard knows of one step.

    ``note`` says how it was established (what was verified, or what the admin
    confirmed), or why it was reopened or failed.  ``basis`` holds the values of the
    inputs the step rests on when it was completed; when one of them differs from
    the state's, the step is out of date and is reopened.  ``None``: not known (a
    state saved by an earlier version), taken as the current values once.
    """

    status: StepStatus = StepStatus.NOT_STARTED
    note: str = ""
    basis: dict[str, str] | None = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "note": self.note, "basis": self.basis}

    @classmethod
    def from_dict(cls, data: Any) -> StepRecord:
        if not isinstance(data, dict):
            raise StateError("a step record is not an object")
        try:
            status = StepStatus(data.get("status", StepStatus.NOT_STARTED.value))
        except ValueError as exc:
            raise StateError(f"unknown step status {data.get('status')!r}") from exc
        note, basis = data.get("note", ""), data.get("basis", {})
        if not isinstance(note, str):
            raise StateError("a step note is not text")
        if basis is not None and not (
            isinstance(basis, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in basis.items())
        ):
            raise StateError("a step basis is not a map of texts")
        return cls(status, note, basis)


@dataclass
class WizardState:
    """Everything the wizard remembers.  Tokens are never fields here."""

    schema_version: int = SCHEMA_VERSION
    current_step: str = StepId.WELCOME.value
    steps: dict[str, StepRecord] = field(default_factory=dict)
    # What the admin entered on a step but has not submitted with Next (shown again
    # when the step is, never used by a check).  Per step: {"form": {...}, "basis": {...}}.
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)
    # 1. prerequisites
    org: str = ""
    api_base: str = DEFAULT_API_BASE
    has_sso_package: bool = False
    has_saml_edition: bool = False
    # JumpCloud's API, optional (the API key itself is never kept: the app holds it in memory)
    jumpcloud_url: str = ""  # "" = https://console.jumpcloud.com
    jumpcloud_org_id: str = ""  # for an administrator of several organisations
    pulumi_scim: str = ""  # what Pulumi said on step 1 of SCIM in the edition: "yes", "no", "" (not asked)
    # 2. the JumpCloud application
    app_kind: str = "connector"  # "connector" | "custom"
    idp_url_value: str = ""
    display_name: str = "Pulumi Cloud"  # the seed guide's example
    idp_url_acknowledged: bool = False
    # 3. SSO tab rows ticked by the admin, and the IdP Entity ID entered there (free text)
    ticked_rows: list[str] = field(default_factory=list)
    idp_entity_id: str = ""
    # 4. groups
    groups: list[str] = field(default_factory=list)
    # 5. metadata (public: an IdP's metadata holds no secret)
    metadata_path: str = ""
    metadata_xml: str = ""
    metadata_summary: dict[str, Any] = field(default_factory=dict)
    metadata_warnings: list[str] = field(default_factory=list)
    # 6. Pulumi: the "Apply changes" confirmation (how it was established is the step's record)
    pulumi_confirmed: bool = False
    # 7. sign in
    idp_initiated_ok: bool = False
    sp_initiated_ok: bool = False
    # 8. SCIM (the token is never kept)
    scim_base_url: str = ""  # "" = computed from the org and API base
    scim_skipped: bool = False
    scim_skip_reason: str = ""
    scim_confirmed: bool = False
    # 9. summary
    record_path: str = ""
    completed_at: str = ""

    def record(self, step: StepId | str) -> StepRecord:
        """The step's record (a fresh "not started" one when there is none yet)."""
        return self.steps.get(str(getattr(step, "value", step))) or StepRecord()

    def status(self, step: StepId | str) -> StepStatus:
        return self.record(step).status

    def set_record(self, step: StepId | str, record: StepRecord) -> None:
        self.steps[str(getattr(step, "value", step))] = record

    @property
    def current(self) -> StepId:
        try:
            return StepId(self.current_step)
        except ValueError:
            return StepId.WELCOME

    def furthest_reachable(self) -> StepId:
        """The first step not yet complete (the admin may go to it and any before it)."""
        for step in STEP_ORDER:
            if not self.status(step).complete:
                return step
        return STEP_ORDER[-1]

    def can_visit(self, step: StepId) -> bool:
        return STEP_ORDER.index(step) <= STEP_ORDER.index(self.furthest_reachable())

    @property
    def started(self) -> bool:
        return any(self.status(s) is not StepStatus.NOT_STARTED for s in StepId) or bool(self.org)

    def to_json(self) -> str:
        data = asdict(self)
        data["steps"] = {step: record.to_dict() for step, record in self.steps.items()}
        return json.dumps(data, indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WizardState:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and k != "steps"}
        state = cls(**values)
        defaults = cls()
        # Type check each field against the default's type; a wrong type is corruption.
        for f in fields(cls):
            value, default = getattr(state, f.name), getattr(defaults, f.name)
            if f.name != "steps" and not isinstance(value, type(default)):
                raise StateError(f"field {f.name!r} has the wrong type")
        steps = data.get("steps", {})
        if not isinstance(steps, dict):
            raise StateError("field 'steps' has the wrong type")
        state.steps = {name: StepRecord.from_dict(record) for name, record in steps.items() if name in _STEP_NAMES}
        for name, draft in state.drafts.items():
            if not (isinstance(draft, dict) and isinstance(draft.get("form"), dict)):
                raise StateError(f"the draft of {name!r} is damaged")
        return state


_STEP_NAMES = frozenset(step.value for step in StepId)


def _from_version_1(data: dict[str, Any]) -> dict[str, Any]:
    """A state saved by version 1, which kept "done" without the evidence behind it.

    "done" becomes what version 1 knew of it: the export step was checked against
    the file and the record was written by the wizard (verified); Pulumi and SCIM
    were verified when their verification said so; anything else was the admin's
    word (confirmed).  What the steps rested on is taken from the current values.
    """
    data = dict(data)
    old_steps = data.get("steps", {})
    if not isinstance(old_steps, dict):
        raise StateError("field 'steps' has the wrong type")
    pulumi = data.pop("pulumi_verification", "")
    scim = data.pop("scim_verification", "")
    carried = "carried over from an earlier version of the wizard"
    steps: dict[str, Any] = {}
    for name, value in old_steps.items():
        if value == "done":
            verified = (
                name in (StepId.METADATA.value, StepId.SUMMARY.value)
                or (name == StepId.PULUMI.value and pulumi == "verified by API")
                or (name == StepId.SCIM.value and str(scim).startswith("Verified"))
            )
            value = StepStatus.VERIFIED.value if verified else StepStatus.CONFIRMED.value
        elif value not in ("warnings", "skipped", "failed", "not_started"):
            raise StateError(f"unknown step status {value!r}")
        steps[name] = {"status": value, "note": carried if value != "not_started" else "", "basis": None}
    data["steps"] = steps
    data["scim_confirmed"] = str(scim).startswith("Confirmed")
    data["schema_version"] = SCHEMA_VERSION
    return data


class StateError(Exception):
    pass


@dataclass
class LoadResult:
    state: WizardState
    warning: str = ""  # set when a bad file was moved aside
    existed: bool = False


def default_state_dir() -> Path:
    env = os.environ.get(STATE_DIR_ENV)
    if env:
        return Path(env)
    from platformdirs import user_state_path

    return user_state_path("jumpcloud-pulumi-sso", appauthor=False)


def _keep_private(directory: Path, *, ours: bool) -> None:
    """Nobody else may replace or remove the saved progress: a state folder others can
    write to (0777, say) loses those write bits; the wizard's own folder (the default
    one) is the owner's only, 0700, as the file in it is 0600.  A folder given with
    --state-dir keeps its read bits (it may be a project folder); one owned by someone
    else is left alone (and cannot be changed anyway)."""
    try:
        info = directory.stat()
        if info.st_uid != os.getuid():
            return
        mode = stat.S_IMODE(info.st_mode)
        wanted = mode & 0o700 if ours else mode & ~0o022
        if wanted != mode:
            directory.chmod(wanted)
    except OSError:
        pass


class StateStore:
    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory else default_state_dir()
        self._default_folder = not directory and not os.environ.get(STATE_DIR_ENV)

    @property
    def path(self) -> Path:
        return self.directory / STATE_FILE

    @property
    def backup_path(self) -> Path:
        return self.directory / (STATE_FILE + ".bak")

    def _read(self) -> str | None:
        """The saved file's text; None when there is none.  Raises StateError when what
        is there is not a readable state: not a regular file (a FIFO would block, a
        link to /dev/zero would never end), too large, or not UTF-8."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StateError(f"could not be read ({exc.__class__.__name__})") from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise StateError("is not a regular file")
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(MAX_STATE_BYTES + 1)
        except OSError as exc:
            raise StateError(f"could not be read ({exc.__class__.__name__})") from None
        finally:
            os.close(fd)
        if len(data) > MAX_STATE_BYTES:
            raise StateError(f"is larger than {MAX_STATE_BYTES // (1024 * 1024)} MiB")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise StateError("is not UTF-8 text") from None

    def _remove_stale_temp_files(self) -> None:
        """Temp files of writes that were interrupted (a crash, a full disk), left alone
        while they may still be another wizard's write in progress."""
        now = time.time()
        for temp in self.directory.glob(f".{STATE_FILE}-*.tmp"):
            try:
                if now - temp.stat().st_mtime > STALE_TEMP_SECONDS:
                    temp.unlink()
            except OSError:
                pass

    def load(self) -> LoadResult:
        self._remove_stale_temp_files()
        try:
            text = self._read()
        except StateError as exc:
            return self._set_aside(str(exc))
        if text is None:
            return LoadResult(WizardState())
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, a 5,000-digit number, 100,000 nested lists
            return self._set_aside("is not valid JSON")
        if not isinstance(data, dict):
            return self._set_aside("is not a saved wizard state")
        version = data.get("schema_version")
        if version == 1:
            try:
                data = _from_version_1(data)
            except StateError as exc:
                return self._set_aside(f"is damaged ({exc})")
            version = SCHEMA_VERSION
        if version != SCHEMA_VERSION:
            return self._set_aside(f"has schema version {version!r}; this version reads {SCHEMA_VERSION}")
        try:
            state = WizardState.from_dict(data)
        except (TypeError, StateError) as exc:
            return self._set_aside(f"is damaged ({exc})")
        except (ValueError, RecursionError):
            return self._set_aside("is damaged")
        return LoadResult(state, existed=True)

    def _set_aside(self, why: str) -> LoadResult:
        try:
            os.replace(self.path, self.backup_path)
            kept = f"kept as {self.backup_path}"
        except OSError:
            kept = "left in place"
        return LoadResult(
            WizardState(),
            warning=f"The saved progress in {self.path} {why}; it was {kept} and the wizard starts afresh.",
        )

    def save(self, state: WizardState) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        _keep_private(self.directory, ours=self._default_folder)
        write_atomic(self.path, state.to_json(), mode=0o600)

    def reset(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
