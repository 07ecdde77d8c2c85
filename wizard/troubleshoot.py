"""Glue for the troubleshooting screen: a pasted response + the org + the exported metadata -> what to show.

The screen (``screens/troubleshoot.py``) holds no SAML rule: everything it shows
beside a diagnosis is decided here -

- which certificate the signature is checked against (the exported metadata's, when
  the wizard has one) and a one-line note saying so, or saying it could not be;
- the decoded summary as rows, each flagged value with what Pulumi (or the metadata)
  expects beside it, matched through ``Finding.field``;
- the catalogue entries that the findings' codes point to, filled in for the org;
- reading a response from a file the admin names;
- what the diagnosis is run against: a metadata file the admin names (step 5's export
  when none is) and the moment the response was captured (now when none is given).

No Textual import here.  Nothing here raises on bad input; a pasted response is
never written anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from wizard.clock import aware_now
from wizard.codes import finding
from wizard.files import FileKind, decode_text, read_named_file
from wizard.findings import Finding, Severity
from wizard.state import StepRecord, StepStatus

if TYPE_CHECKING:  # imported lazily: the screen module must stay cheap to import
    from wizard.catalogue import Entry
    from wizard.response import Diagnosis, ExpectedIdp

RESPONSE_FILE_CAP = 4 * 1024 * 1024  # a SAML-tracer export of a long session is a few MB at most

SUMMARY_LABELS: dict[str, str] = {
    "pasted_as": "Pasted as",
    "status": "Status",
    "issuer": "Issuer",
    "audience": "Audience",
    "destination": "Destination",
    "recipient": "Recipient",
    "nameid": "NameID",
    "nameid_format": "NameID format",
    "issue_instant": "Issued at",
    "not_before": "Not before",
    "not_on_or_after": "Not on or after",
    "in_response_to": "InResponseTo",
    "signed": "Signed",
    "signature_algorithm": "Signature algorithm",
    "digest_algorithm": "Digest algorithm",
    "signature_verified": "Signature verified",
    "certificate_sha256": "Certificate SHA-256",
}


@dataclass(frozen=True)
class SummaryRow:
    """One decoded value; ``expected`` is set when a warning or error finding flags it."""

    key: str
    label: str
    value: str
    expected: str = ""
    flagged: bool = False


@dataclass
class Troubleshooting:
    """Everything the troubleshooting screen shows after one diagnosis."""

    diagnosis: Diagnosis
    rows: list[SummaryRow] = field(default_factory=list)
    related: list[Entry] = field(default_factory=list)  # filled for the org
    metadata_note: str = ""
    signature_checked_against_metadata: bool = False
    catalogue_problem: str = ""

    # the Diagnosis' fields, for callers that only want those
    @property
    def findings(self) -> list[Finding]:
        return self.diagnosis.findings

    @property
    def summary(self) -> dict[str, str]:
        return self.diagnosis.summary

    @property
    def pretty_xml(self) -> str:
        return self.diagnosis.pretty_xml

    @property
    def encoding(self) -> str:
        return self.diagnosis.encoding

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.diagnosis.findings]


ENCODING_NAMES = {
    "xml": "raw XML",
    "base64": "base64 (POST binding)",
    "urlencoded-base64": "URL-encoded base64",
    "form": "a SAMLResponse=… form body",
    "deflate-base64": "base64 of DEFLATE (Redirect binding)",
    "saml-tracer": "a SAML-tracer export",
}


def describe_encoding(encoding: str) -> str:
    """'raw XML', 'a SAML-tracer export', ... ('' when nothing was decoded)."""
    return ENCODING_NAMES.get(encoding, "")


# ---------------------------------------------------------------------------
# the exported metadata

NO_METADATA_NOTE = (
    "No exported metadata in the wizard yet (step 5) and no metadata file named above: "
    "the signature could not be checked against the metadata."
)
STEP5_METADATA = "the metadata exported in step 5"
CHECKED_AGAINST = "Signature checked against"
NOT_CHECKED_AGAINST = "No signature in this paste could be checked against"


def _idp_from_metadata(
    metadata_xml: str, now: datetime | None, source: str = STEP5_METADATA
) -> tuple[ExpectedIdp | None, str]:
    """The IdP's entityID and certificates from the metadata (step 5's export, or the
    file named ``source``), and a note for the screen."""
    if not metadata_xml.strip():
        return None, NO_METADATA_NOTE
    from wizard.metadata import check_metadata
    from wizard.response import expected_idp_from_metadata

    named = source != STEP5_METADATA
    what = f"The metadata in {source}" if named else "The exported metadata"
    certificate = f"the certificate in {source}" if named else "the exported metadata's certificate"
    unchecked = "the signature could not be checked against the metadata."
    try:
        report = check_metadata(metadata_xml, now=now)
    except Exception as exc:  # a bug in the metadata checks must not hide the diagnosis
        return None, f"{what} could not be read ({exc.__class__.__name__}): {unchecked}"
    if report.metadata is None:
        why = report.findings[0].message if report.findings else "it is not IdP metadata"
        return None, f"{what} could not be read ({why.rstrip('.')}): {unchecked}"
    idp = expected_idp_from_metadata(report.metadata)
    if not idp.certificates_der:
        return idp, f"{what} has no signing certificate: {unchecked}"
    entity = f" (entityID {idp.entity_id})" if idp.entity_id else ""
    return idp, f"{CHECKED_AGAINST} {certificate}{entity}."


# ---------------------------------------------------------------------------
# what the diagnosis is run against: which metadata, as of when

TROUBLESHOOT_METADATA_FILE = FileKind(
    prefix="metadata.file",
    field="ts_metadata",
    ask="Enter the path of the metadata file.",
    none_fix="Clear the field to check against the metadata exported in step 5.",
    missing_fix="Check the path, or clear the field to check against the metadata exported in step 5.",
)


@dataclass(frozen=True)
class DiagnosisInputs:
    """The metadata and the moment a diagnosis is run against, or why they cannot be used."""

    metadata_xml: str = ""
    metadata_source: str = STEP5_METADATA  # in words, for the note under the input
    now: datetime | None = None  # None: the current time
    problems: tuple[Finding, ...] = ()  # each beside its field: ts_metadata, ts_at
    notes: tuple[Finding, ...] = ()  # warnings beside their field; the diagnosis still runs


def diagnosis_inputs(
    metadata_path: str,
    captured_at: str,
    step5_metadata_xml: str,
    *,
    now: datetime | None = None,
    step5: StepRecord | None = None,
) -> DiagnosisInputs:
    """Step 5's export unless a metadata file is named; now unless a capture time is given.

    A time without a zone is UTC (as the times in a SAML response are); one later than
    ``now`` (the clock) is refused: a response cannot have been captured then.
    ``step5`` is step 5's record: when it is reopened (the IdP URL value changed, say), its
    export may be the old app's, which is said beside the field."""
    from wizard.clock import parse_utc
    from wizard.steps import METADATA_CAP  # as step 5: the parser reports a bigger file as too large

    problems: list[Finding] = []
    at: datetime | None = None
    if captured_at.strip():
        try:
            at = parse_utc(captured_at)
        except ValueError:
            problems.append(
                finding(
                    "troubleshoot.at",
                    f"'{captured_at.strip()}' is not a date and time.",
                    "Write it as 2026-11-30 14:05 (UTC) or 2026-11-30T14:05:00+01:00, or clear it to use now.",
                    "ts_at",
                )
            )
    notes: tuple[Finding, ...] = ()
    if at is not None and at > aware_now(now) + timedelta(minutes=5):
        problems.append(
            finding(
                "troubleshoot.at.future",
                f"{at.strftime('%Y-%m-%d %H:%M')} UTC is later than now: a response cannot have been captured then.",
                "Check the date and that the time is in UTC (or give the offset, e.g. +01:00).",
                "ts_at",
            )
        )
    if not metadata_path.strip():
        if step5 is not None and step5.status is StepStatus.REOPENED and step5_metadata_xml.strip():
            why = step5.note.removeprefix("reopened: ")
            notes = (
                finding(
                    "troubleshoot.metadata.reopened",
                    f"Step 5 is reopened ({why}): its export, which the signature is checked against, "
                    "may no longer be the app's.",
                    "Export the metadata again on step 5, or name the new export here.",
                    "ts_metadata",
                ),
            )
        return DiagnosisInputs(step5_metadata_xml, STEP5_METADATA, at, tuple(problems), notes)
    data, read_problems = read_named_file(metadata_path, TROUBLESHOOT_METADATA_FILE, cap=METADATA_CAP)
    if data is None:
        return DiagnosisInputs("", metadata_path.strip(), at, (*problems, *read_problems), notes)
    text = decode_text(data) or data.decode("utf-8", errors="replace")
    return DiagnosisInputs(text, metadata_path.strip(), at, tuple(problems), notes)


# ---------------------------------------------------------------------------
# expected values beside flagged ones


def _expected_values(org: str, api_base: str, idp: ExpectedIdp | None, now: datetime) -> dict[str, str]:
    from wizard.response import fingerprint
    from wizard.values import NAMEID_EMAIL, org_values

    values = org_values(org, api_base)
    moment = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    expected = {
        "audience": values.sp_entity_id,
        "destination": values.acs_url,
        "recipient": values.acs_url,
        "nameid": "the user's email address (SAMLSubject NameID = email)",
        "nameid_format": NAMEID_EMAIL,
        "not_before": f"not after {moment} (+5 min of clock skew)",
        "not_on_or_after": f"later than {moment} (-5 min of clock skew)",
        "issue_instant": f"close to {moment}",
        "signature_algorithm": "rsa-sha256, verifying with the metadata certificate",
        "digest_algorithm": "sha256",
        "signature_verified": "yes",
        "in_response_to": f"set (SP-initiated), or Default RelayState {values.relay_state}",
        "status": "Success",
        "signed": "assertion",
    }
    if idp is not None and idp.entity_id:
        expected["issuer"] = idp.entity_id
    if idp is not None and idp.certificates_der:
        expected["certificate_sha256"] = fingerprint(idp.certificates_der[0]) + " (metadata)"
    return expected


def summary_rows(diagnosis: Diagnosis, expected: dict[str, str]) -> list[SummaryRow]:
    """The summary in display order: every decoded value, and every flagged one (even when empty)."""
    flagged = {f.field for f in diagnosis.findings if f.field and f.severity in (Severity.ERROR, Severity.WARNING)}
    keys = list(SUMMARY_LABELS) + [k for k in diagnosis.summary if k not in SUMMARY_LABELS]
    values = dict(diagnosis.summary, pasted_as=describe_encoding(diagnosis.encoding))
    rows: list[SummaryRow] = []
    for key in keys:
        value = values.get(key, "") or ""
        is_flagged = key in flagged
        if not value and not is_flagged:
            continue
        rows.append(
            SummaryRow(
                key=key,
                label=SUMMARY_LABELS.get(key, key.replace("_", " ").capitalize()),
                value=value or "(none)",
                expected=expected.get(key, "") if is_flagged else "",
                flagged=is_flagged,
            )
        )
    return rows


def related_entries(findings: list[Finding], *, org: str, api_base: str) -> tuple[list[Entry], str]:
    """Catalogue entries the problem findings point to, filled for the org; and a problem, if any.

    In the findings' reading order (fix first), each finding's entries in the order its
    code declares them: what to act on first is looked up first."""
    from wizard.findings import in_reading_order

    problems = [f for f in in_reading_order(findings) if f.severity in (Severity.ERROR, Severity.WARNING)]
    codes = list(dict.fromkeys(f.code for f in problems))
    if not codes:
        return [], ""
    try:
        from wizard.catalogue import entries_for_response, load_catalogue

        entries = entries_for_response(load_catalogue(), codes)
    except Exception as exc:  # a packaging problem: say so, keep the diagnosis
        return [], f"The troubleshooting catalogue could not be read: {exc}"
    return [e.filled(org=org, api_base=api_base) for e in entries], ""


def search_catalogue(query: str, *, org: str, api_base: str) -> tuple[list[Entry], int]:
    """Catalogue entries matching every word of ``query``, filled for the org, and the catalogue's size.

    Entries whose title holds more of the words come first (then the file's order).
    Raises ``wizard.catalogue.CatalogueError`` / ``OSError`` when the shipped file is broken.
    """
    from wizard.catalogue import load_catalogue, search

    catalogue = load_catalogue()
    found = search(catalogue, query)
    words = [w.strip("\"'“”‘’").casefold() for w in query.split()]
    ranked = sorted(found, key=lambda e: -sum(w in e.title.casefold() for w in words))
    return [e.filled(org=org, api_base=api_base) for e in ranked], len(catalogue)


# ---------------------------------------------------------------------------
# the one call the screen makes (in a worker thread)


def diagnose_for_org(
    text: str | bytes,
    *,
    org: str,
    api_base: str,
    metadata_xml: str = "",
    now: datetime | None = None,
    metadata_source: str = STEP5_METADATA,
) -> Troubleshooting:
    """Diagnose ``text`` for ``org``; never raises for bad input (an unusable org is a finding)."""
    from wizard.response import SUMMARY_KEYS, Diagnosis, diagnose
    from wizard.values import DEFAULT_API_BASE, api_base_problem, org_problem

    now = aware_now(now)
    problem = org_problem(org)
    if problem:
        return Troubleshooting(
            Diagnosis(
                [
                    finding(
                        "troubleshoot.org",
                        problem,
                        "Enter the organisation name as it appears in Pulumi's URLs.",
                        "org",
                    )
                ],
                dict.fromkeys(SUMMARY_KEYS, ""),
            )
        )
    if api_base_problem(api_base or ""):
        api_base = DEFAULT_API_BASE
    idp, note = _idp_from_metadata(metadata_xml, now, metadata_source)
    diagnosis = diagnose(text, org=org, api_base=api_base, idp=idp, now=now)
    _ = diagnosis.pretty_xml  # built on first use: here, in the worker thread, not when the screen draws
    related, catalogue_problem = related_entries(diagnosis.findings, org=org, api_base=api_base)
    # "checked" only when a signature was: not for a paste that is no signed response
    checked = bool(idp and idp.certificates_der) and diagnosis.summary.get("signature_verified") in ("yes", "no")
    if idp and idp.certificates_der and not checked:
        note = note.replace(CHECKED_AGAINST, NOT_CHECKED_AGAINST, 1)
    return Troubleshooting(
        diagnosis=diagnosis,
        rows=summary_rows(diagnosis, _expected_values(org, api_base, idp, now)),
        related=related,
        metadata_note=note,
        signature_checked_against_metadata=checked,
        catalogue_problem=catalogue_problem,
    )


# ---------------------------------------------------------------------------
# a response saved to a file

RESPONSE_FILE = FileKind(
    prefix="response.file",
    field="response_path",
    ask="Enter the path of the file holding the SAML response.",
    none_fix="Save the SAMLResponse value, the decoded XML or a SAML-tracer export to a file.",
    missing_fix="Check the path.",
)


def read_response_file(path_text: str, *, cap: int = RESPONSE_FILE_CAP) -> tuple[str | None, list[Finding]]:
    """The text of a saved response (any encoding the diagnosis accepts), or why it cannot be read."""
    data, problems = read_named_file(path_text, RESPONSE_FILE, cap=cap)
    if data is None:
        return None, problems
    if len(data) > cap:
        return None, [
            finding(
                "response.file.too_large",
                f"{path_text.strip()} is larger than {cap // (1024 * 1024)} MB; a SAML response is a few kilobytes.",
                "Save only the SAMLResponse value, or export just the sign-in from SAML-tracer.",
                "response_path",
            )
        ]
    # Undecodable bytes still go to the diagnosis, which then says what they look like.
    return decode_text(data) or data.decode("latin-1"), []


__all__ = [
    "NO_METADATA_NOTE",
    "RESPONSE_FILE_CAP",
    "STEP5_METADATA",
    "SUMMARY_LABELS",
    "DiagnosisInputs",
    "SummaryRow",
    "Troubleshooting",
    "describe_encoding",
    "diagnose_for_org",
    "diagnosis_inputs",
    "read_response_file",
    "related_entries",
    "search_catalogue",
    "summary_rows",
]
