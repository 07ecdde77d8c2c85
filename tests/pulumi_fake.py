"""A local stand-in for Pulumi Cloud's SAML endpoints (standard library only).

Serves, on 127.0.0.1 and a free port, the response shapes of Pulumi's OpenAPI spec
(``pulumi/pulumi-pulumiservice`` ``provider/pkg/cloud/spec.json``):

- ``GET   /api/orgs/{orgName}/saml``        -> ``SAMLOrganization``
- ``PATCH /api/orgs/{orgName}/saml``        ``{"newIdpSsoDescriptor": xml}`` -> ``SAMLOrganization``
- ``GET   /api/orgs/{orgName}/saml/admins`` -> ``ListSAMLOrganizationAdminsResponse``

Errors use Pulumi's body ``{"code": n, "message": "…"}``.  The server checks the
``Authorization: token …``, ``Accept: application/vnd.pulumi+8`` and ``User-Agent``
headers, derives ``entityId``/``ssoUrl``/``validUntil``/``nameIdFormat`` from the stored
metadata as Pulumi does, and can be told to answer with a status, malformed JSON or
a stall for the next requests (``then``; the server, the request log and the script
are tests/local_server.py's ``ScriptedFake``).  Test code: it reads XML with lxml directly.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
from datetime import UTC
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from cryptography import x509
from lxml import etree

from tests.local_server import ScriptedFake

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
ACCEPT = "application/vnd.pulumi+8"
_PATH = re.compile(r"^/api/orgs/([^/]+)/saml(/admins)?/?$")
_ORG_PATH = re.compile(r"^/api/orgs/([^/]+)/(metadata|teams|auditlogs/v2)/?$")
AUDIT_PAGE = 2  # events per page: small, so that paging is exercised


def describe(xml: str) -> dict[str, Any]:
    """Pulumi's derived fields for a stored descriptor (what its GET reports)."""
    out: dict[str, Any] = {"entityId": "", "ssoUrl": "", "validUntil": "", "nameIdFormat": ""}
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"metadata XML is not well-formed: {exc}") from None
    idp = root if etree.QName(root).localname == "IDPSSODescriptor" else root.find(f"{{{MD}}}IDPSSODescriptor")
    if idp is None:
        raise ValueError("IDPSSODescriptor not found in the XML")
    out["entityId"] = root.get("entityID", "")
    sso = idp.find(f"{{{MD}}}SingleSignOnService")
    if sso is None:
        raise ValueError("An SSO binding was not found in the XML.")
    out["ssoUrl"] = sso.get("Location", "")
    fmt = idp.find(f"{{{MD}}}NameIDFormat")
    out["nameIdFormat"] = (fmt.text or "").strip() if fmt is not None else ""
    cert_el = idp.find(f".//{{{DS}}}X509Certificate")
    if cert_el is None:
        raise ValueError("no X509 certificate found in the metadata")
    der = base64.b64decode("".join((cert_el.text or "").split()))
    cert = x509.load_der_x509_certificate(der)
    out["validUntil"] = cert.not_valid_after_utc.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


class FakePulumi(ScriptedFake):
    """The server and its state; use as ``with FakePulumi(token) as fake: fake.url``."""

    methods = ("GET", "PATCH", "POST")

    def __init__(self, token: str, *, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(tls=tls)
        self.token = token
        self.orgs: dict[str, dict[str, Any]] = {}
        self.admins: dict[str, list[dict[str, Any]]] = {}
        self.meta: dict[str, dict[str, Any]] = {}  # GET /metadata: kind, userRole, features...
        self.events: dict[str, list[dict[str, Any]]] = {}  # the audit log, oldest first
        self.teams: dict[str, list[dict[str, Any]]] = {}
        self.proxied: list[str] = []

    # -- state helpers ----------------------------------------------------------

    def add_org(
        self,
        org: str,
        descriptor: str | None,
        *,
        admins: list[dict[str, Any]] | None = None,
        validation_error: str = "",
        kind: str = "saml",
    ) -> None:
        record: dict[str, Any] = {"idpSsoDescriptor": descriptor or "", "validationError": validation_error}
        record.update(
            describe(descriptor) if descriptor else {"entityId": "", "ssoUrl": "", "validUntil": "", "nameIdFormat": ""}
        )
        self.orgs[org] = record
        self.meta[org] = {
            "kind": kind,  # /saml answering implies SAML-backed; a first-time setup passes "pulumi"
            "userRole": "admin",
            "backingOrgLogin": org,
            "features": {"samlSsoEnabled": True, "scimEnabled": True, "auditLogsEnabled": True},
        }
        self.events.setdefault(org, [])
        self.teams.setdefault(org, [])
        self.admins[org] = (
            admins
            if admins is not None
            else [
                {
                    "name": "Ada Admin",
                    "githubLogin": "ada",
                    "avatarUrl": "https://example.test/ada.png",
                    "email": "ada@example.test",
                },
            ]
        )

    def saml_body(self, org: str) -> dict[str, Any]:
        record = self.orgs[org]
        return {
            "organization": {
                "name": org,
                "githubLogin": org,
                "avatarUrl": f"https://example.test/{org}.png",
                "kind": "SAML",
            },
            "idpSsoDescriptor": record["idpSsoDescriptor"],
            "entityId": record["entityId"],
            "ssoUrl": record["ssoUrl"],
            "validUntil": record["validUntil"],
            "nameIdFormat": record["nameIdFormat"],
            "validationError": record["validationError"],
        }

    # -- request handling -------------------------------------------------------

    def _refusal(self, handler: BaseHTTPRequestHandler) -> tuple[int, str] | None:
        if handler.headers.get("Authorization") != f"token {self.token}":
            return 401, "Unauthorized: No credentials provided or are invalid."
        if handler.headers.get("Accept") != ACCEPT:
            return 400, f"Accept header must be {ACCEPT}"
        if not (handler.headers.get("User-Agent") or "").startswith("jumpcloud-pulumi-sso/"):
            return 400, "unexpected User-Agent"
        return None

    def _error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"code": status, "message": message}

    def _answer(self, handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        path = handler.path
        if path.startswith(("http://", "https://")):  # absolute form: we are being used as a proxy
            self.proxied.append(path)
            path = "/" + path.split("://", 1)[1].split("/", 1)[-1]
        org_match = _ORG_PATH.match(path.split("?", 1)[0])
        if org_match and method == "GET":
            self._org_route(handler, unquote(org_match.group(1)), org_match.group(2), path)
            return
        match = _PATH.match(path.split("?", 1)[0])
        if not match:
            self._error(handler, 404, "Not Found")
            return
        org = unquote(match.group(1))
        admins = bool(match.group(2))
        if org not in self.orgs:
            self._error(handler, 404, f"Organization '{org}' not found or not SAML-backed")
            return
        if admins and method == "GET":
            self._send(handler, 200, {"samlAdmins": self.admins.get(org, [])})
            return
        if not admins and method == "GET":
            self._send(handler, 200, self.saml_body(org))
            return
        if not admins and method == "PATCH":
            try:
                request = json.loads(body or b"{}")
                xml = request["newIdpSsoDescriptor"]
                if not isinstance(xml, str) or not xml.strip():
                    raise KeyError
            except (ValueError, KeyError, TypeError):
                self._error(handler, 400, "newIdpSsoDescriptor is required")
                return
            try:
                derived = describe(xml)
            except ValueError as exc:
                self._error(handler, 400, f"Invalid IDP SSO descriptor: {exc}")
                return
            record = self.orgs[org]
            record.update(derived)
            record["idpSsoDescriptor"] = xml
            record["validationError"] = ""
            self._send(handler, 200, self.saml_body(org))
            return
        self._error(handler, 405, "Method Not Allowed")

    def _org_route(self, handler: BaseHTTPRequestHandler, name: str, what: str, path: str) -> None:
        """/metadata, /teams and /auditlogs/v2 (organisation names are matched ignoring case there,
        as the case check needs; the canonical name is in backingOrgLogin)."""
        from urllib.parse import parse_qs, urlsplit

        org = next((o for o in self.meta if o.lower() == name.lower()), None)
        if org is None:
            self._error(handler, 404, f"Organization '{name}' not found")
            return
        meta = self.meta[org]
        if what == "metadata":
            self._send(handler, 200, {"id": f"org-{org}", "memberCount": 3, "stackCount": 0, **meta})
            return
        if what == "teams":
            self._send(handler, 200, {"teams": self.teams[org]})
            return
        if not meta["features"].get("auditLogsEnabled"):
            self._error(handler, 403, "Audit logs are not available for this organization's edition")
            return
        query = parse_qs(urlsplit(path).query)
        start = int(query.get("startTime", ["0"])[0] or 0)
        end = int(query.get("endTime", [str(2**40)])[0] or 2**40)
        skip = int(query.get("continuationToken", ["0"])[0] or 0)
        chosen = [e for e in reversed(self.events[org]) if start <= e["timestamp"] <= end]  # newest first
        page = chosen[skip : skip + AUDIT_PAGE]
        body: dict[str, Any] = {"auditLogEvents": page}
        if skip + AUDIT_PAGE < len(chosen):
            body["continuationToken"] = str(skip + AUDIT_PAGE)
        self._send(handler, 200, body)


# --------------------------------------------------------------------------- test metadata

_REAL_EXPORT = __import__("pathlib").Path(__file__).parent / "data" / "jumpcloud" / "strategicgroupnw-metadata.xml"
_KEYS: list[Any] = []


def make_cert(not_before: Any, not_after: Any, *, cn: str = "JumpCloudSAMLUser") -> bytes:
    """A self-signed certificate shaped like JumpCloud's (RSA, SHA-256); DER bytes."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    if not _KEYS:  # one key for the whole run: RSA generation is the slow part
        _KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    key = _KEYS[0]
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "JumpCloudSAMLIdP"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


def fingerprint(der: bytes) -> str:
    import hashlib

    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def metadata_xml(
    der: bytes | None = None,
    *,
    entity_id: str = "strategicgroupnw",
    location: str = "https://sso.jumpcloud.com/saml2/bitdefender",
    nameid: str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
) -> str:
    """The real JumpCloud export with its certificate, entity ID, SSO URL or NameID format swapped."""
    text = _REAL_EXPORT.read_text("utf-8")
    if der is not None:
        b64 = base64.b64encode(der).decode()
        text = re.sub(
            r"(<ds:X509Certificate>)[^<]+(</ds:X509Certificate>)", lambda m: m.group(1) + b64 + m.group(2), text
        )
    text = text.replace('entityID="strategicgroupnw"', f'entityID="{entity_id}"')
    text = text.replace("https://sso.jumpcloud.com/saml2/bitdefender", location)
    text = text.replace("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", nameid)
    return text
