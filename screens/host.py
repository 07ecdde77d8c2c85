"""What a screen may ask of the app that hosts it (``screens.app.WizardApp``).

Screens are typed against this, not against the app, so that the app can import
the screens without the screens importing the app.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from wizard.state import StepId, WizardState
from wizard.values import OrgValues


class WizardHost(Protocol):
    state: WizardState  # read only: screens post messages, the app changes the state
    network_timeout: float
    poll_interval: float
    jumpcloud_key: str  # in memory for the session only (JUMPCLOUD_API_KEY or step 1)
    jumpcloud_key_source: str  # where it came from, in words ("" without one)
    steps_folded: bool | None  # the admin's choice (ctrl+l); None: folded below 100 columns

    @property
    def values(self) -> OrgValues: ...

    def now(self) -> datetime: ...

    def export_folders(self) -> list[Path]: ...

    def diagnose(
        self,
        text: str,
        org: str,
        api_base: str,
        metadata_xml: str,
        *,
        at: datetime | None = None,
        metadata_source: str | None = None,
    ) -> Any: ...

    def go_back(self, step: StepId) -> None: ...

    def go_to(self, step: StepId) -> None: ...

    def first_screen_painted(self) -> None: ...

    def action_troubleshoot(self) -> None: ...

    def action_rotate(self) -> None: ...
