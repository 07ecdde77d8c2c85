"""Pulumi REST client against a local fake of Pulumi Cloud's SAML endpoints.

Every outcome the wizard must explain (401, 403, 404, 429, 5xx, malformed or
unexpected bodies, stalls, refused connections, DNS and TLS failures), the
comparison with the exported metadata, and credential discovery.  Network only
to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.pulumi_fake import FakePulumi, fingerprint, make_cert, metadata_xml
from wizard import pulumi_api as api
from wizard.findings import Severity
from wizard.transport import MAX_RETRY_AFTER, REDACTED

TOKEN = "pul-5ecret0123456789abcdef0123456789abcdef"
ORG = "acme-corp"
NOW = datetime.now(UTC).replace(microsecond=0)


class Sleeps:
    """An injected sleep that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def fake():
    with FakePulumi(TOKEN) as server:
        server.add_org(ORG, metadata_xml())
        yield server


def call(url: str, method: str, *args, token: str = TOKEN, sleeps: Sleeps | None = None, **kw):
    async def go():
        async with api.PulumiClient(url, token, sleep=sleeps or Sleeps(), **kw) as client:
            return await getattr(client, method)(*args)

    return asyncio.run(go())


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


def assert_no_token(*things) -> None:
    for thing in things:
        assert TOKEN not in repr(thing) and TOKEN not in str(thing)


# --------------------------------------------------------------------------- success shapes


def test_get_saml_reads_pulumis_answer_and_sends_the_documented_headers(fake):
    result = call(fake.url, "get_saml", ORG)
    assert result.ok and result.findings == []
    saml = result.saml
    assert saml.entity_id == "strategicgroupnw"
    assert saml.sso_url == "https://sso.jumpcloud.com/saml2/bitdefender"
    assert saml.name_id_format == "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    assert saml.valid_until == datetime(2027, 3, 23, 20, 2, 7, tzinfo=UTC)
    assert saml.validation_error is None
    assert saml.org_name == ORG and saml.configured
    (seen,) = fake.requests
    assert seen.method == "GET" and seen.path == f"/api/orgs/{ORG}/saml"
    assert seen.headers["Authorization"] == f"token {TOKEN}"
    assert seen.headers["Accept"] == "application/vnd.pulumi+8"
    from wizard import __version__

    assert seen.headers["User-Agent"].startswith(f"jumpcloud-pulumi-sso/{__version__}")
    assert_no_token(result, saml)


def test_admins_are_listed(fake):
    result = call(fake.url, "get_saml_admins", ORG)
    assert result.ok
    assert [a["githubLogin"] for a in result.admins] == ["ada"]
    assert fake.requests[0].path == f"/api/orgs/{ORG}/saml/admins"


def test_update_sends_new_descriptor_and_returns_the_new_settings(fake):
    new_der = make_cert(NOW - timedelta(days=1), NOW + timedelta(days=5 * 365))
    xml = metadata_xml(new_der)
    result = call(fake.url, "update_saml", ORG, xml)
    assert result.ok, result.findings
    (seen,) = fake.requests
    assert seen.method == "PATCH"
    assert json.loads(seen.body) == {"newIdpSsoDescriptor": xml}
    assert result.saml.valid_until == NOW + timedelta(days=5 * 365)
    assert call(fake.url, "get_saml", ORG).saml.idp_sso_descriptor == xml


def test_org_name_is_url_encoded_and_validated_before_any_request(fake):
    bad = call(fake.url, "get_saml", "acme corp")
    assert codes(bad) == ["pulumi.bad_org"] and fake.requests == []


# --------------------------------------------------------------------------- HTTP outcomes


def test_401_says_the_token_is_invalid_and_names_its_source_not_its_value(fake):
    async def go():
        async with api.PulumiClient(fake.url, api.TokenSource("pul-wrong", "PULUMI_ACCESS_TOKEN")) as c:
            return await c.get_saml(ORG)

    result = asyncio.run(go())
    (finding,) = result.findings
    assert finding.code == "pulumi.unauthorized" and finding.severity is Severity.ERROR
    assert "PULUMI_ACCESS_TOKEN" in finding.message and "pul-wrong" not in finding.message
    assert "Unauthorized: No credentials provided" in finding.message  # Pulumi's own words
    assert finding.fix


def test_a_server_echoing_the_token_is_redacted(fake):
    fake.then(401, {"code": 401, "message": f"bad token {TOKEN}"})
    result = call(fake.url, "get_saml", ORG)
    assert codes(result) == ["pulumi.unauthorized"]
    assert REDACTED in result.findings[0].message
    assert_no_token(result.findings)


def test_403_names_the_admin_requirement(fake):
    fake.then(403, {"code": 403, "message": "Forbidden"})
    result = call(fake.url, "get_saml", ORG)
    assert codes(result) == ["pulumi.forbidden"] and "admin" in result.findings[0].message


def test_404_explains_wrong_name_or_not_saml_backed(fake):
    result = call(fake.url, "get_saml", "other-org")
    (finding,) = result.findings
    assert finding.code == "pulumi.not_found"
    assert "not SAML-backed" in finding.message and "case-sensitive" in finding.message
    assert "SAML SSO" in finding.fix


def test_429_waits_as_retry_after_asks_then_succeeds(fake):
    fake.then(429, {"code": 429, "message": "slow down"}, headers={"Retry-After": "2"})
    sleeps = Sleeps()
    result = call(fake.url, "get_saml", ORG, sleeps=sleeps)
    assert result.ok and sleeps.delays == [2.0] and len(fake.requests) == 2


def test_a_retry_after_beyond_the_cap_is_not_waited_for(fake):
    fake.then(429, headers={"Retry-After": "86400"})
    sleeps = Sleeps()
    result = call(fake.url, "get_saml", ORG, sleeps=sleeps)
    assert codes(result) == ["pulumi.rate_limited"] and sleeps.delays == [] and len(fake.requests) == 1
    message = result.findings[0].message
    assert f"more than {MAX_RETRY_AFTER:g} s" in message and "86400" not in message


def test_429_three_times_gives_up_with_a_finding(fake):
    fake.then(429, {"code": 429, "message": "slow down"}, headers={"Retry-After": "1"}, times=3)
    sleeps = Sleeps()
    result = call(fake.url, "get_saml", ORG, sleeps=sleeps)
    assert codes(result) == ["pulumi.rate_limited"] and "3 tries" in result.findings[0].message
    assert len(fake.requests) == 3 and sleeps.delays == [1.0, 1.0]


def test_500_then_200_is_retried_with_backoff(fake):
    fake.then(500, {"code": 500, "message": "internal"})
    sleeps = Sleeps()
    result = call(fake.url, "get_saml", ORG, sleeps=sleeps)
    assert result.ok and sleeps.delays == [0.5] and len(fake.requests) == 2


def test_persistent_5xx_is_a_server_error_after_three_tries(fake):
    fake.then(502, "bad gateway").then(503, "unavailable").then(500, {"code": 500, "message": "boom"})
    sleeps = Sleeps()
    result = call(fake.url, "get_saml", ORG, sleeps=sleeps)
    assert codes(result) == ["pulumi.server_error"]
    assert "HTTP 500" in result.findings[0].message and "boom" in result.findings[0].message
    assert sleeps.delays == [0.5, 1.0]


def test_max_attempts_is_honoured(fake):
    fake.then(500, times=3)
    result = call(fake.url, "get_saml", ORG, max_attempts=1)
    assert codes(result) == ["pulumi.server_error"] and len(fake.requests) == 1


@pytest.mark.parametrize(
    "body, headers, what",
    [
        (b'{"idpSsoDescriptor": "<x/>", ', {}, "not JSON"),
        (b"<!doctype html><html><body>Pulumi Cloud</body></html>", {"Content-Type": "text/html"}, "HTML"),
        (b"[1, 2, 3]", {}, "list"),
        (b'{"hello": "world"}', {}, "keys hello"),
        (b'{"organization": {}, "idpSsoDescriptor": "", "entityId": 5}', {}, "'entityId' as text"),
    ],
)
def test_unexpected_bodies_are_bad_response(fake, body, headers, what):
    fake.then(200, body, headers=headers)
    result = call(fake.url, "get_saml", ORG)
    assert codes(result) == ["pulumi.bad_response"], result.findings
    assert what in result.findings[0].message


def test_admins_with_an_unexpected_body(fake):
    fake.then(200, {"admins": []})
    assert codes(call(fake.url, "get_saml_admins", ORG)) == ["pulumi.bad_response"]


def test_redirect_points_at_the_api_url(fake):
    fake.then(302, b"", headers={"Location": "https://app.pulumi.com/signin"})
    result = call(fake.url, "get_saml", ORG)
    assert codes(result) == ["pulumi.bad_response"] and "app.pulumi.com/signin" in result.findings[0].message


def test_400_on_patch_shows_pulumis_message_as_is(fake):
    result = call(fake.url, "update_saml", ORG, "<md:EntityDescriptor")
    (finding,) = result.findings
    assert finding.code == "pulumi.bad_request"
    assert finding.message.startswith("Pulumi refused the request: Invalid IDP SSO descriptor: metadata XML is not")


def test_unexpected_status(fake):
    fake.then(418, {"code": 418, "message": "teapot"})
    result = call(fake.url, "get_saml", ORG)
    assert codes(result) == ["pulumi.http_error"] and "teapot" in result.findings[0].message


# --------------------------------------------------------------------------- transport outcomes


def test_a_stall_past_the_timeout_is_a_timeout_finding_quickly(fake):
    fake.then(200, fake.saml_body(ORG), stall=5)
    started = time.monotonic()
    result = call(fake.url, "get_saml", ORG, timeout=0.3)
    elapsed = time.monotonic() - started
    assert codes(result) == ["pulumi.timeout"] and "0.3 s" in result.findings[0].message
    assert elapsed < 2.0
    assert len(fake.requests) == 1  # a timeout is not retried


def test_connection_refused(refused_port):
    port = refused_port
    result = call(f"http://127.0.0.1:{port}", "get_saml", ORG)
    assert codes(result) == ["pulumi.refused"], result.findings
    assert f"127.0.0.1:{port}" in result.findings[0].message
    # the fix says where the URL is set: step 1 in the wizard (steps 6 to 8 have no such field)
    assert "of the API base URL (step 1);" in result.findings[0].fix
    from wizard.where import on_command_line

    with on_command_line():
        fix = call(f"http://127.0.0.1:{port}", "get_saml", ORG).findings[0].fix
    assert "of the API base URL (--api-url);" in fix


def test_dns_failure_is_named():
    # A real lookup would leave 127.0.0.1; the resolver's failure is reproduced as httpx raises it.
    def handler(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from exc

    result = call("https://api.pulumi.invalid", "get_saml", ORG, transport=httpx.MockTransport(handler))
    assert codes(result) == ["pulumi.dns"] and "api.pulumi.invalid" in result.findings[0].message


def test_other_network_errors():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)

    result = call("https://api.example.test", "get_saml", ORG, transport=httpx.MockTransport(handler))
    assert codes(result) == ["pulumi.network"] and "disconnected" in result.findings[0].message


def _tls_server_context(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake pulumi test CA")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file = tmp_path / "fake-ca.pem"
    key_file = tmp_path / "fake-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


def test_untrusted_tls_certificate_is_a_tls_finding_and_ssl_cert_file_fixes_it(tmp_path, monkeypatch):
    context, ca_file = _tls_server_context(tmp_path)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with FakePulumi(TOKEN, tls=context) as server:
        server.add_org(ORG, metadata_xml())
        failed = call(server.url, "get_saml", ORG)
        assert codes(failed) == ["pulumi.tls"], failed.findings
        assert "SSL_CERT_FILE" in failed.findings[0].fix
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # a custom CA bundle, as httpx reads it
        assert call(server.url, "get_saml", ORG).ok


def test_proxy_from_the_environment_is_used(fake, monkeypatch):
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("HTTP_PROXY", fake.url)
    result = call("http://localhost:9", "get_saml", ORG)  # nothing on port 9: only the proxy answers
    assert result.ok, result.findings
    assert fake.proxied == [f"http://localhost:9/api/orgs/{ORG}/saml"]


def test_bad_api_url_and_bad_token_are_findings_not_exceptions():
    assert codes(call("http://api.example.com", "get_saml", ORG)) == ["pulumi.bad_url"]
    assert codes(call("https://api.example.com", "get_saml", ORG, token="")) == ["pulumi.bad_token"]
    assert codes(call("https://api.example.com", "get_saml", ORG, token="pul-a\nX-Evil: 1")) == ["pulumi.bad_token"]


def test_reprs_never_show_the_token():
    source = api.TokenSource(TOKEN, "PULUMI_ACCESS_TOKEN")
    client = api.PulumiClient("https://api.pulumi.com", source)
    assert_no_token(source, client)
    assert "PULUMI_ACCESS_TOKEN" in repr(client)
    asyncio.run(client.aclose())


# --------------------------------------------------------------------------- token discovery


def _write_credentials(path: Path, tokens: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"current": next(iter(tokens), ""), "accessTokens": tokens, "accounts": {}}))
    return path


def test_environment_variable_comes_first(tmp_path):
    creds = _write_credentials(tmp_path / "c.json", {"https://api.pulumi.com": "pul-from-file"})
    found = api.find_token(
        "https://api.pulumi.com", environ={"PULUMI_ACCESS_TOKEN": " pul-env "}, credentials_path=creds
    )
    assert found.token == "pul-env" and found.source == "PULUMI_ACCESS_TOKEN"


def test_credentials_file_entry_for_this_api_url(tmp_path):
    creds = _write_credentials(
        tmp_path / "c.json",
        {
            "https://api.pulumi.com": "pul-saas",
            "https://API.pulumi.example.org/": "pul-selfhosted",
        },
    )
    assert api.find_token("https://api.pulumi.com", environ={}, credentials_path=creds).token == "pul-saas"
    found = api.find_token("https://api.pulumi.example.org", environ={}, credentials_path=creds)
    assert found.token == "pul-selfhosted" and found.source == str(creds)
    assert api.find_token("https://api.other.example", environ={}, credentials_path=creds) is None


def test_default_credentials_path_is_under_home(_isolated_environment):
    home = _isolated_environment
    _write_credentials(home / ".pulumi" / "credentials.json", {"https://api.pulumi.com": "pul-home"})
    found = api.find_token("https://api.pulumi.com", environ={"HOME": str(home)})
    assert found.token == "pul-home" and found.source == "~/.pulumi/credentials.json"
    assert repr(found) == "TokenSource(source='~/.pulumi/credentials.json')"


def test_credentials_path_override_and_pulumi_home(tmp_path):
    creds = _write_credentials(tmp_path / "x" / "creds.json", {"https://api.pulumi.com": "pul-x"})
    env = {"HOME": str(tmp_path / "nohome"), api.CREDENTIALS_ENV: str(creds)}
    assert api.find_token("https://api.pulumi.com", environ=env).token == "pul-x"
    _write_credentials(tmp_path / "ph" / "credentials.json", {"https://api.pulumi.com": "pul-ph"})
    env = {"HOME": str(tmp_path / "nohome"), "PULUMI_HOME": str(tmp_path / "ph")}
    assert api.find_token("https://api.pulumi.com", environ=env).token == "pul-ph"


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{not json",
        "[]",
        '{"accessTokens": []}',
        '{"accessTokens": {"https://api.pulumi.com": 5}}',
        '{"accessTokens": {"https://api.pulumi.com": ""}}',
    ],
)
def test_unusable_credentials_files_mean_no_token(tmp_path, content):
    creds = tmp_path / "c.json"
    creds.write_text(content)
    assert api.find_token("https://api.pulumi.com", environ={}, credentials_path=creds) is None
    assert api.find_token("https://api.pulumi.com", environ={}, credentials_path=tmp_path / "missing") is None


def test_no_token_finding_names_where_it_looked(tmp_path):
    finding = api.no_token_finding("https://api.pulumi.com", environ={api.CREDENTIALS_ENV: str(tmp_path / "c.json")})
    assert finding.code == "pulumi.no_token" and "PULUMI_ACCESS_TOKEN" in finding.message
    assert str(tmp_path / "c.json") in finding.message


def test_entered_token_source():
    entered = api.entered_token("  pul-typed  ")
    assert entered.token == "pul-typed" and entered.source == "entered in the wizard"


# --------------------------------------------------------------------------- comparison


from wizard.metadata import check_metadata  # noqa: E402

CERT_A = make_cert(NOW - timedelta(days=30), NOW + timedelta(days=1800))
CERT_B = make_cert(NOW - timedelta(days=30), NOW + timedelta(days=1800), cn="JumpCloudSAMLUser2")
CERT_C = make_cert(NOW - timedelta(days=1), NOW + timedelta(days=1826))


def metadata_of(xml: str):
    report = check_metadata(xml)
    assert report.metadata is not None, report.findings
    return report.metadata


def verify(fake, file_xml: str):
    return asyncio.run(api.verify_pulumi(fake.url, ORG, TOKEN, metadata_of(file_xml), sleep=Sleeps()))


def test_matching_metadata_is_verified_and_lists_the_saml_admins(fake):
    fake.add_org(ORG, metadata_xml(CERT_A))
    result = verify(fake, metadata_xml(CERT_A))
    assert result.ok and result.verified
    assert codes(result) == ["pulumi.saml_admins", "pulumi.verified"]
    assert "ada (Ada Admin, ada@example.test)" in result.findings[0].message
    assert result.admins[0]["githubLogin"] == "ada"
    assert fingerprint(CERT_A)[:11] in result.findings[1].message
    assert [r.method + " " + r.path for r in fake.requests] == [
        f"GET /api/orgs/{ORG}/saml",
        f"GET /api/orgs/{ORG}/saml/admins",
        f"GET /api/orgs/{ORG}/metadata",  # kind: saml once the switch is applied
    ]


@pytest.mark.parametrize(
    "file_kw, code, field",
    [
        ({"location": "https://sso.jumpcloud.com/saml2/other-app"}, "pulumi.mismatch.sso_url", "sso_url"),
        ({"entity_id": "JumpCloud"}, "pulumi.mismatch.entity_id", "entity_id"),
        (
            {"nameid": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"},
            "pulumi.mismatch.nameid_format",
            "nameid_format",
        ),
    ],
)
def test_each_field_mismatch_is_named(fake, file_kw, code, field):
    fake.add_org(ORG, metadata_xml(CERT_A))
    result = verify(fake, metadata_xml(CERT_A, **file_kw))
    assert not result.ok and not result.verified
    errors = [f for f in result.findings if f.is_error]
    assert [f.code for f in errors] == [code]
    assert errors[0].field == field and "export" in errors[0].fix.lower()
    assert "pulumi.verified" not in codes(result)


def test_a_different_certificate_with_the_same_dates_is_a_certificate_mismatch(fake):
    fake.add_org(ORG, metadata_xml(CERT_A))
    result = verify(fake, metadata_xml(CERT_B))
    errors = [f.code for f in result.findings if f.is_error]
    assert errors == ["pulumi.mismatch.certificate"]
    message = next(f.message for f in result.findings if f.code == "pulumi.mismatch.certificate")
    assert fingerprint(CERT_A)[:11] in message and fingerprint(CERT_B)[:11] in message


def test_an_older_export_differs_by_certificate_and_valid_until(fake):
    fake.add_org(ORG, metadata_xml(CERT_C))  # Pulumi has the new one, the admin checked the old file
    result = verify(fake, metadata_xml(CERT_A))
    errors = [f.code for f in result.findings if f.is_error]
    assert errors == ["pulumi.mismatch.certificate", "pulumi.mismatch.valid_until"]


def test_valid_until_alone_differs():
    xml = metadata_xml(CERT_A)
    saml = api.SamlOrganization(
        "strategicgroupnw", "https://sso.jumpcloud.com/saml2/bitdefender", NOW + timedelta(days=3), None, None, xml
    )
    findings = api.compare_with_metadata(saml, metadata_of(xml))
    assert [f.code for f in findings if f.is_error] == ["pulumi.mismatch.valid_until"]


def test_pulumis_validation_error_is_shown_and_blocks_verification(fake):
    fake.add_org(ORG, metadata_xml(CERT_A), validation_error="certificate has expired")
    result = verify(fake, metadata_xml(CERT_A))
    assert not result.ok
    finding = next(f for f in result.findings if f.code == "pulumi.validation_error")
    assert "certificate has expired" in finding.message
    assert "pulumi.verified" not in codes(result)


def test_org_with_no_stored_metadata(fake):
    fake.add_org(ORG, None)
    result = verify(fake, metadata_xml(CERT_A))
    assert [f.code for f in result.findings if f.is_error] == ["pulumi.not_configured"]


def test_a_bare_idpssodescriptor_from_pulumi_is_still_compared():
    import re

    xml = metadata_xml(CERT_A)
    bare = re.search(r"<md:IDPSSODescriptor.*</md:IDPSSODescriptor>", xml).group(0)
    saml = api.SamlOrganization("strategicgroupnw", None, None, None, None, bare)
    assert [f.code for f in api.compare_with_metadata(saml, metadata_of(metadata_xml(CERT_A)))] == ["pulumi.verified"]
    assert [f.code for f in api.compare_with_metadata(saml, metadata_of(metadata_xml(CERT_B)))] == [
        "pulumi.mismatch.certificate"
    ]


def test_unreadable_stored_metadata_is_reported():
    saml = api.SamlOrganization(
        "x", "https://sso.jumpcloud.com/saml2/bitdefender", None, None, None, "<md:EntityDescriptor"
    )
    findings = api.compare_with_metadata(saml, metadata_of(metadata_xml(CERT_A)))
    assert "pulumi.descriptor_unreadable" in [f.code for f in findings]


def test_verify_stops_at_an_access_error(fake):
    fake.then(403, {"code": 403, "message": "Forbidden"})
    result = verify(fake, metadata_xml(CERT_A))
    assert codes(result) == ["pulumi.forbidden"] and result.saml is None and len(fake.requests) == 1


def test_failing_admin_list_is_only_a_warning(fake):
    fake.add_org(ORG, metadata_xml(CERT_A))
    fake.then(200, fake.saml_body(ORG)).then(403, {"code": 403, "message": "Forbidden"})
    result = verify(fake, metadata_xml(CERT_A))
    assert result.ok
    admins = next(f for f in result.findings if f.code == "pulumi.saml_admins.unavailable")
    assert admins.severity is Severity.WARNING and admins.message.startswith("Could not list the SAML admins")
    assert "pulumi.forbidden" not in codes(result)  # not an error of the verification itself


def test_no_saml_admin_is_a_warning(fake):
    fake.add_org(ORG, metadata_xml(CERT_A), admins=[])
    result = verify(fake, metadata_xml(CERT_A))
    assert "pulumi.saml_admins.none" in codes(result) and result.ok


def test_hostile_values_from_pulumi_are_made_printable():
    xml = metadata_xml(CERT_A)
    saml = api.SamlOrganization(
        "evil\x1b[2J\u202eid", "https://sso.jumpcloud.com/saml2/bitdefender", None, None, None, xml
    )
    (finding,) = [f for f in api.compare_with_metadata(saml, metadata_of(xml)) if f.is_error]
    assert finding.code == "pulumi.mismatch.entity_id"
    assert "\x1b" not in finding.message and "\u202e" not in finding.message


# --------------------------------------------------------------------------- status findings


@pytest.mark.parametrize(
    "days, warn, code",
    [
        (400, 30, "pulumi.cert.ok"),
        (10, 30, "pulumi.cert.expiring"),
        (10, 5, "pulumi.cert.ok"),
        (-2, 30, "pulumi.cert.expired"),
    ],
)
def test_status_findings_by_days_left(days, warn, code):
    der = make_cert(NOW - timedelta(days=1000), NOW + timedelta(days=days, hours=1))
    xml = metadata_xml(der)
    saml = api.SamlOrganization("e", "u", None, None, None, xml)  # no validUntil: read from the certificate
    (finding,) = api.status_findings(saml, now=NOW, warn_days=warn)
    assert finding.code == code
    if days > 0:
        assert f"{days} days" in finding.message


def test_status_prefers_pulumis_valid_until_and_handles_unknown():
    saml = api.SamlOrganization("e", "u", NOW + timedelta(days=100), None, None, "<unreadable")
    assert [f.code for f in api.status_findings(saml, now=NOW)] == ["pulumi.cert.ok"]
    unknown = api.SamlOrganization("e", "u", None, None, None, "<unreadable")
    assert [f.code for f in api.status_findings(unknown, now=NOW)] == ["pulumi.cert.unknown"]


def test_retry_after_as_an_http_date_in_the_past_means_no_wait(fake):
    fake.then(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    sleeps = Sleeps()
    assert call(fake.url, "get_saml", ORG, sleeps=sleeps).ok
    assert sleeps.delays == [0.0]


def test_verify_without_metadata_still_reports_what_pulumi_has(fake):
    fake.add_org(ORG, metadata_xml(CERT_A), validation_error="bad NameIDFormat")
    result = asyncio.run(api.verify_pulumi(fake.url, ORG, api.TokenSource(TOKEN, "entered in the wizard"), None))
    assert codes(result) == ["pulumi.saml_admins", "pulumi.not_compared", "pulumi.validation_error"]
    assert result.saml.entity_id == "strategicgroupnw"


def test_unreadable_stored_metadata_is_never_verified():
    saml = api.SamlOrganization(None, None, None, None, None, "<garbage/>")
    findings = api.compare_with_metadata(saml, metadata_of(metadata_xml(CERT_A)))
    assert "pulumi.verified" not in [f.code for f in findings]
    assert "pulumi.not_verified" in [f.code for f in findings]


def test_an_oversized_answer_is_refused_without_reading_it_all(fake):
    fake.then(200, b"[" + b"1," * (3 * 1024 * 1024) + b"1]")
    result = call(fake.url, "get_saml", ORG)
    assert codes(result) == ["pulumi.bad_response"] and "more than 4 MB" in result.findings[0].message


def test_deeply_nested_json_is_a_bad_response_not_a_crash(fake):
    fake.then(200, b"[" * 100000 + b"]" * 100000)
    assert codes(call(fake.url, "get_saml", ORG)) == ["pulumi.bad_response"]


def test_an_organisation_pulumi_still_reports_as_not_saml_is_said_at_verify(fake):
    fake.meta[ORG]["kind"] = "github"
    result = asyncio.run(api.verify_pulumi(fake.url, ORG, TOKEN, None))
    found = [f for f in result.findings if f.code == "pulumi.org.not_saml"]
    assert found and "github-backed" in found[0].message and "Apply changes" in found[0].fix
