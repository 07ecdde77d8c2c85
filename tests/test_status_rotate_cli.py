"""``status`` and ``rotate`` end to end against the local fake Pulumi server.

Exit codes for cron/CI, the full certificate rotation (PATCH body, new certificate
visible after), the confirmation rules, and that the token never shows up in any
output or written file.
"""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.exports import EXPIRED_EXPORT
from tests.pulumi_fake import FakePulumi, fingerprint, make_cert, metadata_xml
from wizard import pulumi_api as api
from wizard.cli import main
from wizard.metadata import check_metadata
from wizard.rotation import apply_rotation, plan_rotation

TOKEN = "pul-c1i5ecret0123456789abcdef0123456789abcd"
ORG = "acme-corp"
NOW = datetime.now(UTC).replace(microsecond=0)
OLD = make_cert(NOW - timedelta(days=1800), NOW + timedelta(days=12, hours=2))  # expiring soon
NEW = make_cert(NOW - timedelta(minutes=5), NOW + timedelta(days=1826))  # freshly regenerated


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.delenv("PULUMI_HOME", raising=False)
    with FakePulumi(TOKEN) as server:
        server.add_org(ORG, metadata_xml(OLD))
        yield server


@pytest.fixture
def token_env(monkeypatch):
    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", TOKEN)


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert TOKEN not in out and TOKEN not in err
    return code, out, err


def write_export(tmp_path: Path, xml: str, name: str = "JumpCloud-pulumi-metadata.xml") -> Path:
    path = tmp_path / name
    path.write_text(xml, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- status


def test_status_expiring_certificate_exits_1_and_says_when(fake, token_env, capsys):
    code, out, _ = run_cli(capsys, "status", "--org", ORG, "--api-url", fake.url)
    assert code == 1
    assert "Access token: from PULUMI_ACCESS_TOKEN" in out
    assert "IdP entity ID" in out and "strategicgroupnw" in out
    assert "https://sso.jumpcloud.com/saml2/bitdefender" in out
    assert "in 12 days" in out and "rotate --org ORG FILE" in " ".join(out.split())  # this command line's way


def test_status_warn_days_threshold(fake, token_env, capsys):
    code, out, _ = run_cli(capsys, "status", "--org", ORG, "--api-url", fake.url, "--warn-days", "7")
    assert code == 0 and "12 days left" in out


def test_status_healthy_json(fake, token_env, capsys):
    fake.add_org(ORG, metadata_xml(NEW))
    code, out, _ = run_cli(capsys, "status", "--org", ORG, "--api-url", fake.url, "--json")
    assert code == 0
    body = json.loads(out)
    assert body["ok"] is True and body["exit_code"] == 0
    assert body["token_source"] == "PULUMI_ACCESS_TOKEN"
    assert body["saml"]["days_left"] in (1825, 1826)
    assert body["saml"]["entity_id"] == "strategicgroupnw"
    assert [f["code"] for f in body["findings"]] == ["pulumi.cert.ok"]


def test_status_validation_error_exits_1(fake, token_env, capsys):
    fake.add_org(ORG, metadata_xml(NEW), validation_error="NameIDFormat is not supported")
    code, out, _ = run_cli(capsys, "status", "--org", ORG, "--api-url", fake.url)
    assert code == 1 and "NameIDFormat is not supported" in out


def test_status_expired_exits_1(fake, token_env, capsys):
    fake.add_org(ORG, metadata_xml(make_cert(NOW - timedelta(days=2000), NOW - timedelta(days=3))))
    code, out, _ = run_cli(capsys, "status", "--org", ORG, "--api-url", fake.url, "--json")
    assert code == 1 and "pulumi.cert.expired" in [f["code"] for f in json.loads(out)["findings"]]


@pytest.mark.parametrize(
    "setup, code_expected",
    [
        (lambda f: f.then(401, {"code": 401, "message": "Unauthorized"}), "pulumi.unauthorized"),
        (lambda f: f.then(403, {"code": 403, "message": "Forbidden"}), "pulumi.forbidden"),
        (lambda f: f.orgs.pop(ORG), "pulumi.not_found"),
        (lambda f: f.then(200, b"not json"), "pulumi.bad_response"),
    ],
)
def test_status_access_errors_exit_2(fake, token_env, capsys, setup, code_expected):
    setup(fake)
    code, out, _ = run_cli(capsys, "status", "--org", ORG, "--api-url", fake.url, "--json")
    assert code == 2 and [f["code"] for f in json.loads(out)["findings"]] == [code_expected]


def test_status_human_errors_go_to_stderr(fake, token_env, capsys):
    fake.orgs.pop(ORG)
    code, _out, err = run_cli(capsys, "status", "--org", ORG, "--api-url", fake.url)
    assert code == 2 and "not SAML-backed" in err


def test_status_without_a_token_exits_2(fake, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv(api.CREDENTIALS_ENV, str(tmp_path / "none.json"))
    code, _, err = run_cli(capsys, "status", "--org", ORG, "--api-url", fake.url)
    assert code == 2 and "No Pulumi access token" in err and fake.requests == []


def test_status_uses_the_pulumi_cli_login(fake, capsys, monkeypatch, tmp_path):
    creds = tmp_path / "credentials.json"
    creds.write_text(json.dumps({"current": fake.url, "accessTokens": {fake.url: TOKEN}}))
    monkeypatch.setenv(api.CREDENTIALS_ENV, str(creds))
    code, out, _ = run_cli(capsys, "status", "--org", ORG, "--api-url", fake.url, "--warn-days", "0")
    assert code == 0 and f"Access token: from {creds}" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["status", "--org", "acme corp"],
        ["status", "--org", ORG, "--api-url", "http://api.example.com"],
        ["status", "--org", ORG, "--warn-days", "-1"],
        ["status"],
        ["status", "--org", ORG, "--token", TOKEN],  # a token is never an argument
        ["rotate", "--org", ORG],
    ],
)
def test_usage_errors_exit_2_without_a_request(fake, token_env, capsys, argv):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    _, err = capsys.readouterr()
    assert code == 2 and "error" in err
    assert fake.requests == []


def test_status_unreachable_server_exits_2(token_env, capsys):
    code, _, err = run_cli(capsys, "status", "--org", ORG, "--api-url", "http://127.0.0.1:9")
    assert code == 2 and "connection refused" in err


# --------------------------------------------------------------------------- rotate


def test_full_rotation_patches_and_proves_the_new_certificate_live(fake, token_env, capsys, tmp_path):
    new_xml = metadata_xml(NEW)
    export = write_export(tmp_path, new_xml)
    code, out, _ = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, "--yes", str(export))
    assert code == 0, out
    methods = [r.method for r in fake.requests]
    assert methods == ["GET", "PATCH", "GET"]
    patch = fake.requests[1]
    assert json.loads(patch.body) == {"newIdpSsoDescriptor": new_xml}
    assert patch.headers["Authorization"] == f"token {TOKEN}"
    # the diff: old and new fingerprints and end dates
    assert fingerprint(OLD) in out and fingerprint(NEW) in out
    assert "(12 days left)" in out and "days left)" in out
    assert "Pulumi now uses the new certificate" in out
    # what Pulumi serves now is the new certificate
    assert fake.orgs[ORG]["idpSsoDescriptor"] == new_xml
    code, out, _ = run_cli(capsys, "status", "--org", ORG, "--api-url", fake.url)
    assert code == 0 and "days left" in out


def test_rotation_json(fake, token_env, capsys, tmp_path):
    export = write_export(tmp_path, metadata_xml(NEW))
    code, out, err = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, "--yes", "--json", str(export))
    assert code == 0
    body = json.loads(out)
    assert body["ok"] and body["new_fingerprint"] == fingerprint(NEW)
    assert "rotate.live" in [f["code"] for f in body["findings"]]
    row = next(r for r in body["diff"] if r["label"] == "Certificate SHA-256")
    assert row == {"label": "Certificate SHA-256", "old": fingerprint(OLD), "new": fingerprint(NEW), "changed": True}
    assert "Access token: from PULUMI_ACCESS_TOKEN" in err  # the human lines go to stderr with --json


def test_rotation_without_a_terminal_and_without_yes_changes_nothing(fake, token_env, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))  # piped input is not a confirmation
    export = write_export(tmp_path, metadata_xml(NEW))
    code, _out, err = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, str(export))
    assert code == 2 and "no terminal" in err
    assert [r.method for r in fake.requests] == ["GET"]


def test_rotation_confirmed_at_the_prompt(fake, token_env, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", FakeTTY("yes\n"))
    export = write_export(tmp_path, metadata_xml(NEW))
    code, out, _ = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, str(export))
    assert code == 0 and "Type 'yes' to continue" in out
    assert [r.method for r in fake.requests] == ["GET", "PATCH", "GET"]


def test_rotation_declined_at_the_prompt(fake, token_env, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", FakeTTY("y\n"))  # only 'yes' counts
    export = write_export(tmp_path, metadata_xml(NEW))
    code, out, _ = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, str(export))
    assert code == 1 and "Nothing was changed" in out
    assert [r.method for r in fake.requests] == ["GET"]


def test_rotation_refuses_an_export_of_another_app(fake, token_env, capsys, tmp_path):
    export = write_export(tmp_path, metadata_xml(NEW, location="https://sso.jumpcloud.com/saml2/other"))
    code, out, _ = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, "--yes", str(export))
    assert code == 1 and "different JumpCloud application" in out
    assert [r.method for r in fake.requests] == ["GET"]


def test_rotation_refuses_a_file_failing_the_metadata_checks(fake, token_env, capsys, tmp_path):
    export = tmp_path / "broken.xml"
    export.write_bytes(
        (Path(__file__).parent / "data" / "jumpcloud" / "convergenttech-handedited-malformed-metadata.xml").read_bytes()
    )
    code, out, _ = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, "--yes", str(export))
    assert code == 1 and "does not pass the metadata checks" in out
    assert "Regenerate certificate" in out  # the JumpCloud steps are shown
    assert fake.requests == []  # refused on its own: Pulumi is not asked


def test_rotation_shows_pulumis_refusal_as_is(fake, token_env, capsys, tmp_path):
    fake.then(400, {"code": 400, "message": "IDP metadata certificate has expired"}, method="PATCH")
    export = write_export(tmp_path, metadata_xml(NEW))
    code, out, _ = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, "--yes", str(export))
    assert code == 1
    assert "Pulumi refused the request: IDP metadata certificate has expired" in out


def test_rotation_not_live_when_pulumi_still_serves_the_old_certificate(fake, token_env, capsys, tmp_path):
    fake.then(200, fake.saml_body(ORG), method="PATCH")  # answers 200 but keeps the old metadata
    export = write_export(tmp_path, metadata_xml(NEW))
    code, out, _ = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, "--yes", "--json", str(export))
    assert code == 1
    assert "rotate.not_live" in [f["code"] for f in json.loads(out)["findings"]]


def test_rotation_with_the_same_certificate_sends_nothing_and_exits_3(fake, token_env, capsys, tmp_path):
    before = fake.orgs[ORG]["idpSsoDescriptor"]
    export = write_export(tmp_path, metadata_xml(OLD))
    code, out, _ = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, "--yes", "--json", str(export))
    assert code == 3  # nothing to rotate: neither 0 (rotated) nor 1 (refused)
    body = json.loads(out)
    assert body["ok"] is False and body["changed"] is False and body["exit_code"] == 3
    found = [f["code"] for f in body["findings"]]
    assert "rotate.same_certificate" in found and "rotate.unchanged" in found
    assert "rotate.live" not in found
    assert [r.method for r in fake.requests] == ["GET"]  # no PATCH
    assert fake.orgs[ORG]["idpSsoDescriptor"] == before


def test_rotation_with_the_same_certificate_says_so_without_asking(fake, token_env, capsys, tmp_path, monkeypatch):
    # with a terminal it does not even ask: there is nothing to confirm
    monkeypatch.setattr(sys, "stdin", FakeTTY(""))
    export = write_export(tmp_path, metadata_xml(OLD, entity_id="JumpCloud"))
    code, out, _ = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, str(export))
    assert code == 3
    assert "Type 'yes'" not in out and "Pulumi now uses" not in out
    assert "Nothing was sent: Pulumi already uses this certificate" in out
    assert "IdP entity ID" in out and "not sent either" in out  # another difference is named, not sent
    assert [r.method for r in fake.requests] == ["GET"]


def test_apply_never_sends_a_plan_with_nothing_to_rotate(fake):
    import asyncio

    same = metadata_xml(OLD)

    async def go():
        async with api.PulumiClient(fake.url, TOKEN) as client:
            current = (await client.get_saml(ORG)).saml
            plan = plan_rotation(current, check_metadata(same), new_xml=same, now=NOW)
            return plan, await apply_rotation(client, ORG, plan)

    plan, result = asyncio.run(go())
    assert plan.unchanged
    # the wizard's Apply is refused before anything is sent, even when ticked
    from wizard.pulumi_step import check_apply

    assert [f.code for f in check_apply(plan, confirmed=True)] == ["rotate.unchanged"]
    assert [f.code for f in result.findings] == ["rotate.unchanged"]
    assert [r.method for r in fake.requests] == ["GET"]


@pytest.mark.parametrize(
    "make_path, message",
    [
        (lambda d: d / "missing.xml", "does not exist"),
        (lambda d: d, "is a folder"),
    ],
)
def test_rotation_file_problems_exit_2(fake, token_env, capsys, tmp_path, make_path, message):
    code, _, err = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, "--yes", str(make_path(tmp_path)))
    assert code == 2 and message in err and fake.requests == []


# The file is read and checked before anything is asked of Pulumi (issue 15): offline,
# an empty or expired export used to get only the network error.
EXPIRED = make_cert(NOW - timedelta(days=1830), NOW - timedelta(days=3))
BAD_FILES = {
    "empty": (b"", "xml.empty", "The metadata is empty"),
    "expired": (metadata_xml(EXPIRED).encode(), "metadata.cert.expired", "expired on"),
    "expired export": (EXPIRED_EXPORT.read_bytes(), "metadata.cert.expired", "expired on"),
    "not xml": (b"JumpCloud-pulumi-metadata, not XML\n", "xml.not_xml", "not XML"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_rotation_offline_names_the_file_problem_not_the_network(token_env, capsys, tmp_path, refused_port, kind):
    data, code_expected, message = BAD_FILES[kind]
    export = tmp_path / "JumpCloud-pulumi-metadata.xml"
    export.write_bytes(data)
    api_url = f"http://127.0.0.1:{refused_port}"  # nothing listens: any request would be refused

    code, out, err = run_cli(capsys, "rotate", "--org", ORG, "--api-url", api_url, "--yes", str(export))
    assert code == 1, out + err  # the new file failed its checks (not 2, an access error)
    assert message in out and "does not pass the metadata checks" in out
    assert "Regenerate certificate" in out  # with JumpCloud's steps to get a good file
    assert "connection refused" not in out + err and "Nothing accepted the connection" not in out + err

    code, out, err = run_cli(capsys, "rotate", "--org", ORG, "--api-url", api_url, "--yes", "--json", str(export))
    body = json.loads(out)
    assert code == 1 and body["exit_code"] == 1 and body["ok"] is False and body["diff"] == []
    found = [f["code"] for f in body["findings"]]
    assert found[0] == code_expected and found[-1] == "rotate.metadata_invalid", found
    assert not any(c.startswith("pulumi.") for c in found), found
    assert all(f["fix"] for f in body["findings"] if f["severity"] == "error")  # each with its fix


@pytest.mark.parametrize("kind", BAD_FILES)
def test_rotation_with_a_bad_file_sends_no_request(fake, token_env, capsys, tmp_path, kind):
    data, _, message = BAD_FILES[kind]
    export = tmp_path / "JumpCloud-pulumi-metadata.xml"
    export.write_bytes(data)
    before = fake.orgs[ORG]["idpSsoDescriptor"]
    code, out, _ = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, "--yes", str(export))
    assert code == 1 and message in out
    assert fake.requests == []  # not even the GET of what Pulumi has
    assert fake.orgs[ORG]["idpSsoDescriptor"] == before


def test_rotation_checks_the_file_before_looking_for_a_token(fake, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv(api.CREDENTIALS_ENV, str(tmp_path / "none.json"))
    export = write_export(tmp_path, metadata_xml(EXPIRED))
    code, out, err = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, "--yes", str(export))
    assert code == 1 and "expired on" in out and "No Pulumi access token" not in out + err
    assert fake.requests == []
    # a good file without a token: the token is what is missing
    export = write_export(tmp_path, metadata_xml(NEW))
    code, _, err = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, "--yes", str(export))
    assert code == 2 and "No Pulumi access token" in err and fake.requests == []


def test_precheck_needs_no_pulumi():
    from wizard.rotation import precheck_rotation

    assert precheck_rotation(check_metadata(metadata_xml(NEW)), new_xml=metadata_xml(NEW)) is None
    refused = precheck_rotation(check_metadata(metadata_xml(EXPIRED)), new_xml=metadata_xml(EXPIRED))
    assert refused is not None and not refused.ok and refused.rows == []
    assert [f.code for f in refused.findings] == ["metadata.cert.expired", "rotate.metadata_invalid"]


def test_rotation_access_error_exits_2(fake, token_env, capsys, tmp_path):
    fake.then(401, {"code": 401, "message": "Unauthorized"})
    export = write_export(tmp_path, metadata_xml(NEW))
    code, _, err = run_cli(capsys, "rotate", "--org", ORG, "--api-url", fake.url, "--yes", str(export))
    assert code == 2 and "did not accept the access token" in err


# --------------------------------------------------------------------------- plan (the UI's calls)


def test_plan_and_apply_as_the_wizard_calls_them(fake):
    import asyncio

    new_xml = metadata_xml(NEW, entity_id="JumpCloud")

    async def go():
        async with api.PulumiClient(fake.url, TOKEN) as client:
            current = (await client.get_saml(ORG)).saml
            plan = plan_rotation(current, check_metadata(new_xml), new_xml=new_xml, now=NOW)
            return plan, await apply_rotation(client, ORG, plan)

    plan, result = asyncio.run(go())
    assert plan.ok and plan.changes_certificate
    assert "rotate.entity_id_changed" in [f.code for f in plan.findings]
    labels = {r.label: r for r in plan.rows}
    assert labels["IdP entity ID"].old == "strategicgroupnw" and labels["IdP entity ID"].new == "JumpCloud"
    assert not labels["SSO URL"].changed
    assert labels["Valid until"].old.endswith("(12 days left)")
    assert result.ok and result.saml.entity_id == "JumpCloud"


def test_apply_refuses_a_plan_that_did_not_pass(fake):
    import asyncio

    async def go():
        async with api.PulumiClient(fake.url, TOKEN) as client:
            current = (await client.get_saml(ORG)).saml
            plan = plan_rotation(current, check_metadata("<nope"), new_xml="<nope")
            return plan, await apply_rotation(client, ORG, plan)

    plan, result = asyncio.run(go())
    assert not plan.ok and [f.code for f in result.findings] == ["rotate.not_ready"]
    assert [r.method for r in fake.requests] == ["GET"]


# --------------------------------------------------------------------------- the token stays secret


def test_the_token_is_in_no_output_and_no_written_file(fake, capsys, tmp_path, monkeypatch, _isolated_environment):
    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", TOKEN)
    outputs = []
    export = write_export(tmp_path, metadata_xml(NEW))
    for argv in (
        ["status", "--org", ORG, "--api-url", fake.url],
        ["status", "--org", ORG, "--api-url", fake.url, "--json"],
        ["rotate", "--org", ORG, "--api-url", fake.url, "--yes", str(export)],
        ["status", "--org", "missing-org", "--api-url", fake.url, "--json"],
        ["status", "--org", ORG, "--api-url", "http://127.0.0.1:9"],
    ):
        main(argv)
        outputs.append(capsys.readouterr())
    fake.then(401, {"code": 401, "message": f"token {TOKEN} is revoked"})  # even if Pulumi echoes it
    main(["status", "--org", ORG, "--api-url", fake.url])
    outputs.append(capsys.readouterr())
    for captured in outputs:
        assert TOKEN not in captured.out and TOKEN not in captured.err
    written = [p for root in (tmp_path, _isolated_environment) for p in root.rglob("*") if p.is_file()]
    assert written  # the export at least
    for path in written:
        assert TOKEN.encode() not in path.read_bytes(), path


def test_help_does_not_import_the_network_or_xml_stacks():
    import subprocess

    code = (
        "import sys\n"
        "from wizard.cli import main\n"
        "for cmd in ('status', 'rotate'):\n"
        "    try:\n"
        "        main([cmd, '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = [m for m in ('httpx', 'lxml', 'cryptography', 'textual') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent
    )
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr
    assert "IDP Certificate Valid" in done.stdout  # the JumpCloud steps are in rotate's help
