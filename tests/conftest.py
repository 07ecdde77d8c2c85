"""Shared test fixtures.

Every test runs with HOME, the XDG folders and the wizard's state folder
pointed into its own tmp_path, and with no Pulumi or SCIM token in the
environment: no test reads the developer's home, credentials or clipboard.
"""

from __future__ import annotations

import socket

import pytest

from tests.exports import GOOD_EXPORT
from wizard.codes import REGISTRY
from wizard.findings import Finding


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DOWNLOAD_DIR"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("JUMPCLOUD_PULUMI_SSO_STATE_DIR", str(home / "state"))
    for var in (
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_SCIM_TOKEN",
        "PULUMI_API",
        "PULUMI_BACKEND_URL",
        "JUMPCLOUD_API_KEY",
        "JUMPCLOUD_ORG_ID",
        "JUMPCLOUD_URL",
    ):
        monkeypatch.delenv(var, raising=False)
    # Never let a test talk to a proxy on the developer's network.
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield home


# Every finding made while a test runs must carry a code declared in wizard.codes, with
# the severity declared there (the registry is what --json consumers and the catalogue
# rely on).  Checked on every finding any test makes, not by reading the source.
_undeclared: list[str] = []
_finding_init = Finding.__init__


def _checked_finding_init(self, code, severity, *args, **kwargs):  # type: ignore[no-untyped-def]
    _finding_init(self, code, severity, *args, **kwargs)
    if code.startswith("demo."):  # the stand-in API of the transport's own tests
        return
    declared = REGISTRY.get(code)
    if declared is None or declared.severity is not severity:
        _undeclared.append(f"{code} ({severity.value}; declared: {declared.severity.value if declared else 'no'})")


Finding.__init__ = _checked_finding_init  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _finding_codes_are_declared():
    start = len(_undeclared)
    yield
    made = _undeclared[start:]
    assert not made, f"findings whose code or severity is not the one wizard.codes declares: {made}"


@pytest.fixture
def refused_port():
    """A port on 127.0.0.1 where every connection is refused for the whole test: bound and
    never listening.  (A port bound and closed again is free for any server to take, and
    with the suite running in parallel another test's server sometimes did.)"""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def good_export_bytes() -> bytes:
    return GOOD_EXPORT.read_bytes()
