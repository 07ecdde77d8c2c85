"""Pulumi Cloud's REST API: what the organisation has loaded, and the CLI's credentials.

Three calls, as Pulumi's OpenAPI spec (``pulumi/pulumi-pulumiservice``) describes them:
``GET {api}/api/orgs/{org}/saml`` (SAMLOrganization), ``PATCH`` of the same path with
``{"newIdpSsoDescriptor": xml}`` (certificate rotation) and
``GET {api}/api/orgs/{org}/saml/admins`` (``{"samlAdmins": [UserInfo]}``).

Requests go through :mod:`wizard.transport` (URL rule, retries, timeouts, capped reads,
redaction, transport errors); this module declares Pulumi's status table (``PULUMI``)
and reads the answers.  Every outcome is a ``Finding``; nothing here raises on a network
or HTTP failure.  The access token lives only in this process's memory: it is never put
into a finding, a repr, an exception text, a log line or a command line.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx

from wizard.clock import parse_utc
from wizard.codes import finding
from wizard.findings import Finding, has_errors
from wizard.transport import DEFAULT_TIMEOUT, MAX_ATTEMPTS, MAX_QUOTE, Api, HttpClient, Rule, Sleep, clip
from wizard.values import DEFAULT_API_BASE, api_base_problem, normalize_api_base, org_problem
from wizard.where import here, placed

if TYPE_CHECKING:  # lxml and cryptography load only when metadata is read
    from wizard.metadata import IdpMetadata

_T = TypeVar("_T")

TOKEN_ENV = "PULUMI_ACCESS_TOKEN"
CREDENTIALS_ENV = "JUMPCLOUD_PULUMI_SSO_PULUMI_CREDENTIALS"
SOURCE_ENV = TOKEN_ENV
SOURCE_CREDENTIALS = "~/.pulumi/credentials.json"
SOURCE_ENTERED = "entered in the wizard"

TOKEN_FIX = (  # a transport template: $place_pulumi_token is where the admin is (wizard.where)
    "Create a personal access token in Pulumi (your avatar > Personal access tokens) while "
    "signed in as an admin of the organisation, then $place_pulumi_token."
)
API_URL_FIX = (
    f"Check the API URL (Pulumi Cloud: {DEFAULT_API_BASE}; self-hosted: your API domain, not "
    "the console's) and try again; a proxy or captive portal can also cause this."
)

# Pulumi's status table.  Request context: $org, $what (what was asked for),
# $expected (the JSON wanted) and $source (" (from PULUMI_ACCESS_TOKEN)").  The
# "bad_body" row is also filled by parse_saml_organization, with $expected and $got only.
PULUMI = Api(
    prefix="pulumi",
    name="Pulumi's API",
    url_what="API base URL",
    url_field="api_base",
    url_problem=api_base_problem,
    secret_what="Pulumi access token",
    secret_field="token",
    auth_header="Authorization",
    auth_scheme="token",
    accept="application/vnd.pulumi+8",
    max_body=4 * 1024 * 1024,  # Pulumi's SAML answers are a few kilobytes
    incidents=" Pulumi shows its incidents at https://www.pulumistatus.com.",
    rules={
        "bad_url": Rule(
            "bad_url", "$problem", f"Use {DEFAULT_API_BASE}, or your self-hosted Pulumi's API URL.", "$url_field"
        ),
        "no_secret": Rule("bad_token", "The Pulumi access token is empty.", TOKEN_FIX, "$secret_field"),
        "bad_secret": Rule(
            "bad_token", "$problem", "Paste the whole token (it starts with 'pul-') and nothing else.", "$secret_field"
        ),
        "bad_body": Rule(
            "bad_response",
            "$name answered with something unexpected: expected $expected, got $got.",
            API_URL_FIX,
            "$url_field",
        ),
        "3xx": Rule(
            "bad_response",
            "$host answered with a redirect to $location instead of the API's answer.",
            f"Use the API URL (Pulumi Cloud: {DEFAULT_API_BASE}, not app.pulumi.com).",
            "$url_field",
        ),
        400: Rule(
            "bad_request",
            "Pulumi refused the request: $said.",
            "Fix what Pulumi names above; for metadata, export it again from JumpCloud and use the file unchanged.",
        ),
        401: Rule(
            "unauthorized",
            "Pulumi did not accept the access token$source: it is invalid, expired or revoked.$says",
            TOKEN_FIX,
            "$secret_field",
        ),
        403: Rule(
            "forbidden",
            "The token's user may not read or change the SAML settings of '$org' (an organisation "
            "admin is needed).$says",
            "Use a token of an admin of '$org' (Pulumi: Settings > Members shows the roles).",
            "$secret_field",
        ),
        404: Rule(
            "not_found",
            "Pulumi has no SAML settings for an organisation named '$org': the name is wrong (it is "
            "case-sensitive), or the organisation is not SAML-backed yet.$says",
            "Check the name in app.pulumi.com/<org>. If it is right, the switch to SAML SSO has not "
            "been applied: Settings > Access Management > Change requirements > SAML SSO.",
            "org",
        ),
        "other": Rule(
            "http_error",
            "$name answered HTTP $status to the request for $what.$says",
            "Check the API URL and try again.",
        ),
    },
)


# --------------------------------------------------------------------------- token


@dataclass(frozen=True)
class TokenSource:
    """An access token and where it came from; only ``source`` is ever shown."""

    token: str = field(repr=False)
    source: str

    def __str__(self) -> str:
        return f"Pulumi access token ({self.source})"


def entered_token(token: str) -> TokenSource:
    """The token the admin typed into the wizard's masked input."""
    return TokenSource(token.strip(), SOURCE_ENTERED)


def credentials_file(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the Pulumi CLI keeps its logins: ``$JUMPCLOUD_PULUMI_SSO_PULUMI_CREDENTIALS``,
    else ``$PULUMI_HOME/credentials.json``, else ``~/.pulumi/credentials.json``."""
    override = environ.get(CREDENTIALS_ENV)
    if override:
        return Path(override).expanduser()
    pulumi_home = environ.get("PULUMI_HOME")
    if pulumi_home:
        return Path(pulumi_home).expanduser() / "credentials.json"
    home = environ.get("HOME")
    base = Path(home) if home else Path.home()
    return base / ".pulumi" / "credentials.json"


def _url_key(url: str) -> str:
    """Compare API URLs the way an admin means them: scheme and host, case-insensitive."""
    try:
        return normalize_api_base(url.strip().rstrip("/"))
    except ValueError:
        return url.strip().rstrip("/").lower()


def find_token(
    api_base: str,
    *,
    environ: Mapping[str, str] = os.environ,
    credentials_path: Path | None = None,
) -> TokenSource | None:
    """The access token for ``api_base``: ``PULUMI_ACCESS_TOKEN`` first, then the Pulumi
    CLI's ``credentials.json`` entry for this API URL; None when neither has one
    (the wizard then asks for it in a masked input)."""
    value = (environ.get(TOKEN_ENV) or "").strip()
    if value:
        return TokenSource(value, SOURCE_ENV)
    path = credentials_path if credentials_path is not None else credentials_file(environ)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(1024 * 1024)
        data = json.loads(raw)
    except (OSError, ValueError):
        return None
    tokens = data.get("accessTokens") if isinstance(data, dict) else None
    if not isinstance(tokens, dict):
        return None
    wanted = _url_key(api_base)
    for url, token in tokens.items():
        if isinstance(url, str) and isinstance(token, str) and token.strip() and _url_key(url) == wanted:
            default = Path(environ.get("HOME") or Path.home()) / ".pulumi" / "credentials.json"
            label = SOURCE_CREDENTIALS if Path(path) == default else str(path)
            return TokenSource(token.strip(), label)
    return None


def no_token_finding(api_base: str, *, environ: Mapping[str, str] = os.environ) -> Finding:
    path = credentials_file(environ)
    return finding(
        "pulumi.no_token",
        f"No Pulumi access token: {TOKEN_ENV} is not set and {path} has no login for {api_base}.",
        placed(TOKEN_FIX),
        field="token",
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SamlOrganization:
    """What Pulumi has loaded for the organisation (``SAMLOrganization``)."""

    entity_id: str | None
    sso_url: str | None
    valid_until: datetime | None
    name_id_format: str | None
    validation_error: str | None
    idp_sso_descriptor: str | None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def org_name(self) -> str | None:
        org = self.raw.get("organization")
        if isinstance(org, dict):
            name = org.get("githubLogin") or org.get("name")
            return name if isinstance(name, str) else None
        return None

    @property
    def configured(self) -> bool:
        return bool(self.idp_sso_descriptor and self.idp_sso_descriptor.strip())


@dataclass
class ApiResult:
    findings: list[Finding]
    saml: SamlOrganization | None = None
    admins: list[dict[str, Any]] | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    @property
    def verified(self) -> bool:
        """True only when verify_pulumi compared everything and found it equal."""
        return self.ok and any(f.code == "pulumi.verified" for f in self.findings)


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 / RFC 3339 time as an aware UTC datetime; None for empty, Go's zero
    time, or anything unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = parse_utc(value)
    except ValueError:
        return None
    if parsed.year <= 1:
        return None
    return parsed


def parse_saml_organization(data: Any) -> tuple[SamlOrganization | None, list[Finding]]:
    """Pulumi's JSON -> SamlOrganization, or a ``pulumi.bad_response`` finding."""
    if not isinstance(data, dict):
        return None, [_bad_response("a JSON object with the organisation's SAML settings", type(data).__name__)]
    if "idpSsoDescriptor" not in data and "organization" not in data:
        keys = ", ".join(sorted(map(str, data))[:8]) or "nothing"
        return None, [_bad_response("the organisation's SAML settings (idpSsoDescriptor)", f"keys {keys}")]
    strings: dict[str, str | None] = {}
    for key in ("idpSsoDescriptor", "entityId", "ssoUrl", "validUntil", "nameIdFormat", "validationError"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            return None, [_bad_response(f"'{key}' as text", type(value).__name__)]
        strings[key] = value.strip() if isinstance(value, str) and value.strip() else None
    findings: list[Finding] = []
    valid_until = parse_datetime(strings["validUntil"])
    if strings["validUntil"] and valid_until is None and not strings["validUntil"].startswith("0001-01-01"):
        findings.append(
            finding(
                "pulumi.valid_until_unreadable",
                f"Pulumi reported the certificate's end date as {clip(strings['validUntil'])!r}, "
                "which is not a date; the certificate inside the loaded metadata is used instead.",
            )
        )
    saml = SamlOrganization(
        entity_id=strings["entityId"],
        sso_url=strings["ssoUrl"],
        valid_until=valid_until,
        name_id_format=strings["nameIdFormat"],
        validation_error=strings["validationError"],
        idp_sso_descriptor=data.get("idpSsoDescriptor") if isinstance(data.get("idpSsoDescriptor"), str) else None,
        raw=data,
    )
    return saml, findings


def _bad_response(expected: str, got: str) -> Finding:
    return PULUMI.finding("bad_body", {"expected": expected, "got": got})


# --------------------------------------------------------------------------- client


class PulumiClient(HttpClient):
    """Async client for the three SAML endpoints; every call returns an ApiResult."""

    def __init__(
        self,
        api_base: str,
        token: str | TokenSource,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        max_attempts: int = MAX_ATTEMPTS,
        token_source: str | None = None,
    ) -> None:
        if isinstance(token, TokenSource):
            token_source = token_source or token.source
            token = token.token
        self._token_source = token_source
        super().__init__(
            PULUMI,
            api_base if api_base_problem(api_base) else normalize_api_base(api_base),
            token if isinstance(token, str) else "",
            timeout=timeout,
            max_attempts=max_attempts,
            sleep=sleep,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"PulumiClient({self.base_url!r}, token from {self._token_source or 'the caller'})"

    def _saml_path(self, org: str, suffix: str = "") -> tuple[str, Finding | None]:
        """The API path of ``org``'s SAML settings, or why no request can be made (a bad
        token or API URL given to the client, or a bad organisation name)."""
        if self.problem is not None:
            return "", self.problem
        problem = org_problem(org)
        if problem:
            return "", finding("pulumi.bad_org", problem, "Copy the name from app.pulumi.com/<org>.", field="org")
        return f"/api/orgs/{quote(org, safe='')}/saml{suffix}", None

    async def _request(
        self,
        method: str,
        path: str,
        *,
        org: str,
        what: str,
        body: dict[str, str] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> tuple[Any, list[Finding]]:
        """(parsed JSON, []) on success, (None, [finding]) otherwise."""
        source = f" (from {self._token_source})" if self._token_source else ""
        reply = await self.request(
            method,
            path,
            body=body,
            params=params,
            context={"org": org, "what": what, "expected": f"JSON ({what})", "source": source},
        )
        return reply.data, [reply.finding] if reply.finding is not None else []

    def _result(self, findings: list[Finding], **parsed: Any) -> ApiResult:
        """An ApiResult of what was read from Pulumi's answer, with the token redacted."""
        return ApiResult([self.redact(f) for f in findings], **parsed)

    # -- the three calls --------------------------------------------------------

    async def get_saml(self, org: str) -> ApiResult:
        path, refused = self._saml_path(org)
        if refused:
            return ApiResult([refused])
        data, findings = await self._request("GET", path, what="the SAML settings", org=org)
        if findings:
            return ApiResult(findings)
        saml, more = parse_saml_organization(data)
        return self._result(more, saml=saml)

    async def get_saml_admins(self, org: str) -> ApiResult:
        path, refused = self._saml_path(org, "/admins")
        if refused:
            return ApiResult([refused])
        data, findings = await self._request("GET", path, what="the SAML admins", org=org)
        if findings:
            return ApiResult(findings)
        admins = data.get("samlAdmins") if isinstance(data, dict) else None
        if admins is None and isinstance(data, dict) and "samlAdmins" in data:
            admins = []
        if not isinstance(admins, list) or not all(isinstance(a, dict) for a in admins):
            return self._result(
                [
                    _bad_response(
                        "a list of SAML admins (samlAdmins)",
                        type(admins).__name__ if admins is not None else "no samlAdmins",
                    )
                ]
            )
        return ApiResult([], admins=list(admins))

    async def update_saml(self, org: str, new_descriptor_xml: str) -> ApiResult:
        """PATCH the org's IdP metadata (``newIdpSsoDescriptor``); Pulumi answers with the
        updated SAMLOrganization, or 400 with its reason."""
        path, refused = self._saml_path(org)
        if refused:
            return ApiResult([refused])
        if not isinstance(new_descriptor_xml, str) or not new_descriptor_xml.strip():
            return ApiResult(
                [
                    finding(
                        "pulumi.bad_request",
                        "There is no metadata to send to Pulumi.",
                        "Choose the metadata file exported from JumpCloud.",
                    )
                ]
            )
        data, findings = await self._request(
            "PATCH",
            path,
            body={"newIdpSsoDescriptor": new_descriptor_xml},
            what="the updated SAML settings",
            org=org,
        )
        if findings:
            return ApiResult(findings)
        saml, more = parse_saml_organization(data)
        return self._result(more, saml=saml)


# --------------------------------------------------------------------------- comparison


def descriptor_metadata(saml: SamlOrganization) -> tuple[IdpMetadata | None, list[Finding]]:
    """Pulumi's stored ``idpSsoDescriptor`` read by the metadata checks (hardened parser):
    (IdpMetadata or None, the findings of that read)."""
    from wizard.metadata import check_metadata

    text = saml.idp_sso_descriptor or ""
    if not text.strip():
        return None, []
    report = check_metadata(text)
    if report.metadata is None and "entitydescriptor" not in text.lower() and "idpssodescriptor" in text.lower():
        # Pulumi may keep just the IDPSSODescriptor element: wrap it so it reads as metadata.
        from xml.sax.saxutils import quoteattr

        body = text.lstrip("\ufeff").strip()
        if body.startswith("<?xml"):
            end = body.find("?>")
            body = body[end + 2 :] if end >= 0 else body
        wrapped = (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f"entityID={quoteattr(saml.entity_id or 'unknown')}>{body}</md:EntityDescriptor>"
        )
        second = check_metadata(wrapped)
        if second.metadata is not None:
            report = second
    return report.metadata, list(report.findings)


def format_time(value: datetime | None) -> str:
    """A time as the wizard shows it ("2027-03-23 20:02 UTC"), or "unknown"."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "unknown"


def _short_fp(fingerprint: str | None) -> str:
    if not fingerprint:
        return "none"
    return fingerprint if len(fingerprint) <= 23 else f"{fingerprint[:11]}…{fingerprint[-11:]}"


def reexport_fix() -> str:
    return (
        "Export the metadata again from JumpCloud (your Pulumi app > SSO tab > Export Metadata), "
        "check that file, and load it in Pulumi (Settings > Access Management > SAML SSO) or "
        f"{here().rotate}. Usually the file pasted into Pulumi was an older export."
    )


def validation_error_finding(saml: SamlOrganization) -> Finding | None:
    if not saml.validation_error:
        return None
    return finding(
        "pulumi.validation_error",
        f"Pulumi could not validate the metadata it has stored: {clip(saml.validation_error)}",
        "Export the metadata again from JumpCloud and load it into Pulumi "
        "(or run 'jumpcloud-pulumi-sso rotate'); until then SAML sign-in may fail.",
    )


def not_configured_finding(org: str | None = None) -> Finding:
    name = f"'{org}'" if org else "the organisation"
    return finding(
        "pulumi.not_configured",
        f"Pulumi has no IdP metadata stored for {name}.",
        "Paste the exported JumpCloud metadata in Pulumi: Settings > Access Management > SAML SSO.",
    )


def compare_with_metadata(saml: SamlOrganization, metadata: IdpMetadata) -> list[Finding]:
    """What Pulumi has loaded vs the exported metadata: SSO URL, IdP entity ID, signing
    certificate (fingerprint of the certificate inside ``idpSsoDescriptor``, and
    ``validUntil`` against its end date), NameID format; Pulumi's ``validationError``.
    Ends with ``pulumi.verified`` when nothing differs."""
    findings: list[Finding] = []
    invalid = validation_error_finding(saml)
    if invalid:
        findings.append(invalid)
    if not saml.configured and not (saml.sso_url or saml.entity_id):
        findings.append(not_configured_finding(saml.org_name))
        return findings
    loaded, read_findings = descriptor_metadata(saml)
    if saml.configured and loaded is None:
        why = "; ".join(f.message for f in read_findings if f.is_error)[:MAX_QUOTE]
        findings.append(
            finding(
                "pulumi.descriptor_unreadable",
                "The metadata stored in Pulumi could not be read" + (f": {why}" if why else "."),
                "Load the exported JumpCloud metadata into Pulumi again.",
            )
        )

    # SSO URL
    pulumi_sso = saml.sso_url or (loaded.sso_url if loaded is not None else None)
    file_locations = [s.location for s in metadata.sso_services]
    file_sso = metadata.sso_url
    if pulumi_sso and (file_sso or file_locations) and pulumi_sso not in file_locations and pulumi_sso != file_sso:
        findings.append(
            finding(
                "pulumi.mismatch.sso_url",
                f"SSO URL differs: Pulumi has {clip(pulumi_sso, 120)}, the exported metadata has "
                f"{clip(file_sso, 120) if file_sso else 'none'}.",
                reexport_fix() + " A different URL can also mean a different JumpCloud app.",
                field="sso_url",
            )
        )

    # IdP entity ID
    pulumi_entity = saml.entity_id or (loaded.entity_id if loaded is not None else None)
    if pulumi_entity and metadata.entity_id and pulumi_entity != metadata.entity_id:
        findings.append(
            finding(
                "pulumi.mismatch.entity_id",
                f"IdP entity ID differs: Pulumi has {clip(pulumi_entity, 100)!r}, the exported metadata has "
                f"{clip(metadata.entity_id, 100)!r}.",
                reexport_fix() + " (JumpCloud's 'IdP Entity ID' on the SSO tab is what sign-in responses carry.)",
                field="entity_id",
            )
        )

    # Certificate, by fingerprint
    file_cert = metadata.signing_certificate
    pulumi_cert = loaded.signing_certificate if loaded is not None else None
    if (
        file_cert is not None
        and pulumi_cert is not None
        and pulumi_cert.sha256_fingerprint != file_cert.sha256_fingerprint
    ):
        findings.append(
            finding(
                "pulumi.mismatch.certificate",
                f"Signing certificate differs: Pulumi has SHA-256 {_short_fp(pulumi_cert.sha256_fingerprint)} "
                f"(valid until {format_time(pulumi_cert.not_after)}), the exported metadata has "
                f"{_short_fp(file_cert.sha256_fingerprint)} (valid until {format_time(file_cert.not_after)}).",
                reexport_fix() + " Pulumi rejects every sign-in signed with a certificate it does not have.",
                field="certificate",
            )
        )
    elif file_cert is not None and pulumi_cert is None and saml.configured and loaded is not None:
        findings.append(
            finding(
                "pulumi.mismatch.certificate",
                "The metadata stored in Pulumi has no signing certificate; the exported metadata has "
                f"SHA-256 {_short_fp(file_cert.sha256_fingerprint)}.",
                reexport_fix(),
                field="certificate",
            )
        )

    # validUntil vs the certificate's end date
    if saml.valid_until is not None and file_cert is not None and file_cert.not_after is not None:
        if abs(saml.valid_until - file_cert.not_after) > timedelta(seconds=1):
            findings.append(
                finding(
                    "pulumi.mismatch.valid_until",
                    f"Certificate end date differs: Pulumi's certificate is valid until "
                    f"{format_time(saml.valid_until)}, the exported one until {format_time(file_cert.not_after)}.",
                    reexport_fix(),
                    field="certificate",
                )
            )

    # NameID format
    pulumi_format = saml.name_id_format or (
        loaded.nameid_formats[0] if loaded is not None and loaded.nameid_formats else None
    )
    file_formats = list(metadata.nameid_formats)
    if pulumi_format and file_formats and pulumi_format not in file_formats:
        findings.append(
            finding(
                "pulumi.mismatch.nameid_format",
                f"NameID format differs: Pulumi has {clip(pulumi_format, 100)}, the exported metadata has "
                f"{clip(', '.join(file_formats), 200)}.",
                "Set JumpCloud's SAMLSubject NameID Format to "
                "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress, export again and load it into "
                "Pulumi. Changing the format after users signed in breaks their sign-in.",
                field="nameid_format",
            )
        )

    if has_errors(findings):
        return findings
    if file_cert is None or pulumi_cert is None or not pulumi_sso:
        missing = "certificate" if (file_cert is None or pulumi_cert is None) else "SSO URL"
        findings.append(
            finding(
                "pulumi.not_verified",
                f"Pulumi's copy could not be fully compared: no {missing} to compare, so it is not verified.",
                "Load the exported JumpCloud metadata into Pulumi again, then verify again, or confirm by hand.",
            )
        )
        return findings
    findings.append(
        finding(
            "pulumi.verified",
            "Pulumi has loaded this metadata: same SSO URL, IdP entity ID, NameID format and "
            f"certificate SHA-256 {_short_fp(file_cert.sha256_fingerprint)}.",
        )
    )
    return findings


# --------------------------------------------------------------------------- status


def certificate_expiry(saml: SamlOrganization) -> datetime | None:
    """When Pulumi's IdP certificate expires: ``validUntil``, else the stored certificate's end."""
    if saml.valid_until is not None:
        return saml.valid_until
    loaded, _ = descriptor_metadata(saml)
    cert = loaded.signing_certificate if loaded is not None else None
    return cert.not_after if cert is not None else None


def days_left(expiry: datetime, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    return (expiry - now) // timedelta(days=1)


def status_findings(saml: SamlOrganization, *, now: datetime | None = None, warn_days: int = 30) -> list[Finding]:
    """Health of what Pulumi has loaded: certificate days left, validation error."""
    now = now or datetime.now(UTC)
    findings: list[Finding] = []
    invalid = validation_error_finding(saml)
    if invalid:
        findings.append(invalid)
    if not saml.configured and not saml.valid_until:
        findings.append(not_configured_finding(saml.org_name))
        return findings
    expiry = certificate_expiry(saml)
    rotate_fix = f"Regenerate the certificate in JumpCloud, export the metadata again and load it {here().rotate}."
    if expiry is None:
        findings.append(
            finding(
                "pulumi.cert.unknown",
                "Pulumi did not report when the IdP certificate expires, and none could be read from "
                "the stored metadata.",
                "Load the exported JumpCloud metadata into Pulumi again.",
            )
        )
    else:
        left = days_left(expiry, now)
        if expiry <= now:
            findings.append(
                finding(
                    "pulumi.cert.expired",
                    f"The IdP certificate Pulumi uses expired on {format_time(expiry)}: SAML sign-in fails.",
                    rotate_fix,
                )
            )
        elif left < warn_days:
            findings.append(
                finding(
                    "pulumi.cert.expiring",
                    f"The IdP certificate Pulumi uses expires on {format_time(expiry)}, in {left} days "
                    f"(warning threshold {warn_days} days).",
                    rotate_fix,
                )
            )
        else:
            findings.append(
                finding(
                    "pulumi.cert.ok",
                    f"The IdP certificate Pulumi uses is valid until {format_time(expiry)} ({left} days left).",
                )
            )
    return findings


# --------------------------------------------------------------------------- verify


def admins_finding(admins: list[dict[str, Any]]) -> Finding:
    names = []
    for admin in admins:
        login = admin.get("githubLogin") or ""
        name = admin.get("name") or ""
        email = admin.get("email") or ""
        label = str(login or name or email or "?")
        extra = ", ".join(str(x) for x in (name, email) if x and x != label)
        names.append(f"{label} ({extra})" if extra else label)
    if not names:
        return finding(
            "pulumi.saml_admins.none",
            "Pulumi lists no SAML admin for this organisation: nobody has the break-glass sign-in.",
            "Make sure an organisation admin is the SAML admin (the admin who switched the "
            "organisation to SAML becomes it).",
        )
    return finding("pulumi.saml_admins", "SAML admins (break-glass sign-in): " + "; ".join(names) + ".")


async def verify_pulumi(
    api_base: str, org: str, token: str | TokenSource, metadata: IdpMetadata | None, **client_kw: Any
) -> ApiResult:
    """The "Verify with Pulumi" action: fetch the SAML settings and admins, compare with
    the exported metadata. ``ok`` and a ``pulumi.verified`` finding when everything matches."""
    async with PulumiClient(api_base, token, **client_kw) as client:
        got = await client.get_saml(org)
        if not got.ok or got.saml is None:
            return got
        findings = list(got.findings)
        admins_result = await client.get_saml_admins(org)
        from wizard.pulumi_org import org_info

        info, _ = await org_info(client, org)  # only adds a clearer reason; its failure is not one
    if info is not None and info.kind is not None and info.kind != "saml":
        findings.append(
            finding(
                "pulumi.org.not_saml",
                f"Pulumi reports '{org}' as {info.kind}-backed, not SAML: the switch to SAML SSO has not been applied.",
                "In Pulumi: Settings > Access Management > Change requirements > SAML SSO, paste the metadata "
                "and choose Apply changes.",
                "org",
            )
        )
    admins = admins_result.admins
    if admins_result.ok and admins is not None:
        findings.append(admins_finding(admins))
    else:
        # its own code: the answer's code (pulumi.forbidden...) is an error where it decides
        findings += [
            finding("pulumi.saml_admins.unavailable", "Could not list the SAML admins: " + f.message, f.fix, f.field)
            for f in admins_result.findings
            if f.is_error
        ]
    if metadata is None:
        findings.append(finding("pulumi.not_compared", "No exported metadata to compare with yet."))
        invalid = validation_error_finding(got.saml)
        if invalid:
            findings.append(invalid)
    else:
        findings.extend(compare_with_metadata(got.saml, metadata))
    return ApiResult(findings, saml=got.saml, admins=admins)


def run_sync(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine from synchronous code (the CLI)."""
    return asyncio.run(coro)
