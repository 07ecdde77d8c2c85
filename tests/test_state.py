from __future__ import annotations

import json
import os
import stat

import pytest

from wizard.state import SCHEMA_VERSION, StateStore, StepId, StepRecord, StepStatus, WizardState


def test_round_trip_keeps_everything(tmp_path):
    store = StateStore(tmp_path / "state")
    state = WizardState(org="Acme.Corp", idp_url_value="pulumi-acme", groups=["Engineering", "SRE"])
    state.set_record(StepId.WELCOME, StepRecord(StepStatus.CONFIRMED, "the admin confirmed it"))
    state.set_record(StepId.SSO_TAB, StepRecord(StepStatus.REOPENED, "reopened: the org changed", {}))
    state.set_record(StepId.CREATE_APP, StepRecord(StepStatus.WARNINGS, "checked", {"org": "Acme.Corp"}))
    state.drafts["groups"] = {"form": {"groups": "Engineering\nSRE"}, "basis": {}}
    state.current_step = StepId.SSO_TAB.value
    store.save(state)
    loaded = store.load()
    assert loaded.existed and not loaded.warning
    assert loaded.state == state
    assert loaded.state.current is StepId.SSO_TAB


def test_the_wizards_own_state_folder_found_open_to_others_is_made_private(tmp_path, monkeypatch):
    monkeypatch.delenv("JUMPCLOUD_PULUMI_SSO_STATE_DIR")
    store = StateStore()  # the default folder, under XDG_STATE_HOME (the test's own)
    store.directory.mkdir(parents=True)
    store.directory.chmod(0o777)
    store.save(WizardState(org="acme"))
    assert stat.S_IMODE(os.stat(store.directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600


def test_a_given_state_folder_loses_only_the_write_bits_of_others(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    folder.chmod(0o777)
    StateStore(folder).save(WizardState(org="acme"))
    # nobody else can replace the saved progress; a project folder stays readable
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o755
    folder.chmod(0o750)
    StateStore(folder).save(WizardState(org="acme"))
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o750


def test_file_is_private_and_written_atomically(tmp_path):
    store = StateStore(tmp_path / "state")
    store.save(WizardState(org="acme"))
    mode = stat.S_IMODE(os.stat(store.path).st_mode)
    assert mode == 0o600
    # no temp files left behind
    assert sorted(p.name for p in store.directory.iterdir()) == ["state.json"]


def test_corrupt_file_is_set_aside_with_a_warning(tmp_path):
    store = StateStore(tmp_path)
    store.path.write_text("{not json", encoding="utf-8")
    result = store.load()
    assert result.state == WizardState()
    assert "not valid JSON" in result.warning and ".bak" in result.warning
    assert store.backup_path.read_text() == "{not json"
    assert not store.path.exists()


def test_unknown_schema_version_is_set_aside(tmp_path):
    store = StateStore(tmp_path)
    store.path.write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1, "org": "acme"}))
    result = store.load()
    assert result.state.org == ""
    assert "schema version" in result.warning
    assert store.backup_path.exists()


def test_wrong_field_types_are_corruption_not_a_crash(tmp_path):
    store = StateStore(tmp_path)
    store.path.write_text(json.dumps({"schema_version": SCHEMA_VERSION, "groups": "not a list"}))
    result = store.load()
    assert result.state == WizardState() and "damaged" in result.warning


def test_no_file_is_a_fresh_start_without_warning(tmp_path):
    result = StateStore(tmp_path / "nothing").load()
    assert result.state == WizardState() and not result.warning and not result.existed


def test_reachable_steps_follow_completion():
    state = WizardState()
    assert state.furthest_reachable() is StepId.WELCOME
    assert not state.can_visit(StepId.SSO_TAB)
    state.set_record(StepId.WELCOME, StepRecord(StepStatus.CONFIRMED))
    state.set_record(StepId.CREATE_APP, StepRecord(StepStatus.VERIFIED))
    assert state.furthest_reachable() is StepId.SSO_TAB
    assert state.can_visit(StepId.SSO_TAB) and not state.can_visit(StepId.GROUPS)
    # a reopened or failed step stops the admin there, like one not started
    for status in (StepStatus.REOPENED, StepStatus.FAILED):
        state.set_record(StepId.CREATE_APP, StepRecord(status))
        assert state.furthest_reachable() is StepId.CREATE_APP and not state.can_visit(StepId.SSO_TAB)


def test_every_state_has_its_own_mark_and_words():
    assert len({s.glyph for s in StepStatus}) == len(StepStatus)
    assert len({s.words for s in StepStatus}) == len(StepStatus)
    assert "done" not in {s.words for s in StepStatus}
    assert {s for s in StepStatus if s.complete} == {
        StepStatus.VERIFIED,
        StepStatus.WARNINGS,
        StepStatus.CONFIRMED,
        StepStatus.SKIPPED,
    }


def test_a_version_1_state_keeps_its_progress_with_the_evidence_it_had(tmp_path):
    store = StateStore(tmp_path)
    store.path.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "org": "acmecorp",
                "idp_url_value": "bitdefender",
                "steps": {
                    "welcome": "done",
                    "create_app": "done",
                    "sso_tab": "done",
                    "groups": "done",
                    "metadata": "warnings",
                    "pulumi": "done",
                    "signin": "failed",
                    "scim": "not_started",
                    "summary": "not_started",
                },
                "pulumi_verification": "verified by API",
                "scim_verification": "",
            }
        )
    )
    result = store.load()
    assert result.existed and not result.warning
    state = result.state
    assert state.org == "acmecorp" and state.schema_version == SCHEMA_VERSION
    assert state.status(StepId.WELCOME) is StepStatus.CONFIRMED  # the admin's word, never "done"
    assert state.status(StepId.METADATA) is StepStatus.WARNINGS
    assert state.status(StepId.PULUMI) is StepStatus.VERIFIED
    assert state.status(StepId.SIGNIN) is StepStatus.FAILED
    assert state.record(StepId.PULUMI).basis is None  # what it rested on: taken as it is now, once


@pytest.mark.parametrize(
    "steps",
    [
        {"welcome": "finished"},
        {"welcome": {"status": "done"}},
        {"welcome": {"status": "verified", "basis": {"org": 3}}},
        {"welcome": {"status": "verified", "note": ["x"]}},
        ["welcome"],
    ],
)
def test_damaged_step_records_are_set_aside(tmp_path, steps):
    store = StateStore(tmp_path)
    store.path.write_text(json.dumps({"schema_version": SCHEMA_VERSION, "org": "acme", "steps": steps}))
    result = store.load()
    assert result.state == WizardState() and "damaged" in result.warning
    assert store.backup_path.exists()


def test_state_holds_no_token_fields():
    names = set(WizardState().__dataclass_fields__)
    assert not any("token" in name or "secret" in name or "password" in name for name in names)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"schema_version": 2, "org": ' + "9" * 5000 + "}", "not valid JSON"),
        ('{"schema_version": 2, "groups": ' + "[" * 100_000 + "]" * 100_000 + "}", "not valid JSON"),
        ('{"schema_version": 2, "org": "a\\udc80"}', ""),
        (b"\xff\xfe{not utf-8", "not UTF-8"),
    ],
    ids=["5000-digit-number", "deep-nesting", "lone-surrogate", "not-utf8"],
)
def test_valid_looking_but_damaged_state_is_set_aside_not_a_crash(tmp_path, content, why):
    store = StateStore(tmp_path)
    if isinstance(content, bytes):
        store.path.write_bytes(content)
    else:
        store.path.write_text(content, encoding="utf-8")
    result = store.load()
    if why:
        assert why in result.warning and store.backup_path.exists()
    store.save(result.state)  # whatever was read can be saved again
    assert StateStore(tmp_path).load().state == result.state


def test_a_state_that_is_not_a_regular_file_is_set_aside_without_reading_it(tmp_path):
    store = StateStore(tmp_path)
    store.path.symlink_to("/dev/zero")  # endless: read without a cap it would fill memory
    result = store.load()
    assert "not a regular file" in result.warning and result.state == WizardState()
    os.mkfifo(store.path)  # nothing writes to it: opening it for reading must not block
    result = store.load()
    assert "not a regular file" in result.warning


def test_a_state_file_over_the_cap_is_set_aside(tmp_path, monkeypatch):
    import wizard.state

    monkeypatch.setattr(wizard.state, "MAX_STATE_BYTES", 1000)
    store = StateStore(tmp_path)
    store.path.write_text(json.dumps({"schema_version": SCHEMA_VERSION, "org": "x" * 2000}))
    assert "larger than" in store.load().warning


def test_temp_files_of_interrupted_writes_are_removed_once_stale(tmp_path):
    store = StateStore(tmp_path)
    stale, fresh = tmp_path / ".state.json-old.tmp", tmp_path / ".state.json-new.tmp"
    stale.write_text("x" * 100)
    fresh.write_text("y")
    os.utime(stale, (0, 0))
    store.load()
    assert not stale.exists() and fresh.exists()  # a write in progress is left alone
