"""Local HTTP servers for the test stand-ins (standard library only).

``LocalServer`` is the scaffolding every stand-in shares: a threaded HTTP server on
127.0.0.1 and a free port (behind TLS when given a server context), serving in a
background thread.  ``with Server(...) as s: s.url`` starts it and stops it; stopping
also cuts short any answer still stalling (``_stopping``), which then sends nothing;
``release()`` ends every stall at once and answers (a test that must see the app
busy stalls for long and releases when it has: no guess at how slow the machine is).
A subclass answers each request of the methods it names in ``methods`` in
``_respond(handler, method)``, or hands a WSGI application to the constructor instead.

``ScriptedFake`` adds what the API stand-ins (tests/jumpcloud_fake.py,
tests/pulumi_fake.py) share: a log of every request (``requests``), canned answers
for the next requests (``then``: a status, a body, headers or a stall), a check of
the credential headers (``_refusal``) before the API's own answer (``_answer``), and
JSON, text and bytes bodies with their Content-Type.

``read_body`` and ``send`` read a request's body and write a whole response.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import ThreadingMixIn
from typing import Any, Self
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

HOST = "127.0.0.1"
# how often the serving thread looks for a stop: closing waits up to this long
POLL_INTERVAL = 0.02


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up mid-request (the timeout tests do) is expected:
        # no traceback on the test output.
        pass


class _QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _WSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False


class _QuietWSGIHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class LocalServer:
    """A server on 127.0.0.1 and a free port, in a background thread; a context manager.

    ``methods``: the HTTP methods handed to ``_respond``; any other gets the standard
    library's 501.  ``tls``: a server context to wrap the socket in (the URL is then
    ``https``).  ``wsgi_app``: serve this WSGI application instead of ``_respond``.
    ``_lock`` is for the state the request threads share (the request log).
    """

    methods: tuple[str, ...] = ()

    def __init__(
        self, *, tls: ssl.SSLContext | None = None, wsgi_app: Callable[..., Iterable[bytes]] | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._released = threading.Event()
        self._httpd: ThreadingHTTPServer | WSGIServer
        if wsgi_app is None:

            def dispatch(handler: BaseHTTPRequestHandler) -> None:
                self._respond(handler, handler.command)

            handler = type("Handler", (_QuietHandler,), {f"do_{method}": dispatch for method in self.methods})
            self._httpd = _Server((HOST, 0), handler)
        else:
            self._httpd = _WSGIServer((HOST, 0), _QuietWSGIHandler)
            self._httpd.set_app(wsgi_app)
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self._scheme = "http" if tls is None else "https"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"{self._scheme}://{HOST}:{self.port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def release(self) -> None:
        """End every stall now, answering as scripted (a later answer stalls no more)."""
        self._released.set()

    def _stall(self, seconds: float) -> bool:
        """Wait ``seconds`` before an answer, or until ``release``; True when the server is
        stopping instead (the answer is then not sent)."""
        deadline = time.monotonic() + seconds
        while not self._released.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if self._stopping.wait(min(left, POLL_INTERVAL)):
                return True
        return self._stopping.is_set()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _respond(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        raise NotImplementedError


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request's body, as long as its Content-Length says (none: empty)."""
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def send(handler: BaseHTTPRequestHandler, status: int, payload: bytes, headers: Mapping[str, str]) -> None:
    """Answer with ``status``, ``headers`` in their order, a Content-Length and ``payload``."""
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(payload)))
    # the head and the body in one write: two small writes meet the client's delayed
    # ACK and cost 40 ms a request on loopback, which a benchmark would count
    handler._headers_buffer.append(b"\r\n" + payload)  # type: ignore[attr-defined]
    handler.flush_headers()


@dataclass
class Scripted:
    """One canned answer for the next matching request."""

    status: int = 200
    body: Any = None  # dict or list -> JSON; str -> text; bytes -> sent as is
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0  # seconds to wait before answering (cut short by release or the server stopping)
    method: str | None = None  # only for this method (None: any)
    path: str | None = None  # a regular expression the path must match (None: any)

    def matches(self, method: str, path: str) -> bool:
        return self.method in (None, method) and (self.path is None or re.search(self.path, path) is not None)


@dataclass
class Seen:
    """One request as it came: ``path`` as sent (with its query), headers as named."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ScriptedFake(LocalServer):
    """An API stand-in: logs every request, answers from the script first, then refuses
    a request whose credential headers are wrong, then gives the API's own answer.

    A subclass sets ``methods`` and the Content-Types of JSON and bytes bodies, and
    writes ``_refusal``, ``_error_body`` and ``_answer``.
    """

    json_type = "application/json"
    bytes_type = "application/json"

    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(tls=tls)
        self.script: list[Scripted] = []
        self.requests: list[Seen] = []

    def then(
        self,
        status: int = 200,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        stall: float = 0.0,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
    ) -> Self:
        """Answer the next ``times`` matching requests with this instead of the API's answer."""
        for _ in range(times):
            self.script.append(Scripted(status, body, dict(headers or {}), stall, method, path))
        return self

    def _respond(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        body = read_body(handler)
        path = urlsplit(handler.path).path
        with self._lock:
            self.requests.append(Seen(method, handler.path, dict(handler.headers.items()), body))
            scripted = None
            for i, item in enumerate(self.script):
                if item.matches(method, path):
                    scripted = self.script.pop(i)
                    break
        if scripted is not None:
            if scripted.stall and self._stall(scripted.stall):
                return
            self._send(handler, scripted.status, scripted.body, scripted.headers)
            return
        refusal = self._refusal(handler)
        if refusal is not None:
            self._error(handler, *refusal)
            return
        self._answer(handler, method, body)

    def _send(
        self, handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        extra = dict(headers or {})
        if isinstance(body, (dict, list)):
            payload, kind = json.dumps(body).encode(), self.json_type
        elif isinstance(body, str):
            payload, kind = body.encode(), "text/plain; charset=utf-8"
        elif isinstance(body, bytes):
            payload, kind = body, self.bytes_type
        else:
            payload, kind = b"", "application/json"
        send(handler, status, payload, {"Content-Type": extra.pop("Content-Type", kind), **extra})

    def _error(self, handler: BaseHTTPRequestHandler, status: int, message: str) -> None:
        self._send(handler, status, self._error_body(status, message))

    def _refusal(self, handler: BaseHTTPRequestHandler) -> tuple[int, str] | None:
        """The status and message for a request the credential headers do not allow."""
        raise NotImplementedError

    def _error_body(self, status: int, message: str) -> dict[str, Any]:
        raise NotImplementedError

    def _answer(self, handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        """The API's own answer to a request that got past the script and the headers."""
        raise NotImplementedError
