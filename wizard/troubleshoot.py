"""Glue for the troubleshooting screen: the org's expected values + the exported metadata -> diagnosis."""

from __future__ import annotations

from datetime import datetime


def diagnose_for_org(text: str, *, org: str, api_base: str, metadata_xml: str = "", now: datetime | None = None):
    from wizard.response import ExpectedIdp, diagnose

    idp = None
    if metadata_xml.strip():
        from wizard.metadata import check_metadata

        report = check_metadata(metadata_xml, now=now)
        if report.metadata is not None:
            idp = ExpectedIdp(
                entity_id=report.metadata.entity_id,
                certificates_der=tuple(c.der for c in report.metadata.certificates),
            )
    return diagnose(text, org=org, api_base=api_base, idp=idp, now=now)
