"""Times from outside at the edges of the calendar: a finding or a refusal, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.exports import GOOD_EXPORT
from wizard.clock import parse_utc
from wizard.metadata import check_metadata

_OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: f"{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}")


@given(
    st.sampled_from(["0001-01-01T00:00:00", "0001-01-01T13:59:59", "9999-12-31T23:59:59", "9999-12-31T10:00:00"]),
    _OFFSETS,
)
@settings(max_examples=200, deadline=None)
def test_parse_utc_refuses_what_falls_outside_the_calendar_in_utc(moment, offset):
    try:
        parsed = parse_utc(moment + offset)
    except ValueError as exc:
        assert "outside the years 1 to 9999" in str(exc)
    else:
        assert parsed.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_metadata_valid_until_at_the_edge_is_a_finding(value):
    data = GOOD_EXPORT.read_bytes().replace(
        b"<md:EntityDescriptor ", f'<md:EntityDescriptor validUntil="{value}" '.encode(), 1
    )
    report = check_metadata(data)
    assert "metadata.valid_until.unreadable" in [f.code for f in report.findings]
    assert report.ok  # a warning: the rest of the export is fine
