"""The published pages the wizard points the admin to, as plain constants (no Textual).

Each one is listed in ``docs/sources.md`` with what it is cited for and whether it was
read; ``tests/test_sources.py`` keeps the two in step.  Pulumi moves its pages from time
to time and keeps the old addresses as aliases, so these are the addresses that were
read, not necessarily the newest.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- JumpCloud

JUMPCLOUD_INTEGRATE_WITH_PULUMI = "https://jumpcloud.com/support/integrate-with-pulumi"
"""JumpCloud's "Integrate with Pulumi" article: the Pulumi connector, SSO and SCIM (IdM)."""

JUMPCLOUD_CONNECTOR_FIELDS = "https://jumpcloud.com/support/sso-application-connector-fields"
"""JumpCloud's "SSO Application Connector Fields": what each field of the SSO tab means."""

JUMPCLOUD_ROTATE_SSO_CERTS = "https://jumpcloud.com/support/rotate-sso-certs"
"""JumpCloud's "Rotate SSO Application Certificates, SCIM Token Keys, & OIDC Tokens"."""

JUMPCLOUD_ADMIN_PORTAL = "https://console.jumpcloud.com"
"""The JumpCloud Admin Portal (and API host) for organisations in JumpCloud's US region."""

JUMPCLOUD_ADMIN_PORTAL_EU = "https://console.eu.jumpcloud.com"
"""The JumpCloud Admin Portal (and API host) for organisations in JumpCloud's EU region."""

JUMPCLOUD_API_V1 = "https://docs.jumpcloud.com/api/1.0/index.html"
"""JumpCloud's API v1 reference: applications, application templates, the API key."""

JUMPCLOUD_API_V2 = "https://docs.jumpcloud.com/api/2.0/index.html"
"""JumpCloud's API v2 reference: user groups and their bindings to applications."""

# --------------------------------------------------------------------------- Pulumi

PULUMI_SAML_JUMPCLOUD = "https://www.pulumi.com/docs/administration/access-identity/saml/jumpcloud/"
"""Pulumi's "SAML: Configuring JumpCloud" guide: the six SSO-tab values, metadata, sign-in, SCIM."""

PULUMI_SAML_SSO = "https://www.pulumi.com/docs/administration/access-identity/saml/sso/"
"""Pulumi's "SAML: Terminology & concepts": ACS URL, entity ID, relay state, NameID format."""

PULUMI_SAML_ADMIN = "https://www.pulumi.com/docs/administration/access-identity/saml/saml-admin/"
"""Pulumi's "SAML admin": who keeps a break-glass sign-in when SAML fails."""

PULUMI_SAML_TROUBLESHOOTING = "https://www.pulumi.com/docs/administration/access-identity/saml/troubleshooting/"
"""Pulumi's "SAML SSO troubleshooting": lock-out, metadata validation, NameID format, SSO binding."""

PULUMI_IDENTITY_PROVIDERS = "https://www.pulumi.com/docs/administration/concepts/identity-providers/"
"""Pulumi's "Identity Providers": what switching an organisation to SAML does, and to whom."""

PULUMI_SCIM = "https://www.pulumi.com/docs/administration/guides/scim/"
"""Pulumi's "Pulumi Cloud & SCIM": the SCIM 2.0 endpoint and how it behaves."""

PULUMI_SCIM_TROUBLESHOOTING = "https://www.pulumi.com/docs/administration/guides/scim/troubleshooting/"
"""Pulumi's "SCIM troubleshooting": 409 conflicts, immutable userName, team name length."""

ALL_LINKS: tuple[str, ...] = (
    JUMPCLOUD_INTEGRATE_WITH_PULUMI,
    JUMPCLOUD_CONNECTOR_FIELDS,
    JUMPCLOUD_ROTATE_SSO_CERTS,
    JUMPCLOUD_ADMIN_PORTAL,
    JUMPCLOUD_ADMIN_PORTAL_EU,
    JUMPCLOUD_API_V1,
    JUMPCLOUD_API_V2,
    PULUMI_SAML_JUMPCLOUD,
    PULUMI_SAML_SSO,
    PULUMI_SAML_ADMIN,
    PULUMI_SAML_TROUBLESHOOTING,
    PULUMI_IDENTITY_PROVIDERS,
    PULUMI_SCIM,
    PULUMI_SCIM_TROUBLESHOOTING,
)
"""Every address above, once."""


TITLES: dict[str, str] = {
    JUMPCLOUD_INTEGRATE_WITH_PULUMI: "JumpCloud: Integrate with Pulumi",
    JUMPCLOUD_CONNECTOR_FIELDS: "JumpCloud: SSO Application Connector Fields",
    JUMPCLOUD_ROTATE_SSO_CERTS: "JumpCloud: Rotate SSO Application Certificates",
    JUMPCLOUD_ADMIN_PORTAL: "JumpCloud Admin Portal",
    JUMPCLOUD_ADMIN_PORTAL_EU: "JumpCloud Admin Portal (EU region)",
    JUMPCLOUD_API_V1: "JumpCloud API v1 reference",
    JUMPCLOUD_API_V2: "JumpCloud API v2 reference",
    PULUMI_SAML_JUMPCLOUD: "Pulumi: SAML, Configuring JumpCloud",
    PULUMI_SAML_SSO: "Pulumi: SAML terminology and concepts",
    PULUMI_SAML_ADMIN: "Pulumi: SAML admin",
    PULUMI_SAML_TROUBLESHOOTING: "Pulumi: SAML SSO troubleshooting",
    PULUMI_IDENTITY_PROVIDERS: "Pulumi: Identity Providers",
    PULUMI_SCIM: "Pulumi: Pulumi Cloud and SCIM",
    PULUMI_SCIM_TROUBLESHOOTING: "Pulumi: SCIM troubleshooting",
}
"""A short title for each address, as the command palette lists it."""
