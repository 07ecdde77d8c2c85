"""One order for findings everywhere: what to fix first."""

from __future__ import annotations

from screens.widgets.findings_view import render_findings
from wizard.findings import error, in_reading_order, info, ok, warning


def test_problems_come_first_in_every_list():
    found = [
        ok("metadata.ok", "fine"),
        info("metadata.cert.expires", "note"),
        warning("metadata.cert.expiring", "careful"),
        error("metadata.cert.expired", "broken"),
        error("metadata.nameid.missing", "also broken"),
    ]
    order = [
        "metadata.cert.expired",
        "metadata.nameid.missing",
        "metadata.cert.expiring",
        "metadata.cert.expires",
        "metadata.ok",
    ]
    assert [f.code for f in in_reading_order(found)] == order
    lines = [line for line in render_findings(found).plain.splitlines() if not line.startswith("   →")]
    assert [line.split("[")[-1].rstrip("]") for line in lines] == order
