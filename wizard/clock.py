"""Time, one way for every check: ISO 8601 text as an aware UTC datetime, and "now"."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_utc(text: str) -> datetime:
    """ISO 8601 / RFC 3339 ``text`` (``Z`` or ``z`` for UTC) as an aware UTC datetime;
    a time without a zone is taken as UTC.  Raises ValueError when it is not one."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00: before year 1 in UTC
        raise ValueError(f"{text!r} is outside the years 1 to 9999 in UTC") from None


def aware_now(now: datetime | None = None) -> datetime:
    """``now`` as the checks use it: the current time when None, a naive one taken as UTC."""
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)
