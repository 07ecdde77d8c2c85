"""Benchmark: our SAML response diagnosis beside python3-saml's ``is_valid``, 3 KB to 1 MB.

Run: python bench/bench_response_peer.py [--runs-scale X] [--profile SIZE]

Both sides get the same signed response, pasted as base64 (what the browser
posts): the assertion signed with RSA-SHA256 and exclusive c14n by an RSA-2048
key, made here with ``cryptography`` and ``signxml`` (tests/saml_factory.py); the
size grows with the number of attributes.  The "3KB" row is the smallest such
response, one attribute: 3.9 KB (JumpCloud's RSA-4096 certificate would add 1 KB).
Each side does all its work from the
pasted text: decoding, parsing, signature verification against the IdP
certificate, and the checks of issuer, audience, recipient, destination and times.
Both must accept the response, so neither stops early.

- ours: ``wizard.response.diagnose`` with the metadata certificate;
- python3-saml: ``OneLogin_Saml2_Response(settings, pasted)`` then ``is_valid``
  (strict, with its schema validation on, the default).  It is optional: without it
  (``pip install python3-saml``, which brings ``xmlsec``) only our column is shown
  and the line under the table says why.

The last row repeats 1 MB with 20 certificates in the metadata, the right one
last (python3-saml gets the same list as ``x509certMulti``).

Times are CPU time (``time.process_time``), median per call; the two sides'
calls alternate, so that both see the same load on a shared machine.  ``--profile SIZE``
(3KB, 10KB, 100KB or 1MB) prints cProfile's top functions for our diagnosis at
that size instead of the table.

``--lean-reference`` is a what-if, not what the wizard does: signxml's processing of
the signature's Reference (a copy of the whole document, the ID looked up again by
XPath, a second copy of the signed element, then canonicalisation) is replaced by the
leanest we could write: one copy of the signed element, the Signature removed from
it, canonicalised and digested.  It measures the most that moving reference
processing out of signxml and into our code could gain (see the README).
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import saml_factory as f
from _timing import cpu_ms

from wizard.response import ExpectedIdp, diagnose

SIZES: tuple[tuple[str, int], ...] = (("3KB", 3_000), ("10KB", 10_000), ("100KB", 100_000), ("1MB", 1_000_000))
RUNS = {"3KB": 200, "10KB": 200, "100KB": 60, "1MB": 15}
DECOYS = 19  # extra metadata certificates for the last row


@dataclass(frozen=True)
class Case:
    label: str
    xml: bytes
    pasted: str


def _signed(ident: f.Identity, attributes: int, now: datetime) -> bytes:
    return f.signed_response(ident, attributes=attributes, in_response_to="_req1", issue_instant=now)


def make_case(label: str, target: int, ident: f.Identity, now: datetime) -> Case:
    """A signed response whose XML is close to ``target`` bytes (not above it, unless one attribute is)."""
    small, large = len(_signed(ident, 7, now)), len(_signed(ident, 107, now))
    per_attribute = (large - small) / 100
    attributes = max(1, 7 + int((target - small) / per_attribute))
    xml = _signed(ident, attributes, now)
    while len(xml) > target and attributes > 1:
        attributes -= max(1, int((len(xml) - target) / per_attribute))
        xml = _signed(ident, attributes, now)
    return Case(label, xml, base64.b64encode(xml).decode())


def ours(case: Case, certs: tuple[bytes, ...], now: datetime) -> Callable[[], object]:
    idp = ExpectedIdp(f.IDP_ENTITY_ID, certs)
    result = diagnose(case.pasted, org=f.ORG, idp=idp, now=now)
    codes = [x.code for x in result.findings]
    assert codes == ["response.ok"], (case.label, result.findings)
    assert result.summary["signature_verified"] == "yes"
    return lambda: diagnose(case.pasted, org=f.ORG, idp=idp, now=now)


def peer(case: Case, certs: tuple[bytes, ...]) -> Callable[[], object] | str:
    """python3-saml's check of the same paste, or why it cannot run here."""
    try:
        from onelogin.saml2.response import OneLogin_Saml2_Response
        from onelogin.saml2.settings import OneLogin_Saml2_Settings
    except ImportError as exc:
        return f"python3-saml not measured: it is not installed here ({exc}); pip install python3-saml"
    except Exception as exc:  # xmlsec refuses to load, e.g. built against another libxml2 than lxml's
        return f"python3-saml not measured: it does not load here ({type(exc).__name__}: {exc})"
    cert_b64 = [base64.b64encode(der).decode() for der in certs]
    idp: dict[str, object] = {
        "entityId": f.IDP_ENTITY_ID,
        "singleSignOnService": {
            "url": "https://sso.jumpcloud.com/saml2/pulumi",
            "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
        },
    }
    if len(cert_b64) == 1:
        idp["x509cert"] = cert_b64[0]
    else:
        idp["x509certMulti"] = {"signing": cert_b64}
    settings = OneLogin_Saml2_Settings(
        {
            "strict": True,
            "debug": False,
            "sp": {
                "entityId": f.SP_ENTITY_ID,
                "assertionConsumerService": {
                    "url": f.ACS_URL,
                    "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                },
                "NameIDFormat": f.EMAIL_FORMAT,
            },
            "idp": idp,
            "security": {"wantAssertionsSigned": True},
        },
        sp_validation_only=True,
    )
    request = {
        "https": "on",
        "http_host": "api.pulumi.com",
        "server_port": "443",
        "script_name": f"/login/{f.ORG}/sso/saml/acs",
    }

    def check() -> bool:
        response = OneLogin_Saml2_Response(settings, case.pasted)
        return bool(response.is_valid(request))

    response = OneLogin_Saml2_Response(settings, case.pasted)
    if not response.is_valid(request):
        return f"python3-saml rejects the {case.label} response: {response.get_error()}"
    return check


def paired_cpu_ms(
    first: Callable[[], object], second: Callable[[], object], runs: int, warmup: int = 3
) -> tuple[tuple[float, float], float]:
    """((median, p90) of ``first``, median of ``second``): CPU ms per call, the two calls
    alternating so that both see the same load on the machine."""
    for _ in range(warmup):
        first()
        second()
    a: list[float] = []
    b: list[float] = []
    for i in range(runs):
        for fn, samples in ((first, a), (second, b)) if i % 2 == 0 else ((second, b), (first, a)):
            started = time.process_time_ns()
            fn()
            samples.append((time.process_time_ns() - started) / 1e6)
    a.sort()
    return (statistics.median(a), a[max(0, int(len(a) * 0.9) - 1)]), statistics.median(b)


def use_lean_reference() -> None:
    """Swap signxml's reference processing for the leanest version (the what-if above)."""
    from base64 import b64decode

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from lxml import etree
    from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm
    from signxml.exceptions import InvalidDigest
    from signxml.verifier import VerifyResult

    from wizard import response_signature

    stock = response_signature._verifier_class()

    class Lean(stock):
        def _verify_reference(self, reference, index, root, uri_resolver, c14n_algorithm, signature, key_used):
            payload = self._resolve_reference(root, reference, uri_resolver=uri_resolver)
            enveloped = self._get_signature(root)
            path = []
            node = enveloped
            while node is not payload:  # the Signature's place under the signed element
                parent = node.getparent()
                path.append(parent.index(node))
                node = parent
            copied = self._fromstring(self._tostring(payload))
            target = copied
            for i in reversed(path):
                target = target[i]
            target.getparent().remove(target)
            algorithm = next(
                CanonicalizationMethod(t.get("Algorithm"))
                for t in self._findall(self._find(reference, "Transforms"), "Transform")
                if t.get("Algorithm") != "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
            )
            c14n = self._c14n(copied, algorithm=algorithm)
            digest = DigestAlgorithm(self._find(reference, "DigestMethod").get("Algorithm"))
            if b64decode(self._find(reference, "DigestValue").text) != self._get_digest(c14n, digest):
                raise InvalidDigest("digest mismatch")
            key = key_used.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
            return VerifyResult(c14n, etree.fromstring(c14n), signature, signature_key=key)

    response_signature._verifier_class = lambda: Lean


def profile(case: Case, certs: tuple[bytes, ...], now: datetime) -> None:
    fn = ours(case, certs, now)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        fn()
    profiler.disable()
    print(f"cProfile, 10 diagnoses of the {case.label} response ({len(case.xml):,} bytes of XML)")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(18)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs-scale", type=float, default=1.0, help="multiply the number of runs per size")
    parser.add_argument(
        "--profile",
        choices=[label for label, _ in SIZES] + ["1MB-20certs"],
        help="profile our diagnosis at this size instead",
    )
    parser.add_argument(
        "--lean-reference",
        action="store_true",
        help="what-if: our side with the leanest reference processing instead of signxml's",
    )
    args = parser.parse_args()
    if args.lean_reference:
        use_lean_reference()

    now = datetime.now(UTC).replace(microsecond=0)
    ident = f.identity("bench-2048", key_size=2048)
    decoys = tuple(f.identity(f"decoy-{i}").cert_der for i in range(DECOYS))
    cases = {label: make_case(label, target, ident, now) for label, target in SIZES}
    plans: list[tuple[str, Case, tuple[bytes, ...]]] = [
        (label, case, (ident.cert_der,)) for label, case in cases.items()
    ]
    plans.append(("1MB, 20 certs", cases["1MB"], (*decoys, ident.cert_der)))

    if args.profile:
        label, case, certs = (
            plans[-1] if args.profile == "1MB-20certs" else next(p for p in plans if p[0] == args.profile)
        )
        profile(case, certs, now)
        return

    print("Signed response (assertion, RSA-SHA256, RSA-2048), pasted as base64; CPU ms per call, median")
    if args.lean_reference:
        print("WHAT-IF: ours with the leanest reference processing, not signxml's (not what the wizard does)")
    print()
    header = f"{'size':<14} {'XML bytes':>10} {'ours ms':>8} {'(p90)':>7} {'python3-saml ms':>16} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    why_not = ""
    for label, case, certs in plans:
        runs = max(5, int(RUNS[label.split(",")[0]] * args.runs_scale))
        check = peer(case, certs)
        if isinstance(check, str):
            why_not = check
            ours_median, ours_p90 = cpu_ms(ours(case, certs, now), runs)
            peer_cell, ratio_cell = "-", "-"
        else:
            (ours_median, ours_p90), peer_median = paired_cpu_ms(ours(case, certs, now), check, runs)
            peer_cell, ratio_cell = f"{peer_median:.2f}", f"{ours_median / peer_median:.2f}"
        print(f"{label:<14} {len(case.xml):>10,} {ours_median:8.2f} {ours_p90:7.2f} {peer_cell:>16} {ratio_cell:>6}")
    print()
    print("ratio = ours / python3-saml (below 1: ours is faster)")
    if why_not:
        print(why_not)


if __name__ == "__main__":
    main()
