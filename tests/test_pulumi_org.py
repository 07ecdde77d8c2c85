"""Pulumi's side of the organisation through its API, against the local stand-in
(tests/pulumi_fake.py): the pre-flight of step 1, sign-ins in the audit log (paged with
continuationToken), and the teams SCIM pushed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.pulumi_fake import FakePulumi, make_cert, metadata_xml
from wizard import pulumi_org as po
from wizard.pulumi_api import PulumiClient

TOKEN = "pul-c1i5ecret0123456789abcdef0123456789abcd"
ORG = "acme-corp"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def fake():
    with FakePulumi(TOKEN) as server:
        server.add_org(ORG, None, kind="pulumi")  # not SAML-backed yet
        yield server


def ask(fake, fn, *args):
    async def go():
        async with PulumiClient(fake.url, TOKEN) as client:
            return await fn(client, *args)

    return asyncio.run(go())


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def test_a_ready_organisation_passes_the_preflight(fake):
    info, problems = ask(fake, po.org_info, ORG)
    assert problems == [] and info.kind == "pulumi" and info.saml_sso and info.role == "admin"
    assert po.preflight(info, ORG) == []
    assert info.to_dict() == {
        "kind": "pulumi",
        "samlSsoEnabled": True,
        "scimEnabled": True,
        "auditLogsEnabled": True,
        "userRole": "admin",
    }


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {"features": {"samlSsoEnabled": False, "scimEnabled": False, "auditLogsEnabled": False}},
            "pulumi.org.saml_unavailable",
        ),
        ({"userRole": "member"}, "pulumi.org.not_admin"),
        ({"kind": "saml"}, "pulumi.org.already_saml"),
        (
            {"features": {"samlSsoEnabled": True, "scimEnabled": False, "auditLogsEnabled": True}},
            "pulumi.org.scim_unavailable",
        ),
    ],
)
def test_each_preflight_finding(fake, change, code):
    fake.meta[ORG].update(change)
    info, _ = ask(fake, po.org_info, ORG)
    found = po.preflight(info, ORG)
    assert code in codes(found)


def test_the_wrong_case_of_the_name_is_caught_at_step_one(fake):
    info, _ = ask(fake, po.org_info, "Acme-Corp")
    [found] = po.preflight(info, "Acme-Corp")
    assert found.code == "pulumi.org.case" and "'acme-corp'" in found.message and found.field == "org"


def test_an_unknown_organisation(fake):
    info, problems = ask(fake, po.org_info, "nobody")
    assert info is None and codes(problems) == ["pulumi.org.not_found"]


def _event(minutes_ago: int, event: str, who: str = "alice", description: str = "") -> dict:
    return {
        "timestamp": int((NOW - timedelta(minutes=minutes_ago)).timestamp()),
        "event": event,
        "description": description or event,
        "sourceIP": "203.0.113.7",
        "user": {"name": who, "githubLogin": who, "avatarUrl": ""},
    }


def test_sign_ins_are_read_across_pages_and_only_since_the_step_opened(fake):
    fake.events[ORG] = [
        _event(90, "user-login", "old"),  # before the step: not counted
        _event(9, "stack-created"),
        _event(8, "user-login-failed", "bob", "SAML response audience mismatch"),
        _event(7, "member-added"),
        _event(5, "user-login", "carol"),
        _event(2, "user-login", "alice"),
    ]
    events, problems = ask(fake, po.sign_ins, ORG, NOW - timedelta(minutes=30), NOW + timedelta(minutes=1))
    assert problems == []
    assert [(e.user, e.ok) for e in events] == [("alice", True), ("carol", True), ("bob", False)]
    pages = [r.path for r in fake.requests if "auditlogs" in r.path]
    assert len(pages) == 3 and "continuationToken=2" in pages[1]
    found = po.sign_in_findings(events)
    assert codes(found) == ["pulumi.signin.failed", "pulumi.signin.seen"]
    assert (
        "audience mismatch" in found[0].message and "2 sign-in(s)" in found[1].message and "alice" in found[1].message
    )


def test_without_audit_logs_the_log_is_not_readable(fake):
    fake.meta[ORG]["features"]["auditLogsEnabled"] = False
    events, problems = ask(fake, po.sign_ins, ORG, NOW - timedelta(minutes=30), NOW)
    assert events == [] and codes(problems) == ["pulumi.forbidden"]


def test_teams_pushed_by_scim_against_the_groups(fake):
    fake.teams[ORG] = [{"kind": "pulumi", "name": "Engineering"}]
    teams, _ = ask(fake, po.scim_teams, ORG)
    assert teams == []  # a team made by hand is not SCIM's
    found = po.team_findings(["Engineering", "Everyone"], teams)
    assert codes(found) == ["pulumi.scim.teams_missing"] and "Engineering, Everyone" in found[0].message
    fake.teams[ORG] += [{"kind": "scim", "name": "Engineering"}, {"kind": "scim", "name": "everyone"}]
    teams, _ = ask(fake, po.scim_teams, ORG)
    assert codes(po.team_findings(["Engineering", "Everyone"], teams)) == ["pulumi.scim.teams_ok"]


def test_one_team_does_not_count_for_two_groups_differing_only_in_case():
    found = po.team_findings(["Engineering", "engineering"], ["Engineering"])
    assert codes(found) == ["pulumi.scim.teams_missing"] and "engineering" in found[0].message
    assert codes(po.team_findings(["Engineering", "engineering"], ["engineering", "Engineering"])) == [
        "pulumi.scim.teams_ok"
    ]
    assert codes(po.team_findings(["Engineering"], ["engineering"])) == ["pulumi.scim.teams_ok"]  # as before


def test_a_group_name_too_long_for_a_team_is_said_before(fake):
    found = po.team_findings(["x" * 101, "ok"], ["ok"])
    assert codes(found) == ["pulumi.scim.team_name_too_long", "pulumi.scim.teams_ok"]


def test_a_token_of_a_non_admin_is_told_who_must_run_it(fake):
    fake.meta[ORG]["userRole"] = "member"
    info, _ = ask(fake, po.org_info, ORG)
    [found] = po.preflight(info, ORG)
    assert "not an admin" in found.message and "admin" in found.fix


# ---- status shows the organisation beside its SAML settings -------------------------------


def test_status_shows_the_organisation_admins_and_last_sign_ins(monkeypatch, capsys):
    import json

    from wizard.cli import main

    monkeypatch.setenv("PULUMI_ACCESS_TOKEN", TOKEN)
    with FakePulumi(TOKEN) as server:
        server.add_org(ORG, metadata_xml(make_cert(NOW - timedelta(days=1), NOW + timedelta(days=400))))
        server.events[ORG] = [
            _event(60 * 24 * 3, "user-login-failed", "bob", "SAML response has expired"),
            _event(60, "user-login", "alice"),
        ]
        assert main(["status", "--org", ORG, "--api-url", server.url, "--json"]) == 0  # exit code unchanged
        body = json.loads(capsys.readouterr().out)
        assert body["organization"] == {
            "kind": "saml",
            "samlSsoEnabled": True,
            "scimEnabled": True,
            "auditLogsEnabled": True,
            "userRole": "admin",
        }
        assert body["saml_admins"] == ["ada"]
        assert body["sign_ins"]["last_ok_user"] == "alice"
        assert body["sign_ins"]["last_failed_description"] == "SAML response has expired"
        assert main(["status", "--org", ORG, "--api-url", server.url]) == 0
        out = capsys.readouterr().out
        assert "Features" in out and "SAML SSO, SCIM, audit logs" in out and "SAML admins" in out
        assert "Last failed sign-in" in out and "SAML response has expired" in out
        # without audit logs: no sign-ins, nothing else changes
        server.meta[ORG]["features"]["auditLogsEnabled"] = False
        assert main(["status", "--org", ORG, "--api-url", server.url, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["sign_ins"] is None
