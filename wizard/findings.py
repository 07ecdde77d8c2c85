"""Finding: the one result type every check returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import Enum

from wizard.inert import inert


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OK = "ok"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1, "ok": 0}[self.value]


@dataclass(frozen=True)
class Finding:
    """A check's verdict on one thing.

    ``code`` is stable (tests, ``--json`` output and the troubleshooting
    catalogue refer to it); ``message`` says what is wrong in one line and
    ``fix`` what to do about it in JumpCloud or Pulumi.  ``field`` names the
    input a finding belongs to, so a screen can show it beside that input.
    """

    code: str
    severity: Severity
    message: str
    fix: str = ""
    field: str | None = None

    def __post_init__(self) -> None:
        # messages quote values from outside (a response, a file, an API answer): whatever
        # shows or prints a finding gets them inert, terminal escapes and bidi overrides
        # shown as \uXXXX (wizard.inert)
        for name in ("message", "fix"):
            text = getattr(self, name)
            if not text.isprintable():
                object.__setattr__(self, name, inert(text))

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, str]:
        data = asdict(self)
        data["severity"] = self.severity.value
        if data["field"] is None:
            del data["field"]
        return data


def error(code: str, message: str, fix: str = "", field: str | None = None) -> Finding:
    return Finding(code, Severity.ERROR, message, fix, field)


def warning(code: str, message: str, fix: str = "", field: str | None = None) -> Finding:
    return Finding(code, Severity.WARNING, message, fix, field)


def info(code: str, message: str, fix: str = "", field: str | None = None) -> Finding:
    return Finding(code, Severity.INFO, message, fix, field)


def ok(code: str, message: str, fix: str = "", field: str | None = None) -> Finding:
    return Finding(code, Severity.OK, message, fix, field)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


def in_reading_order(findings: Iterable[Finding]) -> list[Finding]:
    """The one order findings are shown in everywhere: errors, warnings, information,
    then what is fine; within each, what to fix first (the rank ``wizard.codes``
    declares with each code, ``Fix``), then the order they were found in.

    Sorting again gives the same order, so a screen may sort what a check sorted.
    """
    from wizard.codes import fix_rank  # wizard.codes imports this module

    return sorted(findings, key=lambda f: (-f.severity.rank, fix_rank(f.code)))
