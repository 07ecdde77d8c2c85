"""The real JumpCloud metadata exports the tests use (tests/data/jumpcloud)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
JUMPCLOUD = DATA / "jumpcloud"
GOOD_EXPORT = JUMPCLOUD / "strategicgroupnw-metadata.xml"  # IdP URL value "bitdefender"
EXPIRED_EXPORT = JUMPCLOUD / "danielnet-expired-unspecified-metadata.xml"  # value "saml2"
MALFORMED_EXPORT = JUMPCLOUD / "convergenttech-handedited-malformed-metadata.xml"
