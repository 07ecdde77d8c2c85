"""A local stand-in for JumpCloud's admin API (standard library only), written from the
published shapes (JumpCloud API v1 and v2 Swagger documents, kept in docs/jumpcloud-api.md):

- ``GET  /api/applications?limit=&skip=``       -> ``{"results": [...], "totalCount": n, "name": ...}``
- ``GET  /api/applications/{id}``               -> an application
- ``PUT  /api/applications/{id}``               -> the application; fields left out are reset
                                                   to their defaults, as JumpCloud documents
- ``GET  /api/organizations/{org}/applications/{id}/metadata.xml`` -> the IdP metadata XML
- ``GET  /api/v2/applications/{id}/usergroups?limit=&skip=`` -> ``[{"id", "type"}, ...]``
- ``POST /api/v2/applications/{id}/associations`` ``{"op", "type", "id"}`` -> 204
- ``GET  /api/v2/usergroups?limit=&skip=``      -> ``[{"id", "name", "type"}, ...]``

Every request needs ``x-api-key``; when the stand-in is multi-tenant it also needs
``x-org-id``.  ``limit`` above 100 is refused as JumpCloud does.  Each config entry
carries the ``label`` the SSO tab shows.  The documents do not say which config keys
hold Default RelayState, SAMLSubject NameID and its format: the stand-in's keys for
those (``relayState``, ``subjectField``, ``overrideNameIdFormat``) are its own, and the
client under test must find them by label.  Like the Pulumi stand-in, it can be told
to answer the next requests with a status, a body or a stall (``then``; the server,
the request log and the script are tests/local_server.py's ``ScriptedFake``).
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests import saml_factory as f
from tests.local_server import ScriptedFake
from wizard.values import OrgValues

ORG_ID = "5f0c1a2b3c4d5e6f7a8b9c0d"
SSO_BASE = "https://sso.jumpcloud.com/saml2/"


def _entry(label: str, value: Any, kind: str = "text", position: int = 0) -> dict[str, Any]:
    return {
        "label": label,
        "value": value,
        "type": kind,
        "position": position,
        "readOnly": False,
        "required": False,
        "visible": True,
        "tooltip": {"template": "", "variables": {"icon": "", "message": ""}},
    }


def default_config() -> dict[str, Any]:
    """A new Pulumi application's config, as the SSO tab shows it before the admin fills it."""
    return {
        "idpEntityId": _entry("IdP Entity ID", "", position=1),
        "spEntityId": _entry("SP Entity ID", "", position=2),
        "acsUrl": _entry("ACS URL", "", position=3),
        "relayState": _entry("Default RelayState", "", position=4),
        "subjectField": _entry("SAMLSubject NameID", "email", "select", 5),
        "overrideNameIdFormat": _entry(
            "SAMLSubject NameID Format", "urn:oasis:names:tc:SAML:1.0:nameid-format:unspecified", "select", 6
        ),
        "signatureAlgorithm": _entry("Signature Algorithm", "RSA-SHA256", "select", 7),
        "signAssertion": _entry("Sign Assertion", True, "checkbox", 8),
        "signResponse": _entry("Sign Response", False, "checkbox", 9),
        "idpInitUrl": _entry("IDP Initiated URL", "", position=10),
        "constantAttributes": _entry("Attributes", [], "constant_attributes", 11),
        "includeGroups": _entry("Include group attribute", False, "checkbox", 12),
    }


def pulumi_app(
    values: OrgValues,
    value: str = "pulumi",
    *,
    app_id: str = "64a1b2c3d4e5f60718293a4b",
    label: str = "Pulumi Cloud",
    filled: bool = True,
    expires: datetime | None = None,
    **config_values: Any,
) -> dict[str, Any]:
    """A Pulumi application as JumpCloud returns it; ``filled`` puts the organisation's six values in."""
    config = default_config()
    if filled:
        config["idpEntityId"]["value"] = "JumpCloud"
        config["spEntityId"]["value"] = values.sp_entity_id
        config["acsUrl"]["value"] = values.acs_url
        config["relayState"]["value"] = values.relay_state
        config["subjectField"]["value"] = "email"
        config["overrideNameIdFormat"]["value"] = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    for key, new in config_values.items():
        config[key]["value"] = new
    expiry = expires or datetime.now(UTC) + timedelta(days=1500)
    return {
        "_id": app_id,
        "name": "pulumi",
        "displayName": "Pulumi",
        "displayLabel": label,
        "ssoUrl": SSO_BASE + value,
        "active": True,
        "beta": False,
        "color": "#202D38",
        "description": "",
        "learnMore": "",
        "logo": {"url": "", "color": ""},
        "organization": ORG_ID,
        "created": "2026-01-05T10:00:00.000Z",
        "sso": {
            "idpCertExpirationAt": expiry.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "idpCertificateUpdatedAt": "2026-01-05T10:00:00.000Z",
            "type": "saml",
            "jit": False,
            "hidden": False,
            "beta": False,
        },
        "config": config,
    }


def pulumi_template() -> dict[str, Any]:
    """The catalogue's Pulumi connector as the stand-in lists it (its name is the stand-in's
    guess: JumpCloud does not document template names, so the client looks it up)."""
    return {
        "_id": "5c4f8a9b0d1e2f3a4b5c6d7e",
        "name": "pulumi",
        "displayName": "Pulumi",
        "displayLabel": "Pulumi",
        "ssoUrl": "",
        "active": False,
        "isConfigured": False,
        "status": "",
        "keywords": ["pulumi", "infrastructure"],
        "config": default_config(),
    }


def slack_template() -> dict[str, Any]:
    return {"_id": "5c4f8a9b0d1e2f3a4b5c6d7f", "name": "slack", "displayName": "Slack", "config": default_config()}


def other_app(n: int, *, name: str = "slack", label: str | None = None) -> dict[str, Any]:
    return {
        "_id": f"{n:024x}",
        "name": name,
        "displayName": name.title(),
        "displayLabel": label or f"{name.title()} {n}",
        "ssoUrl": f"{SSO_BASE}{name}-{n}",
        "active": True,
        "organization": ORG_ID,
        "sso": {"type": "saml"},
        "config": {"acsUrl": _entry("ACS URL", f"https://{name}.example/{n}/acs")},
    }


class FakeJumpCloud(ScriptedFake):
    """The server and its state: ``with FakeJumpCloud(key) as jc: jc.url``."""

    methods = ("GET", "PUT", "POST", "DELETE")
    json_type = "application/json; charset=utf-8"
    bytes_type = "application/xml"

    def __init__(self, key: str, *, org_id: str | None = None) -> None:
        super().__init__()
        self.key = key
        self.org_id = org_id  # multi-tenant: x-org-id required when set
        self.apps: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.bindings: dict[str, list[str]] = {}
        self.templates: list[dict[str, Any]] = [pulumi_template(), slack_template()]
        self.identity = f.identity("jumpcloud-fake")

    # -- state --------------------------------------------------------------------

    def add_app(self, app: dict[str, Any]) -> dict[str, Any]:
        self.apps[app["_id"]] = copy.deepcopy(app)
        self.bindings.setdefault(app["_id"], [])
        return self.apps[app["_id"]]

    def add_group(self, name: str) -> str:
        group_id = f"{len(self.groups) + 1:024x}"
        self.groups[group_id] = {"id": group_id, "name": name, "type": "user_group", "description": ""}
        return group_id

    def bind(self, app_id: str, group_name: str) -> None:
        group_id = next(g["id"] for g in self.groups.values() if g["name"] == group_name)
        self.bindings[app_id].append(group_id)

    def metadata_for(self, app: dict[str, Any]) -> bytes:
        entity = app["config"].get("idpEntityId", {}).get("value") or "JumpCloud"
        return f.metadata_xml(entity_id=entity, ident=self.identity, sso_url=app["ssoUrl"])

    def seen(self, method: str | None = None) -> list[str]:
        return [f"{r.method} {r.path.split('?')[0]}" for r in self.requests if method in (None, r.method)]

    # -- handling -----------------------------------------------------------------

    def _refusal(self, handler: BaseHTTPRequestHandler) -> tuple[int, str] | None:
        if handler.headers.get("x-api-key") != self.key:
            return 401, "Unauthorized"
        if self.org_id is not None and handler.headers.get("x-org-id") != self.org_id:
            return 401, "Unauthorized: an x-org-id header naming the organization is required"
        return None

    def _error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"message": message}

    def _answer(self, handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        parts = urlsplit(handler.path)
        path, query = parts.path, parse_qs(parts.query)
        try:
            limit = int(query.get("limit", ["10"])[0])
            skip = int(query.get("skip", ["0"])[0])
        except ValueError:
            self._error(handler, 400, "limit and skip must be integers")
            return
        if limit > 100:
            self._error(handler, 400, "limit must be less than or equal to 100")
            return
        with self._lock:
            self._route(handler, method, path, body, limit, skip)

    def _route(
        self, handler: BaseHTTPRequestHandler, method: str, path: str, body: bytes, limit: int, skip: int
    ) -> None:
        if path == "/api/application-templates" and method == "GET":
            found = sorted(self.templates, key=lambda t: t.get("name", ""))
            self._send(handler, 200, {"totalCount": len(found), "results": found[skip : skip + limit]})
            return
        if path == "/api/applications" and method == "POST":
            try:
                sent = json.loads(body)
            except ValueError:
                self._error(handler, 400, "invalid JSON")
                return
            app_id = f"{0xC0FFEE + len(self.apps):024x}"
            made = self._put(
                {
                    "_id": app_id,
                    "organization": ORG_ID,
                    "name": sent.get("name", ""),
                    "ssoUrl": sent.get("ssoUrl", ""),
                    "created": "2026-11-30T10:00:00.000Z",
                    "sso": {
                        "idpCertExpirationAt": (datetime.now(UTC) + timedelta(days=1826)).strftime(
                            "%Y-%m-%dT%H:%M:%S.000Z"
                        ),
                        "type": "saml",
                    },
                },
                sent,
            )
            self.apps[app_id] = made
            self.bindings[app_id] = []
            self._send(handler, 200, made)
            return
        if path == "/api/applications" and method == "GET":
            apps = sorted(self.apps.values(), key=lambda a: a.get("name", ""))
            self._send(
                handler, 200, {"name": "Applications", "totalCount": len(apps), "results": apps[skip : skip + limit]}
            )
            return
        match = re.fullmatch(r"/api/applications/([^/]+)", path)
        if match:
            app = self.apps.get(match.group(1))
            if app is None:
                self._error(handler, 404, "Not Found")
                return
            if method == "GET":
                self._send(handler, 200, app)
                return
            if method == "PUT":
                try:
                    sent = json.loads(body)
                except ValueError:
                    self._error(handler, 400, "invalid JSON")
                    return
                self.apps[app["_id"]] = self._put(app, sent)
                self._send(handler, 200, self.apps[app["_id"]])
                return
        match = re.fullmatch(r"/api/organizations/([^/]+)/applications/([^/]+)/metadata\.xml", path)
        if match and method == "GET":
            app = self.apps.get(match.group(2))
            if app is None or match.group(1) != app.get("organization"):
                self._error(handler, 404, "Not Found")
                return
            self._send(handler, 200, self.metadata_for(app))
            return
        match = re.fullmatch(r"/api/v2/applications/([^/]+)/(usergroups|associations)", path)
        if match:
            app_id, what = match.groups()
            if app_id not in self.apps:
                self._error(handler, 404, "Not Found")
                return
            if what == "usergroups" and method == "GET":
                bound = [{"id": g, "type": "user_group", "paths": []} for g in self.bindings[app_id]]
                self._send(handler, 200, bound[skip : skip + limit])
                return
            if what == "associations" and method == "POST":
                op = json.loads(body or b"{}")
                if (
                    op.get("type") != "user_group"
                    or op.get("id") not in self.groups
                    or op.get("op") not in ("add", "remove")
                ):
                    self._error(handler, 400, "invalid graph operation")
                    return
                if op["op"] == "add" and op["id"] not in self.bindings[app_id]:
                    self.bindings[app_id].append(op["id"])
                elif op["op"] == "remove" and op["id"] in self.bindings[app_id]:
                    self.bindings[app_id].remove(op["id"])
                self._send(handler, 204, None)
                return
        if path == "/api/v2/usergroups" and method == "GET":
            groups = sorted(self.groups.values(), key=lambda g: g["name"])
            self._send(handler, 200, groups[skip : skip + limit])
            return
        self._error(handler, 404, "Not Found")

    @staticmethod
    def _put(current: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
        """PUT as JumpCloud documents it: "Any fields not provided will be reset or created
        with default values"; the server's own fields (id, organisation, certificate dates) stay."""
        new: dict[str, Any] = {"displayLabel": "", "active": False, "description": "", "config": default_config()}
        for key, value in sent.items():
            if key == "config" and isinstance(value, dict):
                for entry_key, entry in value.items():
                    new["config"][entry_key] = entry
            else:
                new[key] = value
        for kept in ("_id", "organization", "sso", "ssoUrl", "name", "created"):
            new[kept] = current[kept] if kept in current else new.get(kept)
        return new
