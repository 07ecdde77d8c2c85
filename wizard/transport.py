"""One HTTP transport for every remote API the wizard calls (Pulumi, SCIM, JumpCloud...).

A client declares an :class:`Api`: its finding-code prefix, its auth header, the URL
rule its base URL must pass and its status table (:class:`Rule` rows).  It sends its
endpoints' requests through :class:`HttpClient`, which does the rest once for all:

- the base URL passes its rule from :mod:`wizard.values` before anything is sent, and
  a URL that httpx itself cannot use is a finding too;
- the secret goes only into the auth header: it is in no finding, repr, exception text
  or log record (records of the httpx and httpcore loggers are redacted while a request
  runs: httpcore's debug trace logs response headers, which a server may echo it in);
- each attempt is bounded by ``timeout``; bodies are read up to the API's cap; proxies
  and CA bundles come from the environment (``HTTPS_PROXY``, ``SSL_CERT_FILE``...);
- 429 and 5xx answers are tried again a bounded number of times, after the wait that
  ``Retry-After`` asks for (seconds or an HTTP date) when it is at most
  :data:`MAX_RETRY_AFTER`, else after an exponential backoff; a server asking for a
  longer wait is not waited for, and the finding says so without quoting its number;
- every outcome other than a 2xx JSON answer is a finding: transport errors by kind
  (timeout, dns, refused, tls, network), statuses through the API's table, HTML or
  invalid JSON as ``bad_body``.

Nothing here raises on a network or HTTP failure.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from string import Template
from typing import Any, Literal, Self, TypeAlias
from urllib.parse import urlsplit, urlunsplit

import httpx

from wizard import __version__
from wizard.findings import Finding, error
from wizard.where import here

USER_AGENT = f"jumpcloud-pulumi-sso/{__version__}"
DEFAULT_TIMEOUT = 10.0  # seconds for one attempt, from connecting to the last byte
CONNECT_TIMEOUT = 5.0  # seconds to connect, within the attempt's timeout
MAX_ATTEMPTS = 3
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_FIRST = 0.5  # seconds before the 2nd try when the server names no wait; doubled each try
MAX_RETRY_AFTER = 30.0  # seconds: the longest wait a Retry-After is granted
MAX_SECRET = 4096  # characters: far longer than any token or API key
MAX_QUOTE = 300  # characters of a server's text quoted in a finding
REDACTED = "<redacted>"
HTTP_LOGGERS = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy")

Sleep: TypeAlias = Callable[[float], Awaitable[object]]
Expect: TypeAlias = Literal["json", "xml", "empty"]
StatusKey: TypeAlias = int | str  # an HTTP status, a status class ("3xx") or an outcome name

_HTML_STARTS = (b"<!doctype", b"<html", b"<head", b"<body")
_DNS_WORDS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "getaddrinfo failed",
    "no address associated",
    "name does not resolve",
    "no such host",
    "failed to resolve",
)
_REFUSED_WORDS = ("connection refused", "actively refused", "errno 111", "errno 61", "10061")
_TLS_WORDS = ("ssl", "tls", "certificate", "handshake")


# --------------------------------------------------------------------------- the secret


class Secret:
    """A credential.  Only :meth:`reveal` gives its value; ``repr`` and ``str`` never do."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of the secret replaced by :data:`REDACTED`."""
        return text.replace(self._value, REDACTED) if self._value else text

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


class _RedactingFilter(logging.Filter):
    """Rewrites a log record whose text carries the secret.

    A filter on a logger sees only the records created at that logger, so one is put on
    each logger of the HTTP stack (:data:`HTTP_LOGGERS`)."""

    def __init__(self, secret: Secret) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not fit its message: left as it is
            return True
        redacted = self._secret.redact(text)
        if redacted != text:
            record.msg, record.args = redacted, ()
        return True


@contextmanager
def _logs_redacted(secret: Secret) -> Iterator[None]:
    log_filter = _RedactingFilter(secret)
    loggers = [logging.getLogger(name) for name in HTTP_LOGGERS]
    for logger in loggers:
        logger.addFilter(log_filter)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(log_filter)


def _secret_problem(value: str, what: str) -> str | None:
    """Why ``value`` cannot be sent as the credential, or None; never quotes it."""
    if any(c.isspace() for c in value):
        return f"The {what} contains spaces or line breaks: it was probably copied with surrounding text or wrapped."
    if not all(c.isascii() and c.isprintable() for c in value):
        return f"The {what} contains characters no token has (non-ASCII or control characters)."
    if len(value) > MAX_SECRET:
        return f"That is far longer than a {what}: something else was pasted."
    return None


# --------------------------------------------------------------------------- the status table


@dataclass(frozen=True)
class Rule:
    """One row of a status table: how an outcome reads as an error finding.

    ``code`` is the part after the API's prefix.  ``message``, ``fix`` and ``field`` are
    :class:`string.Template` texts.  Always filled in: ``$name``, ``$url_what``,
    ``$url_field``, ``$secret_what``, ``$secret_field``, ``$incidents``, ``$host``,
    ``$hostname``, ``$timeout``.  For an HTTP answer also ``$status``, ``$attempts``
    ("3 tries"), ``$wait`` ("; it asks to wait 2 s"), ``$said`` (the server's own words,
    or "no reason given (HTTP 400)"), ``$says`` (' $name says: "…".' or nothing),
    ``$location`` and ``$location_host`` (where a redirect points); ``$detail`` for a
    transport error; ``$problem`` for a refused URL or secret; ``$got`` for a bad body;
    the places of :mod:`wizard.where` (``$place_jumpcloud_key``...: worded for the wizard or
    the command line); and the ``context`` the client passes with a request ($org, $expected...).
    """

    code: str
    message: str
    fix: str = ""
    field: str | None = None


# Outcomes every API words alike; an API's own table can replace any of them.
SHARED_RULES: Mapping[StatusKey, Rule] = {
    "bad_secret": Rule(
        "bad_token",
        "$problem",
        "Copy the $secret_what again with its copy button and paste it alone, as one line.",
        "$secret_field",
    ),
    "environment": Rule(
        "network",
        "This machine's proxy or certificate settings cannot be used: $detail.",
        "Check HTTPS_PROXY, HTTP_PROXY and NO_PROXY, and that SSL_CERT_FILE or SSL_CERT_DIR name a readable CA bundle.",
    ),
    "timeout": Rule(
        "timeout",
        "$name at $host did not answer within $timeout s.",
        "Check the $url_what and your network (VPN, proxy, firewall), then try again.$incidents",
        "$url_field",
    ),
    "dns": Rule(
        "dns",
        "The host $hostname could not be found (DNS lookup failed).",
        "Check that this computer is online and can resolve names (network, VPN, DNS), and the $url_what for typos.",
        "$url_field",
    ),
    "refused": Rule(
        "refused",
        "Nothing accepted the connection at $host (connection refused).",
        "Check the host and port of the $url_what; a self-hosted server must be running there.",
        "$url_field",
    ),
    "tls": Rule(
        "tls",
        "The secure (TLS) connection to $host failed: $detail.",
        "Check the host name. If your network inspects HTTPS with its own certificate authority, "
        "point SSL_CERT_FILE at that CA bundle (a self-hosted server's CA the same way); never turn "
        "certificate checks off.",
        "$url_field",
    ),
    "proxy": Rule(
        "network",
        "The proxy refused or failed the connection to $host: $detail.",
        "Check HTTPS_PROXY / NO_PROXY, or ask your network team whether the proxy allows this host.",
        "$url_field",
    ),
    "network": Rule(
        "network",
        "The connection to $host failed: $detail.",
        "Check your network connection and proxy settings, then try again.",
        "$url_field",
    ),
    "unexpected": Rule(
        "unexpected",
        "The request to $host failed unexpectedly ($detail).",
        "Try again; if it keeps failing, report this message.",
        "$url_field",
    ),
    429: Rule(
        "rate_limited",
        "$name at $host is rate-limiting these requests (HTTP 429) after $attempts$wait.",
        "Wait a minute, then try again.",
    ),
    "5xx": Rule(
        "server_error",
        "$name at $host failed with HTTP $status after $attempts$wait.$says",
        "This is on the server's side: try again in a few minutes.$incidents",
    ),
}
# What each API must word itself.
REQUIRED_RULES = frozenset({"bad_url", "no_secret", "bad_body", "3xx", "other"})


@dataclass(frozen=True)
class Api:
    """What a client declares about the API it calls; :class:`HttpClient` does the rest."""

    prefix: str  # finding codes are "{prefix}.{rule.code}"
    name: str  # how a message names the API: "Pulumi's API"
    url_what: str  # how a message names its URL: "API base URL"
    url_field: str  # the input a finding about the URL belongs to
    url_problem: Callable[[str], str | None]  # the URL rule (wizard.values)
    secret_what: str  # how a message names the secret: "Pulumi access token"
    secret_field: str  # the input a finding about the secret belongs to
    auth_header: str  # "Authorization"
    auth_scheme: str  # "Bearer", "token"; "" sends the bare secret
    accept: str  # the Accept header
    max_body: int  # bytes: a longer body is not read
    rules: Mapping[StatusKey, Rule]  # the status table, over SHARED_RULES
    incidents: str = ""  # a sentence on where incidents are shown, ending timeout and 5xx fixes

    def __post_init__(self) -> None:
        missing = REQUIRED_RULES - set(self.rules)
        if missing:
            raise ValueError(f"the {self.prefix} status table has no rule for {sorted(missing)}")

    @property
    def codes(self) -> frozenset[str]:
        """Every code a request to this API can end in."""
        return frozenset(f"{self.prefix}.{rule.code}" for rule in {**SHARED_RULES, **self.rules}.values())

    def rule(self, key: StatusKey) -> Rule:
        """The row for an outcome: its own key, else its status class ("4xx"), else "other"."""
        for candidate in (key, f"{key // 100}xx") if isinstance(key, int) else (key,):
            found = self.rules.get(candidate) or SHARED_RULES.get(candidate)
            if found is not None:
                return found
        return self.rules["other"]

    def url_refusal(self, url: str) -> Finding | None:
        """Why no request can go to ``url`` (the URL rule, or a host httpx cannot use), or None."""
        problem = self.url_problem(url)
        if problem is None:
            try:
                httpx.URL(url).host  # noqa: B018 - httpx checks the host only when asked
            except (httpx.InvalidURL, ValueError) as exc:  # IDNA errors are ValueErrors
                problem = f"The {self.url_what} cannot be used ({clip(str(exc), 80)}): check the host name."
        return None if problem is None else self.finding("bad_url", {"problem": problem})

    def secret_refusal(self, secret: str) -> Finding | None:
        """Why ``secret`` (stripped) cannot be sent, or None; the finding never quotes it."""
        value = secret.strip()
        if not value:
            return self.finding("no_secret", {})
        problem = _secret_problem(value, self.secret_what)
        return None if problem is None else self.finding("bad_secret", {"problem": problem})

    def finding(self, key: StatusKey, context: Mapping[str, str]) -> Finding:
        """The error finding for an outcome, its templates filled from ``context``."""
        rule = self.rule(key)
        values = {
            "name": self.name,
            "url_what": here().url(self.url_field, self.url_what),
            "url_field": self.url_field,
            "secret_what": self.secret_what,
            "secret_field": self.secret_field,
            "incidents": self.incidents,
            **here().template_values(),
            **context,
        }

        def fill(text: str) -> str:
            return Template(text).safe_substitute(values)

        return error(
            f"{self.prefix}.{rule.code}", fill(rule.message), fill(rule.fix), fill(rule.field) if rule.field else None
        )


# --------------------------------------------------------------------------- the client


@dataclass(frozen=True)
class Reply:
    """How a request ended: ``finding`` is None for a 2xx JSON answer, held in ``data``."""

    finding: Finding | None
    data: Any = field(default=None, repr=False)  # a server may echo the secret in it
    status: int | None = None  # of the last answer, when there was one
    attempts: int = 0
    retried: tuple[int, ...] = ()  # the statuses that were tried again
    said: str = ""  # what an error answer's JSON body says (its message), clipped


class HttpClient:
    """Requests to one API at one base URL with one secret; every outcome is a :class:`Reply`.

    ``problem`` is why no request can be made (a URL or secret the rules refuse), or None.
    ``sleep`` and ``transport`` are for tests: an injected sleep records the waits, an
    ``httpx.MockTransport`` answers in process."""

    def __init__(
        self,
        api: Api,
        base_url: str,
        secret: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_attempts: int = MAX_ATTEMPTS,
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.api = api
        self._headers = dict(headers or {})  # sent with every request (JumpCloud's x-org-id)
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        self._secret = Secret(secret.strip())
        self._max_attempts = max(1, int(max_attempts))
        self._sleep = sleep
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        url_refusal = api.url_refusal(base_url)
        # a refused secret is described, never quoted: only what came with the URL is redacted
        self.problem = self.redact(url_refusal) if url_refusal is not None else api.secret_refusal(secret)

    def __repr__(self) -> str:
        return f"HttpClient({self.api.prefix!r}, {self.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def finding(self, key: StatusKey, /, **context: str) -> Finding:
        """The API's finding for an outcome at this base URL, with the secret redacted from
        what fills its template (a server's words, a URL); the template, our own words, is
        left alone: a short wrong token such as 'wrong' took the word out of 'it is wrong'."""
        host, hostname = _host(self.base_url)
        base = {"host": host, "hostname": hostname, "timeout": f"{self.timeout:g}"}
        values = {name: self._secret.redact(value) for name, value in {**base, **context}.items()}
        return self.api.finding(key, values)

    def redact(self, finding: Finding) -> Finding:
        """``finding`` with the secret taken out of its message and fix."""
        return replace(finding, message=self._secret.redact(finding.message), fix=self._secret.redact(finding.fix))

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        context: Mapping[str, str] | None = None,
        expect: Expect = "json",
    ) -> Reply:
        """Send ``method path`` (relative to the base URL; ``body`` as JSON), trying 429 and
        5xx answers again.  ``context`` fills the table's client placeholders.  A 2xx answer
        is read as ``expect`` says: "json" (parsed), "xml" (the bytes, an HTML page refused)
        or "empty" (no body wanted, as for a 204).  Never raises short of cancellation."""
        if self.problem is not None:
            return Reply(self.problem)
        extra = dict(context or {})
        if self._client is None:
            try:
                self._client = self._open()
            except Exception as exc:  # a proxy or CA bundle from the environment httpx refuses
                return Reply(self.finding("environment", **{**extra, "detail": _detail(exc)}))
        retried: list[int] = []
        attempt = 0
        with _logs_redacted(self._secret):
            while True:
                attempt += 1
                try:
                    async with asyncio.timeout(self.timeout):
                        response, content, complete = await self._send(self._client, method, path, params, body)
                except Exception as exc:  # every failure is a finding, never a traceback
                    key, detail = _classify(exc)
                    problem = f"The {self.api.url_what} cannot be used ({detail}): check it."
                    return Reply(
                        self.finding(key, **{**extra, "detail": detail, "problem": problem}),
                        attempts=attempt,
                        retried=tuple(retried),
                    )
                asked = retry_after(response.headers.get("Retry-After"))
                if (
                    response.status_code not in RETRIED_STATUSES
                    or attempt >= self._max_attempts
                    or (asked is not None and asked > MAX_RETRY_AFTER)
                ):
                    break
                retried.append(response.status_code)
                await self._sleep(backoff(attempt) if asked is None else asked)
        return self._reply(response, content, complete, asked, attempt, tuple(retried), extra, expect)

    def _open(self) -> httpx.AsyncClient:
        scheme, secret = self.api.auth_scheme, self._secret.reveal()
        return httpx.AsyncClient(
            base_url=self.base_url,
            headers={
                self.api.auth_header: f"{scheme} {secret}" if scheme else secret,
                "Accept": self.api.accept,
                "User-Agent": USER_AGENT,
                **self._headers,
            },
            timeout=httpx.Timeout(self.timeout, connect=min(CONNECT_TIMEOUT, self.timeout)),
            transport=self._transport,
            follow_redirects=False,  # a redirect means a wrong URL; the secret goes nowhere else
            trust_env=True,  # HTTPS_PROXY, NO_PROXY, SSL_CERT_FILE, SSL_CERT_DIR
        )

    async def _send(
        self, client: httpx.AsyncClient, method: str, path: str, params: Mapping[str, str] | None, body: Any
    ) -> tuple[httpx.Response, bytes, bool]:
        request = client.build_request(method, path, params=params, json=body)
        response = await client.send(request, stream=True)
        try:
            content, complete = await _read_capped(response, self.api.max_body)
        finally:
            await response.aclose()
        return response, content, complete

    def _reply(
        self,
        response: httpx.Response,
        content: bytes,
        complete: bool,
        asked: float | None,
        attempts: int,
        retried: tuple[int, ...],
        context: dict[str, str],
        expect: Expect = "json",
    ) -> Reply:
        status = response.status_code
        if 200 <= status < 300:
            content_type = response.headers.get("Content-Type", "")
            if expect == "empty":
                data, got = None, None
            elif expect == "xml":
                data, got = _raw(content, complete, content_type, self.api.max_body)
            else:
                data, got = _decode(content, complete, content_type, self.api.max_body)
            finding = None if got is None else self.finding("bad_body", **{**context, "got": got})
            return Reply(finding, data, status, attempts, retried)
        said = self._secret.redact(_server_words(content))
        location = response.headers.get("Location", "")
        finding = self.finding(
            status,
            **{
                **context,
                "status": str(status),
                "attempts": "1 try" if attempts == 1 else f"{attempts} tries",
                "wait": _wait_text(asked),
                "said": said or f"no reason given (HTTP {status})",
                "says": f' {self.api.name} says: "{said}".' if said else "",
                "location": clip(_without_query(location), 160) if location else "an address it does not name",
                "location_host": _host(location)[1] or _host(self.base_url)[1],
            },
        )
        return Reply(finding, None, status, attempts, retried, said)


# --------------------------------------------------------------------------- retries


def retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """The seconds a ``Retry-After`` header asks to wait (a number, or an HTTP date), at
    least 0; None when it is absent or unreadable.  It may be huge: compare it with
    :data:`MAX_RETRY_AFTER` before waiting."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return None if math.isnan(seconds) else max(0.0, seconds)


def backoff(attempt: int) -> float:
    """Seconds to wait after try ``attempt`` (1-based) when the server names no wait."""
    return BACKOFF_FIRST * 2.0 ** (attempt - 1)


def _wait_text(asked: float | None) -> str:
    if asked is None:
        return ""
    if asked > MAX_RETRY_AFTER:
        return f"; it asks to wait more than {MAX_RETRY_AFTER:g} s, longer than this check waits"
    return f"; it asks to wait {round(asked, 1):g} s"


# --------------------------------------------------------------------------- bodies


async def _read_capped(response: httpx.Response, cap: int) -> tuple[bytes, bool]:
    """Up to ``cap`` bytes of the body, and whether that was all of it."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > cap:
            return b"".join(chunks)[:cap], False
    return b"".join(chunks), True


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def _decode(content: bytes, complete: bool, content_type: str, cap: int) -> tuple[Any, str | None]:
    """(the JSON value, None), or (None, what the body was instead)."""
    if not complete:
        return None, f"more than {_size(cap)}"
    if "html" in content_type.lower() or content[:512].lstrip().lower().startswith(_HTML_STARTS):
        title = _html_title(content)
        return None, f'an HTML page ("{title}")' if title else "an HTML page"
    try:
        return json.loads(content), None
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None, f"{len(content):,} bytes that are not JSON"


def _raw(content: bytes, complete: bool, content_type: str, cap: int) -> tuple[bytes | None, str | None]:
    """(the bytes, None) for a document such as XML, or (None, what the body was instead)."""
    if not complete:
        return None, f"more than {_size(cap)}"
    if "html" in content_type.lower() or content[:512].lstrip().lower().startswith(_HTML_STARTS):
        title = _html_title(content)
        return None, f'an HTML page ("{title}")' if title else "an HTML page"
    if not content.strip():
        return None, "an empty answer"
    return content, None


def _html_title(content: bytes) -> str:
    text = content.decode("utf-8", "replace")
    low = text.lower()
    start = low.find(">", low.find("<title")) if "<title" in low else -1
    end = low.find("</title", start)
    return clip(text[start + 1 : end], 160) if 0 <= start < end else ""


def _server_words(content: bytes) -> str:
    """What a JSON error body says: SCIM's ``scimType`` and ``detail``, or a ``message`` or
    ``error`` text; '' when there is none."""
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        return ""
    if not isinstance(data, dict):
        return ""
    words = [f"scimType {data['scimType']}"] if isinstance(data.get("scimType"), str) and data["scimType"] else []
    text = next((v for k in ("detail", "message", "error") if isinstance(v := data.get(k), str) and v), "")
    return clip(": ".join([*words, text] if text else words)).rstrip(".")


def clip(text: str, limit: int = MAX_QUOTE) -> str:
    """``text`` from elsewhere made safe to show: control characters and runs of white
    space as one space, at most ``limit`` characters."""
    clean = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


# --------------------------------------------------------------------------- failures


def _host(url: str) -> tuple[str, str]:
    """(host with its port when the URL names one, bare host name) of ``url``."""
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname or "", parts.port
    except ValueError:
        return "", ""
    shown = f"[{hostname}]" if ":" in hostname else hostname
    return (f"{shown}:{port}" if port else shown), hostname


def _without_query(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _detail(exc: BaseException) -> str:
    return clip(str(exc) or type(exc).__name__, 200)


def _classify(exc: Exception) -> tuple[str, str]:
    """(outcome key, detail to show) of a failed attempt."""
    chain = list(_chain(exc))
    text = " ".join(str(e) for e in chain).lower()
    detail = _detail(exc)
    if isinstance(exc, (httpx.InvalidURL, UnicodeError)):
        return "bad_url", detail
    if any(isinstance(e, (httpx.TimeoutException, TimeoutError)) for e in chain):
        return "timeout", detail
    if any(isinstance(e, socket.gaierror) for e in chain) or any(w in text for w in _DNS_WORDS):
        return "dns", detail
    tls = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    if tls is not None or any(w in text for w in _TLS_WORDS):
        return "tls", _tls_reason(tls) or detail
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or any(w in text for w in _REFUSED_WORDS):
        return "refused", detail
    if isinstance(exc, httpx.ProxyError):
        return "proxy", detail
    if isinstance(exc, (httpx.HTTPError, OSError)):
        return "network", detail
    return "unexpected", clip(f"{type(exc).__name__}: {exc}", 200)


def _tls_reason(exc: BaseException | None) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return clip(exc.verify_message, 200)
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return clip(str(exc.reason).replace("_", " ").lower(), 200)
    return ""
