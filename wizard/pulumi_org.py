"""Pulumi's side of the organisation, through Pulumi Cloud's REST API: what edition
features and role the token's user has (step 1), whether SAML SSO is on (step 6),
sign-ins seen in the audit log (step 7) and teams SCIM pushed (step 8).

- ``GET /api/orgs/{org}/metadata``: ``kind`` (``saml`` once SAML SSO backs the
  organisation), ``features.samlSsoEnabled``, ``features.scimEnabled``,
  ``features.auditLogsEnabled``, ``userRole``, ``backingOrgLogin``;
- ``GET /api/orgs/{org}/auditlogs/v2?startTime=&endTime=&continuationToken=``:
  ``{"auditLogEvents": [{"timestamp", "event", "description", "user", ...}],
  "continuationToken"}`` (an edition with audit logs, and an admin);
- ``GET /api/orgs/{org}/teams``: ``{"teams": [{"kind", "name", ...}]}``; teams SCIM
  pushed have kind ``scim``.

Everything goes through the Pulumi client (``wizard.pulumi_api``), so the token
rules, timeouts, retries and findings are the same as for the SAML endpoints.
This module imports httpx (through that client): import it from a worker or a
command's ``run()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from wizard.codes import finding
from wizard.findings import Finding
from wizard.pulumi_api import PulumiClient
from wizard.transport import clip

MAX_TEAM_NAME = 100  # characters: longer group names cannot become Pulumi teams
MAX_AUDIT_PAGES = 20
LOGIN_OK = "user-login"
LOGIN_FAILED = "user-login-failed"


@dataclass(frozen=True)
class OrgInfo:
    """What ``GET /api/orgs/{org}/metadata`` says (None: not in the answer)."""

    kind: str | None
    saml_sso: bool | None
    scim: bool | None
    audit_logs: bool | None
    role: str | None
    login: str | None  # backingOrgLogin: the organisation's own name, as Pulumi spells it

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "samlSsoEnabled": self.saml_sso,
            "scimEnabled": self.scim,
            "auditLogsEnabled": self.audit_logs,
            "userRole": self.role,
        }


@dataclass(frozen=True)
class SignIn:
    """One login event of the audit log."""

    at: datetime
    ok: bool
    user: str
    description: str


def _org_path(org: str, rest: str) -> str:
    return f"/api/orgs/{quote(org, safe='')}/{rest}"


async def _get(client: PulumiClient, org: str, rest: str, what: str, **params: str) -> tuple[Any, list[Finding]]:
    """GET an organisation endpoint through the client's own request (token source in the
    findings, the same table); a 404 here means the organisation, not its SAML settings."""
    if client.problem is not None:
        return None, [client.problem]
    data, problems = await client._request("GET", _org_path(org, rest), org=org, what=what, params=params or None)
    if not problems:
        return data, []
    if problems[0].code == "pulumi.not_found":
        return None, [
            client.redact(
                finding(
                    "pulumi.org.not_found",
                    f"Pulumi has no organisation named '{org}' that this token's user can see.",
                    "Check the name in app.pulumi.com/<org> (it is case-sensitive), and that the token belongs "
                    "to a member of that organisation.",
                    "org",
                )
            )
        ]
    return None, problems


def _flag(data: dict[str, Any], name: str) -> bool | None:
    value = data.get(name)
    return value if isinstance(value, bool) else None


async def org_info(client: PulumiClient, org: str) -> tuple[OrgInfo | None, list[Finding]]:
    data, problems = await _get(client, org, "metadata", "the organisation's metadata")
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [
            client.finding(
                "bad_body", what="the organisation's metadata", expected="an object", got=type(data).__name__
            )
        ]
    features = data.get("features") if isinstance(data.get("features"), dict) else {}
    assert isinstance(features, dict)
    audit = _flag(features, "auditLogsEnabled")
    return (
        OrgInfo(
            kind=data.get("kind") if isinstance(data.get("kind"), str) else None,
            saml_sso=_flag(features, "samlSsoEnabled"),
            scim=_flag(features, "scimEnabled"),
            audit_logs=audit if audit is not None else _flag(data, "auditLogsEnabled"),
            role=data.get("userRole") if isinstance(data.get("userRole"), str) else None,
            login=data.get("backingOrgLogin") if isinstance(data.get("backingOrgLogin"), str) else None,
        ),
        [],
    )


@dataclass(frozen=True)
class OrgCheck:
    """Step 1's *Check with Pulumi*: for which organisation and API, what Pulumi said."""

    org: str
    api_base: str
    info: OrgInfo | None
    findings: list[Finding]

    @property
    def proves_saml(self) -> bool:
        """Pulumi said SAML SSO is available and the token's user is an admin, and nothing against."""
        return (
            self.info is not None
            and self.info.saml_sso is True
            and self.info.role == "admin"
            and not any(f.is_error for f in self.findings)
        )


async def check_org(api_base: str, org: str, token: Any, *, timeout: float) -> OrgCheck:
    """GET the organisation's metadata with ``token`` (a TokenSource) and judge it for step 1."""
    async with PulumiClient(api_base, token, timeout=timeout) as client:
        info, problems = await org_info(client, org)
    return OrgCheck(org, api_base, info, problems if info is None else preflight(info, org))


def preflight(info: OrgInfo, org: str) -> list[Finding]:
    """Step 1's verdict on the organisation: can SAML SSO be set up here, by this user?"""
    findings: list[Finding] = []
    if info.login and info.login != org and info.login.lower() == org.lower():
        findings.append(
            finding(
                "pulumi.org.case",
                f"Pulumi spells the organisation '{info.login}', not '{org}': every value built from it "
                "(SP Entity ID, ACS URL) must use Pulumi's spelling, or sign-in fails.",
                f"Enter the organisation name as {info.login}.",
                "org",
            )
        )
    if info.saml_sso is False:
        findings.append(
            finding(
                "pulumi.org.saml_unavailable",
                f"Pulumi says SAML SSO is not available to '{org}' (features.samlSsoEnabled is false).",
                "SAML SSO needs a paid Pulumi edition: upgrade in Pulumi (Settings > Billing), or ask Pulumi's "
                "sales, then check again.",
                "has_saml_edition",
            )
        )
    if info.role is not None and info.role != "admin":
        findings.append(
            finding(
                "pulumi.org.not_admin",
                f"The token's user is '{info.role}' in '{org}', not an admin: only an organisation admin can "
                "switch it to SAML SSO and load the metadata.",
                "Run the wizard with an admin's token (Pulumi: Settings > Members shows who is one), or ask an "
                "admin to do steps 6 onwards.",
                "token",
            )
        )
    if info.kind == "saml":
        findings.append(
            finding(
                "pulumi.org.already_saml",
                f"'{org}' already uses SAML SSO: this is not a first-time setup.",
                "To change JumpCloud's certificate use Rotate the certificate; 'jumpcloud-pulumi-sso status' "
                "shows what Pulumi has loaded.",
            )
        )
    if info.scim is False:
        findings.append(
            finding(
                "pulumi.org.scim_unavailable",
                f"SCIM provisioning is not available to '{org}' (features.scimEnabled is false): step 8 can "
                "only be skipped.",
                "SCIM needs Pulumi's Enterprise edition (or higher).",
            )
        )
    return findings


async def sign_ins(
    client: PulumiClient, org: str, since: datetime, until: datetime
) -> tuple[list[SignIn], list[Finding]]:
    """The login events of the audit log between ``since`` and ``until``, newest first."""
    found: list[SignIn] = []
    token = ""
    for _ in range(MAX_AUDIT_PAGES):
        params = {"startTime": str(int(since.timestamp())), "endTime": str(int(until.timestamp()))}
        if token:
            params["continuationToken"] = token
        data, problems = await _get(client, org, "auditlogs/v2", "the audit log", **params)
        if problems:
            return found, problems
        events = data.get("auditLogEvents") if isinstance(data, dict) else None
        if not isinstance(events, list):
            return found, [
                client.finding("bad_body", what="the audit log", expected="auditLogEvents", got=type(data).__name__)
            ]
        for event in events:
            if not isinstance(event, dict) or event.get("event") not in (LOGIN_OK, LOGIN_FAILED):
                continue
            stamp = event.get("timestamp")
            if not isinstance(stamp, (int, float)):
                continue
            user = event.get("user") if isinstance(event.get("user"), dict) else {}
            assert isinstance(user, dict)
            who = str(user.get("githubLogin") or user.get("name") or event.get("actorName") or "someone")
            from datetime import UTC

            found.append(
                SignIn(
                    datetime.fromtimestamp(stamp, UTC),
                    event["event"] == LOGIN_OK,
                    clip(who, 80),
                    clip(str(event.get("description") or ""), 200),
                )
            )
        token = data.get("continuationToken") if isinstance(data.get("continuationToken"), str) else ""
        if not token:
            break
    return found, []


@dataclass(frozen=True)
class SignInsSeen:
    """One look at the audit log for step 7: for which organisation, since when, what was seen."""

    org: str
    api_base: str
    since: datetime
    events: list[SignIn]
    findings: list[Finding]
    audit_logs: bool | None = None  # the organisation has audit logs (None: not known)

    @property
    def seen(self) -> list[SignIn]:
        return [e for e in self.events if e.ok]


async def watch_sign_ins(api_base: str, org: str, token: Any, since: datetime, *, timeout: float) -> SignInsSeen:
    """The organisation's features, then (with audit logs) its login events since ``since``."""
    from datetime import UTC, timedelta

    async with PulumiClient(api_base, token, timeout=timeout) as client:
        info, problems = await org_info(client, org)
        if info is None:
            return SignInsSeen(org, api_base, since, [], problems)
        if not info.audit_logs:
            return SignInsSeen(
                org,
                api_base,
                since,
                [],
                [
                    finding(
                        "pulumi.signin.no_audit_logs",
                        f"'{org}' has no audit logs in its Pulumi edition, so sign-ins cannot be seen from here.",
                        "Tick each sign-in once it worked.",
                    )
                ],
                audit_logs=False,
            )
        events, problems = await sign_ins(client, org, since, datetime.now(UTC) + timedelta(minutes=1))
        admins = await client.get_saml_admins(org)
    from wizard.pulumi_api import admins_finding

    shown = problems or sign_in_findings(events)
    if admins.admins is not None:
        shown = [*shown, admins_finding(admins.admins)]
    return SignInsSeen(org, api_base, since, events, shown, audit_logs=True)


async def watch_teams(api_base: str, org: str, token: Any, groups: list[str], *, timeout: float) -> list[Finding]:
    """The teams SCIM pushed against ``groups``; SCIM not in the edition is said instead."""
    async with PulumiClient(api_base, token, timeout=timeout) as client:
        info, _ = await org_info(client, org)
        if info is not None and info.scim is False:
            return [f for f in preflight(info, org) if f.code == "pulumi.org.scim_unavailable"]
        teams, problems = await scim_teams(client, org)
    return problems or team_findings(groups, teams)


def sign_in_findings(events: list[SignIn]) -> list[Finding]:
    """A successful login proves a sign-in; failed ones are shown with Pulumi's description."""
    findings: list[Finding] = []
    failed = [e for e in events if not e.ok]
    for event in failed[:3]:
        findings.append(
            finding(
                "pulumi.signin.failed",
                f"Pulumi recorded a failed sign-in by {event.user} at {event.at:%H:%M:%S} UTC: "
                f"{event.description or 'no description'}.",
                "Open troubleshooting (ctrl+t) and paste the SAML response of that attempt.",
            )
        )
    ok = [e for e in events if e.ok]
    if ok:
        findings.append(
            finding(
                "pulumi.signin.seen",
                f"Pulumi's audit log shows {len(ok)} sign-in(s) since this step was opened, the last by "
                f"{ok[0].user} at {ok[0].at:%H:%M:%S} UTC.",
            )
        )
    return findings


async def scim_teams(client: PulumiClient, org: str) -> tuple[list[str], list[Finding]]:
    """The names of the teams SCIM pushed (kind ``scim``)."""
    data, problems = await _get(client, org, "teams", "the teams")
    if problems:
        return [], problems
    teams = data.get("teams") if isinstance(data, dict) else None
    if not isinstance(teams, list):
        return [], [client.finding("bad_body", what="the teams", expected="teams", got=type(data).__name__)]
    return [str(t.get("name")) for t in teams if isinstance(t, dict) and t.get("kind") == "scim"], []


def team_findings(groups: list[str], teams: list[str]) -> list[Finding]:
    """The JumpCloud groups of step 4 against the teams SCIM pushed, matched by name."""
    findings: list[Finding] = []
    long = [g for g in groups if len(g) > MAX_TEAM_NAME]
    if long:
        findings.append(
            finding(
                "pulumi.scim.team_name_too_long",
                f"{len(long)} group name(s) are longer than {MAX_TEAM_NAME} characters, which a Pulumi team name "
                f"cannot be: {', '.join(clip(g, 40) for g in long)}.",
                "Rename the group in JumpCloud (or push a shorter-named group instead).",
                "groups",
            )
        )
    # each team accounts for one group: the same name first, then one differing only in
    # case; two groups differing only in case are not both "arrived" on the strength of one team
    unmatched = list(teams)
    pending = []
    for group in groups:
        if group in unmatched:
            unmatched.remove(group)
        else:
            pending.append(group)
    missing = []
    for group in pending:
        alike = next((t for t in unmatched if t.casefold() == group.casefold()), None)
        if alike is not None:
            unmatched.remove(alike)
        elif len(group) <= MAX_TEAM_NAME:
            missing.append(group)
    if missing:
        findings.append(
            finding(
                "pulumi.scim.teams_missing",
                f"Not in Pulumi yet as SCIM teams: {', '.join(missing)}.",
                "In JumpCloud, on the app's Identity Management tab, add the groups to push (Group Management), "
                "save, and check again in a minute.",
                "groups",
            )
        )
    elif groups:
        findings.append(
            finding("pulumi.scim.teams_ok", f"Every group arrived in Pulumi as a team: {', '.join(groups)}.")
        )
    return findings


__all__ = [
    "MAX_TEAM_NAME",
    "OrgCheck",
    "OrgInfo",
    "SignIn",
    "SignInsSeen",
    "check_org",
    "org_info",
    "preflight",
    "scim_teams",
    "sign_in_findings",
    "sign_ins",
    "team_findings",
    "watch_sign_ins",
    "watch_teams",
]
