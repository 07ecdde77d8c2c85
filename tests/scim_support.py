"""Local servers for the SCIM tests: a real SCIM 2.0 server and a fault server.

Both listen on 127.0.0.1 on a free port, in a background thread (both are
tests/local_server.py's ``LocalServer``), and record every request they get.
Import with::

    from tests.scim_support import RealScimServer, FaultServer, Reply

``RealScimServer`` is ``scim2-server`` (PyPI) behind Pulumi's URL layout:
``{api}/scim/v2/{org}`` is the SCIM root of the org's tenant, protected by a
bearer token; an unknown org is the server's own 404 "Unknown tenant".
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.local_server import LocalServer, send

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


@dataclass(frozen=True)
class Seen:
    """One request a test server received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names


class RealScimServer(LocalServer):
    """scim2-server with one tenant per org, each behind its own bearer token."""

    def __init__(self, tokens: dict[str, str]) -> None:
        from scim2_models import ScimProvider
        from scim2_server.applications.wsgi import TenantDispatcher
        from scim2_server.memory import InMemoryStorage
        from scim2_server.service import ScimService
        from scim2_server.testserver.application import BEARER_TOKEN_SCHEME, BearerTokenApplication
        from scim2_server.utils import (
            load_default_resource_types,
            load_default_schemas,
            load_default_service_provider_config,
        )

        config = load_default_service_provider_config()
        config.authentication_schemes = [*(config.authentication_schemes or []), BEARER_TOKEN_SCHEME]
        provider = ScimProvider.from_discovery(
            load_default_schemas().values(), load_default_resource_types().values(), config=config
        )
        service = ScimService(provider)
        self.tokens = dict(tokens)
        self.storages = {org: InMemoryStorage() for org in tokens}
        self.apps = {
            org: BearerTokenApplication(self.storages[org], provider, service=service, bearer_tokens=[tok])
            for org, tok in tokens.items()
        }
        self._tenants = TenantDispatcher(lambda org: self.apps.get(org))
        self.seen: list[Seen] = []
        super().__init__(wsgi_app=self._wsgi)
        self.api_base = self.url

    # Pulumi's layout: /scim/v2/<org>/Users -> tenant <org>, path /Users
    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        with self._lock:
            self.seen.append(
                Seen(
                    environ["REQUEST_METHOD"],
                    environ.get("PATH_INFO", ""),
                    dict(parse_qsl(environ.get("QUERY_STRING", ""))),
                    headers,
                )
            )
        path = environ.get("PATH_INFO", "")
        if path.startswith("/scim/v2/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/scim/v2"
            environ["PATH_INFO"] = path[len("/scim/v2") :]
            return self._tenants(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def base_url(self, org: str) -> str:
        return f"{self.api_base}/scim/v2/{org}"

    def seed_user(self, org: str, user_name: str, **extra: Any) -> dict[str, Any]:
        """Create a user through the server's own SCIM API (POST /Users), as JumpCloud would."""
        return self._post(org, "Users", {"schemas": [USER_SCHEMA], "userName": user_name, **extra})

    def seed_group(self, org: str, display_name: str, member_ids: list[str]) -> dict[str, Any]:
        members = [{"value": m} for m in member_ids]
        return self._post(org, "Groups", {"schemas": [GROUP_SCHEMA], "displayName": display_name, "members": members})

    def _post(self, org: str, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        import urllib.request

        request = urllib.request.Request(
            f"{self.base_url(org)}/{kind}",
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {self.tokens[org]}", "Content-Type": "application/scim+json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 201, response.status
            created = json.loads(response.read())
        with self._lock:
            self.seen.clear()  # the log shows only what the code under test sent
        return created

    def snapshot(self, org: str) -> list[dict[str, Any]]:
        """Every stored resource of an org, with ids, versions and timestamps."""
        return [r.model_dump(mode="json") for r in self.storages[org].resources]


# --------------------------------------------------------------------------- fault server


@dataclass(frozen=True)
class Reply:
    """One scripted answer: status, headers, body, and an optional stall before it."""

    status: int = 200
    body: bytes | str | dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0  # seconds to wait before answering (cut short by release or the server stopping)

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if isinstance(self.body, dict):
            headers.setdefault("Content-Type", "application/scim+json")
            return json.dumps(self.body).encode(), headers
        if isinstance(self.body, str):
            headers.setdefault("Content-Type", "text/html; charset=utf-8")
            return self.body.encode(), headers
        return self.body or b"", headers


def list_response(total: int) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "startIndex": 1,
        "itemsPerPage": min(total, 1),
        "Resources": [{"schemas": [USER_SCHEMA], "id": "1", "userName": "ada@example.com"}][: min(total, 1)],
    }


def scim_error(status: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": str(status),
        "detail": detail,
    }
    if scim_type:
        body["scimType"] = scim_type
    return body


class FaultServer(LocalServer):
    """An HTTP server answering each path prefix with a script of replies.

    ``script("/a", [Reply(429, ...), Reply(200, ...)])``: the first request
    under ``/a`` gets the first reply, and so on; the last reply repeats.
    """

    methods = ("GET", "POST", "PUT", "PATCH", "DELETE")

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(tls=ssl_context)
        self.scripts: dict[str, list[Reply]] = {}
        self.counts: dict[str, int] = {}
        self.seen: list[Seen] = []

    def _respond(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        with self._lock:
            self.seen.append(
                Seen(
                    method, parts.path, dict(parse_qsl(parts.query)), {k.lower(): v for k, v in handler.headers.items()}
                )
            )
            reply = self._next(parts.path)
        if reply.stall and self._stall(reply.stall):
            return
        body, headers = reply.encoded()
        send(handler, reply.status, body, headers)

    def _next(self, path: str) -> Reply:
        prefix = max((p for p in self.scripts if path.startswith(p)), key=len, default=None)
        if prefix is None:
            return Reply(404, "<html><title>Not here</title></html>")
        n = self.counts.get(prefix, 0)
        self.counts[prefix] = n + 1
        replies = self.scripts[prefix]
        return replies[min(n, len(replies) - 1)]

    def script(self, prefix: str, replies: list[Reply]) -> str:
        """Script ``prefix``; returns the base URL to probe (``{url}{prefix}``)."""
        self.scripts[prefix] = list(replies)
        return f"{self.url}{prefix}"

    def requests_to(self, prefix: str) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(prefix)]


def self_signed_context(directory: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1 (not trusted)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context
