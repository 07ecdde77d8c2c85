"""One order for findings everywhere: what to fix first."""

from __future__ import annotations

from screens.widgets.findings_view import render_findings
from wizard.findings import error, in_reading_order, info, ok, warning


def test_problems_come_first_in_every_list():
    found = [ok("a.ok", "fine"), info("b.info", "note"), warning("c.warn", "careful"), error("d.err", "broken"),
             error("e.err", "also broken")]
    assert [f.code for f in in_reading_order(found)] == ["d.err", "e.err", "c.warn", "b.info", "a.ok"]
    lines = [line for line in render_findings(found).plain.splitlines() if not line.startswith("   →")]
    assert [line.split("[")[-1].rstrip("]") for line in lines] == ["d.err", "e.err", "c.warn", "b.info", "a.ok"]
