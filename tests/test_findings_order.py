"""One order for findings everywhere: what to fix first."""

from __future__ import annotations

from screens.widgets.findings_view import render_findings
from wizard.codes import Fix, finding, fix_rank
from wizard.findings import error, in_reading_order, info, ok, warning
from wizard.response import RESPONSE_CODES


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


# ---- a SAML response's findings: what to fix first ---------------------------------------


def _response_finding(code: str):
    return finding(code, f"message of {code}", f"fix of {code}")


# one error per fix-first rank, in the order the admin should act on them
FIX_FIRST = [
    "response.signature.wrapping",  # CAPTURE: not the response JumpCloud made
    "response.status",  # STATUS: JumpCloud refused, or said nothing
    "response.audience.mismatch",  # APP: the values typed on the SSO tab in step 3
    "response.nameid.format",  # SETTINGS: the SSO tab's other settings
    "response.cert.mismatch",  # METADATA: compared with the metadata, follows from the above
    "response.time.expired",  # CLOCK
]


def test_response_errors_come_in_fix_first_order_whatever_order_they_were_found_in():
    found = [_response_finding(code) for code in reversed(FIX_FIRST)]
    assert [f.code for f in in_reading_order(found)] == FIX_FIRST
    # in the rules' order (certificate and signature checked before the Audience) the Audience
    # still comes first; the metadata comparisons keep the order they were found in
    rules_order = [
        "response.cert.mismatch",
        "response.signature.invalid",
        "response.issuer.mismatch",
        "response.audience.mismatch",
    ]
    assert [f.code for f in in_reading_order(map(_response_finding, rules_order))] == [
        "response.audience.mismatch",
        "response.cert.mismatch",
        "response.signature.invalid",
        "response.issuer.mismatch",
    ]


def test_severity_comes_before_the_fix_first_rank():
    found = [
        _response_finding("response.inresponseto.idp_initiated"),  # info, SETTINGS
        _response_finding("response.time.unreadable"),  # warning, CLOCK
        _response_finding("response.time.expired"),  # error, CLOCK
        _response_finding("response.status"),  # error, STATUS
    ]
    assert [f.code for f in in_reading_order(found)] == [
        "response.status",
        "response.time.expired",
        "response.time.unreadable",
        "response.inresponseto.idp_initiated",
    ]


def test_within_one_rank_and_for_codes_without_one_the_order_found_is_kept():
    found = [
        error("metadata.nameid.missing", "b"),
        _response_finding("response.signature.invalid"),
        error("demo.undeclared", "c"),  # a code wizard.codes does not know
        _response_finding("response.cert.mismatch"),
        error("metadata.cert.expired", "a"),
    ]
    order = [f.code for f in in_reading_order(found)]
    assert order == [
        "response.signature.invalid",
        "response.cert.mismatch",
        "metadata.nameid.missing",
        "demo.undeclared",
        "metadata.cert.expired",
    ]
    # sorting again (a screen sorts what a check sorted) changes nothing
    assert [f.code for f in in_reading_order(in_reading_order(found))] == order


def test_every_response_code_declares_its_fix_first_rank():
    unranked = {code for code in RESPONSE_CODES if fix_rank(code) is Fix.UNRANKED}
    assert unranked == {"response.ok"}
    assert fix_rank("response.audience.mismatch") < fix_rank("response.cert.mismatch")
    assert fix_rank("response.status") < fix_rank("response.audience.mismatch")
    assert fix_rank("no.such.code") is Fix.UNRANKED


def test_the_findings_view_shows_a_diagnosis_in_fix_first_order():
    found = [_response_finding(code) for code in reversed(FIX_FIRST)]
    lines = [line for line in render_findings(found).plain.splitlines() if not line.startswith("   →")]
    assert [line.split("[")[-1].rstrip("]") for line in lines] == FIX_FIRST
