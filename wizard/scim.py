"""The SCIM step's check: does this token open this SCIM base URL?

The probe is read-only: one ``GET {base}/Users?startIndex=1&count=1`` with the token
as a bearer token, the least intrusive request Pulumi's SCIM API serves (Pulumi
documents no endpoint for testing a token).  It goes through :mod:`wizard.transport`,
which never follows a redirect (a redirect means the base URL is wrong: it usually
leads to a sign-in page), tries 429 and 5xx answers again within bounds, bounds every
attempt by ``timeout`` and keeps the token out of every finding, repr and log record.
This module declares the SCIM status table (``SCIM``) and reads the list of users.

Findings: exactly one primary finding (see ``PRIMARY_CODES``), plus info findings
(an empty user list, a retry that succeeded).  ``field`` is ``"scim_token"`` or
``"scim_base_url"`` when the finding belongs to that input.

This module imports httpx: import it from a worker or from the ``check-scim``
command's ``run()``, not at start-up.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from wizard.codes import finding
from wizard.findings import Finding, has_errors
from wizard.transport import DEFAULT_TIMEOUT, MAX_ATTEMPTS, SHARED_RULES, Api, HttpClient, Reply, Rule, Sleep
from wizard.values import normalize_scim_base as normalize_scim_base  # screens import both from here
from wizard.values import scim_base_problem as scim_base_problem

FIELD_TOKEN = "scim_token"
FIELD_BASE_URL = "scim_base_url"

LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

# The one primary finding of a probe has one of these codes.
PRIMARY_CODES = (
    "scim.ok",
    "scim.not_scim",
    "scim.redirect",
    "scim.unauthorized",
    "scim.forbidden",
    "scim.not_found",
    "scim.bad_request",
    "scim.rate_limited",
    "scim.server_error",
    "scim.timeout",
    "scim.dns",
    "scim.refused",
    "scim.tls",
    "scim.network",
    "scim.unexpected",
    "scim.invalid_url",
    "scim.no_token",
    "scim.bad_token",
)

_TOKEN_FIX = (
    "In Pulumi: Settings > Access Management > SAML & SCIM, generate a new SCIM token, "
    "copy it at once (it is shown only once), $place_scim_token, and paste it in JumpCloud's "
    "Identity Management tab. Regenerating invalidates the previous token."
)
_BASE_FIX = (
    "Use the SCIM base URL shown by this wizard: {api}/scim/v2/{org}, with the organisation "
    "name exactly as in Pulumi (case-sensitive)."
)

# The SCIM status table; the probe passes no request context.
SCIM = Api(
    prefix="scim",
    name="The SCIM endpoint",
    url_what="SCIM base URL",
    url_field=FIELD_BASE_URL,
    url_problem=scim_base_problem,
    secret_what="SCIM token",
    secret_field=FIELD_TOKEN,
    auth_header="Authorization",
    auth_scheme="Bearer",
    accept="application/scim+json",
    max_body=256 * 1024,  # a one-user page is a few hundred bytes
    incidents=" Pulumi shows its incidents at https://www.pulumistatus.com (self-hosted: see its logs).",
    rules={
        "bad_url": Rule("invalid_url", "$problem", _BASE_FIX, "$url_field"),
        "no_secret": Rule("no_token", "Paste the SCIM token from Pulumi.", _TOKEN_FIX, "$secret_field"),
        "bad_body": Rule(
            "not_scim",
            "The base URL answered with $got where a SCIM list of users was expected: it is not Pulumi's SCIM API.",
            _BASE_FIX,
            "$url_field",
        ),
        "3xx": Rule(
            "redirect",
            "The base URL redirects (HTTP $status) to $location: a SCIM API answers directly, so "
            "this is not the SCIM base URL.",
            "The server sends clients to $location_host instead, usually to a sign-in page. " + _BASE_FIX,
            "$url_field",
        ),
        400: Rule(
            "bad_request",
            "The SCIM endpoint rejected the read-only test query: $said.",
            "Check that the base URL ends with /scim/v2/<org> and nothing after it; if it does, the "
            "server's words above say what it expects.",
            "$url_field",
        ),
        401: Rule(
            "unauthorized",
            "The SCIM endpoint refused the token (HTTP 401): it is wrong, revoked, or was regenerated "
            "since (only the newest token works).$says",
            _TOKEN_FIX,
            "$secret_field",
        ),
        403: Rule(
            "forbidden",
            "The token was recognised but is not allowed to use SCIM here (HTTP 403).$says",
            "Check that the token was generated in this organisation (Settings > Access Management > "
            "SAML & SCIM), that SAML SSO is enabled for it, and that its edition includes SCIM "
            "(Enterprise or higher).",
            "$secret_field",
        ),
        404: Rule(
            "not_found",
            "No SCIM endpoint at this base URL (HTTP 404).$says",
            "Check the organisation name (case-sensitive) and the API URL. SCIM needs Pulumi's "
            "Enterprise edition or higher and SAML SSO set up for the organisation.",
            "$url_field",
        ),
        429: replace(
            SHARED_RULES[429], fix="Wait a minute, then check again: JumpCloud's provisioning shares this limit."
        ),
        "other": Rule(
            "unexpected",
            "The SCIM endpoint answered with an unexpected HTTP status $status.$says",
            _BASE_FIX,
            "$url_field",
        ),
    },
)


@dataclass(frozen=True)
class ScimProbeResult:
    """What the probe found.  Holds no secret."""

    findings: list[Finding]
    status_code: int | None = None
    total_results: int | None = None
    attempts: int = 0
    base_url: str = ""
    elapsed: float = 0.0  # seconds, including waits between tries
    retries: list[int] = field(default_factory=list)  # status codes that were retried

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    @property
    def primary(self) -> Finding:
        """The one finding that is the verdict (``scim.ok``, ``scim.unauthorized``...)."""
        return next(f for f in self.findings if f.code in PRIMARY_CODES)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "status_code": self.status_code,
            "total_results": self.total_results,
            "attempts": self.attempts,
        }


def _total_results(data: Any) -> int | None:
    """``totalResults`` of a SCIM list response (RFC 7644 §3.4.2), else None."""
    if not isinstance(data, dict):
        return None
    total = data.get("totalResults")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        return None
    schemas = data.get("schemas")
    if isinstance(schemas, list) and LIST_RESPONSE_SCHEMA in schemas:
        return total
    # Lenient: some servers omit ``schemas`` but still send the list shape.
    return total if schemas is None and isinstance(data.get("Resources", []), list) else None


def _verdict(http: HttpClient, reply: Reply) -> tuple[list[Finding], int | None]:
    """The probe's findings, the primary one first, and totalResults when the token worked."""
    if reply.finding is not None:
        return [reply.finding], None
    total = _total_results(reply.data)
    if total is None:
        return [http.finding("bad_body", got="JSON of another shape")], None
    users = "1 user" if total == 1 else f"{total} users"
    findings = [
        finding(
            "scim.ok",
            f"The SCIM endpoint accepted the token (totalResults: {total}; it lists {users}).",
            "Paste the same base URL and token into JumpCloud's Identity Management tab.",
        )
    ]
    if reply.retried:
        kinds = ", ".join(str(s) for s in reply.retried)
        findings.append(
            finding("scim.retried", f"The endpoint answered {kinds} first; it worked on try {reply.attempts}.")
        )
    if total == 0:
        findings.append(
            finding(
                "scim.no_users_yet",
                "No users are provisioned through SCIM yet.",
                "JumpCloud creates them once Identity Management is activated and users are bound "
                "to the Pulumi application.",
            )
        )
    return findings, total


async def probe_scim(
    base_url: str,
    token: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_attempts: int = MAX_ATTEMPTS,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Sleep = asyncio.sleep,
) -> ScimProbeResult:
    """Check ``token`` against the SCIM endpoint at ``base_url``, read-only.

    Never raises (short of cancellation); the token appears in no finding.  Takes at
    most about ``max_attempts * timeout`` plus the waits between tries.
    """
    started = time.monotonic()
    base = base_url.strip() if isinstance(base_url, str) else ""
    async with HttpClient(
        SCIM,
        base,
        token if isinstance(token, str) else "",
        timeout=timeout,
        max_attempts=max_attempts,
        sleep=sleep,
        transport=transport,
    ) as http:
        reply = await http.request("GET", "/Users", params={"startIndex": "1", "count": "1"})
        findings, total = _verdict(http, reply)
    return ScimProbeResult(
        findings,
        reply.status,
        total,
        reply.attempts,
        normalize_scim_base(base),
        time.monotonic() - started,
        list(reply.retried),
    )


def probe_scim_sync(base_url: str, token: str, **options: Any) -> ScimProbeResult:
    """:func:`probe_scim` (same options) for callers without an event loop (the CLI)."""
    return asyncio.run(probe_scim(base_url, token, **options))
