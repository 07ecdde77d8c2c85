"""The hostile-input corpus: one entry per class of attack or breakage the checks must
hold against, each with the command that reads it and what that command must answer.

Used by ``tests/test_hostile_corpus.py`` (the suite runs every entry through the real
command line) and by ``bench/bench_hostile.py`` (the worst time and memory over it).
The inputs are made here, from a recipe, rather than kept as files: several are a
megabyte or more, and the signed ones need a key made for the run.  ``write(dir)``
puts every entry on disk, with a ``corpus.json`` listing what each must give.

Each entry says:
- ``command``: ``diagnose`` (a pasted SAML response) or ``check-metadata`` (a file);
- ``exit``: the exit code (0 accepted, 1 an error finding);
- ``codes``: finding codes the answer must contain; ``absent``: codes it must not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tests import saml_factory as f

AT = "2026-11-27T21:01:00Z"  # the moment the responses are judged at (f.NOW + 1 min)
OK_RESPONSE = frozenset({"response.ok"})


@dataclass(frozen=True)
class Case:
    name: str
    command: str  # "diagnose" or "check-metadata"
    make: Callable[[], bytes] = field(repr=False)
    exit: int
    codes: frozenset[str]
    absent: frozenset[str] = frozenset()
    metadata: Callable[[], bytes] | None = field(default=None, repr=False)  # diagnose --metadata
    klass: str = ""  # the class of problem it stands for


def _good(**kwargs: object) -> bytes:
    return f.signed_response(in_response_to="_req1", **kwargs)


def _edit(data: bytes, before: bytes, after: bytes) -> bytes:
    assert data.count(before) == 1, before
    return data.replace(before, after)


def _signed_with_times(**times: str) -> bytes:
    """A signed response whose time attributes are written as given (any string)."""
    root = f.build_response(in_response_to="_req1")
    saml = "{urn:oasis:names:tc:SAML:2.0:assertion}"
    assertion = root.find(f"{saml}Assertion")
    conditions = assertion.find(f"{saml}Conditions")
    data = assertion.find(f"{saml}Subject/{saml}SubjectConfirmation/{saml}SubjectConfirmationData")
    for name, value in times.items():
        if name == "IssueInstant":
            assertion.set("IssueInstant", value)
            root.set("IssueInstant", value)
        elif name == "NotBefore":
            conditions.set("NotBefore", value)
        elif name == "NotOnOrAfter":
            conditions.set("NotOnOrAfter", value)
            data.set("NotOnOrAfter", value)
    return f.to_bytes(f.sign_assertion(root))


def _expired_identity() -> f.Identity:
    return f.identity("expired", not_before=datetime(2020, 1, 1, tzinfo=UTC), years=5)


def _two_certificate_metadata() -> bytes:
    md = f.metadata_xml(ident=_expired_identity()).decode()
    fresh = f.metadata_xml().decode()
    key = fresh[fresh.index("<md:KeyDescriptor") : fresh.index("</md:KeyDescriptor>") + len("</md:KeyDescriptor>")]
    return md.replace("<md:KeyDescriptor", key + "<md:KeyDescriptor", 1).encode()


def _tiny_elements(doc: bytes, before: bytes, count: int) -> bytes:
    return _edit(doc, before, b"<x>" + b"<a/>" * count + b"</x>" + before)


def _big_signed() -> bytes:
    """The largest kind of response accepted: signed, just under 1 MiB of attributes."""
    return _good(attributes=5500)


def _metadata_with_valid_until(value: str) -> bytes:
    md = f.metadata_xml().decode()
    return md.replace("<md:EntityDescriptor ", f'<md:EntityDescriptor validUntil="{value}" ', 1).encode()


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + ']><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol9;</samlp:Response>'
).encode()
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Destination="&xxe;"/>'
)
TAIL = b"corp/sso/saml/metadata</saml:Audience>"

CASES: tuple[Case, ...] = (
    # wrong verdicts
    Case(
        "pi-inserted-in-signed-audience",
        "diagnose",
        lambda: _edit(_good(), b"acme-" + TAIL, b"acme-<?evil?>" + TAIL),
        1,
        frozenset({"response.signature.invalid", "response.value.split"}),
        OK_RESPONSE,
        f.metadata_xml,
        "what is verified is what was received",
    ),
    Case(
        "pi-inserted-in-signed-nameid",
        "diagnose",
        lambda: _edit(_good(), b">alice@example.com<", b">alice@example.com<?x?>.evil.com<"),
        1,
        frozenset({"response.signature.invalid", "response.nameid.comment"}),
        OK_RESPONSE,
        f.metadata_xml,
        "what is verified is what was received",
    ),
    Case(
        "comment-inserted-in-signed-issuer",
        "diagnose",
        lambda: _edit(
            _good(), b">JumpCloud</saml:Issuer><ds:Signature", b">Jump<!---->Cloud</saml:Issuer><ds:Signature"
        ),
        1,
        frozenset({"response.value.split"}),
        OK_RESPONSE,
        f.metadata_xml,
        "what is read is what was verified",
    ),
    Case(
        "signature-wrapping",
        "diagnose",
        lambda: f.wrapped(_good()),
        1,
        frozenset({"response.signature.wrapping"}),
        OK_RESPONSE,
        f.metadata_xml,
        "what is read is what was verified",
    ),
    Case(
        "no-metadata-to-verify-with",
        "diagnose",
        _good,
        1,
        frozenset({"response.signature.unchecked"}),
        OK_RESPONSE,
        None,
        "ok only with a verified signature",
    ),
    Case(
        "signed-by-the-expired-of-two-certificates",
        "diagnose",
        lambda: f.signed_response(_expired_identity(), in_response_to="_req1"),
        1,
        frozenset({"response.cert.expired"}),
        OK_RESPONSE,
        _two_certificate_metadata,
        "ok only with a certificate Pulumi accepts",
    ),
    Case(
        "doctype-in-a-comment-of-valid-metadata",
        "check-metadata",
        lambda: f.metadata_xml().replace(b"<md:IDPSSODescriptor", b"<!-- <!DOCTYPE x> --><md:IDPSSODescriptor", 1),
        0,
        frozenset({"metadata.ok"}),
        frozenset({"xml.forbidden"}),
        klass="a DOCTYPE only where one can be declared",
    ),
    # crashes and stalls
    Case(
        "time-offset-at-the-start-of-time",
        "diagnose",
        lambda: _signed_with_times(IssueInstant="0001-01-01T00:00:00+14:00"),
        0,  # a warning: the time cannot be placed, nothing says Pulumi refuses it
        frozenset({"response.time.unreadable", "response.ok"}),
        frozenset(),
        f.metadata_xml,
        "extreme time-zone offsets",
    ),
    Case(
        "time-offset-at-the-end-of-time",
        "diagnose",
        lambda: _signed_with_times(NotOnOrAfter="9999-12-31T23:59:59-14:00", NotBefore="0001-01-01T00:00:00+14:00"),
        0,  # a warning: the time cannot be placed, nothing says Pulumi refuses it
        frozenset({"response.time.unreadable", "response.ok"}),
        frozenset(),
        f.metadata_xml,
        "extreme time-zone offsets",
    ),
    Case(
        "metadata-valid-until-the-end-of-time",
        "check-metadata",
        lambda: _metadata_with_valid_until("9999-12-31T23:59:59-14:00"),
        0,  # a warning, as for any validUntil that cannot be read
        frozenset({"metadata.valid_until.unreadable"}),
        klass="extreme time-zone offsets",
    ),
    # resource use
    Case(
        "response-of-250000-tiny-elements",
        "diagnose",
        lambda: _tiny_elements(_good(), b"</saml:Assertion>", 250_000),
        1,
        frozenset({"xml.too_large"}),
        OK_RESPONSE,
        f.metadata_xml,
        "element count bounded before the work",
    ),
    Case(
        "metadata-of-250000-tiny-elements",
        "check-metadata",
        lambda: _tiny_elements(f.metadata_xml(), b"</md:EntityDescriptor>", 250_000),
        1,
        frozenset({"xml.too_large"}),
        klass="element count bounded before the work",
    ),
    Case(
        "one-element-with-90000-attributes",
        "diagnose",
        lambda: (
            b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            + b" ".join(b'a%d="x"' % i for i in range(90_000))
            + b"/>"
        ),
        1,
        frozenset({"xml.too_large"}),
        OK_RESPONSE,
        klass="attribute count bounded before the work",
    ),
    Case(
        "saml-tracer-json-of-empty-objects",
        "diagnose",
        lambda: b'{"requests":[' + b"{}," * 1_390_000 + b"{}]}",
        1,
        frozenset({"response.not_decodable"}),
        OK_RESPONSE,
        klass="JSON containers bounded before parsing",
    ),
    Case(
        "signed-response-just-under-1-mib",
        "diagnose",
        _big_signed,
        0,
        OK_RESPONSE,
        metadata=f.metadata_xml,
        klass="the largest accepted input stays within bounds",
    ),
    Case(
        "ten-mib",
        "diagnose",
        lambda: b"<r>" + b"x" * (10 * 1024 * 1024) + b"</r>",
        1,
        frozenset({"xml.too_large"}),
        OK_RESPONSE,
        klass="size bounded",
    ),
    Case(
        "billion-laughs",
        "diagnose",
        lambda: BILLION_LAUGHS,
        1,
        frozenset({"xml.forbidden"}),
        OK_RESPONSE,
        klass="no entity is ever expanded",
    ),
    Case(
        "external-entity",
        "check-metadata",
        lambda: XXE,
        1,
        frozenset({"xml.forbidden"}),
        klass="nothing is read because the document says so",
    ),
    Case(
        "nesting-19000-deep",
        "check-metadata",
        lambda: b"<a>" * 19_000 + b"</a>" * 19_000,
        1,
        frozenset({"xml.forbidden"}),
        klass="depth bounded",
    ),
    # what reaches the terminal
    Case(
        "control-characters-in-in-response-to",
        "diagnose",
        lambda: _edit(_good(), b'acs" InResponseTo="_req1"/>', b'acs" InResponseTo="_a&#13;b\xc2\x9bc\xe2\x80\xaed"/>'),
        1,
        frozenset({"response.signature.invalid"}),
        OK_RESPONSE,
        f.metadata_xml,
        "control characters made inert",
    ),
    Case(
        "bidi-override-in-metadata-entity-id",
        "check-metadata",
        lambda: f.metadata_xml(entity_id="Jump\u202eduolC"),
        0,
        frozenset({"metadata.ok"}),
        klass="control characters made inert",
    ),
    # one decoder
    Case(
        "response-in-utf-32-with-a-bom",
        "diagnose",
        lambda: b"\xff\xfe\x00\x00" + _good().decode().encode("utf-32-le"),
        0,
        OK_RESPONSE,
        metadata=f.metadata_xml,
        klass="one decoder",
    ),
    Case(
        "response-in-utf-16be-without-a-bom",
        "diagnose",
        lambda: _good().decode().encode("utf-16-be"),
        0,
        OK_RESPONSE,
        metadata=f.metadata_xml,
        klass="one decoder",
    ),
    Case(
        "metadata-in-utf-16be-without-a-bom",
        "check-metadata",
        lambda: f.metadata_xml().decode().encode("utf-16-be"),
        0,
        frozenset({"metadata.ok"}),
        klass="one decoder",
    ),
)


def argv(case: Case, path: Path, metadata_path: Path | None) -> list[str]:
    """The command line that checks ``path`` (``--json`` is added by the caller)."""
    if case.command == "diagnose":
        extra = ["--metadata", str(metadata_path)] if metadata_path is not None else []
        return ["diagnose", str(path), "--org", f.ORG, "--at", AT, *extra]
    return ["check-metadata", str(path), "--at", AT]


def write(directory: Path) -> Path:
    """Every entry as a file in ``directory`` (with its metadata file, if any) and a
    ``corpus.json`` naming the command and what it must answer; returns that list."""
    directory.mkdir(parents=True, exist_ok=True)
    listing = []
    for case in CASES:
        path = directory / f"{case.name}.input"
        path.write_bytes(case.make())
        metadata_path = None
        if case.metadata is not None:
            metadata_path = directory / f"{case.name}.metadata.xml"
            metadata_path.write_bytes(case.metadata())
        listing.append(
            {
                "name": case.name,
                "class": case.klass,
                "argv": argv(case, path, metadata_path),
                "exit": case.exit,
                "codes": sorted(case.codes),
                "absent": sorted(case.absent),
            }
        )
    index = directory / "corpus.json"
    index.write_text(json.dumps(listing, indent=2))
    return index
