"""The SCIM step's check: does this token open this SCIM base URL?

The probe is read-only: one ``GET {base}/Users?startIndex=1&count=1`` with the
token as a bearer token, the least intrusive request Pulumi's SCIM API serves
(DOMAIN.md: no token test endpoint is documented).  It never writes, never
follows a redirect (a redirect means the base URL is wrong: it usually leads
to a sign-in page), retries only 429 (honouring ``Retry-After``, capped) and
5xx answers, and bounds every attempt by ``timeout``.

The token never leaves this module except in the ``Authorization`` header:
it is not in a finding, an exception's text, a ``repr`` or a log line, and
:func:`probe_scim` catches every error it can meet (an uncaught error in a
Textual worker prints the frame's locals).

Findings: exactly one primary finding (see ``PRIMARY_CODES``), plus info
findings (an empty user list, a retry that succeeded).  ``field`` is
``"scim_token"`` or ``"scim_base_url"`` when the finding belongs to that input.

This module imports httpx at the top: import it from a worker or from the
``check-scim`` command's ``run()``, not at start-up.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import math
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit, urlunsplit

import httpx

from wizard import __version__
from wizard.findings import Finding, error, has_errors, info, ok
from wizard.values import url_problem

FIELD_TOKEN = "scim_token"
FIELD_BASE_URL = "scim_base_url"

LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_MEDIA_TYPE = "application/scim+json"
USER_AGENT = f"jumpcloud-pulumi-sso/{__version__}"

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

MAX_BODY_BYTES = 256 * 1024  # a one-user page is a few hundred bytes
_BACKOFF_FIRST = 0.5  # seconds before the 2nd try after a 5xx; doubled each time
_SNIPPET = 160  # characters of a server's text quoted in a message

_TOKEN_FIX = (
    "In Pulumi: Settings > Access Management > SAML & SCIM, generate a new SCIM token, "
    "copy it at once (it is shown only once) and paste it here and in JumpCloud's "
    "Identity Management tab. Regenerating invalidates the previous token."
)
_BASE_FIX = "Use the SCIM base URL shown by this wizard: {api}/scim/v2/{org}, with the organisation name exactly as in Pulumi (case-sensitive)."

Sleep = Callable[[float], Awaitable[Any]]


class _Secret:
    """Holds the token so that a traceback's locals or a ``repr`` never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


_HTTP_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy")


class _RedactingFilter(logging.Filter):
    """Rewrites log records of the HTTP stack that would carry the token.

    httpx and httpcore never log request headers, but httpcore's DEBUG trace
    logs the response headers, and a server may echo the token back (in a
    ``Location`` or an error).  A filter on a logger sees the records created
    at that logger, so it is installed on each logger the stack writes to.
    """

    def __init__(self, secret: _Secret) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        value = self._secret.reveal()
        try:
            text = record.getMessage()
        except Exception:  # a record whose args do not fit: leave it alone
            return True
        if value and value in text:
            record.msg = text.replace(value, "<token>")
            record.args = ()
        return True


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


# --------------------------------------------------------------------------- input checks


def scim_base_problem(url: str) -> str | None:
    """Why ``url`` cannot be a SCIM base URL (https; http only for loopback), or None."""
    problem = url_problem(url, what="SCIM base URL", allow_path=True)
    if problem:
        return problem
    path = urlsplit(url).path.rstrip("/")
    last = path.rsplit("/", 1)[-1].lower()
    if last in {"users", "groups"}:
        return (
            f"The SCIM base URL ends before '/{path.rsplit('/', 1)[-1]}': remove it "
            "(JumpCloud adds /Users and /Groups itself)."
        )
    return None


def normalize_scim_base(url: str) -> str:
    """The base URL without a trailing slash (the probe appends ``/Users``)."""
    return url.rstrip("/")


def token_problem(token: str) -> tuple[str, str, str] | None:
    """(code, message, fix) when ``token`` cannot be a bearer token, else None.

    The message never quotes the token.
    """
    if not token or not token.strip():
        return (
            "scim.no_token",
            "Paste the SCIM token from Pulumi.",
            _TOKEN_FIX,
        )
    stripped = token.strip()
    if any(c.isspace() for c in stripped):
        return (
            "scim.bad_token",
            "The SCIM token contains spaces or line breaks: it was probably copied with "
            "surrounding text or wrapped.",
            "Copy the token again with Pulumi's copy button and paste it as one line.",
        )
    if not all(c.isascii() and c.isprintable() for c in stripped):
        return (
            "scim.bad_token",
            "The SCIM token contains characters a Pulumi token does not have "
            "(non-ASCII or control characters).",
            "Copy the token again with Pulumi's copy button; do not type it by hand.",
        )
    if len(stripped) > 4096:
        return (
            "scim.bad_token",
            "That is far longer than a SCIM token: something else was pasted.",
            "Copy only the token from Pulumi's SCIM token dialog.",
        )
    return None


# --------------------------------------------------------------------------- helpers


def _redact(text: str, secret: _Secret) -> str:
    value = secret.reveal()
    if value and value in text:
        text = text.replace(value, "<token>")
    return text


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"


def _retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _scim_error(data: Any) -> tuple[str | None, str | None]:
    """(scimType, detail) of a SCIM error body (RFC 7644 §3.12), or (None, None)."""
    if not isinstance(data, dict):
        return None, None
    scim_type = data.get("scimType")
    detail = data.get("detail")
    if detail is None and isinstance(data.get("message"), str):  # non-SCIM JSON errors
        detail = data["message"]
    return (
        _snippet(scim_type) if isinstance(scim_type, str) and scim_type else None,
        _snippet(detail) if isinstance(detail, str) and detail else None,
    )


def _server_says(body: bytes, content_type: str) -> str:
    """' The server says: "…".' from a SCIM/JSON error body, else ''."""
    scim_type, detail = _scim_error(_parse_json(body)) if body else (None, None)
    parts = [p for p in (scim_type and f"scimType {scim_type}", detail and f'"{detail}"') if p]
    return f" The server says: {', '.join(parts)}." if parts else ""


def _looks_html(body: bytes, content_type: str) -> bool:
    if "html" in content_type.lower():
        return True
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<?xml"))


def _html_title(body: bytes) -> str | None:
    text = body[:MAX_BODY_BYTES].decode("utf-8", "replace")
    low = text.lower()
    start = low.find("<title")
    if start < 0:
        return None
    start = low.find(">", start)
    end = low.find("</title", start)
    if start < 0 or end < 0:
        return None
    title = _snippet(text[start + 1 : end])
    return title or None


def _is_list_response(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    total = data.get("totalResults")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        return False
    schemas = data.get("schemas")
    if isinstance(schemas, list) and LIST_RESPONSE_SCHEMA in schemas:
        return True
    # Lenient: some servers omit ``schemas`` but still send the list shape.
    return schemas is None and isinstance(data.get("Resources", []), list)


def _chain(exc: BaseException):
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        yield cur
        cur = cur.__cause__ or cur.__context__


_DNS_WORDS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "getaddrinfo failed",
    "no address associated with hostname",
    "name resolution",
    "name does not resolve",
    "no such host",
    "failed to resolve",
)
_REFUSED_WORDS = ("connection refused", "actively refused", "errno 111", "errno 61", "10061")
_TLS_WORDS = ("ssl", "tls", "certificate", "handshake")


def _classify_transport_error(exc: BaseException) -> str:
    """scim.timeout / scim.dns / scim.refused / scim.tls / scim.network."""
    chain = list(_chain(exc))
    if any(isinstance(e, (httpx.TimeoutException, TimeoutError, socket.timeout)) for e in chain):
        return "scim.timeout"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "scim.dns"
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return "scim.tls"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "scim.refused"
    text = " ".join(str(e) for e in chain).lower()
    if any(w in text for w in _DNS_WORDS):
        return "scim.dns"
    if any(w in text for w in _REFUSED_WORDS):
        return "scim.refused"
    if any(w in text for w in _TLS_WORDS):
        return "scim.tls"
    return "scim.network"


def _tls_reason(exc: BaseException) -> str:
    for e in _chain(exc):
        if isinstance(e, ssl.SSLCertVerificationError) and e.verify_message:
            return e.verify_message
        if isinstance(e, ssl.SSLError) and e.reason:
            return str(e.reason).replace("_", " ").lower()
    return ""


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{host}:{parts.port}" if parts.port else host


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


# --------------------------------------------------------------------------- verdicts


def _transport_finding(code: str, exc: BaseException, base: str, timeout: float, secret: _Secret) -> Finding:
    host = _host_of(base)
    if code == "scim.timeout":
        return error(
            code,
            f"No answer from {host} within {timeout:g} s.",
            "Check the base URL and your network (VPN, proxy, firewall); if Pulumi is slow "
            "right now, try again in a minute.",
            FIELD_BASE_URL,
        )
    if code == "scim.dns":
        return error(
            code,
            f"The host name {urlsplit(base).hostname} could not be found (DNS).",
            "Check the spelling of the API/base URL (Pulumi Cloud: https://api.pulumi.com) "
            "and that this computer can resolve it (VPN, DNS).",
            FIELD_BASE_URL,
        )
    if code == "scim.refused":
        return error(
            code,
            f"{host} refused the connection: nothing is listening on that port.",
            "Check the host and port of the base URL; a self-hosted Pulumi serves its API on "
            "its own domain (PULUMI_API_DOMAIN).",
            FIELD_BASE_URL,
        )
    if code == "scim.tls":
        reason = _tls_reason(exc)
        return error(
            code,
            f"The TLS (https) connection to {host} failed"
            + (f": {_redact(_snippet(reason), secret)}." if reason else "."),
            "The server's certificate is not trusted for this name. Check the host name; behind "
            "a TLS-inspecting proxy set SSL_CERT_FILE to your company's CA bundle. Never turn "
            "certificate checks off.",
            FIELD_BASE_URL,
        )
    reason = _redact(_snippet(str(exc) or type(exc).__name__), secret)
    return error(
        "scim.network",
        f"The connection to {host} failed: {reason}",
        "Check your network (VPN, proxy, firewall) and try again.",
        FIELD_BASE_URL,
    )


def _status_finding(
    status: int, headers: httpx.Headers, body: bytes, base: str, secret: _Secret, *, waited: float | None
) -> tuple[Finding, int | None]:
    """The primary finding of a final HTTP answer, and totalResults when known."""
    content_type = headers.get("content-type", "")
    says = _redact(_server_says(body, content_type), secret)
    if status == 200:
        data = _parse_json(body)
        if _is_list_response(data):
            total = data["totalResults"]
            users = "1 user" if total == 1 else f"{total} users"
            return (
                ok(
                    "scim.ok",
                    f"The SCIM endpoint accepted the token (totalResults: {total}; it lists {users}).",
                    "Paste the same base URL and token into JumpCloud's Identity Management tab.",
                ),
                total,
            )
        if _looks_html(body, content_type):
            title = _html_title(body)
            what = f'a web page ("{_redact(title, secret)}")' if title else "a web page (HTML)"
            msg = f"The base URL answered with {what}, not SCIM: it is not Pulumi's SCIM API."
        elif data is None:
            msg = "The base URL answered 200 with something that is not JSON: it is not a SCIM API."
        else:
            msg = "The base URL answered 200 with JSON that is not a SCIM list of users."
        return error("scim.not_scim", msg, _BASE_FIX, FIELD_BASE_URL), None
    if 300 <= status < 400:
        location = headers.get("location", "")
        target = _redact(_snippet(_without_query(location)), secret) if location else ""
        fix = _BASE_FIX
        if location:
            target_parts = urlsplit(location)
            base_parts = urlsplit(base)
            if target_parts.hostname and target_parts.hostname != base_parts.hostname:
                fix = (
                    f"The server sends clients to another host ({target_parts.hostname}), usually a "
                    "sign-in page. " + _BASE_FIX
                )
            elif target_parts.scheme == "https" and base_parts.scheme == "http":
                fix = "Use https:// in the base URL."
        return (
            error(
                "scim.redirect",
                f"The base URL redirects ({status})"
                + (f" to {target}" if target else "")
                + ": a SCIM API answers directly, so this is not the SCIM base URL.",
                fix,
                FIELD_BASE_URL,
            ),
            None,
        )
    if status == 401:
        return (
            error(
                "scim.unauthorized",
                "The SCIM endpoint refused the token (401): it is wrong, revoked, or was "
                "regenerated since (only the newest token works)." + says,
                _TOKEN_FIX,
                FIELD_TOKEN,
            ),
            None,
        )
    if status == 403:
        return (
            error(
                "scim.forbidden",
                "The token was recognised but is not allowed to use SCIM here (403)." + says,
                "Check that the token was generated in this organisation (Settings > Access "
                "Management > SAML & SCIM), that SAML SSO is enabled for it, and that its "
                "edition includes SCIM (Enterprise or higher).",
                FIELD_TOKEN,
            ),
            None,
        )
    if status == 404:
        return (
            error(
                "scim.not_found",
                "No SCIM endpoint at this base URL (404)." + says,
                "Check the organisation name (case-sensitive) and the API URL. SCIM needs "
                "Pulumi's Enterprise edition or higher and SAML SSO set up for the organisation.",
                FIELD_BASE_URL,
            ),
            None,
        )
    if status == 400:
        scim_type, detail = _scim_error(_parse_json(body))
        parts = [p for p in (scim_type and f"scimType {scim_type}", detail and f'"{detail}"') if p]
        explained = _redact(", ".join(parts), secret) if parts else "no SCIM error detail"
        return (
            error(
                "scim.bad_request",
                f"The SCIM endpoint rejected the read-only test query (400: {explained}).",
                "Check that the base URL ends with /scim/v2/<org> and nothing after it; if it "
                "does, the server's message above says what it expects.",
                FIELD_BASE_URL,
            ),
            None,
        )
    if status == 429:
        when = f" It asks to wait {waited:g} s." if waited else ""
        return (
            error(
                "scim.rate_limited",
                "The SCIM endpoint is rate-limiting requests (429)." + when,
                "Wait a minute, then check again. JumpCloud's provisioning shares this limit.",
                FIELD_BASE_URL,
            ),
            None,
        )
    if 500 <= status < 600:
        return (
            error(
                "scim.server_error",
                f"The SCIM endpoint failed with a server error ({status}), also on retry." + says,
                "This is on the server's side: check status.pulumi.com (or your self-hosted "
                "install's logs) and try again in a few minutes.",
                FIELD_BASE_URL,
            ),
            None,
        )
    return (
        error(
            "scim.unexpected",
            f"The SCIM endpoint answered with an unexpected HTTP status {status}." + says,
            _BASE_FIX,
            FIELD_BASE_URL,
        ),
        None,
    )


# --------------------------------------------------------------------------- the probe


async def _read_limited(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            break
    return b"".join(chunks)[:MAX_BODY_BYTES]


async def probe_scim(
    base_url: str,
    token: str,
    *,
    timeout: float = 10.0,
    max_attempts: int = 3,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Sleep = asyncio.sleep,
    max_retry_after: float = 30.0,
) -> ScimProbeResult:
    """Check ``token`` against the SCIM endpoint at ``base_url``, read-only.

    Never raises (short of cancellation); the token appears in no finding.
    Takes at most about ``max_attempts * timeout`` plus the waits between tries
    (each wait at most ``max_retry_after``).
    """
    secret = _Secret(token if isinstance(token, str) else "")
    del token  # only ``secret`` from here on: its repr is "<secret>"
    started = time.monotonic()
    base = base_url.strip() if isinstance(base_url, str) else ""

    def result(findings: list[Finding], status: int | None = None, total: int | None = None,
               attempts: int = 0, retries: list[int] | None = None) -> ScimProbeResult:
        return ScimProbeResult(
            findings, status, total, attempts, normalize_scim_base(base),
            time.monotonic() - started, retries or [],
        )

    problem = scim_base_problem(base)
    if problem:
        return result([error("scim.invalid_url", problem, _BASE_FIX, FIELD_BASE_URL)])
    bad = token_problem(secret.reveal())
    if bad:
        code, message, fix = bad
        return result([error(code, message, fix, FIELD_TOKEN)])
    secret = _Secret(secret.reveal().strip())
    base = normalize_scim_base(base)
    max_attempts = max(1, int(max_attempts))
    log_filter = _RedactingFilter(secret)
    loggers = [logging.getLogger(name) for name in _HTTP_LOGGERS]
    for logger in loggers:
        logger.addFilter(log_filter)
    try:
        return await _probe(base, secret, timeout, max_attempts, transport, sleep, max_retry_after, result)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # never let an error (and a frame's locals) escape
        reason = _redact(_snippet(f"{type(exc).__name__}: {exc}"), secret)
        return result(
            [error("scim.unexpected", f"The check failed unexpectedly ({reason}).",
                   "Try again; if it keeps failing, report this message.", FIELD_BASE_URL)]
        )
    finally:
        for logger in loggers:
            logger.removeFilter(log_filter)


async def _probe(base, secret, timeout, max_attempts, transport, sleep, max_retry_after, result):
    url = f"{base}/Users"
    params = {"startIndex": "1", "count": "1"}
    headers = {
        "Authorization": f"Bearer {secret.reveal()}",
        "Accept": SCIM_MEDIA_TYPE,
        "User-Agent": USER_AGENT,
    }
    retried: list[int] = []
    extra: list[Finding] = []
    attempt = 0
    async with httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        headers=headers,
    ) as client:
        del headers
        while True:
            attempt += 1
            try:
                async with asyncio.timeout(timeout):
                    async with client.stream("GET", url, params=params) as response:
                        body = await _read_limited(response)
                        status = response.status_code
                        response_headers = response.headers
            except (httpx.HTTPError, OSError, TimeoutError, ssl.SSLError) as exc:
                code = _classify_transport_error(exc)
                return result([_transport_finding(code, exc, base, timeout, secret)],
                              attempts=attempt, retries=retried)

            retryable = status == 429 or 500 <= status < 600
            wait: float | None = None
            if retryable:
                asked = _retry_after(response_headers.get("retry-after"))
                wait = asked if asked is not None else _BACKOFF_FIRST * 2 ** (attempt - 1)
                if attempt < max_attempts and wait <= max_retry_after:
                    retried.append(status)
                    await sleep(wait)
                    continue
            break

    if status == 200 and retried:
        kinds = ", ".join(str(s) for s in retried)
        extra.append(info("scim.retried", f"The endpoint answered {kinds} first; it worked on try {attempt}."))
    primary, total = _status_finding(status, response_headers, body, base, secret,
                                     waited=wait if status == 429 else None)
    if primary.code == "scim.ok" and total == 0:
        extra.append(
            info(
                "scim.no_users_yet",
                "No users are provisioned through SCIM yet.",
                "JumpCloud creates them once Identity Management is activated and users are bound "
                "to the Pulumi application.",
            )
        )
    return result([primary, *extra], status, total, attempt, retried)


def probe_scim_sync(base_url: str, token: str, **options: Any) -> ScimProbeResult:
    """:func:`probe_scim` (same options) for callers without an event loop (the CLI)."""
    return asyncio.run(probe_scim(base_url, token, **options))
