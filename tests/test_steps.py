from __future__ import annotations

import pytest

from tests.exports import GOOD_EXPORT
from wizard.files import named_path
from wizard.findings import has_errors
from wizard.steps import (
    check_create_app,
    check_groups,
    check_prerequisites,
    check_record_path,
    check_scim_skip,
    check_signin,
    check_sso_tab,
    load_metadata_file,
    parse_groups,
)
from wizard.values import org_values


def fields(findings):
    return {f.field for f in findings if f.is_error}


def test_prerequisites_gate_names_each_missing_thing():
    findings = check_prerequisites("", "https://api.pulumi.com", False, False)
    assert fields(findings) == {"org", "has_sso_package", "has_saml_edition"}
    assert not has_errors(check_prerequisites("acme", "https://api.pulumi.com", True, True))
    assert fields(check_prerequisites("acme", "http://pulumi.example.com", True, True)) == {"api_base"}


def test_create_app_requires_a_valid_value_and_the_acknowledgement():
    assert fields(check_create_app("connector", "https://sso.jumpcloud.com/saml2/x", "Pulumi", True)) == {
        "idp_url_value"
    }
    unack = check_create_app("custom", "pulumi-acme", "Pulumi", False)
    assert fields(unack) == {"acknowledged"}
    assert "https://sso.jumpcloud.com/saml2/pulumi-acme" in unack[0].message
    assert fields(check_create_app("connector", "pulumi-acme", "  ", True)) == {"display_name"}
    assert not has_errors(check_create_app("connector", "pulumi-acme", "Pulumi", True))


def test_sso_tab_lists_the_rows_not_ticked():
    values = org_values("acme")
    findings = check_sso_tab(values, {"sp_entity_id", "acs_url"}, "JumpCloud")
    assert has_errors(findings)
    assert "Default RelayState" in findings[0].message and "ACS URL" not in findings[0].message
    assert not has_errors(check_sso_tab(values, [r.key for r in values.sso_rows()] + ["idp_entity_id"], "JumpCloud"))


def test_groups_are_parsed_from_lines_or_commas_without_duplicates():
    assert parse_groups("Engineering, SRE\n\n SRE \nPlatform; Data") == ["Engineering", "SRE", "Platform", "Data"]
    assert fields(check_groups([])) == {"groups"}
    assert not has_errors(check_groups(["Engineering"]))


def test_group_names_differing_only_in_case_are_both_kept_and_pointed_out():
    """Nothing says JumpCloud takes 'SRE' and 'sre' for one group: neither is dropped
    unseen; the step says they differ only in case, and does not refuse them."""
    groups = parse_groups("Engineering, SRE\n sre")
    assert groups == ["Engineering", "SRE", "sre"]
    found = check_groups(groups)
    assert not has_errors(found)
    note = next(f for f in found if f.code == "step.groups.case_only")
    assert "'SRE' and 'sre' differ only in case" in note.message and note.field == "groups"


def test_signin_needs_both_ways_reported():
    assert fields(check_signin(True, False)) == {"sp_initiated_ok"}
    assert not has_errors(check_signin(True, True))


def test_scim_skip_needs_a_reason():
    assert fields(check_scim_skip(" ")) == {"skip_reason"}
    assert not has_errors(check_scim_skip("no Enterprise edition"))


def test_record_path_checks(tmp_path):
    assert fields(check_record_path(str(tmp_path))) == {"record_path"}
    assert fields(check_record_path(str(tmp_path / "missing" / "x.md"))) == {"record_path"}
    assert not has_errors(check_record_path(str(tmp_path / "record.md")))
    (tmp_path / "old.md").write_text("x")
    assert [f.code for f in check_record_path(str(tmp_path / "old.md"))] == ["step.record.exists"]


def test_metadata_file_problems_are_named(tmp_path):
    assert load_metadata_file("")[1][0].code == "metadata.file.none"
    assert load_metadata_file(str(tmp_path / "nope.xml"))[1][0].code == "metadata.file.missing"
    assert load_metadata_file(str(tmp_path))[1][0].code == "metadata.file.is_dir"
    big = tmp_path / "big.xml"
    big.write_bytes(b"<" * 5000)
    data, problems = load_metadata_file(str(big), cap=1000)
    assert problems == [] and len(data) == 1001  # the parser then reports it as too large


@pytest.mark.parametrize(
    "pasted",
    [
        "'{dir}/My Files/jc.xml'",  # GNOME Terminal and others quote a dragged file's path
        '"{dir}/My Files/jc.xml"',
        "{dir}/My\\ Files/jc.xml",  # macOS Terminal escapes its spaces
        "file://{dir}/My%20Files/jc.xml",  # a file manager's URL
        "  {dir}/My Files/jc.xml  ",
    ],
)
def test_a_path_pasted_as_a_terminal_or_file_manager_gives_it_is_read(tmp_path, pasted):
    folder = tmp_path / "My Files"
    folder.mkdir()
    (folder / "jc.xml").write_bytes(GOOD_EXPORT.read_bytes())
    data, problems = load_metadata_file(pasted.format(dir=tmp_path))
    assert problems == [] and data == GOOD_EXPORT.read_bytes()
    # the record is written to the file named, not to one whose name has quotes in it
    assert not has_errors(check_record_path(f"'{tmp_path}/record.md'"))
    assert named_path(f"'{tmp_path}/record.md'") == tmp_path / "record.md"


def test_the_record_target_of_a_folder_is_the_usual_name_in_it(tmp_path):
    from wizard.steps import record_target

    assert record_target(str(tmp_path), "acmecorp") == str(tmp_path / "pulumi-sso-acmecorp.md")
    assert record_target(str(tmp_path / "mine.md"), "acmecorp") == str(tmp_path / "mine.md")
    assert record_target(str(tmp_path / "missing" / "x.md"), "acmecorp") == str(tmp_path / "missing" / "x.md")
    assert record_target("", "acmecorp") == ""


def test_a_path_that_exists_as_typed_is_taken_as_typed(tmp_path):
    odd = tmp_path / "'quoted'.xml"  # a file whose name really has quotes
    odd.write_bytes(GOOD_EXPORT.read_bytes())
    assert named_path(str(odd)) == odd
    assert load_metadata_file(str(odd))[1] == []
    assert load_metadata_file(f"'{tmp_path}/absent.xml'")[1][0].message == f"There is no file at {tmp_path}/absent.xml."


def test_the_default_display_name_follows_the_seed_guide():
    from wizard.state import WizardState

    assert WizardState().display_name == "Pulumi Cloud"


def test_a_bad_jumpcloud_address_on_step_1_is_refused_beside_its_field_not_a_crash():
    from wizard import flow
    from wizard.state import StepId, WizardState

    form = {
        "org": "acmecorp",
        "api_base": "https://api.pulumi.com",
        "has_sso_package": True,
        "has_saml_edition": True,
        "jumpcloud_url": "http://console.jumpcloud.com",
    }
    outcome = flow.submit(WizardState(), StepId.WELCOME, form)
    assert not outcome.passed
    refused = [f for f in outcome.verdict.findings if f.is_error]
    assert [(f.code, f.field) for f in refused] == [("step.jumpcloud_url", "jumpcloud_url")]
    assert "console.eu.jumpcloud.com" in refused[0].fix and "console.in.jumpcloud.com" in refused[0].fix
