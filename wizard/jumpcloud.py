"""JumpCloud's admin API: what JumpCloud really holds for the Pulumi app, and fixes made
only when the admin asks.

Read (``check_jumpcloud``): the application whose ``ssoUrl`` is
``https://sso.jumpcloud.com/saml2/<IdP URL value>`` (``GET /api/applications``, paged),
its whole object (``GET /api/applications/{id}``), the user groups bound to it
(``GET /api/v2/applications/{id}/usergroups``, named through ``GET /api/v2/usergroups``)
and its IdP metadata (``GET /api/organizations/{org}/applications/{id}/metadata.xml``),
which goes through the same metadata checks as an exported file.

Written, only behind an explicit confirmation the caller asks for after showing the
difference: the mismatched SSO-tab fields (``fix_sso_fields``: GET the whole object,
change only those fields' values, PUT the whole object back, because JumpCloud resets
any field a PUT leaves out, then GET again and prove it), and user groups bound to the
app (``bind_groups``: ``POST /api/v2/applications/{id}/associations``).  Nothing is
ever deleted.

SSO-tab rows are matched to ``config`` entries by the ``label`` JumpCloud returns with
each entry (compared ignoring case, spacing and a trailing colon); a row no label
matches is reported as not checked, never guessed.  Only the documented keys
``idpEntityId``, ``signAssertion`` and ``signResponse`` are read by key.

Every request goes through :mod:`wizard.transport` with the API key in ``x-api-key``
(and ``x-org-id`` when given): it is in no finding, repr or log record.  This module
imports httpx: import it from a worker or a command's ``run()``, not at start-up.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from wizard.clock import aware_now, parse_utc
from wizard.codes import finding
from wizard.findings import Finding, has_errors
from wizard.transport import (
    DEFAULT_TIMEOUT,
    MAX_ATTEMPTS,
    SHARED_RULES,
    Api,
    Expect,
    HttpClient,
    Reply,
    Rule,
    Sleep,
    clip,
)
from wizard.values import (
    JUMPCLOUD_SSO_BASE,
    JUMPCLOUD_URL_FIX,
    OrgValues,
    jumpcloud_url_problem,
)
from wizard.where import JUMPCLOUD_KEY_ENV, JUMPCLOUD_ORG_ID_ENV, here

API_KEY_ENV = JUMPCLOUD_KEY_ENV
ORG_ID_ENV = JUMPCLOUD_ORG_ID_ENV
URL_ENV = "JUMPCLOUD_URL"
PAGE = 100  # JumpCloud's largest page
MAX_PAGES = 200  # 20,000 records: a server that never says it is done is not followed for ever
EXPIRY_WARNING_DAYS = 90
FIELD_KEY = "jumpcloud_key"
FIELD_URL = "jumpcloud_url"

KEY_FIX = (
    "In JumpCloud's Admin Portal, open your account menu (top right) > My API Key, copy the key and "
    "give it $place_jumpcloud_key."
)
URL_FIX = JUMPCLOUD_URL_FIX
_UNREACHABLE = {key: SHARED_RULES[key] for key in ("timeout", "dns", "refused", "tls", "proxy", "network")}

JUMPCLOUD = Api(
    prefix="jumpcloud",
    name="JumpCloud's API",
    url_what="JumpCloud URL",
    url_field=FIELD_URL,
    url_problem=jumpcloud_url_problem,
    secret_what="JumpCloud API key",
    secret_field=FIELD_KEY,
    auth_header="x-api-key",
    auth_scheme="",
    accept="application/json",
    max_body=8 * 1024 * 1024,  # a page of 100 applications with their config is a few hundred KB
    rules={
        **{key: Rule("unreachable", rule.message, rule.fix, rule.field) for key, rule in _UNREACHABLE.items()},
        # the shared wording speaks of a self-hosted server, which JumpCloud never is
        "refused": Rule(
            "unreachable",
            SHARED_RULES["refused"].message,
            "Check the $url_what and this computer's network, VPN and proxy, then try again.",
            "$url_field",
        ),
        "bad_url": Rule("bad_url", "$problem", URL_FIX, "$url_field"),
        "no_secret": Rule("no_key", "No JumpCloud API key was given.", KEY_FIX, "$secret_field"),
        "bad_secret": Rule("bad_key", "$problem", KEY_FIX, "$secret_field"),
        "bad_body": Rule(
            "bad_response",
            "$name answered with something unexpected for $what: expected $expected, got $got.",
            URL_FIX,
            "$url_field",
        ),
        "3xx": Rule(
            "bad_response",
            "$host answered with a redirect to $location instead of the API's answer.",
            URL_FIX,
            "$url_field",
        ),
        400: Rule("bad_request", "JumpCloud refused the request for $what: $said.", "Check the values named above."),
        401: Rule(
            "unauthorized",
            "JumpCloud did not accept the API key: it is wrong, or it was regenerated or revoked.$says",
            KEY_FIX,
            "$secret_field",
        ),
        403: Rule(
            "forbidden",
            "The API key's administrator may not read or change $what.$says",
            "Use the API key of a JumpCloud administrator who can manage SSO applications and user groups.",
            "$secret_field",
        ),
        404: Rule(
            "not_found",
            "JumpCloud has no $what at $host.$says",
            "Check the JumpCloud URL: " + URL_FIX,
            "$url_field",
        ),
        "other": Rule(
            "http_error",
            "$name answered HTTP $status to the request for $what.$says",
            "Check the JumpCloud URL and try again.",
        ),
    },
)
_ORG_ID_WORDS = re.compile(r"x-org-id|org(ani[sz]ation)?[ _-]?id", re.IGNORECASE)


# --------------------------------------------------------------------------- the client


class JumpCloudClient(HttpClient):
    """Requests to JumpCloud's v1 and v2 admin API with one API key (and organisation id)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        org_id: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        max_attempts: int = MAX_ATTEMPTS,
        sleep: Sleep | None = None,
        transport: Any = None,
    ) -> None:
        extra = {"sleep": sleep} if sleep is not None else {}
        org_id = org_id.strip()
        super().__init__(
            JUMPCLOUD,
            base_url,
            api_key,
            timeout=timeout,
            max_attempts=max_attempts,
            transport=transport,
            headers={"x-org-id": org_id} if org_id else None,
            **extra,
        )
        self.org_id = org_id
        self.requests = 0  # HTTP requests sent, retries included

    def __repr__(self) -> str:
        return f"JumpCloudClient({self.base_url!r})"

    async def call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        expected: str = "JSON",
        params: Mapping[str, str] | None = None,
        body: Any = None,
        expect: Expect = "json",
    ) -> tuple[Any, list[Finding]]:
        """(the answer, []) or (None, [finding]); a 400/401 naming the organisation id is its own finding."""
        reply: Reply = await self.request(
            method,
            path,
            params=params,
            body=body,
            context={"what": what, "expected": expected},
            expect=expect,
        )
        self.requests += max(reply.attempts, 1 if reply.status is not None else 0)
        if reply.finding is None:
            return reply.data, []
        if reply.status in (400, 401) and _ORG_ID_WORDS.search(reply.said):
            return None, [
                self.redact(
                    finding(
                        "jumpcloud.org_id_needed",
                        "JumpCloud needs to know which organisation to read: this API key belongs to an "
                        f'administrator of several organisations. JumpCloud says: "{reply.said}".',
                        f"Give the organisation's ID {here().jumpcloud_org_id}; JumpCloud's "
                        "Admin Portal shows it in the organisation's settings.",
                        "jumpcloud_org_id",
                    )
                )
            ]
        return None, [reply.finding]

    async def _pages_v1(self, path: str, what: str) -> tuple[list[dict[str, Any]], list[Finding]]:
        """Every record of a v1 list (``{"results": [...], "totalCount": n}``), a page of 100 at a time."""
        records: list[dict[str, Any]] = []
        for page in range(MAX_PAGES):
            data, problems = await self.call(
                "GET", path, what=what, params={"limit": str(PAGE), "skip": str(page * PAGE)}
            )
            if problems:
                return records, problems
            results = data.get("results") if isinstance(data, dict) else None
            total = data.get("totalCount") if isinstance(data, dict) else None
            if not isinstance(results, list) or not isinstance(total, int):
                return records, [self._bad_shape(what, '{"results": [...], "totalCount": n}', data)]
            records.extend(r for r in results if isinstance(r, dict))
            if not results or len(records) >= total:
                return records, []
        return records, []

    async def _pages_v2(self, path: str, what: str) -> tuple[list[dict[str, Any]], list[Finding]]:
        """Every record of a v2 list (a JSON array), a page of 100 at a time, until a short page."""
        records: list[dict[str, Any]] = []
        for page in range(MAX_PAGES):
            data, problems = await self.call(
                "GET", path, what=what, expected="a JSON list", params={"limit": str(PAGE), "skip": str(page * PAGE)}
            )
            if problems:
                return records, problems
            if not isinstance(data, list):
                return records, [self._bad_shape(what, "a JSON list", data)]
            records.extend(r for r in data if isinstance(r, dict))
            if len(data) < PAGE:
                return records, []
        return records, []

    def _bad_shape(self, what: str, expected: str, data: Any) -> Finding:
        got = (
            type(data).__name__
            if not isinstance(data, dict)
            else "an object with " + (", ".join(sorted(map(str, data))[:6]) or "no fields")
        )
        return self.finding("bad_body", what=what, expected=expected, got=clip(got, 120))

    # -- the calls ---------------------------------------------------------------

    async def list_applications(self) -> tuple[list[dict[str, Any]], list[Finding]]:
        return await self._pages_v1("/api/applications", "the SSO applications")

    async def get_application(self, app_id: str) -> tuple[dict[str, Any] | None, list[Finding]]:
        data, problems = await self.call("GET", f"/api/applications/{_segment(app_id)}", what="the application")
        if problems:
            return None, problems
        if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
            return None, [self._bad_shape("the application", "an application with its config", data)]
        return data, []

    async def put_application(self, app_id: str, body: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Finding]]:
        data, problems = await self.call(
            "PUT", f"/api/applications/{_segment(app_id)}", what="the application", body=body
        )
        return (data if isinstance(data, dict) else None), problems

    async def list_user_groups(self) -> tuple[list[dict[str, Any]], list[Finding]]:
        return await self._pages_v2("/api/v2/usergroups", "the user groups")

    async def bound_group_ids(self, app_id: str) -> tuple[list[str], list[Finding]]:
        records, problems = await self._pages_v2(
            f"/api/v2/applications/{_segment(app_id)}/usergroups", "the user groups bound to the application"
        )
        return [str(r["id"]) for r in records if isinstance(r.get("id"), str)], problems

    async def bind_group(self, app_id: str, group_id: str) -> list[Finding]:
        _, problems = await self.call(
            "POST",
            f"/api/v2/applications/{_segment(app_id)}/associations",
            what="the application's user groups",
            body={"op": "add", "type": "user_group", "id": group_id},
            expect="empty",
        )
        return problems

    async def list_templates(self) -> tuple[list[dict[str, Any]], list[Finding]]:
        return await self._pages_v1("/api/application-templates", "JumpCloud's application catalogue")

    async def create_application(self, body: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Finding]]:
        data, problems = await self.call("POST", "/api/applications", what="the new application", body=body)
        return (data if isinstance(data, dict) else None), problems

    async def metadata_xml(self, organization: str, app_id: str) -> tuple[bytes | None, list[Finding]]:
        data, problems = await self.call(
            "GET",
            f"/api/organizations/{_segment(organization)}/applications/{_segment(app_id)}/metadata.xml",
            what="the application's metadata",
            expected="the metadata XML",
            expect="xml",
        )
        return (data if isinstance(data, bytes) else None), problems


def _segment(value: str) -> str:
    """An id as one path segment: JumpCloud's ids are hexadecimal; anything else is quoted."""
    from urllib.parse import quote

    return quote(value, safe="")


# --------------------------------------------------------------------------- reading the app


def normal_label(label: str) -> str:
    """A label as compared: case, spacing and a trailing colon ignored ("ACS Url:" = "ACS URL")."""
    return " ".join(label.replace(":", " ").split()).lower()


def config_value(entry: Any) -> Any:
    """The setting of one ``config`` entry (its ``value``); None when it has none."""
    return entry.get("value") if isinstance(entry, dict) else None


@dataclass(frozen=True)
class SsoField:
    """One SSO-tab row as JumpCloud holds it, beside the value it must have."""

    row: str  # the wizard's row key: "acs_url", ...
    label: str  # the SSO tab's label
    want: str
    key: str | None = None  # the config entry its label matched; None: not matched, not checked
    now: str | None = None  # what JumpCloud holds

    @property
    def matched(self) -> bool:
        return self.key is not None

    @property
    def differs(self) -> bool:
        return self.matched and not _same(self.row, self.now or "", self.want)


def _same(row: str, now: str, want: str) -> bool:
    now, want = now.strip(), want.strip()
    if row in ("sp_entity_id", "acs_url", "relay_state"):
        return now == want  # URLs: exactly (Pulumi compares them exactly)
    return now.lower() == want.lower()


def sso_fields(app: Mapping[str, Any], values: OrgValues) -> list[SsoField]:
    """The six SSO-tab rows, each matched to the ``config`` entry whose label is the row's."""
    config = app.get("config") if isinstance(app.get("config"), dict) else {}
    assert isinstance(config, dict)
    by_label: dict[str, list[str]] = {}
    for key, entry in config.items():
        if isinstance(entry, dict) and isinstance(entry.get("label"), str):
            by_label.setdefault(normal_label(entry["label"]), []).append(key)
    fields: list[SsoField] = []
    for row in values.sso_rows():
        keys = by_label.get(normal_label(row.label), [])
        if len(keys) != 1:  # none, or several entries with that label: not guessed
            fields.append(SsoField(row.key, row.label, row.value))
            continue
        value = config_value(config[keys[0]])
        fields.append(SsoField(row.key, row.label, row.value, keys[0], "" if value is None else str(value)))
    return fields


def app_summary(app: Mapping[str, Any]) -> dict[str, Any]:
    """What is shown and printed of an application (never its config or keys)."""
    return {
        "id": str(app.get("_id", "")),
        "displayLabel": str(app.get("displayLabel", "") or app.get("displayName", "") or ""),
        "ssoUrl": str(app.get("ssoUrl", "")),
        "active": bool(app.get("active", False)),
    }


def _mentions_pulumi(app: Mapping[str, Any]) -> bool:
    return any("pulumi" in str(app.get(k, "")).lower() for k in ("name", "displayLabel", "displayName"))


# --------------------------------------------------------------------------- the check


@dataclass
class JumpCloudCheck:
    """What JumpCloud holds for the Pulumi app, and the findings about it."""

    findings: list[Finding]
    application: dict[str, Any] | None = None  # app_summary of the one app found
    app: dict[str, Any] | None = field(default=None, repr=False)  # the whole object, for a fix
    fields: list[SsoField] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # names of the groups bound to the app
    idp_entity_id: str = ""  # the IdP Entity ID on the app's SSO tab, as JumpCloud holds it
    all_groups: list[dict[str, str]] = field(default_factory=list)  # every group: id and name
    metadata: Any = None  # wizard.metadata.MetadataReport of the app's metadata
    metadata_xml: str | None = field(default=None, repr=False)
    requests: int = 0
    # what it was run for: a check proves nothing about other inputs
    org: str = ""
    api_base: str = ""
    idp_url_value: str = ""

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    @property
    def reached(self) -> bool:
        """JumpCloud answered: the app lookup itself did not fail on access or network."""
        return self.application is not None or any(f.code.startswith("jumpcloud.app.") for f in self.findings)

    @property
    def mismatched(self) -> list[SsoField]:
        return [f for f in self.fields if f.differs]

    def to_dict(self) -> dict[str, Any]:
        meta = self.metadata.metadata.to_dict() if self.metadata is not None and self.metadata.metadata else None
        return {
            "findings": [f.to_dict() for f in self.findings],
            "application": self.application,
            "groups": list(self.groups),
            "metadata": meta,
        }


async def check_jumpcloud(
    client: JumpCloudClient,
    values: OrgValues,
    idp_url_value: str,
    *,
    now: datetime | None = None,
    metadata: bool = True,
) -> JumpCloudCheck:
    """Find the app by its SSO URL and check its SSO tab, certificate, groups and metadata."""
    result = await _check(client, values, idp_url_value, aware_now(now), metadata)
    result.org, result.api_base, result.idp_url_value = values.org, values.api_base, idp_url_value
    result.requests = client.requests
    return result


async def _check(
    client: JumpCloudClient, values: OrgValues, idp_url_value: str, moment: datetime, metadata: bool
) -> JumpCloudCheck:
    sso_url = JUMPCLOUD_SSO_BASE + idp_url_value
    apps, problems = await client.list_applications()
    if problems:
        return JumpCloudCheck(problems, requests=client.requests)
    found = [a for a in apps if str(a.get("ssoUrl", "")).rstrip("/") == sso_url]
    if not found:
        return JumpCloudCheck([_not_found(apps, sso_url, idp_url_value)], requests=client.requests)
    if len(found) > 1:
        names = "; ".join(f"{app_summary(a)['displayLabel'] or '(no label)'} (id {a.get('_id', '?')})" for a in found)
        return JumpCloudCheck(
            [
                finding(
                    "jumpcloud.app.ambiguous",
                    f"{len(found)} JumpCloud applications use the SSO URL {sso_url}: {names}.",
                    "Keep one: delete or rename the IdP URL of the others in JumpCloud, then check again.",
                    "idp_url_value",
                )
            ],
            requests=client.requests,
        )
    app, problems = await client.get_application(str(found[0].get("_id", "")))
    if app is None:
        return JumpCloudCheck(problems, requests=client.requests)
    summary = app_summary(app)
    result = JumpCloudCheck([], application=summary, app=app)
    result.findings += _app_findings(app)
    result.fields = sso_fields(app, values)
    result.findings += _sso_findings(result.fields)
    result.findings += _idp_findings(app, values)
    entity = config_value(app["config"].get("idpEntityId")) if isinstance(app.get("config"), dict) else None
    result.idp_entity_id = str(entity).strip() if entity is not None else ""
    result.findings += _cert_findings(app, moment)
    groups, problems = await _groups(client, summary["id"])
    result.findings += problems
    if not problems:
        result.all_groups, result.groups = groups
        if not result.groups:
            result.findings.append(
                finding(
                    "jumpcloud.groups.none",
                    "No user group is bound to the application: nobody can sign in to Pulumi through it.",
                    "In JumpCloud: the application > User Groups tab, tick the groups that use Pulumi, save "
                    "(or use Bind groups here).",
                    "groups",
                )
            )
    if metadata:
        result.findings += await _metadata(client, app, idp_url_value, moment, result)
    if not has_errors(result.findings):
        result.findings.append(
            finding(
                "jumpcloud.ok",
                f"JumpCloud's application '{summary['displayLabel']}' matches: SSO tab, "
                f"certificate, {len(result.groups)} group(s) bound"
                + (", metadata checked." if result.metadata is not None else "."),
            )
        )
    return result


def _not_found(apps: list[dict[str, Any]], sso_url: str, value: str) -> Finding:
    near = [a for a in apps if _mentions_pulumi(a)]
    listed = "; ".join(
        f"'{app_summary(a)['displayLabel'] or a.get('name', '')}' at {app_summary(a)['ssoUrl'] or '(no SSO URL)'}"
        for a in near[:10]
    )
    return finding(
        "jumpcloud.app.not_found",
        f"No JumpCloud application uses the SSO URL {sso_url} (IdP URL value '{value}')"
        + (f". Applications that mention Pulumi: {listed}." if listed else "; none mentions Pulumi."),
        "Check the IdP URL value on step 2 against the app's SSO tab in JumpCloud (it cannot be changed "
        "after the app is created), or create the app.",
        "idp_url_value",
    )


def _app_findings(app: Mapping[str, Any]) -> list[Finding]:
    if app.get("active", True) is False:
        return [
            finding(
                "jumpcloud.app.inactive",
                f"JumpCloud's application '{app_summary(app)['displayLabel']}' is not active: its users cannot "
                "sign in.",
                "In JumpCloud, open the application and turn it on (active), then save.",
                "app_kind",
            )
        ]
    return []


def _sso_findings(fields: list[SsoField]) -> list[Finding]:
    findings: list[Finding] = []
    for f in fields:
        if not f.matched:
            findings.append(
                finding(
                    "jumpcloud.sso.unchecked",
                    f"'{f.label}' was not checked: no single field of the app's SSO tab carries that label in "
                    "JumpCloud's answer.",
                    f"Check it by hand on the SSO tab: it must be {f.want}.",
                    f.row,
                )
            )
        elif f.differs:
            findings.append(
                finding(
                    "jumpcloud.sso.mismatch",
                    f"'{f.label}' is {clip(f.now or '(empty)', 200)!s} in JumpCloud; it must be {f.want}.",
                    f"On the app's SSO tab, set {f.label} to {f.want} (or use Fix in JumpCloud).",
                    f.row,
                )
            )
    return findings


def _idp_findings(app: Mapping[str, Any], values: OrgValues) -> list[Finding]:
    config = app.get("config")
    assert isinstance(config, dict)
    findings: list[Finding] = []
    entity = config_value(config.get("idpEntityId"))
    entity_text = str(entity).strip() if entity is not None else ""
    if not entity_text:
        findings.append(
            finding(
                "jumpcloud.idp_entity_id.missing",
                "The app's IdP Entity ID is empty; Pulumi requires an IdP entity ID in the metadata.",
                "On the SSO tab, set IdP Entity ID (for example JumpCloud) and save.",
                "idp_entity_id",
            )
        )
    elif entity_text == "IdP Entity ID":
        findings.append(
            finding(
                "jumpcloud.idp_entity_id.placeholder",
                "The app's IdP Entity ID is still the placeholder text 'IdP Entity ID'.",
                "On the SSO tab, set IdP Entity ID to a name of your own (for example JumpCloud) before "
                "exporting the metadata.",
                "idp_entity_id",
            )
        )
    elif entity_text.startswith(values.api_base) or "/login/" in entity_text:
        findings.append(
            finding(
                "jumpcloud.idp_entity_id.pulumi_url",
                f"The app's IdP Entity ID is {clip(entity_text, 200)}, a Pulumi URL: that is the SP Entity ID's "
                "value, not JumpCloud's own name.",
                "On the SSO tab, set IdP Entity ID to JumpCloud's own name (for example JumpCloud) and keep the "
                "Pulumi URL in SP Entity ID.",
                "idp_entity_id",
            )
        )
    signed = [config_value(config.get(k)) for k in ("signAssertion", "signResponse")]
    if all(v is not None for v in signed) and not any(v is True for v in signed):
        findings.append(
            finding(
                "jumpcloud.unsigned",
                "The app signs neither its assertions nor its responses; Pulumi accepts only signed ones.",
                "On the SSO tab, tick Sign Assertion (JumpCloud's default) and save.",
                "signature_algorithm",
            )
        )
    return findings


def _cert_findings(app: Mapping[str, Any], now: datetime) -> list[Finding]:
    sso = app.get("sso") if isinstance(app.get("sso"), dict) else {}
    assert isinstance(sso, dict)
    text = sso.get("idpCertExpirationAt")
    if not isinstance(text, str) or not text:
        return []
    try:
        expires = parse_utc(text)
    except ValueError:
        return []
    day = expires.strftime("%Y-%m-%d")
    if expires <= now:
        return [
            finding(
                "jumpcloud.cert.expired",
                f"The app's IdP certificate expired on {day}: Pulumi refuses metadata with an expired certificate.",
                "On the SSO tab, regenerate the certificate, save, export the metadata again and load it into "
                f"Pulumi (Settings > Access Management > SAML SSO) or {here().rotate}.",
                "certificate",
            )
        ]
    if expires - now <= timedelta(days=EXPIRY_WARNING_DAYS):
        return [
            finding(
                "jumpcloud.cert.expiring",
                f"The app's IdP certificate expires on {day}, in {(expires - now).days} days.",
                "Plan the rotation: regenerate it on the SSO tab, then load the new metadata into Pulumi in the "
                "same sitting (sign-in fails between the two).",
                "certificate",
            )
        ]
    return []


async def _groups(client: JumpCloudClient, app_id: str) -> tuple[tuple[list[dict[str, str]], list[str]], list[Finding]]:
    """(every group as id and name, the names of those bound to the app), or findings."""
    bound, problems = await client.bound_group_ids(app_id)
    if problems:
        return ([], []), problems
    groups, problems = await client.list_user_groups()
    if problems:
        return ([], []), problems
    every = [{"id": str(g["id"]), "name": str(g.get("name", ""))} for g in groups if isinstance(g.get("id"), str)]
    names = {g["id"]: g["name"] for g in every}
    return (every, [names.get(i, f"(group {i})") for i in bound]), []


async def _metadata(
    client: JumpCloudClient, app: Mapping[str, Any], value: str, now: datetime, result: JumpCloudCheck
) -> list[Finding]:
    from wizard.files import decode_text
    from wizard.metadata import check_metadata

    organization = str(app.get("organization", "") or client.org_id)
    if not organization:
        return [
            finding(
                "jumpcloud.metadata.unavailable",
                "The app's metadata was not fetched: JumpCloud's answer does not name its organisation.",
                f"Give the organisation's ID {here().jumpcloud_org_id}, or export the metadata from the SSO tab "
                "by hand.",
                "metadata",
            )
        ]
    data, problems = await client.metadata_xml(organization, str(app.get("_id", "")))
    if data is None:
        return problems
    report = check_metadata(data, idp_url_value=value, now=now)
    result.metadata = report
    result.metadata_xml = decode_text(data)
    return list(report.findings)


# --------------------------------------------------------------------------- writing, only when asked


async def fix_sso_fields(
    client: JumpCloudClient, app_id: str, changes: list[SsoField]
) -> tuple[list[Finding], dict[str, Any] | None]:
    """Set the ``changes`` (as shown to the admin) on the app: GET the whole object, check it
    still holds what was shown, change only those values, PUT it all back, GET it again and
    prove that those fields, and nothing else, changed."""
    if not changes:
        return [finding("jumpcloud.fix.nothing", "Nothing to fix: the SSO tab already matches.")], None
    before, problems = await client.get_application(app_id)
    if before is None:
        return problems, None
    config = before["config"]
    for change in changes:
        held = config_value(config.get(change.key or ""))
        if change.key is None or ("" if held is None else str(held)) != (change.now or ""):
            return [
                finding(
                    "jumpcloud.fix.stale",
                    f"Nothing was changed: '{change.label}' changed in JumpCloud since it was shown "
                    f"(now {clip(str(held), 200)}).",
                    "Check with JumpCloud again, look at the new difference, then fix.",
                    change.row,
                )
            ], before
    wanted = copy.deepcopy(before)
    for change in changes:
        assert change.key is not None
        wanted["config"][change.key]["value"] = change.want
    _, problems = await client.put_application(app_id, wanted)
    if problems:
        return problems, before
    after, problems = await client.get_application(app_id)
    if after is None:
        return [
            finding(
                "jumpcloud.fix.unconfirmed",
                "JumpCloud accepted the change, but reading the app back failed, so it is not proven.",
                "Check with JumpCloud again in a minute.",
            ),
            *problems,
        ], None
    wrong = [c for c in changes if str(config_value(after["config"].get(c.key or ""))) != c.want]
    side = _changed_elsewhere(before, after, {c.key for c in changes if c.key})
    if wrong or side:
        said = ", ".join(c.label for c in wrong) or "the fields asked for"
        return [
            finding(
                "jumpcloud.fix.not_applied",
                f"JumpCloud's app does not hold what was sent: {said}"
                + (f"; other fields changed too: {', '.join(side)}" if side else "")
                + ".",
                "Open the app's SSO tab in JumpCloud, check the fields named, and set them by hand.",
            )
        ], after
    labels = ", ".join(c.label for c in changes)
    return [finding("jumpcloud.fix.applied", f"JumpCloud now holds the Pulumi values for: {labels}.")], after


def _changed_elsewhere(before: Mapping[str, Any], after: Mapping[str, Any], changed: set[str]) -> list[str]:
    """Fields other than the ``changed`` config values whose value differs after the update."""
    differ: list[str] = []
    for key in sorted(set(before) | set(after)):
        if key in ("config", "sso"):
            continue
        if before.get(key) != after.get(key):
            differ.append(key)
    old, new = before.get("config") or {}, after.get("config") or {}
    for key in sorted(set(old) | set(new)):
        if key in changed:
            continue
        if config_value(old.get(key)) != config_value(new.get(key)):
            differ.append(f"config.{key}")
    return differ


def pulumi_template(templates: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, Finding | None]:
    """The catalogue's Pulumi connector (looked up by name at run time: JumpCloud does not
    document the template names), or why there is not exactly one."""
    found = [t for t in templates if _mentions_pulumi(t)]
    exact = [t for t in found if str(t.get("name", "")).lower() == "pulumi"]
    if len(exact) == 1:
        return exact[0], None
    if len(found) == 1:
        return found[0], None
    names = ", ".join(sorted({str(t.get("displayName") or t.get("name")) for t in found}))
    return None, finding(
        "jumpcloud.template.not_found",
        "JumpCloud's application catalogue has "
        + (f"several entries for Pulumi ({names})" if found else "no entry for Pulumi")
        + ", so the app is not created here.",
        "Create it by hand: Access > SSO Applications > + Add New Application > search Pulumi (or Custom "
        "Application), with the IdP URL value chosen on this step.",
        "idp_url_value",
    )


def new_application(
    template: Mapping[str, Any], values: OrgValues, idp_url_value: str, display_label: str
) -> tuple[dict[str, Any], list[SsoField]]:
    """The application to create from the catalogue ``template``: its own fields, the IdP
    URL, the label, and the six SSO-tab values set where the template's labels name them.
    Also returns the rows as they will be (a row no label names is left as the template has it)."""
    body = {k: copy.deepcopy(v) for k, v in template.items() if k not in ("_id", "status", "isConfigured", "test")}
    body.update({"ssoUrl": JUMPCLOUD_SSO_BASE + idp_url_value, "displayLabel": display_label, "active": True})
    found = body.get("config")
    config: dict[str, Any] = found if isinstance(found, dict) else {}
    body["config"] = config
    rows = sso_fields(body, values)
    for row in rows:
        if row.key is not None:
            config[row.key]["value"] = row.want
    entity = config.get("idpEntityId")
    if isinstance(entity, dict) and not str(entity.get("value") or "").strip():
        entity["value"] = "JumpCloud"
    return body, sso_fields(body, values)


async def create_pulumi_app(
    client: JumpCloudClient, values: OrgValues, idp_url_value: str, display_label: str
) -> list[Finding]:
    """Create the app from the catalogue's Pulumi connector (only when none uses the SSO
    URL: checked again first), then read it back and prove its IdP URL."""
    sso_url = JUMPCLOUD_SSO_BASE + idp_url_value
    apps, problems = await client.list_applications()
    if problems:
        return problems
    if any(str(a.get("ssoUrl", "")).rstrip("/") == sso_url for a in apps):
        return [
            finding(
                "jumpcloud.app.exists",
                f"Nothing was created: an application already uses {sso_url}.",
                "Check with JumpCloud again.",
                "idp_url_value",
            )
        ]
    templates, problems = await client.list_templates()
    if problems:
        return problems
    template, missing = pulumi_template(templates)
    if template is None:
        return [missing] if missing is not None else []
    body, _ = new_application(template, values, idp_url_value, display_label)
    made, problems = await client.create_application(body)
    if made is None or problems:
        return problems
    back, problems = await client.get_application(str(made.get("_id", "")))
    if back is None:
        return problems
    if str(back.get("ssoUrl", "")).rstrip("/") != sso_url:
        return [
            finding(
                "jumpcloud.app.created_elsewhere",
                f"JumpCloud created the app '{display_label}', but with the IdP URL {back.get('ssoUrl', '?')}, not "
                f"{sso_url}; an IdP URL cannot be changed afterwards.",
                "Delete that app in JumpCloud and create it by hand with the IdP URL value chosen here (this "
                "wizard never deletes anything).",
                "idp_url_value",
            )
        ]
    return [
        finding(
            "jumpcloud.app.created",
            f"Created in JumpCloud from the catalogue's {template.get('displayName') or template.get('name')} "
            f"connector: '{display_label}' at {sso_url}.",
        )
    ]


async def bind_groups(
    client: JumpCloudClient, app_id: str, names: list[str], known: list[dict[str, str]]
) -> list[Finding]:
    """Bind the user groups named (as the admin chose them from ``known``) to the app."""
    by_name: dict[str, list[str]] = {}
    for group in known:
        by_name.setdefault(group["name"], []).append(group["id"])
    findings: list[Finding] = []
    unknown = [n for n in names if len(by_name.get(n, [])) != 1]
    if unknown:
        return [
            finding(
                "jumpcloud.groups.unknown",
                "Nothing was bound: no single JumpCloud user group is named "
                + ", ".join(repr(n) for n in unknown)
                + ".",
                "Choose among the groups JumpCloud lists (names are exact).",
                "groups",
            )
        ]
    for name in names:
        problems = await client.bind_group(app_id, by_name[name][0])
        if problems:
            return [*findings, *problems]
    bound, problems = await client.bound_group_ids(app_id)
    if problems:
        return problems
    missing = [n for n in names if by_name[n][0] not in bound]
    if missing:
        return [
            finding(
                "jumpcloud.groups.not_bound",
                f"JumpCloud answered, but {', '.join(missing)} is not bound to the app.",
                "Bind it on the app's User Groups tab in JumpCloud.",
                "groups",
            )
        ]
    return [finding("jumpcloud.groups.bound", f"Bound to the app in JumpCloud: {', '.join(names)}.")]


__all__ = [
    "API_KEY_ENV",
    "JUMPCLOUD",
    "ORG_ID_ENV",
    "JumpCloudCheck",
    "JumpCloudClient",
    "SsoField",
    "app_summary",
    "bind_groups",
    "check_jumpcloud",
    "config_value",
    "create_pulumi_app",
    "fix_sso_fields",
    "new_application",
    "normal_label",
    "pulumi_template",
    "sso_fields",
]
