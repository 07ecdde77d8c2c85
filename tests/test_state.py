from __future__ import annotations

import json
import os
import stat

from wizard.state import SCHEMA_VERSION, StateStore, StepId, StepStatus, WizardState


def test_round_trip_keeps_everything(tmp_path):
    store = StateStore(tmp_path / "state")
    state = WizardState(org="Acme.Corp", idp_url_value="pulumi-acme", groups=["Engineering", "SRE"])
    state.set_status(StepId.WELCOME, StepStatus.DONE)
    state.set_status(StepId.CREATE_APP, StepStatus.WARNINGS)
    state.current_step = StepId.SSO_TAB.value
    store.save(state)
    loaded = store.load()
    assert loaded.existed and not loaded.warning
    assert loaded.state == state
    assert loaded.state.current is StepId.SSO_TAB


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
    state.set_status(StepId.WELCOME, StepStatus.DONE)
    state.set_status(StepId.CREATE_APP, StepStatus.WARNINGS)
    assert state.furthest_reachable() is StepId.SSO_TAB
    assert state.can_visit(StepId.SSO_TAB) and not state.can_visit(StepId.GROUPS)


def test_state_holds_no_token_fields():
    names = set(WizardState().__dataclass_fields__)
    assert not any("token" in name or "secret" in name or "password" in name for name in names)
