"""Reusable widgets."""

from screens.widgets.copy_value import CopyValue
from screens.widgets.field_error import FieldError
from screens.widgets.findings_view import FindingsView, place_findings
from screens.widgets.step_list import StepList

__all__ = ["CopyValue", "FieldError", "FindingsView", "StepList", "place_findings"]
