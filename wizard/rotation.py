"""Certificate rotation: plan (old vs new, checks) and apply (PATCH, then a fresh GET).

Plain functions shared by the ``rotate`` command and the wizard's rotation screen:

    report = check_metadata(new_xml)
    plan = precheck_rotation(report, new_xml=new_xml)  # the file alone, before any request
    if plan is None:  # the file passes: only now ask Pulumi what it has
        plan = plan_rotation(current_saml, report, new_xml=new_xml)
    # show plan.rows and plan.findings, ask for an explicit confirmation, then
    result = await apply_rotation(client, org, plan)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from wizard.codes import finding
from wizard.findings import Finding, has_errors
from wizard.where import here

if TYPE_CHECKING:  # httpx, lxml and cryptography stay out of `rotate --help`, which shows JUMPCLOUD_STEPS
    from wizard.metadata import Certificate, MetadataReport
    from wizard.pulumi_api import ApiResult, PulumiClient, SamlOrganization

# JumpCloud's own steps (jumpcloud.com/support/rotate-sso-certs); the menu moved between
# "USER AUTHENTICATION > SSO" and "Access > SSO Applications" over the years.
JUMPCLOUD_STEPS: tuple[str, ...] = (
    "In the JumpCloud Admin Portal open Access > SSO Applications (older consoles: "
    "User Authentication > SSO) and select your Pulumi application.",
    "Click the small triangle next to 'IDP Certificate Valid' and choose 'Regenerate certificate', "
    "then Continue and Save (the private key is regenerated with it).",
    "From this moment JumpCloud signs with the new certificate and Pulumi rejects sign-ins "
    "until it has the new metadata: do the next steps right away.",
    "On the application's SSO tab click Export Metadata and save the file.",
    "Give that file to this rotation (it is checked, compared with what Pulumi has, and sent "
    "to Pulumi only after you confirm).",
)


@dataclass(frozen=True)
class DiffRow:
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass
class RotationPlan:
    findings: list[Finding]
    rows: list[DiffRow]
    new_descriptor_xml: str | None = field(default=None, repr=False)
    new_fingerprint: str | None = None
    new_not_after: datetime | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings) and self.new_fingerprint is not None

    @property
    def changes_certificate(self) -> bool:
        return any(r.label == "Certificate SHA-256" and r.changed for r in self.rows)

    @property
    def unchanged(self) -> bool:
        """The new file has the certificate Pulumi already uses: there is nothing to rotate."""
        return any(f.code == "rotate.same_certificate" for f in self.findings)


def unchanged_finding(plan: RotationPlan) -> Finding:
    """The outcome when there is nothing to rotate: nothing is sent to Pulumi."""
    others = [r.label for r in plan.rows if r.changed]
    also = (
        f" The other differences ({', '.join(others)}) are not sent either: rotate replaces the certificate."
        if others
        else ""
    )
    return finding(
        "rotate.unchanged",
        "Nothing was sent: Pulumi already uses this certificate"
        + (f" (SHA-256 {plan.new_fingerprint})" if plan.new_fingerprint else "")
        + "."
        + also,
        "Regenerate the certificate in JumpCloud (SSO tab), export the metadata again and rotate with that file.",
        field="certificate",
    )


def _cert_rows(cert: Certificate | None, now: datetime) -> dict[str, str]:
    from wizard.pulumi_api import days_left, format_time

    if cert is None:
        return {"Certificate SHA-256": "none", "Valid from": "", "Valid until": "", "Subject": ""}
    until = format_time(cert.not_after)
    if cert.not_after is not None:
        left = days_left(cert.not_after, now)
        until += f" ({left} days left)" if left >= 0 else " (expired)"
    return {
        "Certificate SHA-256": cert.sha256_fingerprint or "none",
        "Valid from": format_time(cert.not_before),
        "Valid until": until,
        "Subject": cert.subject or "",
    }


def precheck_rotation(new_report: MetadataReport, *, new_xml: str | None = None) -> RotationPlan | None:
    """What can be said of a new export without Pulumi: a refused plan (its metadata
    errors, e.g. an empty file, not XML or an expired certificate; no rows) when it fails
    the metadata checks, None when it may be compared with what Pulumi has.

    Run it before any request, so that a bad file is reported as such even when Pulumi
    cannot be reached."""
    if new_report.ok and new_report.metadata is not None:
        return None
    findings = [f for f in new_report.findings if f.is_error]
    findings.append(
        finding(
            "rotate.metadata_invalid",
            "The new metadata file does not pass the metadata checks (see the findings above); "
            "Pulumi would refuse it or sign-in would fail.",
            "Export the metadata again from JumpCloud (SSO tab > Export Metadata) and use the file unchanged.",
        )
    )
    return RotationPlan(findings, [], new_xml)


def plan_rotation(
    current: SamlOrganization, new_report: MetadataReport, *, new_xml: str | None = None, now: datetime | None = None
) -> RotationPlan:
    """Check a new metadata export against what Pulumi has: it must pass the metadata
    checks and keep Pulumi's SSO URL; returns the old-vs-new rows and the findings."""
    from wizard.pulumi_api import descriptor_metadata, format_time
    from wizard.transport import clip

    now = now or datetime.now(UTC)
    refused = precheck_rotation(new_report, new_xml=new_xml)
    if refused is not None:
        return refused
    new = new_report.metadata
    assert new is not None  # precheck_rotation refuses a report without metadata
    findings: list[Finding] = []

    old_meta, _ = descriptor_metadata(current)
    old_cert = old_meta.signing_certificate if old_meta is not None else None
    new_cert = new.signing_certificate

    old_sso = current.sso_url or (old_meta.sso_url if old_meta is not None else None)
    new_locations = [s.location for s in new.sso_services]
    if old_sso and old_sso not in new_locations and old_sso != new.sso_url:
        findings.append(
            finding(
                "rotate.sso_url_mismatch",
                f"The new file's SSO URL {clip(new.sso_url or '', 120)} is not the one Pulumi uses "
                f"({clip(old_sso, 120)}): "
                "it was exported from a different JumpCloud application.",
                "Export the metadata from the same JumpCloud application that Pulumi uses (its IdP "
                "URL is shown above). A new application needs the full set-up wizard, not a rotation.",
                field="sso_url",
            )
        )
    old_entity = current.entity_id or (old_meta.entity_id if old_meta is not None else None)
    if old_entity and new.entity_id != old_entity:
        findings.append(
            finding(
                "rotate.entity_id_changed",
                f"The IdP entity ID changes from {clip(old_entity, 100)!r} to {clip(new.entity_id or '', 100)!r}.",
                "Only go ahead if you changed JumpCloud's 'IdP Entity ID' on purpose.",
                field="entity_id",
            )
        )
    old_format = current.name_id_format or (
        old_meta.nameid_formats[0] if old_meta is not None and old_meta.nameid_formats else None
    )
    new_format = new.nameid_formats[0] if new.nameid_formats else None
    if old_format and new_format and old_format != new_format:
        findings.append(
            finding(
                "rotate.nameid_format_changed",
                f"The NameID format changes from {clip(old_format, 100)} to {clip(new_format, 100)}: users who already "
                "signed in may no longer be recognised.",
                "Keep JumpCloud's SAMLSubject NameID Format as it was unless you mean to change it.",
                field="nameid_format",
            )
        )
    if new_cert is not None and old_cert is not None:
        if new_cert.sha256_fingerprint == old_cert.sha256_fingerprint:
            findings.append(
                finding(
                    "rotate.same_certificate",
                    "The new file has the same certificate Pulumi already uses: there is nothing to rotate.",
                    "Regenerate the certificate in JumpCloud first, then export the metadata again.",
                    field="certificate",
                )
            )
        elif old_cert.not_after and new_cert.not_after and new_cert.not_after < old_cert.not_after:
            findings.append(
                finding(
                    "rotate.older_certificate",
                    f"The new certificate ends earlier ({format_time(new_cert.not_after)}) than the one "
                    f"Pulumi uses ({format_time(old_cert.not_after)}): is this an older export?",
                    "Export the metadata again from JumpCloud after regenerating the certificate.",
                    field="certificate",
                )
            )
    elif old_cert is None and current.configured:
        findings.append(
            finding(
                "rotate.old_certificate_unknown",
                "The certificate Pulumi uses now could not be read; the new one is shown alone.",
            )
        )

    old_values = {
        "IdP entity ID": old_entity or "",
        "SSO URL": old_sso or "",
        "NameID format": old_format or "",
        **_cert_rows(old_cert, now),
    }
    if old_cert is None and current.valid_until is not None:
        old_values["Valid until"] = format_time(current.valid_until)
    new_values = {
        "IdP entity ID": new.entity_id or "",
        "SSO URL": new.sso_url or "",
        "NameID format": new_format or "",
        **_cert_rows(new_cert, now),
    }
    rows = [
        DiffRow(label, clip(old_values.get(label, ""), 200), clip(new_values.get(label, ""), 200))
        for label in new_values
    ]
    if not has_errors(findings):
        findings.append(
            finding(
                "rotate.ready",
                "The new metadata passes the checks and belongs to the same JumpCloud application.",
            )
        )
    return RotationPlan(
        findings,
        rows,
        new_xml,
        new_fingerprint=new_cert.sha256_fingerprint if new_cert is not None else None,
        new_not_after=new_cert.not_after if new_cert is not None else None,
    )


async def apply_rotation(client: PulumiClient, org: str, plan: RotationPlan) -> ApiResult:
    """PATCH the new metadata, then GET again and prove the new certificate is live."""
    from wizard.pulumi_api import ApiResult, descriptor_metadata, format_time

    if plan.unchanged:
        return ApiResult([unchanged_finding(plan)])
    if not plan.ok or not plan.new_descriptor_xml:
        return ApiResult(
            [
                finding(
                    "rotate.not_ready",
                    "The rotation was not applied: the new metadata did not pass the checks.",
                    "Fix the findings of the plan first.",
                )
            ]
        )
    patched = await client.update_saml(org, plan.new_descriptor_xml)
    if not patched.ok:
        return patched
    fresh = await client.get_saml(org)
    if not fresh.ok or fresh.saml is None:
        return ApiResult(
            [
                finding(
                    "rotate.unconfirmed",
                    "Pulumi accepted the new metadata, but reading it back failed, so the new "
                    "certificate is not yet proven live.",
                    f"{here().recheck_pulumi} in a minute.",
                ),
                *fresh.findings,
            ],
            saml=patched.saml,
        )
    live_meta, _ = descriptor_metadata(fresh.saml)
    live_cert = live_meta.signing_certificate if live_meta is not None else None
    if live_cert is None or live_cert.sha256_fingerprint != plan.new_fingerprint:
        got = live_cert.sha256_fingerprint if live_cert is not None else "none"
        return ApiResult(
            [
                finding(
                    "rotate.not_live",
                    f"Pulumi answered the update, but it still reports certificate SHA-256 {got}, "
                    f"not the new {plan.new_fingerprint}.",
                    "Run the rotation again; if it persists, load the file by hand in Pulumi "
                    "(Settings > Access Management > SAML SSO).",
                )
            ],
            saml=fresh.saml,
        )
    findings: list[Finding] = []
    if fresh.saml.validation_error:
        findings.append(
            finding(
                "pulumi.validation_error",
                f"Pulumi stored the new metadata but reports: {fresh.saml.validation_error}",
                "Export the metadata again from JumpCloud and retry the rotation.",
            )
        )
    else:
        findings.append(
            finding(
                "rotate.live",
                f"Pulumi now uses the new certificate (SHA-256 {plan.new_fingerprint}, valid until "
                f"{format_time(plan.new_not_after)}). Test a sign-in from the JumpCloud User Console.",
            )
        )
    return ApiResult(findings, saml=fresh.saml)
