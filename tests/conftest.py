"""Shared test fixtures.

Every test runs with HOME, the XDG folders and the wizard's state folder
pointed into its own tmp_path, and with no Pulumi or SCIM token in the
environment: no test reads the developer's home, credentials or clipboard.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
JUMPCLOUD = DATA / "jumpcloud"
GOOD_EXPORT = JUMPCLOUD / "strategicgroupnw-metadata.xml"  # IdP URL value "bitdefender"
EXPIRED_EXPORT = JUMPCLOUD / "danielnet-expired-unspecified-metadata.xml"  # value "saml2"
MALFORMED_EXPORT = JUMPCLOUD / "convergenttech-handedited-malformed-metadata.xml"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DOWNLOAD_DIR"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("JUMPCLOUD_PULUMI_SSO_STATE_DIR", str(home / "state"))
    for var in ("PULUMI_ACCESS_TOKEN", "PULUMI_SCIM_TOKEN", "PULUMI_API", "PULUMI_BACKEND_URL"):
        monkeypatch.delenv(var, raising=False)
    # Never let a test talk to a proxy on the developer's network.
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield home


@pytest.fixture
def good_export_bytes() -> bytes:
    return GOOD_EXPORT.read_bytes()
