"""Hostile metadata: every one gets a finding, never an exception, and nothing named in
the document is opened: no file (a named pipe notices the open, a canary file's content
must not appear) and no URL (a local HTTP server must see no connection).

Each input is also fed with the parser's DOCTYPE pre-scan switched off, so that the
lxml settings underneath (no entities, no network, no DTD, a resolver that denies
everything) are tested on their own too.
"""

from __future__ import annotations

import errno
import json
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.exports import GOOD_EXPORT
from tests.test_metadata import make_cert, with_cert
from wizard import xmlsafe
from wizard.metadata import check_metadata

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CANARY = "CANARY-7f3a9c-must-never-appear"
DECL = b'<?xml version="1.0" encoding="UTF-8"?>'
BODY = GOOD_EXPORT.read_bytes()[len(DECL) :]  # the export without its declaration
NAMEID = b"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


class Server:
    """A local HTTP server that records every connection made to it."""

    def __init__(self) -> None:
        self.connections: list[str] = []
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                body = f'<!ENTITY leak "{CANARY}">'.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        class Recording(ThreadingHTTPServer):
            def process_request(self, request, client_address):
                outer.connections.append(str(client_address))
                super().process_request(request, client_address)

        self.httpd = Recording(("127.0.0.1", 0), Handler)
        self.httpd.timeout = 1
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class PipeWatch:
    """A named pipe that notices being opened for reading.

    A writer thread keeps trying a non-blocking open for writing, which succeeds
    only while a reader has the pipe open; it then writes the canary and closes,
    so a reader never blocks for long.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self.opened = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno == errno.ENXIO:  # no reader yet
                    time.sleep(0.001)
                    continue
                raise
            self.opened = True
            try:
                os.write(fd, f'<!ENTITY leak "{CANARY}">'.encode())
            finally:
                os.close(fd)

    def __enter__(self) -> PipeWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        time.sleep(0.02)  # let a pending open be noticed
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.fixture
def targets(tmp_path: Path):
    """file: a regular file holding the canary; pipe: a watched named pipe; url: the server."""
    secret = tmp_path / "secret.txt"
    secret.write_text(CANARY)
    with Server() as server, PipeWatch(tmp_path / "pipe") as pipe:
        yield {"file": secret, "pipe": pipe, "server": server}
    assert not pipe.opened, "a file named in the document was opened"
    assert server.connections == [], f"a URL named in the document was fetched: {server.requests}"


def doc(template: bytes, where: str) -> bytes:
    return template.replace(b"{where}", where.encode())


def body_with(inner_decl: bytes, nameid_text: bytes = NAMEID) -> bytes:
    """The real export with a DOCTYPE after its declaration and NameIDFormat text replaced."""
    return DECL + inner_decl + BODY.replace(NAMEID, nameid_text)


EXTERNAL = {
    "external entity": body_with(b'<!DOCTYPE md:EntityDescriptor [<!ENTITY x SYSTEM "{where}">]>', b"&x;"),
    "external DTD": body_with(b'<!DOCTYPE md:EntityDescriptor SYSTEM "{where}">'),
    "external DTD by public id": body_with(
        b'<!DOCTYPE md:EntityDescriptor PUBLIC "-//OASIS//DTD SAML Metadata//EN" "{where}">'
    ),
    "parameter entity": body_with(b'<!DOCTYPE md:EntityDescriptor [<!ENTITY % p SYSTEM "{where}"> %p;]>', b"&leak;"),
    "out-of-band parameter entities": body_with(
        b'<!DOCTYPE md:EntityDescriptor [<!ENTITY % d SYSTEM "{where}">'
        b"<!ENTITY % e \"<!ENTITY &#x25; s SYSTEM '{where}?x=%d;'>\"> %e; %s;]>"
    ),
    "entity in an attribute default": body_with(
        b'<!DOCTYPE md:EntityDescriptor [<!ENTITY x SYSTEM "{where}"><!ATTLIST md:EntityDescriptor extra CDATA "&x;">]>'
    ),
    "UTF-16 external entity": (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE md:EntityDescriptor '
        '[<!ENTITY x SYSTEM "{where}">]>' + BODY.replace(NAMEID, b"&x;").decode()
    ).encode("utf-16"),
}

# Not forbidden (no DOCTYPE) but naming something to fetch: nothing may be fetched.
REFERENCES = {
    "XInclude": BODY.replace(
        NAMEID, b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{where}" parse="text"/>' + NAMEID
    ),
    "xml-stylesheet PI": b'<?xml-stylesheet type="text/xsl" href="{where}"?>' + BODY,
    "xsi:schemaLocation": BODY.replace(
        b'entityID="strategicgroupnw"',
        b'entityID="strategicgroupnw" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:schemaLocation="urn:oasis:names:tc:SAML:2.0:metadata {where}"',
    ),
}


def _where(targets, kind: str) -> str:
    if kind == "url":
        return targets["server"].url + "/evil.dtd"
    path = targets["file"] if kind == "file" else targets["pipe"].path
    return "file://" + str(path)


def _assert_clean(report) -> None:
    text = json.dumps(report.to_dict())
    assert CANARY not in text
    for finding in report.findings:
        assert finding.message and finding.fix


@pytest.fixture(params=["pre-scan on", "pre-scan off"])
def scan(request, monkeypatch):
    if request.param == "pre-scan off":
        monkeypatch.setattr(xmlsafe, "_has_forbidden", lambda data: False)
    return request.param


@pytest.mark.parametrize("kind", ["file", "pipe", "url"])
@pytest.mark.parametrize("name", list(EXTERNAL))
def test_external_references_are_forbidden_and_never_followed(targets, scan, name, kind):
    data = doc(EXTERNAL[name], _where(targets, kind))
    report = check_metadata(data, now=NOW)
    _assert_clean(report)
    assert report.metadata is None
    assert [f.code for f in report.findings] in (["xml.forbidden"], ["xml.malformed"])
    if scan == "pre-scan on":
        assert report.findings[0].code == "xml.forbidden"
        assert "DOCTYPE" in report.findings[0].message


@pytest.mark.parametrize("kind", ["file", "pipe", "url"])
@pytest.mark.parametrize("name", list(REFERENCES))
def test_references_without_doctype_are_not_followed(targets, scan, name, kind):
    data = doc(REFERENCES[name], _where(targets, kind))
    report = check_metadata(data, now=NOW)
    _assert_clean(report)
    # The reference is inert: the metadata reads exactly as the export does.
    assert report.ok, report.findings
    assert report.metadata.entity_id == "strategicgroupnw"


def test_certificate_urls_are_not_fetched(targets):
    cert = make_cert(NOW - timedelta(days=1), NOW + timedelta(days=1000), crl_url=targets["server"].url + "/crl")
    report = check_metadata(with_cert(cert), now=NOW)
    assert report.ok
    assert report.metadata.signing_certificate.der.count(targets["server"].url.encode()) == 1


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol9;"/>'
)
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE kaboom [<!ENTITY a "'
    + b"A" * 100_000
    + b'">]>'
    + b'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:NameIDFormat>'
    + b"&a;" * 50_000
    + b"</md:NameIDFormat></md:EntityDescriptor>"
)


@pytest.mark.parametrize("data", [BILLION_LAUGHS, QUADRATIC], ids=["billion laughs", "quadratic blow-up"])
def test_entity_bombs_are_forbidden_without_expansion(targets, scan, data):
    started = time.perf_counter()
    report = check_metadata(data, now=NOW)
    elapsed = time.perf_counter() - started
    assert [f.code for f in report.findings] == ["xml.forbidden"]
    assert report.metadata is None
    assert elapsed < 5  # expanded, either bomb would take far longer (the bench measures it)


def test_ten_mebibytes_is_refused_by_size(tmp_path: Path):
    data = DECL + BODY.replace(
        b"</md:EntityDescriptor>", b"<!--" + b"x" * (10 * 1024 * 1024) + b"--></md:EntityDescriptor>"
    )
    report = check_metadata(data, now=NOW)
    assert [f.code for f in report.findings] == ["xml.too_large"]
    assert "limit is 1,048,576 bytes" in report.findings[0].message
    assert check_metadata(data.decode(), now=NOW).findings[0].code == "xml.too_large"


@pytest.mark.parametrize("depth", [150, 19_000])  # 19,000: under the element limit
def test_deep_nesting_is_refused(depth):
    inner = b"<x>" * depth + b"</x>" * depth
    data = DECL + BODY.replace(b"<md:IDPSSODescriptor", inner + b"<md:IDPSSODescriptor", 1)
    report = check_metadata(data, now=NOW)
    assert [f.code for f in report.findings] == ["xml.forbidden"]
    assert "deep" in report.findings[0].message


@pytest.mark.parametrize(
    "data",
    [
        b"\x00" * 64,
        b"\xff\xfe\x00\x00garbage",
        b"<" * 5000,
        b"<md:EntityDescriptor" + b' a="1"' * 10,
        "<r>\ud800</r>",  # a lone surrogate pasted
        b"<r>\xff\xfe\xfd</r>",  # not UTF-8
        b'<?xml version="1.0" encoding="no-such-encoding"?><r/>',
        b'<?xml version="1.0" encoding="UTF-7"?>+ADw-r+AD4-',
        b"<r>" + b"&#0;" + b"</r>",
        b"<r><![CDATA[" + b"]" * 1000,
    ],
)
def test_garbage_is_a_finding_not_an_exception(data):
    report = check_metadata(data, now=NOW)
    assert report.findings and not report.ok
    assert report.findings[0].code.startswith(("xml.", "metadata."))
