"""Where the admin gives a value or does a task, worded for where they are.

The checks are shared by the wizard's screens and the command-line sub-commands, and a
fix names the place to act: "on step 2 (Create the app)" in the wizard, "with
--idp-url-value" on the command line.  A fix asks :func:`here` for the words; the wizard
is the default, and the command line's entry point runs its sub-command inside
:func:`on_command_line`.  (A context variable, not a parameter threaded through every
check: the place is a fact about the whole run, not about one check.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass

# the environment variables the command line reads secrets and the organisation ID from
JUMPCLOUD_KEY_ENV = "JUMPCLOUD_API_KEY"
JUMPCLOUD_ORG_ID_ENV = "JUMPCLOUD_ORG_ID"


@dataclass(frozen=True)
class Places:
    """Phrases that finish a fix's sentence; each reads after a verb ("enter that value …")."""

    idp_url_value: str  # where the IdP URL value chosen in JumpCloud is given
    capture_time: str  # where troubleshooting is given the time a SAML response was captured
    metadata: str  # where JumpCloud's exported metadata is given to troubleshooting, to check a signature
    rotate: str  # how the new metadata is loaded into Pulumi after a certificate change
    recheck_pulumi: str  # how what Pulumi has loaded is read again
    jumpcloud_key: str  # where a JumpCloud API key is given
    jumpcloud_org_id: str  # where a JumpCloud organisation ID is given
    pulumi_token: str  # where a Pulumi access token is given
    scim_token: str  # where the SCIM token is given to be checked
    # where each remote API's URL is set, by the field a finding about it belongs to
    urls: tuple[tuple[str, str], ...] = ()

    def template_values(self) -> dict[str, str]:
        """For :class:`string.Template` texts: ``$place_idp_url_value`` and so on."""
        return {f"place_{name}": value for name, value in asdict(self).items() if isinstance(value, str)}

    def url(self, field: str, what: str) -> str:
        """``what`` ("API base URL") with where it is set: "API base URL (step 1)"."""
        where = dict(self.urls).get(field, "")
        return f"{what} ({where})" if where else what


WIZARD = Places(
    idp_url_value="on step 2 (Create the app)",
    capture_time="in Captured (UTC) above the paste",
    metadata="in the Metadata field above the paste (or on step 5, Export the metadata)",
    rotate="with Rotate the certificate (step 1)",
    recheck_pulumi="Compare with Pulumi again",
    jumpcloud_key="on step 1 (ctrl+j)",
    jumpcloud_org_id="in the Organisation ID field on step 1 (ctrl+j)",
    pulumi_token="paste it in the access token field (step 6, or the rotation screen), or run 'pulumi login' "
    "in another terminal",
    scim_token="paste it in the token field here",
    urls=(("api_base", "step 1"), ("jumpcloud_url", "step 1, ctrl+j")),  # SCIM's is on its own step
)

COMMAND_LINE = Places(
    idp_url_value="with --idp-url-value",
    capture_time="with --at",
    metadata="with --metadata FILE",
    rotate="with 'jumpcloud-pulumi-sso rotate --org ORG FILE'",
    recheck_pulumi="Run 'jumpcloud-pulumi-sso status --org ORG'",
    jumpcloud_key=f"in {JUMPCLOUD_KEY_ENV} or at the hidden prompt, never as a command-line argument",
    jumpcloud_org_id=f"in {JUMPCLOUD_ORG_ID_ENV}",
    pulumi_token="set PULUMI_ACCESS_TOKEN or run 'pulumi login'",
    scim_token="set PULUMI_SCIM_TOKEN (or give it at the hidden prompt) for check-scim",
    urls=(("api_base", "--api-url"), ("jumpcloud_url", "--jumpcloud-url"), ("scim_base_url", "--base-url")),
)

_PLACES: ContextVar[Places] = ContextVar("places", default=WIZARD)


def here() -> Places:
    """The words for where the admin is now: the wizard unless on the command line."""
    return _PLACES.get()


def placed(text: str) -> str:
    """``text`` with its ``$place_…`` placeholders filled for where the admin is now."""
    from string import Template

    return Template(text).safe_substitute(here().template_values())


@contextmanager
def on_command_line() -> Iterator[Places]:
    """Word every fix made inside for the command line."""
    token = _PLACES.set(COMMAND_LINE)
    try:
        yield COMMAND_LINE
    finally:
        _PLACES.reset(token)


__all__ = [
    "COMMAND_LINE",
    "JUMPCLOUD_KEY_ENV",
    "JUMPCLOUD_ORG_ID_ENV",
    "WIZARD",
    "Places",
    "here",
    "on_command_line",
    "placed",
]
