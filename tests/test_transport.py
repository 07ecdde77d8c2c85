"""The one HTTP transport under every API client, through a client declared here.

``DEMO`` is declared the way a new client (JumpCloud's admin API) would be: a prefix,
a bare-key auth header, a URL rule and a status table, nothing else.  Every server is
a local one on 127.0.0.1; in-process ``httpx.MockTransport`` stands in where a real
server cannot produce the failure.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import string
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from tests.scim_support import FaultServer, Reply
from wizard.findings import Finding
from wizard.transport import (
    HTTP_LOGGERS,
    MAX_RETRY_AFTER,
    REDACTED,
    SHARED_RULES,
    Api,
    HttpClient,
    Rule,
    Secret,
    retry_after,
)
from wizard.values import url_problem
from wizard.where import WIZARD

SECRET = "key-" + secrets.token_urlsafe(24)
CAP = 64 * 1024


def _demo_url_problem(url: str) -> str | None:
    return url_problem(url, what="demo URL", allow_path=True)


DEMO = Api(
    prefix="demo",
    name="The demo API",
    url_what="demo URL",
    url_field="demo_url",
    url_problem=_demo_url_problem,
    secret_what="demo key",
    secret_field="demo_key",
    auth_header="x-api-key",
    auth_scheme="",
    accept="application/json",
    max_body=CAP,
    rules={
        "bad_url": Rule("bad_url", "$problem", "Fix the $url_what.", "$url_field"),
        "no_secret": Rule("no_key", "No $secret_what was given.", "Paste it.", "$secret_field"),
        "bad_body": Rule("bad_body", "$name answered with $got.", "Check the $url_what.", "$url_field"),
        "3xx": Rule(
            "redirect", "$host redirects to $location.", "Not $location_host: fix the $url_what.", "$url_field"
        ),
        401: Rule("unauthorized", "$name refused the $secret_what of $who.$says", "Make a new key.", "$secret_field"),
        "4xx": Rule("client_error", "$name refused the request (HTTP $status).$says", "Check it."),
        "other": Rule("http_error", "$name answered HTTP $status: $said.", "Check the $url_what."),
    },
)


class Sleeps:
    """An injected sleep that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def ask(
    url: str,
    *,
    secret: str = SECRET,
    path: str = "/x",
    sleeps: Sleeps | None = None,
    params: dict[str, str] | None = None,
    context: dict[str, str] | None = None,
    **options: Any,
) -> tuple[Any, HttpClient]:
    """One GET through a fresh client; (the Reply, the closed client)."""

    async def go() -> tuple[Any, HttpClient]:
        async with HttpClient(DEMO, url, secret, sleep=sleeps or Sleeps(), **options) as client:
            return await client.request("GET", path, params=params, context=context), client

    return asyncio.run(go())


def no_network(request: httpx.Request) -> httpx.Response:  # pragma: no cover - must not run
    raise AssertionError(f"no request expected, got {request.url}")


def raising(make: Callable[[httpx.Request], Exception]) -> httpx.MockTransport:
    """A transport whose every request fails with ``make(request)``."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise make(request)

    return httpx.MockTransport(handler)


@pytest.fixture
def server():
    with FaultServer() as faults:
        yield faults


# --------------------------------------------------------------------------- success and headers


def test_a_json_answer_is_data_and_the_declared_headers_are_sent(server):
    url = server.script("/api", [Reply(200, {"users": [1, 2]})])
    reply, _ = ask(url, path="/users", params={"limit": "1"})
    assert reply.finding is None and reply.data == {"users": [1, 2]}
    assert (reply.status, reply.attempts, reply.retried) == (200, 1, ())
    (seen,) = server.seen
    assert seen.path == "/api/users" and seen.query == {"limit": "1"}
    assert seen.headers["x-api-key"] == SECRET  # a bare key: no scheme
    assert seen.headers["accept"] == "application/json"
    assert seen.headers["user-agent"].startswith("jumpcloud-pulumi-sso/")
    assert "authorization" not in seen.headers


def test_the_status_table_is_looked_up_by_status_then_class_then_other(server):
    url = server.script("/", [Reply(401, {"message": "key revoked."}), Reply(418, b""), Reply(503, b"")])
    first, _ = ask(url, context={"who": "ada"})
    assert first.finding.code == "demo.unauthorized" and first.finding.field == "demo_key"
    assert first.finding.message == 'The demo API refused the demo key of ada. The demo API says: "key revoked".'
    second, _ = ask(url)
    assert second.finding.code == "demo.client_error" and "HTTP 418" in second.finding.message
    third, _ = ask(url, max_attempts=1)
    assert third.finding.code == "demo.server_error"  # a shared row the table does not replace


def test_a_table_without_a_required_row_is_refused_at_declaration():
    rules = {key: rule for key, rule in DEMO.rules.items() if key != "bad_body"}
    with pytest.raises(ValueError, match="bad_body"):
        Api(**{**DEMO.__dict__, "rules": rules})


def test_every_code_of_the_two_clients_is_the_one_they_always_had():
    from wizard.pulumi_api import PULUMI
    from wizard.scim import PRIMARY_CODES, SCIM

    assert PULUMI.codes == {
        "pulumi.bad_url",
        "pulumi.bad_token",
        "pulumi.bad_response",
        "pulumi.bad_request",
        "pulumi.unauthorized",
        "pulumi.forbidden",
        "pulumi.not_found",
        "pulumi.http_error",
        "pulumi.rate_limited",
        "pulumi.server_error",
        "pulumi.timeout",
        "pulumi.dns",
        "pulumi.refused",
        "pulumi.tls",
        "pulumi.network",
        "pulumi.unexpected",
    }
    assert SCIM.codes <= set(PRIMARY_CODES)  # ScimProbeResult.primary finds every one


ALWAYS = {
    "name",
    "url_what",
    "url_field",
    "secret_what",
    "secret_field",
    "incidents",
    "host",
    "hostname",
    "timeout",
    *WIZARD.template_values(),  # where to act ($place_pulumi_token...), worded for the wizard or command line
}
ANSWER = {"status", "attempts", "wait", "said", "says", "location", "location_host"}
PER_KEY = {
    "bad_url": {"problem"},
    "bad_secret": {"problem"},
    "bad_body": {"got"},
    "environment": {"detail"},
    "timeout": {"detail"},
    "dns": {"detail"},
    "refused": {"detail"},
    "tls": {"detail"},
    "proxy": {"detail"},
    "network": {"detail"},
    "unexpected": {"detail"},
}


@pytest.mark.parametrize("api_name", ["PULUMI", "SCIM", "DEMO"])
def test_every_row_uses_only_placeholders_that_are_filled(api_name):
    from wizard import pulumi_api, scim

    api, context = {
        "PULUMI": (pulumi_api.PULUMI, {"org", "what", "expected", "source"}),
        "SCIM": (scim.SCIM, set()),
        "DEMO": (DEMO, {"who"}),
    }[api_name]
    for key in {*SHARED_RULES, *api.rules}:
        rule = api.rule(key)
        used = {
            name
            for text in (rule.message, rule.fix, rule.field or "")
            for name in string.Template(text).get_identifiers()
        }
        assert used <= ALWAYS | context | PER_KEY.get(str(key), ANSWER), (key, used)
    # parse_saml_organization fills "bad_body" without a client: the API's own names only
    body = pulumi_api.PULUMI.rule("bad_body")
    assert set(string.Template(body.message + body.fix).get_identifiers()) <= {"name", "url_what", "expected", "got"}


# --------------------------------------------------------------------------- Retry-After and backoff


def test_retry_after_in_seconds_is_waited_then_the_answer_is_used(server):
    url = server.script("/", [Reply(429, headers={"Retry-After": "2"}), Reply(200, {"ok": True})])
    sleeps = Sleeps()
    reply, _ = ask(url, sleeps=sleeps)
    assert reply.data == {"ok": True} and sleeps.waits == [2.0]
    assert (reply.attempts, reply.retried) == (2, (429,))


def test_retry_after_as_an_http_date_is_waited(server):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    url = server.script("/", [Reply(503, headers={"Retry-After": when}), Reply(200, {})])
    sleeps = Sleeps()
    reply, _ = ask(url, sleeps=sleeps)
    assert reply.finding is None and len(sleeps.waits) == 1 and 3.0 <= sleeps.waits[0] <= 5.0


def test_retry_after_in_the_past_means_no_wait(server):
    url = server.script("/", [Reply(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}), Reply(200, {})])
    sleeps = Sleeps()
    reply, _ = ask(url, sleeps=sleeps)
    assert reply.finding is None and sleeps.waits == [0.0]


@pytest.mark.parametrize("asked", ["99999999", "Thu, 01 Jan 2099 00:00:00 GMT", "1e400", "Infinity"])
def test_a_huge_retry_after_is_never_waited_for_nor_quoted(server, asked):
    url = server.script("/", [Reply(429, headers={"Retry-After": asked}), Reply(200, {})])
    sleeps = Sleeps()
    started = time.monotonic()
    reply, _ = ask(url, sleeps=sleeps)
    assert time.monotonic() - started < 2
    assert sleeps.waits == [] and reply.attempts == 1 and len(server.seen) == 1
    finding = reply.finding
    assert finding.code == "demo.rate_limited"
    assert f"more than {MAX_RETRY_AFTER:g} s" in finding.message
    for piece in ("99999999", "2099", "1e400", "inf"):
        assert piece not in finding.message.lower()


def test_without_retry_after_the_backoff_doubles_and_the_tries_are_bounded(server):
    url = server.script("/", [Reply(503, {"detail": "maintenance"})])
    sleeps = Sleeps()
    reply, _ = ask(url, sleeps=sleeps)
    assert sleeps.waits == [0.5, 1.0] and reply.attempts == 3 and len(server.seen) == 3
    assert reply.finding.code == "demo.server_error"
    assert "after 3 tries" in reply.finding.message and '"maintenance"' in reply.finding.message
    assert reply.retried == (503, 503)


def test_a_client_error_is_not_tried_again(server):
    url = server.script("/", [Reply(401, {})])
    sleeps = Sleeps()
    reply, _ = ask(url, sleeps=sleeps, context={"who": "ada"})
    assert reply.finding.code == "demo.unauthorized" and reply.attempts == 1 and sleeps.waits == []


@pytest.mark.parametrize(
    "value, seconds",
    [
        ("3", 3.0),
        (" 2.5 ", 2.5),
        ("-5", 0.0),
        ("1e400", float("inf")),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("NaN", None),
        ("Wed, 99 Foo 2015", None),
    ],
)
def test_retry_after_reads_seconds_and_dates(value, seconds):
    now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    assert retry_after(value, now=now) == seconds


# --------------------------------------------------------------------------- bodies


def test_a_body_over_the_cap_is_a_finding(server):
    url = server.script("/", [Reply(200, b'{"a": "' + b"x" * (4 * CAP) + b'"}')])
    reply, _ = ask(url)
    assert reply.finding.code == "demo.bad_body" and reply.data is None
    assert "more than 64 KB" in reply.finding.message


def test_an_html_page_is_a_finding_naming_its_title(server):
    page = "<!DOCTYPE html><html><head><title>Sign in \x1b[2J to Acme</title></head></html>"
    url = server.script("/", [Reply(200, page)])
    reply, _ = ask(url)
    assert reply.finding.code == "demo.bad_body"
    assert 'an HTML page ("Sign in [2J to Acme")' in reply.finding.message  # no control characters


@pytest.mark.parametrize(
    "body", [b'{"a": ', b"\x00\x01binary", b"[" * 30_000 + b"]" * 30_000], ids=["truncated", "binary", "deeply-nested"]
)
def test_a_body_that_is_not_json_is_a_finding_not_a_crash(server, body):
    url = server.script("/", [Reply(200, body)])
    reply, _ = ask(url)
    assert reply.finding.code == "demo.bad_body"
    assert f"{len(body):,} bytes that are not JSON" in reply.finding.message


def test_a_redirect_is_not_followed_and_names_its_target_without_its_query(server):
    url = server.script("/", [Reply(302, headers={"Location": "https://login.example.com/sso?next=/x"})])
    reply, _ = ask(url)
    assert reply.finding.code == "demo.redirect" and len(server.seen) == 1
    assert reply.finding.message.endswith("redirects to https://login.example.com/sso.")
    assert "login.example.com" in reply.finding.fix


# --------------------------------------------------------------------------- transport failures


def test_a_refused_connection_names_host_and_port(refused_port):
    port = refused_port
    reply, _ = ask(f"http://127.0.0.1:{port}")
    assert reply.finding.code == "demo.refused" and reply.finding.field == "demo_url"
    assert f"127.0.0.1:{port}" in reply.finding.message and "connection refused" in reply.finding.message
    assert reply.attempts == 1


def test_a_stall_is_a_timeout_within_the_bound_and_not_tried_again(server):
    url = server.script("/", [Reply(200, {}, stall=5)])
    started = time.monotonic()
    reply, _ = ask(url, timeout=0.3)
    assert time.monotonic() - started < 2
    assert reply.finding.code == "demo.timeout" and "0.3 s" in reply.finding.message
    assert reply.attempts == 1 and len(server.seen) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://" + "a" * 100_000 + ".example.com",  # httpx refuses it: "URL too long"
        "https://" + "a" * 64 + ".example.com",  # a DNS label has at most 63 characters
        "https://xn--.example.com",  # passes the URL rule, but httpx cannot encode the host
        "https://exa%20mple.com",
    ],
)
def test_a_url_the_rules_refuse_is_a_finding_and_nothing_is_sent(url):
    reply, client = ask(url, transport=httpx.MockTransport(no_network))
    assert reply.finding.code == "demo.bad_url" and reply.finding.field == "demo_url"
    assert reply.attempts == 0 and client.problem == reply.finding
    assert len(reply.finding.message) < 200  # the host is not quoted back


@pytest.mark.parametrize(
    "secret, code",
    [
        ("", "demo.no_key"),
        (" \n", "demo.no_key"),
        ("a b", "demo.bad_token"),
        ("a\nX-Evil: 1", "demo.bad_token"),
        ("kéy", "demo.bad_token"),
        ("k\x07y", "demo.bad_token"),
        ("k" * 5000, "demo.bad_token"),
    ],
)
def test_a_secret_that_cannot_go_in_a_header_is_a_finding_and_nothing_is_sent(secret, code):
    reply, _ = ask("https://api.example.com", secret=secret, transport=httpx.MockTransport(no_network))
    assert reply.finding.code == code and reply.finding.field == "demo_key"
    assert secret.strip() == "" or secret not in reply.finding.message


def test_a_broken_ca_bundle_in_the_environment_is_a_finding(monkeypatch, tmp_path):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    reply, _ = ask("https://api.example.com")
    assert reply.finding.code == "demo.network" and "SSL_CERT_FILE" in reply.finding.fix


def test_the_proxy_from_the_environment_is_used(server, monkeypatch, refused_port):
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.url)
    server.script("/via-proxy", [Reply(200, {"proxied": True})])
    reply, _ = ask(f"http://localhost:{refused_port}/via-proxy")  # only the proxy answers
    assert reply.data == {"proxied": True}
    assert server.seen[0].path == "/via-proxy/x"


@pytest.mark.parametrize(
    "exc, code",
    [
        (httpx.ConnectError("[Errno -2] Name or service not known"), "demo.dns"),
        (httpx.ConnectError("[Errno 11001] getaddrinfo failed"), "demo.dns"),
        (httpx.ConnectError("[Errno 111] Connection refused"), "demo.refused"),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "demo.tls"),
        (httpx.ProxyError("407 Proxy Authentication Required"), "demo.network"),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), "demo.network"),
        (httpx.ReadTimeout("timed out"), "demo.timeout"),
        (RuntimeError("a bug"), "demo.unexpected"),
    ],
)
def test_transport_exceptions_become_findings(exc, code):
    reply, _ = ask("https://api.example.com", transport=raising(lambda request: exc))
    assert reply.finding.code == code and reply.finding.field == "demo_url" and reply.attempts == 1


# --------------------------------------------------------------------------- the secret stays secret


def test_the_secret_is_in_no_finding_repr_exception_text_or_log_record(server, caplog, capsys):
    caplog.set_level(logging.DEBUG)  # httpcore logs the response headers at DEBUG
    echoes = {
        "/body": [Reply(401, {"detail": f"bad key {SECRET}"})],
        "/title": [Reply(200, f"<html><title>Hi {SECRET}</title></html>")],
        "/location": [Reply(302, headers={"Location": f"https://login.example.com/{SECRET}"})],
        "/header": [Reply(500, {"message": SECRET}, headers={"X-Echo": SECRET})],
    }
    urls = [server.script(prefix, replies) for prefix, replies in echoes.items()]
    outcomes = [ask(url, context={"who": "ada"}, max_attempts=1) for url in urls]

    for error_type in (httpx.ConnectError, RuntimeError):
        transport = raising(lambda request, kind=error_type: kind(f"failed with {request.headers['x-api-key']}"))
        outcomes.append(ask("https://api.example.com", transport=transport))

    findings: list[Finding] = [reply.finding for reply, _ in outcomes]
    assert all(findings)
    shown = "\n".join(
        [repr(reply) + repr(client) + str(client) for reply, client in outcomes]
        + [f"{f.message} {f.fix} {f.to_dict()}" for f in findings]
        + [repr(Secret(SECRET)), str(Secret(SECRET))]
    )
    logs = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    out = capsys.readouterr()
    assert any("X-Echo" in r.getMessage() for r in caplog.records)  # the echoing header was logged...
    for where, text in [("findings and reprs", shown), ("logs", logs), ("output", out.out + out.err)]:
        assert SECRET not in text, f"the secret leaked into {where}"
    assert shown.count(REDACTED) >= 5  # ...and redacted, not dropped by luck
    assert all(not logging.getLogger(name).filters for name in HTTP_LOGGERS)  # filters removed after
