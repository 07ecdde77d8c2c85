"""JumpCloud's side checked through its admin API, against the local stand-in
(tests/jumpcloud_fake.py: state, paging, x-api-key and x-org-id, PUT resetting what it
is not sent): every finding, paging past 100 apps, each transport failure, the key in
no output or file, a fix then a check again, and that a fix changes only what it shows."""

from __future__ import annotations

import asyncio
import copy
import io
import json
import re
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tests.jumpcloud_fake import ORG_ID, FakeJumpCloud, other_app, pulumi_app
from wizard import jumpcloud as jc
from wizard.cli import main
from wizard.values import org_values
from wizard.where import on_command_line

KEY = "jc-0123456789abcdef0123456789abcdef01234567"
VALUES = org_values("acmecorp")
NOW = datetime.now(UTC)


@pytest.fixture
def fake():
    with FakeJumpCloud(KEY) as server:
        app = server.add_app(pulumi_app(VALUES))
        server.add_group("Engineering")
        server.add_group("Everyone")
        server.bind(app["_id"], "Engineering")
        yield server


async def _no_wait(seconds: float) -> None:
    return None


def check(
    server: FakeJumpCloud, *, value: str = "pulumi", key: str = KEY, org_id: str = "", **kwargs
) -> jc.JumpCloudCheck:
    async def go() -> jc.JumpCloudCheck:
        async with jc.JumpCloudClient(
            server.url, key, org_id=org_id, sleep=_no_wait, timeout=kwargs.pop("timeout", 5)
        ) as client:
            return await jc.check_jumpcloud(client, VALUES, value, now=NOW, **kwargs)

    return asyncio.run(go())


def codes(result: jc.JumpCloudCheck) -> list[str]:
    return [f.code for f in result.findings]


def errors(result: jc.JumpCloudCheck) -> set[str]:
    return {f.code for f in result.findings if f.is_error}


def the(result: jc.JumpCloudCheck, code: str):
    return next(f for f in result.findings if f.code == code)


# ---- reading ------------------------------------------------------------------------------


def test_a_good_app_is_verified_with_its_groups_and_metadata(fake):
    result = check(fake)
    assert errors(result) == set()
    assert codes(result)[-1] == "jumpcloud.ok"
    assert result.application == {
        "id": "64a1b2c3d4e5f60718293a4b",
        "displayLabel": "Pulumi Cloud",
        "ssoUrl": "https://sso.jumpcloud.com/saml2/pulumi",
        "active": True,
    }
    assert result.groups == ["Engineering"]
    assert {g["name"] for g in result.all_groups} == {"Engineering", "Everyone"}
    assert "metadata.ok" in codes(result) and result.metadata_xml.startswith("<?xml")
    assert all(f.matched and not f.differs for f in result.fields)
    # the API key went in x-api-key on every request, and nowhere else
    assert all(r.headers.get("x-api-key") == KEY for r in fake.requests)
    assert all(KEY not in r.path for r in fake.requests)


def test_paging_goes_past_100_applications_and_never_asks_for_more_than_100(fake):
    for n in range(1, 251):
        fake.add_app(other_app(n, name="zapp"))  # sorted after "pulumi": on the third page
    fake.apps.pop("64a1b2c3d4e5f60718293a4b")
    fake.add_app(pulumi_app(VALUES, app_id="f" * 24) | {"name": "zzz-pulumi"})
    fake.bindings["f" * 24] = list(fake.groups)[:1]
    result = check(fake)
    assert errors(result) == set(), result.findings
    pages = [r.path for r in fake.requests if r.path.startswith("/api/applications?")]
    assert pages == [f"/api/applications?limit=100&skip={s}" for s in (0, 100, 200)]
    assert all("limit=100&" in r.path for r in fake.requests if "limit=" in r.path)


def test_groups_are_paged_and_named(fake):
    app_id = "64a1b2c3d4e5f60718293a4b"
    for n in range(130):
        fake.add_group(f"group-{n:03d}")
    fake.bindings[app_id] = [g["id"] for g in fake.groups.values() if g["name"].startswith("group-")]
    result = check(fake, metadata=False)
    assert len(result.groups) == 130 and result.groups[0] == "group-000"
    assert any("/usergroups?limit=100&skip=100" in r.path for r in fake.requests)


def test_no_app_with_that_url_lists_the_pulumi_apps_so_a_typo_shows(fake):
    fake.add_app(other_app(7, name="slack"))
    result = check(fake, value="pulumi-prod")
    assert codes(result) == ["jumpcloud.app.not_found"]
    message = the(result, "jumpcloud.app.not_found").message
    assert "https://sso.jumpcloud.com/saml2/pulumi-prod" in message
    assert "'Pulumi Cloud' at https://sso.jumpcloud.com/saml2/pulumi" in message and "Slack" not in message
    assert the(result, "jumpcloud.app.not_found").field == "idp_url_value"


def test_two_apps_with_the_same_url_are_named(fake):
    fake.add_app(pulumi_app(VALUES, app_id="a" * 24, label="Pulumi (old)"))
    result = check(fake)
    assert codes(result) == ["jumpcloud.app.ambiguous"]
    assert "Pulumi (old)" in result.findings[0].message and "Pulumi Cloud" in result.findings[0].message


def test_an_inactive_app_is_an_error(fake):
    fake.apps["64a1b2c3d4e5f60718293a4b"]["active"] = False
    assert "jumpcloud.app.inactive" in errors(check(fake))


@pytest.mark.parametrize(
    ("key", "wrong", "label"),
    [
        ("spEntityId", "https://api.pulumi.com/login/acme/sso/saml/metadata", "SP Entity ID"),
        ("acsUrl", "https://api.pulumi.com/login/acmecorp/sso/saml/acs/", "ACS URL"),
        ("relayState", "", "Default RelayState"),
        ("subjectField", "username", "SAMLSubject NameID"),
        ("overrideNameIdFormat", "urn:oasis:names:tc:SAML:1.0:nameid-format:unspecified", "SAMLSubject NameID Format"),
        ("signatureAlgorithm", "RSA-SHA1", "Signature Algorithm"),
    ],
)
def test_each_sso_tab_row_that_differs_is_named_with_both_values(fake, key, wrong, label):
    fake.apps["64a1b2c3d4e5f60718293a4b"]["config"][key]["value"] = wrong
    result = check(fake, metadata=False)
    assert errors(result) == {"jumpcloud.sso.mismatch"}
    found = the(result, "jumpcloud.sso.mismatch")
    assert f"'{label}'" in found.message and (wrong or "(empty)") in found.message
    assert [f.label for f in result.mismatched] == [label]


def test_labels_match_whatever_their_case_spacing_or_colon(fake):
    config = fake.apps["64a1b2c3d4e5f60718293a4b"]["config"]
    config["acsUrl"]["label"] = "ACS Url:"
    config["spEntityId"]["label"] = "  sp   entity id "
    assert errors(check(fake, metadata=False)) == set()


def test_a_row_no_label_matches_is_not_checked_never_guessed(fake):
    config = fake.apps["64a1b2c3d4e5f60718293a4b"]["config"]
    config["relayState"]["label"] = "Login URL"
    config["relayState"]["value"] = "https://wrong.example"
    result = check(fake, metadata=False)
    assert "jumpcloud.sso.mismatch" not in codes(result)
    unchecked = the(result, "jumpcloud.sso.unchecked")
    assert "Default RelayState" in unchecked.message and VALUES.relay_state in unchecked.fix
    assert not unchecked.is_error


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "jumpcloud.idp_entity_id.missing"),
        ("IdP Entity ID", "jumpcloud.idp_entity_id.placeholder"),
        ("https://api.pulumi.com/login/acmecorp/sso/saml/metadata", "jumpcloud.idp_entity_id.pulumi_url"),
    ],
)
def test_the_idp_entity_id_is_set_and_jumpclouds_own(fake, value, code):
    fake.apps["64a1b2c3d4e5f60718293a4b"]["config"]["idpEntityId"]["value"] = value
    assert code in codes(check(fake, metadata=False))


def test_neither_assertions_nor_responses_signed_is_an_error(fake):
    config = fake.apps["64a1b2c3d4e5f60718293a4b"]["config"]
    config["signAssertion"]["value"] = False
    assert "jumpcloud.unsigned" in errors(check(fake, metadata=False))
    config["signResponse"]["value"] = True
    assert "jumpcloud.unsigned" not in codes(check(fake, metadata=False))


@pytest.mark.parametrize(("days", "code"), [(-3, "jumpcloud.cert.expired"), (40, "jumpcloud.cert.expiring")])
def test_the_certificate_expiry(fake, days, code):
    fake.apps["64a1b2c3d4e5f60718293a4b"]["sso"]["idpCertExpirationAt"] = (NOW + timedelta(days=days)).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )
    result = check(fake, metadata=False)
    assert code in codes(result)
    assert (NOW + timedelta(days=days)).strftime("%Y-%m-%d") in the(result, code).message


def test_no_group_bound_is_an_error(fake):
    fake.bindings["64a1b2c3d4e5f60718293a4b"] = []
    result = check(fake, metadata=False)
    assert "jumpcloud.groups.none" in errors(result) and result.groups == []


def test_the_metadata_goes_through_the_metadata_checks(fake):
    fake.apps["64a1b2c3d4e5f60718293a4b"]["config"]["idpEntityId"]["value"] = "IdP Entity ID"
    result = check(fake)
    assert "metadata.entityid.placeholder" in codes(result)  # the file's own check, same code as for a file


# ---- access and transport -------------------------------------------------------------------


def test_every_code_a_jumpcloud_request_can_end_in_is_declared():
    from wizard.codes import REGISTRY

    assert jc.JUMPCLOUD.codes <= set(REGISTRY)
    assert "jumpcloud.unreachable" in jc.JUMPCLOUD.codes and "jumpcloud.timeout" not in jc.JUMPCLOUD.codes


def test_multi_tenant_admin_without_an_org_id_is_told_to_give_it():
    with FakeJumpCloud(KEY, org_id=ORG_ID) as server:
        server.add_app(pulumi_app(VALUES))
        result = check(server)
        assert codes(result) == ["jumpcloud.org_id_needed"]
        # the wizard's field, not an environment variable the wizard never reads
        assert "Organisation ID field on step 1" in result.findings[0].fix
        assert jc.ORG_ID_ENV not in result.findings[0].fix
        good = check(server, org_id=ORG_ID, metadata=False)
        assert "jumpcloud.org_id_needed" not in codes(good)
        assert all(r.headers.get("x-org-id") == ORG_ID for r in server.requests[1:])
        with on_command_line():
            assert jc.ORG_ID_ENV in check(server).findings[0].fix


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (401, {"message": "Unauthorized"}, "jumpcloud.unauthorized"),
        (403, {"message": "Forbidden"}, "jumpcloud.forbidden"),
        (404, {"message": "Not Found"}, "jumpcloud.not_found"),
        (500, {"message": "boom"}, "jumpcloud.server_error"),
        (200, "<!doctype html><title>JumpCloud Login</title>", "jumpcloud.bad_response"),
        (200, b"{not json", "jumpcloud.bad_response"),
        (200, {"unexpected": True}, "jumpcloud.bad_response"),
        (302, None, "jumpcloud.bad_response"),
    ],
)
def test_each_answer_that_is_not_the_list_is_a_coded_finding(fake, status, body, code):
    headers = {"Location": "https://console.jumpcloud.com/login"} if status == 302 else {}
    if status == 500:
        for _ in range(3):
            fake.then(status, body, headers=headers)
    else:
        fake.then(status, body, headers=headers)
    result = check(fake)
    assert codes(result) == [code], result.findings
    assert KEY not in json.dumps(result.to_dict())


def test_429_is_tried_again_as_asked(fake):
    fake.then(429, {"message": "slow down"}, headers={"Retry-After": "1"})
    result = check(fake, metadata=False)
    assert errors(result) == set()


def test_a_stalled_server_is_unreachable_within_the_timeout(fake):
    fake.then(200, {}, stall=5)
    result = check(fake, timeout=0.3)
    assert codes(result) == ["jumpcloud.unreachable"]


def test_nothing_listening_is_unreachable(refused_port):
    async def go():
        async with jc.JumpCloudClient(f"http://127.0.0.1:{refused_port}", KEY) as client:
            return await jc.check_jumpcloud(client, VALUES, "pulumi")

    assert codes(asyncio.run(go())) == ["jumpcloud.unreachable"]


def test_tls_to_a_plain_server_is_unreachable_and_says_tls(fake):
    async def go():
        async with jc.JumpCloudClient(fake.url.replace("http://127.0.0.1", "https://localhost"), KEY) as client:
            return await jc.check_jumpcloud(client, VALUES, "pulumi")

    result = asyncio.run(go())
    assert codes(result) == ["jumpcloud.unreachable"]
    assert "TLS" in result.findings[0].message


def test_a_server_that_echoes_the_key_does_not_get_it_shown(fake):
    fake.then(400, {"message": f"bad key {KEY}"})
    result = check(fake)
    assert KEY not in json.dumps(result.to_dict()) and "<redacted>" in result.findings[0].message


# ---- writing, only when asked -----------------------------------------------------------------


def test_a_fix_sets_only_the_fields_shown_then_checks_again(fake):
    app_id = "64a1b2c3d4e5f60718293a4b"
    stored = fake.apps[app_id]
    stored["config"]["acsUrl"]["value"] = VALUES.acs_url + "/"
    stored["config"]["relayState"]["value"] = ""
    stored["description"] = "kept as it is"
    stored["config"]["constantAttributes"]["value"] = [{"name": "team", "value": "platform"}]
    before = copy.deepcopy(stored)
    result = check(fake, metadata=False)
    assert [f.label for f in result.mismatched] == ["ACS URL", "Default RelayState"]

    async def go():
        async with jc.JumpCloudClient(fake.url, KEY) as client:
            return await jc.fix_sso_fields(client, app_id, result.mismatched)

    findings, _ = asyncio.run(go())
    assert [f.code for f in findings] == ["jumpcloud.fix.applied"]
    assert fake.seen()[-3:] == [
        f"GET /api/applications/{app_id}",
        f"PUT /api/applications/{app_id}",
        f"GET /api/applications/{app_id}",
    ]
    # exactly those two values changed: everything else is as it was
    expected = copy.deepcopy(before)
    expected["config"]["acsUrl"]["value"] = VALUES.acs_url
    expected["config"]["relayState"]["value"] = VALUES.relay_state
    assert fake.apps[app_id] == expected
    assert errors(check(fake, metadata=False)) == set()


def test_the_stand_in_resets_what_a_put_leaves_out(fake):
    # what makes a partial PUT a data-loss bug, so the test above has teeth
    import httpx

    app_id = "64a1b2c3d4e5f60718293a4b"
    httpx.put(
        f"{fake.url}/api/applications/{app_id}",
        json={"config": {"acsUrl": {"label": "ACS URL", "value": VALUES.acs_url}}},
        headers={"x-api-key": KEY},
    )
    stored = fake.apps[app_id]
    assert stored["displayLabel"] == "" and stored["active"] is False
    assert stored["config"]["spEntityId"]["value"] == ""


def test_a_fix_on_values_changed_since_they_were_shown_changes_nothing(fake):
    app_id = "64a1b2c3d4e5f60718293a4b"
    fake.apps[app_id]["config"]["acsUrl"]["value"] = "https://old.example/acs"
    result = check(fake, metadata=False)
    fake.apps[app_id]["config"]["acsUrl"]["value"] = "https://someone-else.example/acs"

    async def go():
        async with jc.JumpCloudClient(fake.url, KEY) as client:
            return await jc.fix_sso_fields(client, app_id, result.mismatched)

    findings, _ = asyncio.run(go())
    assert [f.code for f in findings] == ["jumpcloud.fix.stale"]
    assert "PUT" not in " ".join(fake.seen())


def test_binding_groups_chosen_by_name(fake):
    app_id = "64a1b2c3d4e5f60718293a4b"
    known = [{"id": g["id"], "name": g["name"]} for g in fake.groups.values()]

    async def go(names):
        async with jc.JumpCloudClient(fake.url, KEY) as client:
            return await jc.bind_groups(client, app_id, names, known)

    assert [f.code for f in asyncio.run(go(["Everyone"]))] == ["jumpcloud.groups.bound"]
    assert check(fake, metadata=False).groups == ["Engineering", "Everyone"]
    posts = len(fake.seen("POST"))
    assert [f.code for f in asyncio.run(go(["Nobody"]))] == ["jumpcloud.groups.unknown"]
    assert len(fake.seen("POST")) == posts  # nothing sent for an unknown name


# ---- the sub-command ------------------------------------------------------------------------


def run_cli(monkeypatch, capsys, *argv: str, key: str | None = KEY, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    if key is None:
        monkeypatch.delenv(jc.API_KEY_ENV, raising=False)
    else:
        monkeypatch.setenv(jc.API_KEY_ENV, key)
    code = main(["check-jumpcloud", "--org", "acmecorp", "--idp-url-value", "pulumi", *argv])
    out, err = capsys.readouterr()
    assert KEY not in out + err
    return code, out, err


def test_cli_exit_0_with_the_json_shape(fake, monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "--jumpcloud-url", fake.url, "--json")
    body = json.loads(out)
    assert code == 0 and set(body) == {"findings", "application", "groups", "metadata", "exit_code"}
    assert body["application"]["displayLabel"] == "Pulumi Cloud" and body["groups"] == ["Engineering"]
    assert body["metadata"]["entity_id"] == "JumpCloud"


def test_cli_exit_1_on_a_mismatch_and_2_without_access(fake, monkeypatch, capsys):
    fake.apps["64a1b2c3d4e5f60718293a4b"]["config"]["acsUrl"]["value"] = "https://x.example/acs"
    code, out, _ = run_cli(monkeypatch, capsys, "--jumpcloud-url", fake.url)
    assert code == 1 and "'ACS URL' is https://x.example/acs" in out
    code, _, err = run_cli(monkeypatch, capsys, "--jumpcloud-url", fake.url, key="jc-wrong-key-000000000000000")
    assert code == 2 and "did not accept the API key" in err


def test_cli_reads_the_key_from_standard_input(fake, monkeypatch, capsys):
    code, _, _ = run_cli(monkeypatch, capsys, "--jumpcloud-url", fake.url, key=None, stdin=KEY + "\n")
    assert code == 0


def test_cli_refuses_a_key_argument_without_echoing_it(monkeypatch, capsys):
    code, _, err = run_cli(monkeypatch, capsys, "--api-key", "jc-secret-in-argv")
    assert code == 2 and "jc-secret-in-argv" not in err and "never passed as an argument" in err


def test_cli_fix_without_a_terminal_or_yes_changes_nothing(fake, monkeypatch, capsys):
    fake.apps["64a1b2c3d4e5f60718293a4b"]["config"]["acsUrl"]["value"] = "https://x.example/acs"
    code, out, _ = run_cli(monkeypatch, capsys, "--jumpcloud-url", fake.url, "--fix", "--json")
    assert code == 1
    body = json.loads(out)
    assert "jumpcloud.fix.needs_confirmation" in [f["code"] for f in body["findings"]]
    assert body["diff"] == [{"label": "ACS URL", "now": "https://x.example/acs", "will_be": VALUES.acs_url}]
    assert "PUT" not in " ".join(fake.seen())


def test_cli_fix_yes_sets_the_fields_and_proves_them(fake, monkeypatch, capsys):
    fake.apps["64a1b2c3d4e5f60718293a4b"]["config"]["acsUrl"]["value"] = "https://x.example/acs"
    code, out, _ = run_cli(monkeypatch, capsys, "--jumpcloud-url", fake.url, "--fix", "--yes")
    assert code == 0, out
    assert "now:     https://x.example/acs" in out and f"will be: {VALUES.acs_url}" in out
    assert "JumpCloud now holds the Pulumi values for: ACS URL" in out and "matches" in out
    assert fake.apps["64a1b2c3d4e5f60718293a4b"]["config"]["acsUrl"]["value"] == VALUES.acs_url


def test_the_key_is_in_no_output_and_no_written_file(fake, monkeypatch, capsys, tmp_path, _isolated_environment):
    fake.apps["64a1b2c3d4e5f60718293a4b"]["config"]["acsUrl"]["value"] = "https://x.example/acs"
    for argv in (["--json"], [], ["--fix", "--yes", "--json"]):
        run_cli(monkeypatch, capsys, "--jumpcloud-url", fake.url, *argv)  # run_cli asserts the output
    for folder in (tmp_path, _isolated_environment):
        for path in folder.rglob("*"):
            if path.is_file():
                assert KEY.encode() not in path.read_bytes(), path


# ---- what a check proves about a step (wizard.jumpcloud_step) --------------------------------


def test_a_check_proves_the_steps_only_for_the_inputs_it_was_run_for(fake):
    from wizard.jumpcloud_step import evidence
    from wizard.state import WizardState

    result = check(fake, metadata=False)
    state = WizardState(org="acmecorp", idp_url_value="pulumi")
    assert [evidence(result, state, part).proof for part in ("app", "sso", "groups")] == ["verified"] * 3
    for other in (
        WizardState(org="acmecorp", idp_url_value="pulumi2"),
        WizardState(org="acme", idp_url_value="pulumi"),
    ):
        assert evidence(result, other, "app") is None


def test_a_check_that_could_not_ask_proves_nothing_and_refutes_nothing(fake):
    from wizard.jumpcloud_step import evidence
    from wizard.state import WizardState

    result = check(fake, key="jc-wrong-key-000000000000000")
    proven = evidence(result, WizardState(org="acmecorp", idp_url_value="pulumi"), "app")
    assert proven.proof == "silent" and [f.code for f in proven.findings] == ["jumpcloud.unauthorized"]


def test_a_row_that_differs_refutes_the_sso_step_and_an_unmatched_row_leaves_it_to_the_ticks(fake):
    from wizard.jumpcloud_step import evidence
    from wizard.state import WizardState

    state = WizardState(org="acmecorp", idp_url_value="pulumi")
    config = fake.apps["64a1b2c3d4e5f60718293a4b"]["config"]
    config["relayState"]["label"] = "Login URL"
    assert evidence(check(fake, metadata=False), state, "sso").proof == "silent"
    config["acsUrl"]["value"] = "https://x.example/acs"
    assert evidence(check(fake, metadata=False), state, "sso").proof == "refuted"


# ---- creating the app from the catalogue, only when asked --------------------------------------


def test_fix_creates_the_missing_app_from_the_catalogues_pulumi_connector(fake, monkeypatch, capsys):
    fake.apps.clear()
    code, out, _ = run_cli(monkeypatch, capsys, "--jumpcloud-url", fake.url, "--fix", "--yes")
    assert "from the catalogue's Pulumi connector" in out and "it can never be changed" in out
    assert re.search(r"ACS URL: +" + re.escape(VALUES.acs_url) + "\n", out)
    made = [a for a in fake.apps.values() if a["ssoUrl"] == "https://sso.jumpcloud.com/saml2/pulumi"]
    assert len(made) == 1 and made[0]["name"] == "pulumi" and made[0]["active"] is True
    config = made[0]["config"]
    assert config["acsUrl"]["value"] == VALUES.acs_url and config["relayState"]["value"] == VALUES.relay_state
    assert config["idpEntityId"]["value"] == "JumpCloud"
    assert "jumpcloud.app.created" not in out  # human output: the message, not the code
    assert "Created in JumpCloud" in out
    assert code == 1  # created and checked, but no group is bound yet
    assert "No user group is bound" in out


def test_creation_needs_a_confirmation_and_never_duplicates(fake, monkeypatch, capsys):
    fake.apps.clear()
    code, out, _ = run_cli(monkeypatch, capsys, "--jumpcloud-url", fake.url, "--fix", "--json")
    assert code == 1 and fake.apps == {} and "POST" not in " ".join(fake.seen())
    assert "jumpcloud.fix.needs_confirmation" in [f["code"] for f in json.loads(out)["findings"]]
    fake.add_app(pulumi_app(VALUES))

    async def go():
        async with jc.JumpCloudClient(fake.url, KEY) as client:
            return await jc.create_pulumi_app(client, VALUES, "pulumi", "Pulumi")

    assert [f.code for f in asyncio.run(go())] == ["jumpcloud.app.exists"]
    assert "POST" not in " ".join(fake.seen())


def test_without_a_pulumi_entry_in_the_catalogue_creation_is_left_to_the_admin(fake):
    fake.apps.clear()
    fake.templates = [t for t in fake.templates if t["name"] != "pulumi"]

    async def go():
        async with jc.JumpCloudClient(fake.url, KEY) as client:
            return await jc.create_pulumi_app(client, VALUES, "pulumi", "Pulumi")

    [found] = asyncio.run(go())
    assert found.code == "jumpcloud.template.not_found" and "Create it by hand" in found.fix
    assert fake.apps == {}


# ---- the remaining outcomes, one each --------------------------------------------------------


@pytest.mark.parametrize(("key", "code"), [("", "jumpcloud.no_key"), ("jc-\x1b[2Jkey", "jumpcloud.bad_key")])
def test_a_missing_or_unusable_key_is_refused_before_any_request(fake, key, code):
    result = check(fake, key=key)
    assert codes(result) == [code] and fake.requests == []
    # where to give the key, worded for where the admin is
    assert "give it on step 1 (ctrl+j)." in result.findings[0].fix
    with on_command_line():
        fix = check(fake, key=key).findings[0].fix
    assert f"give it in {jc.API_KEY_ENV} or at the hidden prompt" in fix and "step 1" not in fix


@pytest.mark.parametrize(
    ("status", "times", "code"),
    [(429, 3, "jumpcloud.rate_limited"), (400, 1, "jumpcloud.bad_request"), (418, 1, "jumpcloud.http_error")],
)
def test_other_statuses(fake, status, times, code):
    for _ in range(times):
        fake.then(status, {"message": "no"})
    assert codes(check(fake)) == [code]


def test_metadata_not_fetched_when_the_app_names_no_organisation(fake):
    del fake.apps["64a1b2c3d4e5f60718293a4b"]["organization"]
    result = check(fake)
    assert "jumpcloud.metadata.unavailable" in codes(result) and result.metadata is None


def test_a_put_that_changes_nothing_is_not_reported_as_fixed(fake):
    app_id = "64a1b2c3d4e5f60718293a4b"
    fake.apps[app_id]["config"]["acsUrl"]["value"] = "https://x.example/acs"
    result = check(fake, metadata=False)
    fake.then(200, {"_id": app_id}, method="PUT")  # answers, keeps nothing

    async def go():
        async with jc.JumpCloudClient(fake.url, KEY) as client:
            return await jc.fix_sso_fields(client, app_id, result.mismatched)

    findings, _ = asyncio.run(go())
    assert [f.code for f in findings] == ["jumpcloud.fix.not_applied"] and "ACS URL" in findings[0].message


def test_a_fix_that_cannot_be_read_back_is_not_proven(fake, monkeypatch):
    app_id = "64a1b2c3d4e5f60718293a4b"
    fake.apps[app_id]["config"]["acsUrl"]["value"] = "https://x.example/acs"
    result = check(fake, metadata=False)

    async def go():
        async with jc.JumpCloudClient(fake.url, KEY, sleep=_no_wait) as client:
            real = client.get_application
            calls = []

            async def second_read_fails(app):
                calls.append(app)
                if len(calls) == 2:
                    for _ in range(3):
                        fake.then(503, {"message": "down"}, method="GET")
                return await real(app)

            client.get_application = second_read_fails
            return await jc.fix_sso_fields(client, app_id, result.mismatched)

    findings, _ = asyncio.run(go())
    assert [f.code for f in findings][:1] == ["jumpcloud.fix.unconfirmed"]
    assert fake.apps[app_id]["config"]["acsUrl"]["value"] == VALUES.acs_url  # it was made, just not proven


def test_a_bind_that_jumpcloud_answers_but_does_not_keep(fake):
    app_id = "64a1b2c3d4e5f60718293a4b"
    known = [{"id": g["id"], "name": g["name"]} for g in fake.groups.values()]
    fake.then(204, None, method="POST")

    async def go():
        async with jc.JumpCloudClient(fake.url, KEY) as client:
            return await jc.bind_groups(client, app_id, ["Everyone"], known)

    assert [f.code for f in asyncio.run(go())] == ["jumpcloud.groups.not_bound"]


def test_an_app_created_at_another_url_is_said_plainly(fake):
    fake.apps.clear()
    other = fake.add_app(other_app(9, name="pulumi-other"))
    fake.then(200, {"_id": other["_id"]}, method="POST")

    async def go():
        async with jc.JumpCloudClient(fake.url, KEY) as client:
            return await jc.create_pulumi_app(client, VALUES, "pulumi", "Pulumi")

    [found] = asyncio.run(go())
    assert found.code == "jumpcloud.app.created_elsewhere" and "cannot be changed" in found.message


def test_a_url_the_rule_refuses_is_refused_before_any_request():
    async def go():
        async with jc.JumpCloudClient("https://console.jumpcloud.com/api", KEY) as client:
            return await jc.check_jumpcloud(client, VALUES, "pulumi")

    [found] = asyncio.run(go()).findings
    assert found.code == "jumpcloud.bad_url"
    assert "console.eu.jumpcloud.com" in found.fix and "console.in.jumpcloud.com" in found.fix


def test_a_broken_ca_bundle_in_the_environment_is_a_finding(fake, monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    assert codes(check(fake)) == ["jumpcloud.network"]


def test_cli_fix_with_nothing_to_fix_and_a_declined_fix(fake, monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "--jumpcloud-url", fake.url, "--fix", "--json")
    assert code == 0 and "jumpcloud.fix.nothing" in [f["code"] for f in json.loads(out)["findings"]]
    fake.apps["64a1b2c3d4e5f60718293a4b"]["config"]["acsUrl"]["value"] = "https://x.example/acs"

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv(jc.API_KEY_ENV, KEY)
    monkeypatch.setattr(sys, "stdin", Terminal("no\n"))
    code = main(
        ["check-jumpcloud", "--org", "acmecorp", "--idp-url-value", "pulumi", "--jumpcloud-url", fake.url, "--fix"]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "Type 'yes' to continue" in out and "Nothing was changed: it was not confirmed." in out
    assert "PUT" not in " ".join(fake.seen())
