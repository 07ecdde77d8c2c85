"""Reusable widgets."""

from screens.widgets.copy_value import CopyValue
from screens.widgets.field_error import FieldError
from screens.widgets.findings_view import FindingsView, place_findings
from screens.widgets.fingerprint import fold_fingerprints
from screens.widgets.step_list import StepList
from screens.widgets.tick import Choice, Tick

__all__ = [
    "Choice",
    "CopyValue",
    "FieldError",
    "FindingsView",
    "StepList",
    "Tick",
    "fold_fingerprints",
    "place_findings",
]
