"""Org name + API base -> every value the admin copies into JumpCloud and Pulumi.

The paths under ``{api}/login/{org}/sso`` are documented by Pulumi for Pulumi Cloud
(``https://api.pulumi.com``) and inferred for a self-hosted install, which is why the
API base is a setting.

Also the one rule for every URL the wizard sends a request to (:func:`url_problem`,
with :func:`api_base_problem` and :func:`scim_base_problem` for the two inputs).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_API_BASE = "https://api.pulumi.com"
SAAS_CONSOLE = "https://app.pulumi.com"
JUMPCLOUD_SSO_BASE = "https://sso.jumpcloud.com/saml2/"
JUMPCLOUD_CONSOLE = "https://console.jumpcloud.com"  # JumpCloud's admin API (v1 under /api, v2 under /api/v2)
JUMPCLOUD_CONSOLE_EU = "https://console.eu.jumpcloud.com"  # the same, for organisations in the EU region
JUMPCLOUD_CONSOLE_IN = "https://console.in.jumpcloud.com"  # the same, for organisations in the India region
# What to give where a JumpCloud URL is refused (step 1 and the JumpCloud client)
JUMPCLOUD_URL_FIX = (
    f"Use {JUMPCLOUD_CONSOLE}, {JUMPCLOUD_CONSOLE_EU} (EU region) or {JUMPCLOUD_CONSOLE_IN} "
    "(India region): scheme and host only."
)

NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
ACCEPTED_NAMEID_FORMATS = (NAMEID_EMAIL, NAMEID_PERSISTENT)

_ORG_RE = re.compile(r"^[A-Za-z0-9._-]+$")
_IDP_VALUE_RE = re.compile(r"^[A-Za-z0-9._-]+$")
_LOOPBACK_NAMES = {"localhost"}
_HOST_LABEL_RE = re.compile(r"^[a-z0-9_-]{1,63}$", re.IGNORECASE)
MAX_URL_LENGTH = 2048  # characters: far beyond any API URL, far below what httpx refuses


class InvalidValue(ValueError):
    """A value the admin entered is not usable; the message says why and how to fix it."""


def org_problem(org: str) -> str | None:
    """Why ``org`` cannot be a Pulumi organisation name, or None when it can."""
    if not org or not org.strip():
        return "Enter the organisation name: the part after app.pulumi.com/ in your browser."
    if org != org.strip():
        return "Remove the spaces before or after the organisation name."
    if any(c.isspace() for c in org):
        return "An organisation name has no spaces: copy it from app.pulumi.com/<org>."
    if "/" in org:
        return "Enter only the organisation name, not a URL or path (no '/')."
    if org in {".", ".."}:
        return "'.' and '..' are not organisation names."
    if not _ORG_RE.match(org):
        bad = sorted({c for c in org if not (c.isascii() and (c.isalnum() or c in "._-"))})
        return (
            "An organisation name uses only letters, digits, '.', '-' and '_'; "
            f"remove {' '.join(repr(c) for c in bad)}."
        )
    if len(org) > 100:
        return "That is longer than any Pulumi organisation name (100 characters at most)."
    return None


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _mixes_scripts(host: str) -> bool:
    """Whether a label of ``host`` has letters of more than one script (``аpi`` with a
    Cyrillic ``а``); an international name in one script (``bücher``) does not."""
    import unicodedata

    for label in host.split("."):
        scripts = {unicodedata.name(c, "?").split(" ")[0] for c in label if c.isalpha()}
        if len(scripts) > 1:
            return True
    return False


def _valid_host(host: str) -> bool:
    """Whether ``host`` can be an IP address or a DNS name (at most 253 characters,
    labels of 1 to 63 letters, digits, '-' or '_'; international names in IDNA form)."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    if len(host) > 253:
        return False
    if host.isascii():
        ascii_host = host
    else:
        # IDNA 2008 (the ``idna`` package), as the HTTP client encodes the name it
        # connects to: a name only the older rules accept would pass here and fail there
        import idna

        try:
            ascii_host = idna.encode(host.lower()).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return False
    return all(_HOST_LABEL_RE.match(label) for label in ascii_host.rstrip(".").split("."))


def url_problem(url: str, *, what: str, allow_path: bool) -> str | None:
    """Why ``url`` is not an https URL with a valid host (http allowed for loopback only),
    or None.  Every URL a request goes to passes this rule first."""
    if not url or not url.strip():
        return f"Enter the {what}."
    if len(url) > MAX_URL_LENGTH:
        return f"The {what} is {len(url):,} characters long: no URL is that long; paste it again."
    if url != url.strip() or any(c.isspace() for c in url):
        return f"The {what} must not contain spaces."
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a bad port
    except ValueError:
        return f"The {what} is not a valid URL: check the host and port."
    if port == 0:
        return f"The {what} names port 0, which no server listens on: remove ':0'."
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return f"The {what} must start with https:// and name a host, e.g. {DEFAULT_API_BASE}."
    if _mixes_scripts(parts.hostname):
        # a look-alike: a Cyrillic 'а' in 'аpi.pulumi.com' reads as the real host
        return (
            f"The host of the {what} mixes letters of different alphabets (Latin and Cyrillic, say), "
            "which can imitate another host's name: type it by hand."
        )
    if not _valid_host(parts.hostname):
        return f"The {what} does not name a valid host: check the host name."
    if "@" in parts.netloc:  # even an empty user name and password ('https://:@host')
        return f"The {what} must not contain a user name or password."
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return f"The {what} must use https:// (plain http is accepted only for 127.0.0.1 or localhost)."
    if parts.username or parts.password:
        return f"The {what} must not contain a user name or password."
    if parts.query or parts.fragment:
        return f"Remove the '?…' or '#…' part from the {what}."
    if not allow_path and parts.path not in {"", "/"}:
        return f"The {what} is just the scheme and host (e.g. {DEFAULT_API_BASE}); remove '{parts.path}'."
    return None


def api_base_problem(url: str) -> str | None:
    """Why ``url`` cannot be a Pulumi API base URL (scheme and host only), or None."""
    problem = url_problem(url, what="API base URL", allow_path=False)
    if problem is None and (urlsplit(url).hostname or "").lower() == urlsplit(SAAS_CONSOLE).hostname:
        return f"{SAAS_CONSOLE} is Pulumi's web console, not its API: use {DEFAULT_API_BASE}."
    return problem


def jumpcloud_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be JumpCloud's API URL (scheme and host only), or None."""
    return url_problem(url, what="JumpCloud URL", allow_path=False)


def normalize_jumpcloud_url(url: str) -> str:
    """``https://Console.JumpCloud.com/`` -> ``https://console.jumpcloud.com``; raises InvalidValue when unusable."""
    problem = jumpcloud_url_problem(url)
    if problem:
        raise InvalidValue(problem)
    return _scheme_and_host(url)


def _scheme_and_host(url: str) -> str:
    """A URL the rule accepted as scheme, lower-case host and port only."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    return f"{parts.scheme}://{netloc}"


def scim_base_problem(url: str) -> str | None:
    """Why ``url`` cannot be a SCIM base URL (a path is allowed, not one ending in
    /Users or /Groups), or None."""
    problem = url_problem(url, what="SCIM base URL", allow_path=True)
    if problem:
        return problem
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    if last.lower() in {"users", "groups"}:
        return f"The SCIM base URL ends before '/{last}': remove it (JumpCloud adds /Users and /Groups itself)."
    return None


def normalize_scim_base(url: str) -> str:
    """The SCIM base URL without a trailing slash (requests append ``/Users``)."""
    return url.rstrip("/")


def normalize_api_base(url: str) -> str:
    """``https://API.example.com/`` -> ``https://api.example.com``; raises InvalidValue when unusable."""
    problem = api_base_problem(url)
    if problem:
        raise InvalidValue(problem)
    return _scheme_and_host(url)


def org_from_url(text: str) -> str | None:
    """The organisation name in a pasted Pulumi console URL (``https://app.pulumi.com/acmecorp/...``),
    or None when ``text`` is not such a URL."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    first = parts.path.strip("/").split("/", 1)[0]
    return first if first and not org_problem(first) else None


def _after_sso_base(text: str) -> str | None:
    """What follows ``https://sso.jumpcloud.com/saml2/`` in ``text`` (slashes trimmed), or
    None when ``text`` is not a JumpCloud SSO URL."""
    value = text.strip()
    if not value.lower().startswith(JUMPCLOUD_SSO_BASE):
        return None
    return value[len(JUMPCLOUD_SSO_BASE) :].strip("/")


def idp_value_from_url(text: str) -> str | None:
    """The IdP URL value in a pasted JumpCloud SSO URL (``https://sso.jumpcloud.com/saml2/<value>``),
    or None when ``text`` is not one."""
    rest = _after_sso_base(text)
    return rest if rest and not idp_url_value_problem(rest) else None


def idp_url_value_problem(value: str) -> str | None:
    """Why ``value`` cannot be JumpCloud's IdP URL value (the part after /saml2/)."""
    if not value or not value.strip():
        return "Enter the IdP URL value: the part after https://sso.jumpcloud.com/saml2/."
    if value.lower().startswith(("http://", "https://")) or "/" in value:
        stripped = value.strip()
        rest = _after_sso_base(stripped)  # JumpCloud's IdP URL: what is wrong is its value
        if rest and "/" not in rest:
            problem = idp_url_value_problem(rest)
            if problem:
                return problem
        host = (urlsplit(stripped).hostname or "").lower() if "://" in stripped else ""
        if host == "pulumi.com" or host.endswith(".pulumi.com"):
            return (
                f"{host} is Pulumi's, not the app's IdP URL: enter the value chosen in JumpCloud "
                "(the part after https://sso.jumpcloud.com/saml2/), or paste the whole JumpCloud URL."
            )
        return (
            "That is not a JumpCloud IdP URL: enter the value after https://sso.jumpcloud.com/saml2/, "
            "or paste the whole URL that starts with it."
        )
    if any(c.isspace() for c in value):
        return "The IdP URL value cannot contain spaces; use '-' instead."
    if not _IDP_VALUE_RE.match(value):
        return "The IdP URL value uses only letters, digits, '.', '-' and '_'."
    if len(value) > 128:
        return "Keep the IdP URL value under 128 characters."
    return None


def recommended_idp_entity_id(idp_url_value: str) -> str:
    """What step 3 suggests for JumpCloud's IdP Entity ID (free text there): the app's own
    IdP URL, a URI (as SAML entity IDs are) that no other app of the organisation has."""
    return idp_sso_url(idp_url_value) if idp_url_value else ""


def idp_sso_url(value: str) -> str:
    return JUMPCLOUD_SSO_BASE + value


def idp_url_value_from_location(location: str) -> str | None:
    """The IdP URL value inside a JumpCloud SSO Location, or None when it is not one."""
    if location.startswith(JUMPCLOUD_SSO_BASE):
        rest = location[len(JUMPCLOUD_SSO_BASE) :]
        if rest and "/" not in rest.rstrip("/"):
            return rest
    return None


def console_base(api_base: str) -> str | None:
    """Pulumi's web console for this API base: known for SaaS, inferred for ``api.<domain>``."""
    if api_base == DEFAULT_API_BASE:
        return SAAS_CONSOLE
    parts = urlsplit(api_base)
    host = parts.hostname or ""
    if host.startswith("api."):
        return api_base.replace("//api.", "//app.", 1)
    return None


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class OrgValues:
    org: str
    api_base: str

    @property
    def self_hosted(self) -> bool:
        return self.api_base != DEFAULT_API_BASE

    @property
    def sp_entity_id(self) -> str:
        return f"{self.api_base}/login/{self.org}/sso/saml/metadata"

    @property
    def acs_url(self) -> str:
        return f"{self.api_base}/login/{self.org}/sso/saml/acs"

    @property
    def relay_state(self) -> str:
        return f"{self.api_base}/login/{self.org}/sso"

    @property
    def scim_base_url(self) -> str:
        return f"{self.api_base}/scim/v2/{self.org}"

    @property
    def console(self) -> str | None:
        return console_base(self.api_base)

    @property
    def sp_signin_url(self) -> str | None:
        console = self.console
        return f"{console}/signin/sso/" if console else None

    @property
    def org_url(self) -> str | None:
        console = self.console
        return f"{console}/{self.org}" if console else None

    def sso_rows(self) -> list[Row]:
        """The six rows of JumpCloud's SSO tab, in the order the tab shows them."""
        return [
            Row("sp_entity_id", "SP Entity ID", self.sp_entity_id),
            Row("acs_url", "ACS URL", self.acs_url, "Exact match: no trailing slash."),
            Row(
                "relay_state",
                "Default RelayState",
                self.relay_state,
                "Without it, sign-in from the JumpCloud console (IdP-initiated) fails.",
            ),
            Row("nameid", "SAMLSubject NameID", "email"),
            Row(
                "nameid_format",
                "SAMLSubject NameID Format",
                NAMEID_EMAIL,
                "Pulumi rejects JumpCloud's default 'unspecified'; changing it after users "
                "signed in breaks their sign-in.",
            ),
            Row("signature_algorithm", "Signature Algorithm", "RSA-SHA256"),
        ]

    def all_rows(self) -> list[Row]:
        rows = self.sso_rows()
        rows.append(Row("scim_base_url", "SCIM Base URL", self.scim_base_url))
        if self.sp_signin_url:
            rows.append(Row("sp_signin_url", "SP-initiated sign-in URL", self.sp_signin_url))
        return rows


def org_values(org: str, api_base: str = DEFAULT_API_BASE) -> OrgValues:
    """Validated values for an org; raises InvalidValue with the admin-facing reason."""
    problem = org_problem(org)
    if problem:
        raise InvalidValue(problem)
    return OrgValues(org, normalize_api_base(api_base))
