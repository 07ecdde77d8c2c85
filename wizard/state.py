"""Progress saved between runs, under the platform's state folder.  Never a secret.

Saved atomically (temp file + rename) with mode 0600, schema-versioned.  A
corrupt or unknown-version file is moved aside as ``state.json.bak`` and the
wizard starts fresh with a warning, never a traceback.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from pathlib import Path
from typing import Any

from wizard.atomic import write_atomic
from wizard.values import DEFAULT_API_BASE

SCHEMA_VERSION = 1
STATE_DIR_ENV = "JUMPCLOUD_PULUMI_SSO_STATE_DIR"
STATE_FILE = "state.json"


class StepId(str, Enum):
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

STEP_TITLES: dict[StepId, str] = {
    StepId.WELCOME: "Prerequisites",
    StepId.CREATE_APP: "Create the app",
    StepId.SSO_TAB: "SSO tab values",
    StepId.GROUPS: "User groups",
    StepId.METADATA: "Export metadata",
    StepId.PULUMI: "Configure Pulumi",
    StepId.SIGNIN: "Sign in",
    StepId.SCIM: "SCIM (optional)",
    StepId.SUMMARY: "Summary",
}


class StepStatus(str, Enum):
    NOT_STARTED = "not_started"
    DONE = "done"
    WARNINGS = "warnings"  # done, with warnings the admin acknowledged
    SKIPPED = "skipped"
    FAILED = "failed"  # the last check found an error

    @property
    def complete(self) -> bool:
        return self in (StepStatus.DONE, StepStatus.WARNINGS, StepStatus.SKIPPED)

    @property
    def words(self) -> str:
        """How the step list, the summary and the setup record name this state."""
        return {
            "not_started": "not started",
            "done": "done",
            "warnings": "done with warnings",
            "skipped": "skipped",
            "failed": "failed",
        }[self.value]


@dataclass
class WizardState:
    """Everything the wizard remembers.  Tokens are never fields here."""

    schema_version: int = SCHEMA_VERSION
    current_step: str = StepId.WELCOME.value
    steps: dict[str, str] = field(default_factory=lambda: {s.value: StepStatus.NOT_STARTED.value for s in StepId})
    # 1. prerequisites
    org: str = ""
    api_base: str = DEFAULT_API_BASE
    has_sso_package: bool = False
    has_saml_edition: bool = False
    # 2. the JumpCloud application
    app_kind: str = "connector"  # "connector" | "custom"
    idp_url_value: str = ""
    display_name: str = "Pulumi"
    idp_url_acknowledged: bool = False
    # 3. SSO tab rows ticked by the admin
    ticked_rows: list[str] = field(default_factory=list)
    # 4. groups
    groups: list[str] = field(default_factory=list)
    # 5. metadata (public: an IdP's metadata holds no secret)
    metadata_path: str = ""
    metadata_xml: str = ""
    metadata_summary: dict[str, Any] = field(default_factory=dict)
    metadata_warnings: list[str] = field(default_factory=list)
    # 6. Pulumi
    pulumi_confirmed: bool = False
    pulumi_verification: str = ""  # "" | "confirmed by the admin, not verified" | "verified by API"
    # 7. sign in
    idp_initiated_ok: bool = False
    sp_initiated_ok: bool = False
    # 8. SCIM (the token is never kept)
    scim_base_url: str = ""  # "" = computed from the org and API base
    scim_skipped: bool = False
    scim_skip_reason: str = ""
    scim_verification: str = ""
    # 9. summary
    record_path: str = ""
    completed_at: str = ""

    def status(self, step: StepId) -> StepStatus:
        try:
            return StepStatus(self.steps.get(step.value, StepStatus.NOT_STARTED.value))
        except ValueError:
            return StepStatus.NOT_STARTED

    def set_status(self, step: StepId, status: StepStatus) -> None:
        self.steps[step.value] = status.value

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
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "WizardState":
        known = {f.name for f in fields(cls)}
        state = cls(**{k: v for k, v in data.items() if k in known})
        defaults = cls()
        # Type check each field against the default's type; a wrong type is corruption.
        for f in fields(cls):
            value, default = getattr(state, f.name), getattr(defaults, f.name)
            if not isinstance(value, type(default)):
                raise StateError(f"field {f.name!r} has the wrong type")
        for step in StepId:
            state.steps.setdefault(step.value, StepStatus.NOT_STARTED.value)
        return state


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


class StateStore:
    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory else default_state_dir()

    @property
    def path(self) -> Path:
        return self.directory / STATE_FILE

    @property
    def backup_path(self) -> Path:
        return self.directory / (STATE_FILE + ".bak")

    def load(self) -> LoadResult:
        path = self.path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return LoadResult(WizardState())
        except (OSError, UnicodeDecodeError) as exc:
            return self._set_aside(f"could not be read ({exc.__class__.__name__})")
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return self._set_aside("is not valid JSON")
        if not isinstance(data, dict):
            return self._set_aside("is not a saved wizard state")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            return self._set_aside(f"has schema version {version!r}; this version reads {SCHEMA_VERSION}")
        try:
            state = WizardState.from_dict(data)
        except (TypeError, StateError) as exc:
            return self._set_aside(f"is damaged ({exc})")
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
        write_atomic(self.path, state.to_json(), mode=0o600)

    def reset(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
