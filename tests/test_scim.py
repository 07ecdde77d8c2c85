"""The SCIM probe and ``check-scim``, against a real SCIM 2.0 server and a fault server.

Every server here listens on 127.0.0.1; the DNS test answers the lookup in
process (``socket.getaddrinfo`` patched), so no test leaves this machine.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from tests.scim_support import FaultServer, RealScimServer, Reply, list_response, scim_error, self_signed_context
from wizard import __version__
from wizard.cli import main
from wizard.findings import Severity
from wizard.scim import PRIMARY_CODES, ScimProbeResult, probe_scim, probe_scim_sync, scim_base_problem
from wizard.transport import MAX_RETRY_AFTER, REDACTED

ROOT = Path(__file__).resolve().parent.parent
ACME_TOKEN = "acme-" + secrets.token_urlsafe(24)
EMPTY_TOKEN = "empty-" + secrets.token_urlsafe(24)


class Sleeps:
    """An injectable ``sleep`` that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def primary(result: ScimProbeResult):
    primaries = [f for f in result.findings if f.code in PRIMARY_CODES]
    assert len(primaries) == 1, result.findings
    return primaries[0]


def codes(result: ScimProbeResult) -> list[str]:
    return [f.code for f in result.findings]


# --------------------------------------------------------------------------- the real server


@pytest.fixture(scope="module")
def _real_server():
    with RealScimServer({"acme": ACME_TOKEN, "emptyorg": EMPTY_TOKEN}) as server:
        ada = server.seed_user("acme", "ada@example.com", displayName="Ada Lovelace", active=True)
        grace = server.seed_user("acme", "grace@example.com", displayName="Grace Hopper", active=True)
        server.seed_group("acme", "platform", [ada["id"], grace["id"]])
        yield server


@pytest.fixture
def real(_real_server: RealScimServer):
    """The real SCIM server; after the test, its stored resources must be exactly as before."""
    before = {org: _real_server.snapshot(org) for org in _real_server.storages}
    _real_server.seen.clear()
    yield _real_server
    after = {org: _real_server.snapshot(org) for org in _real_server.storages}
    assert after == before, "the probe changed the server's resources"
    assert {s.method for s in _real_server.seen} <= {"GET"}, _real_server.seen


def test_right_token_is_ok_and_reports_the_seeded_users(real: RealScimServer):
    assert len(real.snapshot("acme")) == 3  # 2 users + 1 group, really stored
    result = probe_scim_sync(real.base_url("acme"), ACME_TOKEN, timeout=5)

    assert result.ok
    assert primary(result).code == "scim.ok"
    assert primary(result).severity is Severity.OK
    assert result.status_code == 200
    assert result.total_results == 2  # users only, not the group
    assert result.attempts == 1
    assert "totalResults: 2" in primary(result).message
    # exactly one read-only request, shaped as the issue says
    (seen,) = real.seen
    assert seen.method == "GET"
    assert seen.path == "/scim/v2/acme/Users"
    assert seen.query.get("count") == "1"
    assert seen.headers["authorization"] == f"Bearer {ACME_TOKEN}"
    assert seen.headers["accept"] == "application/scim+json"
    assert seen.headers["user-agent"] == f"jumpcloud-pulumi-sso/{__version__}"


def test_empty_org_is_ok_with_a_note_that_no_users_exist_yet(real: RealScimServer):
    result = probe_scim_sync(real.base_url("emptyorg"), EMPTY_TOKEN, timeout=5)
    assert result.ok
    assert result.total_results == 0
    assert codes(result) == ["scim.ok", "scim.no_users_yet"]


def test_pasted_token_with_a_trailing_newline_and_base_with_trailing_slash_work(real: RealScimServer):
    result = probe_scim_sync(real.base_url("acme") + "/", f"  {ACME_TOKEN}\n", timeout=5)
    assert primary(result).code == "scim.ok"
    assert result.base_url == real.base_url("acme")
    assert real.seen[-1].path == "/scim/v2/acme/Users"


def test_wrong_token_is_unauthorized_and_not_retried(real: RealScimServer):
    result = probe_scim_sync(real.base_url("acme"), "not-the-token", timeout=5)
    finding = primary(result)
    assert not result.ok
    assert finding.code == "scim.unauthorized"
    assert finding.field == "scim_token"
    assert "newest token" in finding.message
    assert "SAML & SCIM" in finding.fix
    assert result.status_code == 401
    assert result.attempts == 1 and len(real.seen) == 1


def test_a_wrong_token_that_is_an_english_word_leaves_the_message_whole(real: RealScimServer):
    """The token is redacted from what a server says, not from the wizard's own sentence:
    'wrong' as the token took the word out of 'it is wrong, revoked, …'."""
    finding = primary(probe_scim_sync(real.base_url("acme"), "wrong", timeout=5))
    assert finding.code == "scim.unauthorized"
    assert "it is wrong, revoked" in finding.message and "redacted" not in finding.message


def test_another_orgs_token_is_unauthorized(real: RealScimServer):
    result = probe_scim_sync(real.base_url("acme"), EMPTY_TOKEN, timeout=5)
    assert primary(result).code == "scim.unauthorized"


def test_regenerated_token_makes_the_old_one_fail(real: RealScimServer):
    app = real.apps["acme"]
    new_token = secrets.token_urlsafe(24)
    app.bearer_tokens = {new_token}  # what "Regenerate" in Pulumi does
    try:
        assert primary(probe_scim_sync(real.base_url("acme"), ACME_TOKEN, timeout=5)).code == "scim.unauthorized"
        assert primary(probe_scim_sync(real.base_url("acme"), new_token, timeout=5)).code == "scim.ok"
    finally:
        app.bearer_tokens = {ACME_TOKEN}


@pytest.mark.parametrize(
    "base",
    [
        "{api}/scim/v2/nosuchorg",  # org name wrong: the server's own "Unknown tenant"
        "{api}/scim/v2/ACME",  # org names are case-sensitive
        "{api}/scim/v2/acme/v2/extra",  # a path the SCIM server has no resource type for
        "{api}/scim/v3/acme",  # wrong API path
    ],
)
def test_wrong_path_is_not_found(real: RealScimServer, base: str):
    result = probe_scim_sync(base.format(api=real.api_base), ACME_TOKEN, timeout=5)
    finding = primary(result)
    assert finding.code == "scim.not_found"
    assert finding.field == "scim_base_url"
    assert result.status_code == 404
    assert "organisation name" in finding.fix


def test_async_probe_runs_in_an_event_loop(real: RealScimServer):
    async def go():
        return await asyncio.gather(
            probe_scim(real.base_url("acme"), ACME_TOKEN, timeout=5),
            probe_scim(real.base_url("acme"), "wrong", timeout=5),
        )

    good, bad = asyncio.run(go())
    assert primary(good).code == "scim.ok" and primary(bad).code == "scim.unauthorized"


# --------------------------------------------------------------------------- the fault server


@pytest.fixture
def faults():
    with FaultServer() as server:
        yield server


def test_429_with_retry_after_then_200_waits_as_asked(faults: FaultServer):
    base = faults.script(
        "/a", [Reply(429, scim_error(429, "slow down"), {"Retry-After": "2"}), Reply(200, list_response(7))]
    )
    sleeps = Sleeps()
    result = probe_scim_sync(base, "tok", sleep=sleeps, timeout=5)
    assert primary(result).code == "scim.ok"
    assert result.total_results == 7
    assert sleeps.waits == [2.0]
    assert result.attempts == 2 and len(faults.requests_to("/a")) == 2
    assert "scim.retried" in codes(result)


def test_429_retry_after_as_an_http_date(faults: FaultServer):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    base = faults.script("/a", [Reply(429, headers={"Retry-After": when}), Reply(200, list_response(1))])
    sleeps = Sleeps()
    result = probe_scim_sync(base, "tok", sleep=sleeps, timeout=5)
    assert primary(result).code == "scim.ok"
    assert len(sleeps.waits) == 1 and 2.0 <= sleeps.waits[0] <= 5.0


def test_429_always_gives_up_after_three_tries(faults: FaultServer):
    base = faults.script("/a", [Reply(429, headers={"Retry-After": "1"})])
    sleeps = Sleeps()
    result = probe_scim_sync(base, "tok", sleep=sleeps, timeout=5)
    assert primary(result).code == "scim.rate_limited"
    assert result.attempts == 3 and len(faults.requests_to("/a")) == 3
    assert sleeps.waits == [1.0, 1.0]
    assert "Wait" in primary(result).fix


def test_429_asking_for_longer_than_the_cap_is_reported_at_once(faults: FaultServer):
    base = faults.script("/a", [Reply(429, headers={"Retry-After": "3600"}), Reply(200, list_response(1))])
    sleeps = Sleeps()
    result = probe_scim_sync(base, "tok", sleep=sleeps, timeout=5)
    assert primary(result).code == "scim.rate_limited"
    assert f"more than {MAX_RETRY_AFTER:g} s" in primary(result).message
    assert "3600" not in primary(result).message  # never the unclipped number
    assert sleeps.waits == [] and result.attempts == 1


def test_500_then_200_is_retried_with_backoff(faults: FaultServer):
    base = faults.script("/a", [Reply(500, "<html>oops</html>"), Reply(200, list_response(3))])
    sleeps = Sleeps()
    result = probe_scim_sync(base, "tok", sleep=sleeps, timeout=5)
    assert primary(result).code == "scim.ok" and result.total_results == 3
    assert result.attempts == 2 and len(sleeps.waits) == 1 and 0 < sleeps.waits[0] <= 5


def test_500_always_is_a_server_error_after_three_tries(faults: FaultServer):
    base = faults.script("/a", [Reply(503, scim_error(503, "maintenance in progress"))])
    sleeps = Sleeps()
    result = probe_scim_sync(base, "tok", sleep=sleeps, timeout=5)
    finding = primary(result)
    assert finding.code == "scim.server_error"
    assert "503" in finding.message and "maintenance in progress" in finding.message
    assert result.attempts == 3 and len(faults.requests_to("/a")) == 3
    assert len(sleeps.waits) == 2 and sleeps.waits[1] > sleeps.waits[0]  # backoff grows


def test_default_sleep_really_waits_for_retry_after(faults: FaultServer):
    base = faults.script("/a", [Reply(429, headers={"Retry-After": "0.3"}), Reply(200, list_response(1))])
    started = time.monotonic()
    result = probe_scim_sync(base, "tok", timeout=5)
    assert primary(result).code == "scim.ok"
    assert time.monotonic() - started >= 0.3


def test_html_login_page_is_not_scim(faults: FaultServer):
    page = "<!DOCTYPE html><html><head><title>Sign in to Acme</title></head><body>form</body></html>"
    base = faults.script("/a", [Reply(200, page)])
    result = probe_scim_sync(base, "tok", timeout=5)
    finding = primary(result)
    assert finding.code == "scim.not_scim"
    assert "Sign in to Acme" in finding.message
    assert "/scim/v2/" in finding.fix
    assert result.total_results is None


@pytest.mark.parametrize(
    "body",
    [
        {"hello": "world"},  # JSON, not a list response
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": "2"},
        b"\x00\x01binary",
        b"x" * (1024 * 1024),  # large and not JSON: read only in part
    ],
    ids=["json-object", "total-as-string", "binary", "1MB-text"],
)
def test_200_that_is_not_a_scim_list_is_not_scim(faults: FaultServer, body):
    base = faults.script("/a", [Reply(200, body)])
    assert primary(probe_scim_sync(base, "tok", timeout=5)).code == "scim.not_scim"


def test_400_shows_scim_type_and_detail(faults: FaultServer):
    base = faults.script("/a", [Reply(400, scim_error(400, "Filter syntax not supported", "invalidFilter"))])
    result = probe_scim_sync(base, "tok", timeout=5)
    finding = primary(result)
    assert finding.code == "scim.bad_request"
    assert "invalidFilter" in finding.message and "Filter syntax not supported" in finding.message
    assert result.attempts == 1


def test_403_is_forbidden(faults: FaultServer):
    base = faults.script("/a", [Reply(403, scim_error(403, "SCIM is not enabled for this organization"))])
    finding = primary(probe_scim_sync(base, "tok", timeout=5))
    assert finding.code == "scim.forbidden"
    assert "SCIM is not enabled" in finding.message
    assert "Enterprise" in finding.fix


def test_redirect_to_a_login_page_is_reported_and_not_followed(faults: FaultServer):
    faults.script("/login", [Reply(200, "<html><title>Login</title></html>")])
    base = faults.script("/a", [Reply(302, headers={"Location": f"{faults.url}/login?next=/a/Users"})])
    result = probe_scim_sync(base, "tok", timeout=5)
    finding = primary(result)
    assert finding.code == "scim.redirect"
    assert f"{faults.url}/login" in finding.message and "next=" not in finding.message
    assert result.status_code == 302
    assert faults.requests_to("/login") == []  # not followed, the token went nowhere else


def test_redirect_to_another_host_names_it(faults: FaultServer):
    base = faults.script("/a", [Reply(301, headers={"Location": "https://login.example.com/sso"})])
    finding = primary(probe_scim_sync(base, "tok", timeout=5))
    assert finding.code == "scim.redirect"
    assert "login.example.com" in finding.fix


def test_other_status_is_unexpected(faults: FaultServer):
    base = faults.script("/a", [Reply(418, "teapot")])
    result = probe_scim_sync(base, "tok", timeout=5)
    assert primary(result).code == "scim.unexpected" and "418" in primary(result).message


def test_stall_past_the_timeout_is_a_timeout_and_bounded(faults: FaultServer):
    base = faults.script("/a", [Reply(200, list_response(1), stall=10)])
    started = time.monotonic()
    result = probe_scim_sync(base, "tok", timeout=0.5)
    elapsed = time.monotonic() - started
    assert primary(result).code == "scim.timeout"
    assert "0.5 s" in primary(result).message
    assert elapsed < 3
    assert result.attempts == 1


def test_a_server_dripping_its_answer_is_cut_off_at_the_timeout():
    # Each byte arrives before httpx's per-read timeout: only the probe's own
    # bound on the whole attempt stops it.
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 10000\r\n\r\n")
            while not stop.wait(0.05):
                try:
                    conn.sendall(b" ")
                except OSError:
                    return

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        result = probe_scim_sync(f"http://127.0.0.1:{port}/scim/v2/acme", "tok", timeout=0.5)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        listener.close()
        thread.join(2)
    assert primary(result).code == "scim.timeout"
    assert elapsed < 2


def test_refused_connection(refused_port):
    port = refused_port
    result = probe_scim_sync(f"http://127.0.0.1:{port}/scim/v2/acme", "tok", timeout=2)
    finding = primary(result)
    assert finding.code == "scim.refused"
    assert str(port) in finding.message


def test_dns_failure_fails_fast_without_leaving_the_machine(monkeypatch: pytest.MonkeyPatch):
    # The resolver here would ask a DNS server on the network, so the lookup is
    # answered in process, as the OS does for a name that does not exist.
    looked_up: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def fake_getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        looked_up.append(name)
        if name.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    started = time.monotonic()
    result = probe_scim_sync("https://api.pulumi-typo.invalid/scim/v2/acme", "tok", timeout=5)
    assert time.monotonic() - started < 2
    assert looked_up == ["api.pulumi-typo.invalid"]
    finding = primary(result)
    assert finding.code == "scim.dns"
    assert "api.pulumi-typo.invalid" in finding.message


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (httpx.ConnectError("[Errno 11001] getaddrinfo failed"), "scim.dns"),  # Windows wording
        (httpx.ConnectError("[Errno 8] nodename nor servname provided, or not known"), "scim.dns"),  # macOS
        (httpx.ConnectError("[Errno 111] Connection refused"), "scim.refused"),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "scim.tls"),
        (httpx.ConnectTimeout("timed out"), "scim.timeout"),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), "scim.network"),
    ],
)
def test_transport_errors_are_classified_by_their_wording(exc: Exception, code: str):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    result = probe_scim_sync("https://api.example.com/scim/v2/acme", "tok", transport=httpx.MockTransport(handler))
    assert primary(result).code == code
    assert result.attempts == 1


def test_untrusted_certificate_is_a_tls_finding(tmp_path: Path):
    with FaultServer(ssl_context=self_signed_context(tmp_path)) as server:
        base = server.script("/a", [Reply(200, list_response(1))])
        result = probe_scim_sync(base, "tok", timeout=5)
    finding = primary(result)
    assert finding.code == "scim.tls"
    assert "certificate" in finding.message
    assert "SSL_CERT_FILE" in finding.fix


# --------------------------------------------------------------------------- input checks


def _no_network(request: httpx.Request) -> httpx.Response:  # pragma: no cover - must not run
    raise AssertionError(f"no request expected, got {request.url}")


@pytest.mark.parametrize(
    "base",
    [
        "",
        "http://api.example.com/scim/v2/acme",  # plain http to a real host
        "ftp://api.example.com/scim/v2/acme",
        "api.pulumi.com/scim/v2/acme",
        "https://user:pw@api.pulumi.com/scim/v2/acme",
        "https://api.pulumi.com/scim/v2/acme/Users",  # JumpCloud adds /Users itself
        "https://api.pulumi.com/scim/v2/acme?x=1",
    ],
)
def test_invalid_base_url_is_reported_without_a_request(base: str):
    result = probe_scim_sync(base, "tok", transport=httpx.MockTransport(_no_network))
    assert codes(result) == ["scim.invalid_url"]
    assert result.attempts == 0
    assert scim_base_problem(base)


def test_loopback_http_and_https_base_urls_are_accepted():
    assert scim_base_problem("http://127.0.0.1:8080/scim/v2/acme") is None
    assert scim_base_problem("http://localhost/scim/v2/acme/") is None
    assert scim_base_problem("https://pulumi.internal.example.com/api/scim/v2/acme") is None


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("", "scim.no_token"),
        ("  \n", "scim.no_token"),
        ("abc def", "scim.bad_token"),
        ("abc\ndef", "scim.bad_token"),
        ("tökén", "scim.bad_token"),
        ("a\x07b", "scim.bad_token"),
    ],
)
def test_missing_or_mangled_token_is_reported_without_a_request(token: str, code: str):
    result = probe_scim_sync("https://api.pulumi.com/scim/v2/acme", token, transport=httpx.MockTransport(_no_network))
    assert codes(result) == [code]
    assert result.findings[0].field == "scim_token"
    assert result.attempts == 0


def test_an_unexpected_error_becomes_a_finding_without_the_token():
    token = "SECRET-" + secrets.token_hex(8)

    def handler(request: httpx.Request) -> httpx.Response:
        raise RuntimeError(f"broken with {request.headers['authorization']}")

    result = probe_scim_sync("https://api.example.com/scim/v2/acme", token, transport=httpx.MockTransport(handler))
    assert primary(result).code == "scim.unexpected"
    assert "RuntimeError" in primary(result).message
    assert token not in repr(result)


# --------------------------------------------------------------------------- the token stays secret


def test_token_never_appears_in_findings_repr_or_logs(
    real: RealScimServer,
    faults: FaultServer,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.DEBUG)  # httpx and httpcore log every request at DEBUG
    token = "tok-" + secrets.token_urlsafe(24)
    real.apps["acme"].bearer_tokens = {token}
    try:
        # A hostile server that echoes the token back everywhere it can.
        echo_pages = {
            "/html": [Reply(200, f"<html><title>Hi {token}</title></html>")],
            "/err": [Reply(400, scim_error(400, f"bad token {token}", f"x{token}"))],
            "/five": [Reply(500, scim_error(500, f"failed for {token}"))],
            "/redir": [Reply(302, headers={"Location": f"https://login.example.com/{token}"})],
            "/forbid": [Reply(403, {"message": f"no access for {token}"})],
            "/limit": [Reply(429, scim_error(429, token), {"Retry-After": "1"})],
        }
        bases = [faults.script(prefix, replies) for prefix, replies in echo_pages.items()]
        bases += [real.base_url("acme"), real.base_url("nosuchorg")]
        results = [probe_scim_sync(base, token, timeout=5, sleep=Sleeps()) for base in bases]
        results.append(probe_scim_sync(real.base_url("acme"), "wrong", timeout=5))

        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError(f"cannot connect, {request.headers['authorization']}")

        results.append(probe_scim_sync("https://api.example.com/x", token, transport=httpx.MockTransport(handler)))
    finally:
        real.apps["acme"].bearer_tokens = {ACME_TOKEN}

    assert "scim.ok" in [primary(r).code for r in results]
    text = "\n".join(
        [repr(r) for r in results]
        + [json.dumps([f.to_dict() for f in r.findings]) for r in results]
        + [json.dumps(r.to_dict()) for r in results]
    )
    out = capsys.readouterr()
    logs = "\n".join(f"{rec.getMessage()} {rec.args!r}" for rec in caplog.records)
    assert any("HTTP Request" in rec.getMessage() for rec in caplog.records)  # the logs were captured
    for where, blob in [("findings", text), ("stdout", out.out), ("stderr", out.err), ("logs", logs)]:
        assert token not in blob, f"token leaked into {where}"
    assert REDACTED in text  # the echoes were redacted, not dropped by luck


# --------------------------------------------------------------------------- the CLI


def run_cli(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys, *, stdin: str = "", tty: bool = False):
    fake_stdin = io.StringIO(stdin)
    fake_stdin.isatty = lambda: tty  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", fake_stdin)
    code = main(["check-scim", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_token_from_the_environment(real: RealScimServer, monkeypatch, capsys):
    monkeypatch.setenv("PULUMI_SCIM_TOKEN", ACME_TOKEN)
    code, out, err = run_cli(["--org", "acme", "--api-url", real.api_base], monkeypatch, capsys)
    assert code == 0, err
    assert f"{real.api_base}/scim/v2/acme" in out
    assert "scim.ok" in out and "totalResults: 2" in out
    assert ACME_TOKEN not in out + err


def test_cli_token_from_stdin_and_json(real: RealScimServer, monkeypatch, capsys):
    code, out, err = run_cli(
        ["--org", "acme", "--api-url", real.api_base, "--json"],
        monkeypatch,
        capsys,
        stdin=ACME_TOKEN + "\nanother line\n",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["findings"][0]["code"] == "scim.ok"
    assert set(data["findings"][0]) >= {"code", "severity", "message", "fix"}
    assert data["scim"]["base_url"] == real.base_url("acme")
    assert data["scim"]["status_code"] == 200 and data["scim"]["total_results"] == 2
    assert real.seen[-1].headers["authorization"] == f"Bearer {ACME_TOKEN}"  # only the first line
    assert ACME_TOKEN not in out + err


def test_cli_prompts_with_getpass_on_a_terminal(real: RealScimServer, monkeypatch, capsys):
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return ACME_TOKEN

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    code, _out, err = run_cli(["--org", "acme", "--api-url", real.api_base], monkeypatch, capsys, tty=True)
    assert code == 0, err
    assert prompts and "token" in prompts[0].lower()


def test_cli_wrong_token_exits_1(real: RealScimServer, monkeypatch, capsys):
    monkeypatch.setenv("PULUMI_SCIM_TOKEN", "wrong-token")
    code, out, _err = run_cli(["--org", "acme", "--api-url", real.api_base, "--json"], monkeypatch, capsys)
    assert code == 1
    data = json.loads(out)
    assert data["findings"][0]["code"] == "scim.unauthorized"
    assert data["findings"][0]["severity"] == "error"
    assert data["scim"]["status_code"] == 401


def test_cli_base_url_overrides_the_computed_one(real: RealScimServer, monkeypatch, capsys):
    monkeypatch.setenv("PULUMI_SCIM_TOKEN", EMPTY_TOKEN)
    code, out, err = run_cli(["--org", "whatever", "--base-url", real.base_url("emptyorg")], monkeypatch, capsys)
    assert code == 0, err
    assert "scim.no_users_yet" in out


def test_cli_wrong_org_exits_1_with_not_found(real: RealScimServer, monkeypatch, capsys):
    monkeypatch.setenv("PULUMI_SCIM_TOKEN", ACME_TOKEN)
    code, out, _err = run_cli(["--org", "acme-typo", "--api-url", real.api_base], monkeypatch, capsys)
    assert code == 1
    assert "scim.not_found" in out and "fix:" in out


@pytest.mark.parametrize(
    ("argv", "stdin", "needle"),
    [
        (["--org", "bad org"], "tok\n", "no spaces"),
        (["--org", "acme", "--api-url", "http://api.example.com"], "tok\n", "https"),
        (["--org", "acme", "--base-url", "http://api.example.com/scim/v2/acme"], "tok\n", "https"),
        (
            ["--org", "acme", "--api-url", "https://api.pulumi.com", "--base-url", "https://x.example.com/s"],
            "tok\n",
            "not allowed with",
        ),
        (["--org", "acme"], "", "PULUMI_SCIM_TOKEN"),
        (["--org", "acme"], "   \n", "PULUMI_SCIM_TOKEN"),
        (["--org", "acme"], "two words\n", "spaces"),
        (["--org", "acme", "--timeout", "0"], "tok\n", "--timeout"),
        ([], "tok\n", "--org"),
    ],
)
def test_cli_usage_errors_exit_2(argv, stdin, needle, monkeypatch, capsys):
    def no_probe(*args, **kwargs):  # pragma: no cover - must not run
        raise AssertionError("no request on a usage error")

    monkeypatch.setattr("wizard.scim.probe_scim_sync", no_probe)
    try:
        code, _out, err = run_cli(argv, monkeypatch, capsys, stdin=stdin)
    except SystemExit as exc:  # argparse's own errors
        code, err = exc.code, capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert "Traceback" not in err


def test_cli_usage_error_with_json_prints_the_finding(monkeypatch, capsys):
    code, out, _err = run_cli(["--org", "acme", "--json"], monkeypatch, capsys, stdin="")
    assert code == 2
    assert json.loads(out)["findings"][0]["code"] == "scim.no_token"


def test_cli_refuses_a_token_argument_without_echoing_it(monkeypatch, capsys):
    token = "argv-" + secrets.token_hex(8)
    code, out, err = run_cli(["--org", "acme", "--token", token], monkeypatch, capsys)
    assert code == 2
    assert "PULUMI_SCIM_TOKEN" in err
    assert token not in out + err


def test_cli_subprocess_keeps_the_token_out_of_argv_and_output_and_textual_unloaded(real: RealScimServer):
    token = ACME_TOKEN
    script = (
        "import sys\n"
        "from wizard.cli import main\n"
        "rc = main(sys.argv[1:])\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'NO-TEXTUAL', file=sys.stderr)\n"
        "raise SystemExit(rc)\n"
    )
    argv = [sys.executable, "-c", script, "check-scim", "--org", "acme", "--api-url", real.api_base, "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PULUMI_SCIM_TOKEN", None)
    proc = subprocess.run(argv, input=token + "\n", capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["findings"][0]["code"] == "scim.ok"
    assert "NO-TEXTUAL" in proc.stderr
    assert token not in " ".join(argv)
    assert token not in proc.stdout + proc.stderr
