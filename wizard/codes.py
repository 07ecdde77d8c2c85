"""Every finding code the wizard emits, declared once: its severity, the entries of the
troubleshooting catalogue (``assets/troubleshooting.json``) that explain it, and how
soon to act on it (``Fix``, the fix-first rank ``wizard.findings.in_reading_order``
sorts by within a severity).

Codes are part of the interface: the sub-commands' ``--json`` output, the tests and the
catalogue refer to them, so a code is never renamed.  A check makes a finding with
:func:`finding`, which takes the severity from here; adding a check's outcome is a row
here and a call there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

from wizard.findings import Finding, Severity

_E, _W, _I, _OK = Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.OK


class Fix(IntEnum):
    """What to act on first, within a severity: the lower, the sooner.

    Findings are shown by severity, then by this rank, then in the order they were
    found (``wizard.findings.in_reading_order``).  The ranks order a SAML response's
    findings (why, in ``wizard.response``); a code without one keeps the order it was
    found in, after the ranked ones.
    """

    CAPTURE = 1  # the paste is not one response as JumpCloud made it: everything else is read from it
    STATUS = 2  # JumpCloud's Status: it refused the sign-in (the cause is the fix), or there is none
    APP = 3  # the values typed on the SSO tab (step 3) that name the app a response is for
    SETTINGS = 4  # the SSO tab's other settings: encryption, signature algorithm, NameID, RelayState
    METADATA = 5  # the response against the metadata: Issuer, certificate, signature
    CLOCK = 6  # the times: a clock, or an old capture
    UNRANKED = 7  # in the order found


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    catalogue: tuple[str, ...] = ()  # ids of the catalogue entries that explain it
    fix_first: Fix = Fix.UNRANKED  # how soon to act on it, within its severity
    # the entries instead when the finding is about a pasted SAML response (the one XML
    # parser reads both: a response cut short is not metadata Pulumi refused)
    in_response: tuple[str, ...] | None = None
    # codes that, found with this one, explain it: its entries are then not shown (theirs are)
    explained_by: tuple[str, ...] = ()


def _index(*codes: Code) -> Mapping[str, Code]:
    table = {c.code: c for c in codes}
    assert len(table) == len(codes), "a code is declared twice"
    return table


REGISTRY: Mapping[str, Code] = _index(
    # xml: the one hardened XML parser (wizard/xmlsafe.py)
    Code("xml.empty", _E, ("metadata-refused",), in_response=("wrong-paste",)),
    Code("xml.forbidden", _E, ("metadata-refused",), in_response=("wrong-paste",)),
    Code("xml.malformed", _E, ("metadata-refused",), in_response=("wrong-paste",)),
    Code("xml.not_xml", _E, ("wrong-paste",)),
    Code("xml.too_large", _E, ("wrong-paste",)),
    # metadata: JumpCloud's exported IdP metadata (wizard/metadata.py, wizard/steps.py)
    Code("metadata.cert.expired", _E, ("expired-certificate",)),
    Code("metadata.cert.expires", _I),
    Code("metadata.cert.expiring", _W, ("expired-certificate",)),
    Code("metadata.cert.missing", _E, ("metadata-refused",)),
    Code("metadata.cert.not_yet_valid", _E),
    Code("metadata.cert.unreadable", _E, ("metadata-refused",)),
    Code("metadata.cert.weak_key", _W),
    Code("metadata.entityid.missing", _E, ("metadata-refused", "issuer-mismatch")),
    Code("metadata.entityid.placeholder", _W, ("issuer-mismatch",)),
    Code("metadata.entityid.mismatch", _E, ("issuer-mismatch",)),
    Code("metadata.file.encoding", _E),
    Code("metadata.file.is_dir", _E),
    Code("metadata.file.missing", _E),
    Code("metadata.file.none", _E),
    Code("metadata.nameid.missing", _E, ("nameid-format-invalid",)),
    Code("metadata.nameid.unsupported", _E, ("nameid-format-invalid",)),
    Code("metadata.no_idp_descriptor", _E, ("metadata-refused", "sso-binding-not-found")),
    Code("metadata.none", _E),
    Code("metadata.not_metadata", _E, ("metadata-refused",)),
    Code("metadata.ok", _OK),
    Code("metadata.protocol.missing", _E),
    Code("metadata.sso.missing", _E, ("sso-binding-not-found",)),
    Code("metadata.sso.not_https", _E, ("wrong-idp-url",)),
    Code("metadata.sso.not_jumpcloud", _W, ("wrong-idp-url",)),
    Code("metadata.sso.slug_mismatch", _E, ("wrong-idp-url",)),
    Code("metadata.valid_until.past", _E),
    Code("metadata.valid_until.unreadable", _W),
    Code("metadata.warnings.unacknowledged", _E),
    # response: a SAML response pasted for diagnosis (wizard/response_*.py), ranked fix-first
    Code("response.assertion.count", _E, ("tampered-response",), Fix.CAPTURE),
    Code("response.audience.mismatch", _E, ("audience-mismatch",), Fix.APP),
    Code("response.cert.expired", _E, ("expired-certificate",), Fix.METADATA),
    Code("response.cert.mismatch", _E, ("signature-invalid-after-rotation",), Fix.METADATA),
    Code("response.cert.not_yet_valid", _E, ("clock-skew",), Fix.METADATA),
    Code("response.destination.mismatch", _E, ("acs-mismatch",), Fix.APP),
    Code("response.encrypted", _E, ("encrypted-assertion",), Fix.SETTINGS),
    Code("response.file.is_dir", _E),
    Code("response.file.missing", _E),
    Code("response.file.none", _E),
    Code("response.file.too_large", _E),
    Code("response.inresponseto.idp_initiated", _I, ("idp-initiated-no-relaystate",), Fix.SETTINGS),
    Code("response.issuer.mismatch", _E, ("issuer-mismatch",), Fix.METADATA),
    Code("response.nameid.comment", _E, ("tampered-response",), Fix.CAPTURE),
    Code("response.nameid.format", _E, ("nameid-format-invalid",), Fix.SETTINGS),
    Code("response.nameid.missing", _E, ("nameid-not-email",), Fix.SETTINGS),
    Code("response.nameid.not_email", _E, ("nameid-not-email",), Fix.SETTINGS),
    Code("response.not_decodable", _E, ("wrong-paste",), Fix.CAPTURE),
    Code("response.not_response", _E, ("wrong-paste",), Fix.CAPTURE),
    Code("response.ok", _OK),
    Code("response.recipient.mismatch", _E, ("acs-mismatch",), Fix.APP),
    # edited after signing (a digest mismatch) is the likelier cause once the certificate
    # matches; when it does not, response.cert.mismatch explains it (and points to rotation)
    Code(
        "response.signature.invalid",
        _E,
        ("tampered-response", "signature-invalid-after-rotation"),
        Fix.METADATA,
        explained_by=("response.cert.mismatch",),
    ),
    Code("response.signature.missing", _E, ("unsigned-response",), Fix.SETTINGS),
    Code("response.signature.sha1", _E, ("sha1-signature",), Fix.SETTINGS),
    Code("response.signature.unchecked", _E, (), Fix.METADATA),
    Code("response.signature.wrapping", _E, ("tampered-response",), Fix.CAPTURE),
    Code("response.status", _E, ("user-not-in-group", "sign-in-error-status"), Fix.STATUS),
    Code("response.value.split", _E, ("tampered-response",), Fix.CAPTURE),
    Code("response.time.expired", _E, ("clock-skew",), Fix.CLOCK),
    Code("response.time.not_yet_valid", _E, ("clock-skew",), Fix.CLOCK),
    Code("response.time.unreadable", _W, ("clock-skew",), Fix.CLOCK),
    # troubleshoot: the troubleshooting screen's own input
    Code("troubleshoot.org", _E),
    Code("troubleshoot.at", _E),
    Code("troubleshoot.at.future", _E),
    Code("troubleshoot.metadata.reopened", _W),
    # jumpcloud: JumpCloud's admin API (wizard/jumpcloud.py; transport outcomes from wizard/transport.py)
    Code("jumpcloud.app.ambiguous", _E),
    Code("jumpcloud.app.created", _OK),
    Code("jumpcloud.app.created_elsewhere", _E),
    Code("jumpcloud.app.exists", _E),
    Code("jumpcloud.app.inactive", _E, ("user-not-in-group",)),
    Code("jumpcloud.app.not_found", _E, ("wrong-idp-url",)),
    Code("jumpcloud.bad_key", _E),
    Code("jumpcloud.bad_request", _E),
    Code("jumpcloud.bad_response", _E),
    Code("jumpcloud.bad_url", _E),
    Code("jumpcloud.cert.expired", _E, ("expired-certificate",)),
    Code("jumpcloud.cert.expiring", _W, ("expired-certificate",)),
    Code("jumpcloud.fix.applied", _OK),
    Code("jumpcloud.fix.declined", _E),
    Code("jumpcloud.fix.needs_confirmation", _E),
    Code("jumpcloud.fix.not_applied", _E),
    Code("jumpcloud.fix.nothing", _I),
    Code("jumpcloud.fix.stale", _E),
    Code("jumpcloud.fix.unconfirmed", _W),
    Code("jumpcloud.forbidden", _E),
    Code("jumpcloud.groups.bound", _OK),
    Code("jumpcloud.groups.none", _E, ("user-not-in-group",)),
    Code("jumpcloud.groups.not_bound", _E),
    Code("jumpcloud.groups.unknown", _E),
    Code("jumpcloud.http_error", _E),
    Code("jumpcloud.idp_entity_id.missing", _E, ("issuer-mismatch",)),
    Code("jumpcloud.idp_entity_id.placeholder", _W, ("issuer-mismatch",)),
    Code("jumpcloud.idp_entity_id.pulumi_url", _W, ("issuer-mismatch",)),
    Code("jumpcloud.metadata.unavailable", _W),
    Code("jumpcloud.network", _E),
    Code("jumpcloud.no_key", _E),
    Code("jumpcloud.not_found", _E),
    Code("jumpcloud.ok", _OK),
    Code("jumpcloud.org_id_needed", _E),
    Code("jumpcloud.rate_limited", _E),
    Code("jumpcloud.server_error", _E),
    Code("jumpcloud.sso.mismatch", _E, ("acs-mismatch", "audience-mismatch")),
    Code("jumpcloud.sso.unchecked", _W),
    Code("jumpcloud.template.not_found", _E),
    Code("jumpcloud.unauthorized", _E),
    Code("jumpcloud.unexpected", _E),
    Code("jumpcloud.unreachable", _E),
    Code("jumpcloud.unsigned", _E, ("unsigned-response",)),
    # pulumi: Pulumi Cloud's REST API (wizard/pulumi_api.py; transport outcomes from wizard/transport.py)
    Code("pulumi.bad_org", _E),
    Code("pulumi.bad_request", _E),
    Code("pulumi.org.already_saml", _W),
    Code("pulumi.org.case", _E, ("audience-mismatch",)),
    Code("pulumi.org.not_admin", _E),
    Code("pulumi.org.not_found", _E),
    Code("pulumi.org.not_saml", _E, ("cannot-switch-to-saml",)),
    Code("pulumi.org.ready", _OK),
    Code("pulumi.org.saml_unavailable", _E, ("cannot-switch-to-saml",)),
    Code("pulumi.org.scim_unavailable", _W),
    Code("pulumi.scim.team_name_too_long", _W),
    Code("pulumi.scim.teams_missing", _W),
    Code("pulumi.scim.teams_ok", _OK),
    Code("pulumi.signin.failed", _W),
    Code("pulumi.signin.no_audit_logs", _I),
    Code("pulumi.signin.seen", _OK),
    Code("pulumi.bad_response", _E),
    Code("pulumi.bad_token", _E),
    Code("pulumi.bad_url", _E),
    Code("pulumi.cert.expired", _E),
    Code("pulumi.cert.expiring", _W),
    Code("pulumi.cert.ok", _OK),
    Code("pulumi.cert.unknown", _W),
    Code("pulumi.descriptor_unreadable", _W),
    Code("pulumi.dns", _E),
    Code("pulumi.forbidden", _E),
    Code("pulumi.http_error", _E),
    Code("pulumi.mismatch.certificate", _E),
    Code("pulumi.mismatch.entity_id", _E),
    Code("pulumi.mismatch.nameid_format", _E),
    Code("pulumi.mismatch.sso_url", _E),
    Code("pulumi.mismatch.valid_until", _E),
    Code("pulumi.network", _E),
    Code("pulumi.no_token", _E),
    Code("pulumi.not_compared", _I),
    Code("pulumi.not_configured", _E),
    Code("pulumi.not_found", _E),
    Code("pulumi.not_verified", _W),
    Code("pulumi.rate_limited", _E),
    Code("pulumi.refused", _E),
    Code("pulumi.saml_admins", _I),
    Code("pulumi.saml_admins.none", _W),
    Code("pulumi.saml_admins.unavailable", _W),
    Code("pulumi.server_error", _E),
    Code("pulumi.timeout", _E),
    Code("pulumi.tls", _E),
    Code("pulumi.unauthorized", _E),
    Code("pulumi.unexpected", _E),
    Code("pulumi.valid_until_unreadable", _W),
    Code("pulumi.validation_error", _E),
    Code("pulumi.verified", _OK),
    # rotate: certificate rotation (wizard/rotation.py, wizard/pulumi_step.py)
    Code("rotate.compare_first", _E),
    Code("rotate.declined", _E),
    Code("rotate.entity_id_changed", _W),
    Code("rotate.live", _OK),
    Code("rotate.metadata_invalid", _E),
    Code("rotate.nameid_format_changed", _W),
    Code("rotate.needs_confirmation", _E),
    Code("rotate.no_file", _E),
    Code("rotate.no_metadata", _E),
    Code("rotate.not_live", _E),
    Code("rotate.not_ready", _E),
    Code("rotate.old_certificate_unknown", _I),
    Code("rotate.older_certificate", _W),
    Code("rotate.ready", _OK),
    Code("rotate.same_certificate", _W),
    Code("rotate.sso_url_mismatch", _E),
    Code("rotate.unchanged", _W),
    Code("rotate.unconfirmed", _W),
    Code("rotate.unconfirmed_by_admin", _E),
    # scim: the SCIM token probe (wizard/scim.py; transport outcomes from wizard/transport.py)
    Code("scim.bad_request", _E),
    Code("scim.bad_token", _E, ("scim-token-refused",)),
    Code("scim.dns", _E),
    Code("scim.forbidden", _E, ("scim-token-refused",)),
    Code("scim.invalid_url", _E),
    Code("scim.network", _E),
    Code("scim.no_token", _E),
    Code("scim.no_users_yet", _I),
    Code("scim.not_found", _E, ("scim-token-refused",)),
    Code("scim.not_scim", _E),
    Code("scim.ok", _OK),
    Code("scim.rate_limited", _E),
    Code("scim.redirect", _E),
    Code("scim.refused", _E),
    Code("scim.retried", _I),
    Code("scim.server_error", _E),
    Code("scim.timeout", _E),
    Code("scim.tls", _E),
    Code("scim.unauthorized", _E, ("scim-token-refused",)),
    Code("scim.unexpected", _E),
    # step: the wizard's step gates (wizard/steps.py, wizard/pulumi_step.py)
    Code("step.api_base.invalid", _E),
    Code("step.app.acknowledge", _E),
    Code("step.app.display_name", _E),
    Code("step.app.idp_url_value", _E),
    Code("step.app.kind", _E),
    Code("step.groups.none", _E),
    Code("step.groups.case_only", _I),
    Code("step.jumpcloud_url", _E),
    Code("step.groups.too_long", _E),
    Code("step.ok", _OK),
    Code("step.org.invalid", _E),
    Code("step.prereq.saml_edition", _E, ("cannot-switch-to-saml",)),
    Code("step.prereq.sso_package", _E, ("no-sso-package",)),
    Code("step.pulumi.applied", _E),
    Code("step.pulumi.checklist", _E),
    Code("step.pulumi.mismatch", _E),
    Code("step.record.exists", _W),
    Code("step.record.path", _E),
    Code("step.scim.confirm", _E),
    Code("step.scim.failed", _E),
    Code("step.scim.reason", _E),
    Code("step.signin.idp", _E),
    Code("step.signin.sp", _E),
    Code("step.sso_tab.unticked", _E),
    Code("step.sso_tab.idp_entity_id", _E),
    Code("step.summary.incomplete", _E),
    Code("step.summary.unwritten", _E),
)


def finding(code: str, message: str, fix: str = "", field: str | None = None) -> Finding:
    """A finding of ``code``, with the severity the registry declares for it."""
    return Finding(code, REGISTRY[code].severity, message, fix, field)


def fix_rank(code: str) -> Fix:
    """How soon to act on a finding of ``code`` within its severity (``Fix.UNRANKED`` for a code
    not declared here)."""
    declared = REGISTRY.get(code)
    return declared.fix_first if declared is not None else Fix.UNRANKED


def catalogue_links() -> dict[str, tuple[str, ...]]:
    """Catalogue entry id -> the codes that detect what it describes (in metadata or a response)."""
    links: dict[str, list[str]] = {}
    for code in REGISTRY.values():
        for entry in dict.fromkeys((*code.catalogue, *(code.in_response or ()))):
            links.setdefault(entry, []).append(code.code)
    return {entry: tuple(codes) for entry, codes in links.items()}


def response_catalogue(code: str) -> tuple[str, ...]:
    """The catalogue entries that explain ``code`` found in a pasted SAML response."""
    declared = REGISTRY.get(code)
    if declared is None:
        return ()
    return declared.catalogue if declared.in_response is None else declared.in_response
