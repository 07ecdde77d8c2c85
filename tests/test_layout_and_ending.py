"""Pilot: what an admin meets on every screen (issue 15): ticks that read without colour,
a step list that folds so values fit at 80 columns and are never broken inside, focus
that brings what it lands on into view, step 5's paste box after a file load, Finish
that finishes, and ctrl+q that says what it would leave behind."""

from __future__ import annotations

from screens.confirm import ConfirmScreen
from screens.metadata import MetadataScreen
from screens.scim import ScimScreen
from screens.sso_tab import SsoTabScreen
from screens.summary import SummaryScreen
from screens.widgets import StepList
from tests.exports import GOOD_EXPORT
from tests.wizard_helpers import finished_setup, make_app, resume, saved_app, set_value, settle, tick, until
from wizard.state import StateStore, StepId, StepStatus


def saved_at(tmp_path, step: StepId):
    return saved_app(tmp_path, step)


async def load_export(pilot, path=GOOD_EXPORT) -> None:
    """Step 5: type the export's path and press enter; wait for its check."""
    await set_value(pilot, "#metadata_path", str(path))
    await pilot.press("enter")
    await settle(pilot)


def visible(screen, widget) -> bool:
    """Whether all of ``widget`` is inside the step body's visible area."""
    body = screen.query_one("#body").content_region
    region = widget.region
    return region.height > 0 and body.contains_region(region)


# ---------------------------------------------------------------------------
# ticks


async def test_a_ticked_box_and_an_unticked_one_differ_without_colour(tmp_path):
    app = saved_at(tmp_path, StepId.SSO_TAB)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, SsoTabScreen)
        box = screen.query_one("#tick-sp_entity_id")
        assert not box.value
        unticked = box.render().plain
        await tick(pilot, "#tick-sp_entity_id")
        ticked = box.render().plain
        assert "✓" in ticked and "✓" not in unticked
        assert "X" not in unticked  # Textual's own mark is the same X, told apart only by colour


async def test_the_focused_field_differs_from_the_others_without_colour(tmp_path):
    """Its border's characters change (thin to thick), not only their colour; a compact
    field (troubleshooting's) is underlined."""

    def left_edge(widget) -> str:
        return widget.styles.border_left[0]  # the kind of line its border is drawn with

    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        org, api = screen.query_one("#org"), screen.query_one("#api_base")
        org.focus()
        await pilot.pause()
        assert left_edge(org) != left_edge(api)
        api.focus()
        await pilot.pause()
        assert left_edge(org) == "tall" and left_edge(api) == "thick"
        box = screen.query_one("#has_sso_package")
        assert not box.get_component_rich_style("toggle--label").underline
        box.focus()
        await pilot.pause()
        assert box.get_component_rich_style("toggle--label").underline  # a tick's label, underlined
        await pilot.press("ctrl+t")
        await pilot.pause()
        field = app.screen.query_one("#ts_org")
        field.focus()
        await pilot.pause()
        assert "underline" in str(field.styles.text_style)
        await pilot.press("end", *"x")
        await pilot.pause()
        assert field.styles.border_left[0] in ("", "none")  # no border to hide the one line it has
        assert field.content_size.height == 1 and "x" in field.render_line(0).text  # what is typed shows


async def test_the_focused_app_kind_choice_differs_without_colour(tmp_path):
    from screens.create_app import CreateAppScreen

    app = saved_at(tmp_path, StepId.CREATE_APP)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, CreateAppScreen)
        kinds = screen.query_one("#app_kind")
        kinds.focus()
        await pilot.pause()
        assert kinds.styles.border_left[0] == "thick"
        screen.query_one("#idp_url_value").focus()
        await pilot.pause()
        assert kinds.styles.border_left[0] != "thick"


async def test_a_step_whose_first_field_is_below_its_guide_takes_no_keys_out_of_sight(tmp_path):
    """Step 2 at 80x24 opens at its guide with the app-kind choice below the fold: arrows
    must not change that choice unseen. They scroll the guide; Tab goes to the choice, in view."""
    from screens.create_app import CreateAppScreen

    app = saved_at(tmp_path, StepId.CREATE_APP)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resume(pilot, CreateAppScreen)
        await settle(pilot)
        body, kinds = screen.query_one("#body"), screen.query_one("#app_kind")
        assert not visible(screen, kinds)  # this test's premise: the choice starts below the fold
        assert screen.focused is body
        chosen = kinds.pressed_index
        await pilot.press("down")
        await pilot.pause()
        assert kinds.pressed_index == chosen and body.scroll_y > 0
        await pilot.press("tab")
        await settle(pilot)
        assert screen.focused is kinds and visible(screen, kinds)
    # where the first field is in view (step 1), it has the focus, so typing goes there at once
    fresh = make_app(tmp_path / "fresh")
    async with fresh.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert fresh.screen.focused is fresh.screen.query_one("#org")


# ---------------------------------------------------------------------------
# the step list folds below 100 columns; a value is never broken inside


async def test_below_100_columns_the_step_list_folds_and_ctrl_l_opens_it(tmp_path):
    app = saved_at(tmp_path, StepId.SSO_TAB)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resume(pilot, SsoTabScreen)
        steps = screen.query_one(StepList)
        assert steps.folded and steps.size.width <= 6
        value = screen.query_one("#copy-sp_entity_id .copy-text")
        url = app.values.sp_entity_id
        assert value.size.height == 1  # on one line, not cut in two
        assert url in value.render().plain  # and whole: at 80 columns it fits once folded
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not steps.folded and steps.size.width > 20
        assert "3. SSO tab values" in steps.render().plain
        # opened, the value no longer fits: it stays one line, visibly cut in the middle,
        # never wrapped; its start and its end (what tells the URLs apart) stay in sight
        await pilot.pause()
        assert value.size.height == 1
        shown = value.render_line(0).text.strip()
        head, _, tail = shown.partition("…")
        assert tail and url.startswith(head) and url.endswith(tail) and tail.endswith("/sso/saml/metadata")
        # the choice holds on the next step
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert steps.folded
    app = saved_at(tmp_path / "wide", StepId.SSO_TAB)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, SsoTabScreen)
        assert not screen.query_one(StepList).folded


# ---------------------------------------------------------------------------
# focus brings what it lands on into view


async def test_focusing_row_6_brings_its_value_into_view(tmp_path):
    app = saved_at(tmp_path, StepId.SSO_TAB)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, SsoTabScreen)
        value = screen.query_one("#copy-signature_algorithm .copy-text")
        assert not visible(screen, value)
        screen.query_one("#tick-signature_algorithm").focus()
        await settle(pilot)
        assert visible(screen, value)


async def test_ticking_skip_scim_puts_the_reason_field_in_view_and_typing_lands_there(tmp_path):
    app = saved_at(tmp_path, StepId.SCIM)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, ScimScreen)
        await tick(pilot, "#skip")
        await settle(pilot)
        reason = screen.query_one("#skip_reason")
        assert screen.focused is reason
        assert visible(screen, reason)
        await pilot.press("n", "o", "n", "e")
        assert reason.value == "none"


# ---------------------------------------------------------------------------
# step 5: the paste box after a file is loaded


async def test_loading_a_file_empties_the_paste_box_of_other_xml(tmp_path):
    app = saved_at(tmp_path, StepId.METADATA)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, MetadataScreen)
        await set_value(pilot, "#paste", "<md:EntityDescriptor entityID='old'/>")
        await settle(pilot)
        await load_export(pilot)
        assert screen.report is not None and screen.report.ok
        assert screen.query_one("#paste").text == ""
        assert screen.form()["metadata_xml"] == GOOD_EXPORT.read_text()


# ---------------------------------------------------------------------------
# ending and quitting


async def test_a_folder_given_for_the_record_gets_the_record_s_usual_name_in_it(tmp_path):
    """A folder was refused ('name a file in it'); it now means pulumi-sso-<org>.md in that
    folder, and the field shows the whole path written."""
    state_dir = tmp_path / "state"
    StateStore(state_dir).save(finished_setup(tmp_path, through=StepId.SUMMARY))
    app = make_app(state_dir)
    folder = tmp_path / "My Records"
    folder.mkdir()
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SummaryScreen)
        await set_value(pilot, "#record_path", f"'{folder}'")  # as a terminal pastes a dragged folder
        await pilot.press("ctrl+n")
        await settle(pilot)
        written = folder / "pulumi-sso-acmecorp.md"
        assert written.is_file() and "setup record for `acmecorp`" in written.read_text()
        assert isinstance(app.screen, ConfirmScreen) and str(written) in str(
            app.screen.query_one("#confirm-text").render()
        )
        assert app.state.record_path == str(written)


async def test_finish_writes_the_record_and_offers_to_quit(tmp_path):
    state_dir = tmp_path / "state"
    state = finished_setup(tmp_path, through=StepId.SUMMARY)
    StateStore(state_dir).save(state)
    app = make_app(state_dir)
    record = tmp_path / "record.md"
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SummaryScreen)
        await set_value(pilot, "#record_path", str(record))
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert record.exists()
        assert app.state.status(StepId.SUMMARY) is StepStatus.VERIFIED
        assert isinstance(app.screen, ConfirmScreen)
        said = str(app.screen.query_one("#confirm-text").render())
        assert str(record) in said
        # not "Setup complete": how many steps are verified and how many are the admin's word
        assert "complete" not in said.lower() and "confirmed by you" in said and " verified" in said
        await pilot.press("n")  # stay
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen) and app.is_running
        await pilot.press("ctrl+n")  # Finish again: already written, offers to quit again
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert not app.is_running


async def test_ctrl_q_with_a_checked_export_not_accepted_asks_and_keeps_it(tmp_path):
    app = saved_at(tmp_path, StepId.METADATA)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, MetadataScreen)
        await load_export(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        text = str(app.screen.query_one("#confirm-text").render())
        assert GOOD_EXPORT.name in text and "not accepted" in text
        assert app.screen.focused is app.screen.query_one("#confirm-no")  # enter alone stays
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not app.is_running
    again = make_app(tmp_path / "state")  # what it said is true: step 5 has it again
    async with again.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, MetadataScreen)
        assert screen.report is not None and screen.report.ok
        assert screen.form()["metadata_path"] == str(GOOD_EXPORT)


async def test_ctrl_q_with_nothing_pending_quits_at_once(tmp_path):
    app = saved_at(tmp_path, StepId.SSO_TAB)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SsoTabScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_a_checklist_label_wider_than_the_window_wraps_instead_of_being_cut(tmp_path):
    from screens.pulumi import PulumiScreen
    from wizard.pulumi_step import SWITCH_CHECKLIST

    app = saved_at(tmp_path, StepId.PULUMI)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await resume(pilot, PulumiScreen)
        await pilot.press("ctrl+l")  # the step list open: the narrowest the labels get
        await settle(pilot)
        for item in SWITCH_CHECKLIST:
            box = screen.query_one(f"#switch-{item.key}")
            shown = " ".join(box.render_line(y).text.strip() for y in range(box.size.height))
            assert item.title in shown, (item.key, shown)
            assert "…" not in shown


async def test_an_export_downloaded_while_step_5_is_open_is_offered(tmp_path):
    import shutil

    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    state_dir = tmp_path / "state"
    StateStore(state_dir).save(finished_setup(tmp_path, through=StepId.METADATA))
    app = make_app(state_dir, downloads)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, MetadataScreen)
        found = screen.query_one("#found")
        assert "No JumpCloud-*metadata.xml" in str(found.render())
        typed_focus = screen.focused
        shutil.copy(GOOD_EXPORT, downloads / "JumpCloud-Pulumi-metadata.xml")
        await until(pilot, lambda: "Found:" in str(found.render()), seconds=10, what="the new export to be offered")
        assert not screen.query_one("#use-found").disabled
        assert screen.focused is typed_focus  # a later look never moves the focus


async def test_next_with_a_path_typed_but_not_loaded_loads_it_and_goes_on(tmp_path):
    app = saved_at(tmp_path, StepId.METADATA)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, MetadataScreen)
        screen.query_one("#metadata_path").value = str(GOOD_EXPORT)
        assert screen.report is None
        await pilot.press("ctrl+n")
        await settle(pilot)
        await until(pilot, lambda: not isinstance(app.screen, MetadataScreen), what="step 6")
        assert app.state.status(StepId.METADATA) is StepStatus.VERIFIED


async def test_a_refused_step_says_when_what_it_holds_passes_now(tmp_path):
    from screens.welcome import WelcomeScreen

    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await set_value(pilot, "#org", "acme corp")
        await pilot.press("ctrl+n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WelcomeScreen)
        title = screen.query_one("#step-title")
        assert "✗ failed" in str(title.render())
        await set_value(pilot, "#org", "acmecorp")
        await tick(pilot, "#has_sso_package")
        await tick(pilot, "#has_saml_edition")
        await settle(pilot)
        assert "what is here now passes: press Next" in str(title.render())
        assert str(screen.query_one("#gate-message").render()) == "Passes now: press Next."  # beside Next too
        await set_value(pilot, "#org", "acme corp")
        await settle(pilot)
        assert "✗ not accepted yet: An organisation name has no spaces" in str(title.render())


async def test_the_chosen_kind_of_app_reads_without_colour(tmp_path):
    from screens.create_app import CreateAppScreen

    app = saved_at(tmp_path, StepId.CREATE_APP)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, CreateAppScreen)
        marks = {button.name: button.render().plain[:3] for button in screen.query("#app_kind RadioButton")}
        assert sorted(marks.values()) == sorted(["▐●▌", "▐ ▌"]), marks


async def test_ctrl_q_says_when_the_export_would_not_be_accepted_either(tmp_path):
    state_dir = tmp_path / "state"
    state = finished_setup(tmp_path, through=StepId.METADATA)
    state.idp_entity_id = "JumpCloud"  # the export's is strategicgroupnw: Next refuses it
    StateStore(state_dir).save(state)
    app = make_app(state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, MetadataScreen)
        await load_export(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        text = str(app.screen.query_one("#confirm-text").render())
        assert "Next does not accept it yet" in text and "Next accepts it" not in text


async def test_ctrl_j_shows_the_jumpcloud_key_field_it_focuses(tmp_path):
    from screens.welcome import WelcomeScreen

    app = saved_at(tmp_path, StepId.CREATE_APP)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot)
        await pilot.press("ctrl+b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WelcomeScreen)
        await pilot.press("ctrl+j")
        await settle(pilot)
        key = screen.query_one("#jumpcloud_key")
        assert screen.focused is key
        # the token line above it comes once the lookup answers (maybe after ctrl+j): the
        # key field stays in view all the same
        await until(pilot, lambda: screen.query("#pulumi-token-source"), what="the token line")
        await settle(pilot)
        assert visible(screen, key)  # typing goes where the admin can see it


async def test_a_long_organisation_name_leaves_the_three_urls_told_apart(tmp_path):
    """With a 42-character organisation name the SP Entity ID, ACS URL and Default
    RelayState no longer fit at 80 or 100 columns; cut in the middle, each still shows
    the end that tells it from the others, and the key copies it whole."""
    org = "acme-corporation-platform-engineering-team"
    for size in ((80, 24), (100, 30)):
        state = finished_setup(tmp_path / f"{size[0]}", through=StepId.SSO_TAB)
        state.org = org
        StateStore(tmp_path / f"{size[0]}" / "state").save(state)
        app = make_app(tmp_path / f"{size[0]}" / "state")
        async with app.run_test(size=size) as pilot:
            screen = await resume(pilot, SsoTabScreen)
            shown = {
                key: screen.query_one(f"#copy-{key} .copy-text").render_line(0).text.strip()
                for key in ("sp_entity_id", "acs_url", "relay_state")
            }
            assert all("…" in text for text in shown.values()), shown
            assert shown["sp_entity_id"].endswith("/sso/saml/metadata")
            assert shown["acs_url"].endswith("/sso/saml/acs")
            assert shown["relay_state"].endswith(f"{org[-6:]}/sso")
            assert len(set(shown.values())) == 3
            await pilot.press("2")
            await pilot.pause()
            assert app.clipboard == f"https://api.pulumi.com/login/{org}/sso/saml/acs"


async def test_what_was_entered_is_saved_once_the_admin_pauses_not_only_on_quit(tmp_path):
    """Ticks and text on a step reach the state file about a second after the last
    change: a terminal closed without ctrl+q loses nothing the admin entered. A SCIM
    token typed in the same way never reaches it."""
    state_dir = tmp_path / "state"
    StateStore(state_dir).save(finished_setup(tmp_path, through=StepId.SSO_TAB))
    app = make_app(state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SsoTabScreen)
        await tick(pilot, "#tick-sp_entity_id")
        await tick(pilot, "#tick-acs_url")

        def saved_rows():
            draft = StateStore(state_dir).load().state.drafts.get(StepId.SSO_TAB.value, {})
            return sorted(draft.get("form", {}).get("rows", []))

        await until(pilot, lambda: saved_rows() == ["acs_url", "sp_entity_id"], what="the draft on disk")
    app = saved_at(tmp_path / "scim", StepId.SCIM)
    token = "scim-token-0123456789abcdef-never-on-disk"
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, ScimScreen)
        await set_value(pilot, "#scim_token", token)
        await tick(pilot, "#skip")
        await set_value(pilot, "#skip_reason", "SCIM later, with the IT team")
        await until(
            pilot,
            lambda: "SCIM later" in app.store.path.read_text(encoding="utf-8"),
            what="the skip reason on disk",
        )
        assert token not in app.store.path.read_text(encoding="utf-8")


async def test_group_names_differing_only_in_case_are_pointed_out_before_next(tmp_path):
    from screens.groups import GroupsScreen

    app = saved_at(tmp_path, StepId.GROUPS)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await resume(pilot, GroupsScreen)
        note = screen.query_one("#note-groups")
        assert not note.display
        screen.query_one("#groups").text = "Engineering, engineering"
        await until(pilot, lambda: note.display, what="the note beside the groups")
        said = " ".join(str(note.render()).split())
        assert "'Engineering' and 'engineering' differ only in case" in said
        screen.query_one("#groups").text = "Engineering"
        await until(pilot, lambda: not note.display, what="the note to go")


def test_the_line_under_a_title_says_its_status_word_once():
    from screens.base import status_line
    from wizard.state import StepRecord, WizardState

    state = WizardState()
    state.set_record(StepId.SCIM, StepRecord(StepStatus.SKIPPED, "skipped: provisioning later", {}))
    assert status_line(state, StepId.SCIM) == "» skipped: provisioning later"
    state.set_record(StepId.SCIM, StepRecord(StepStatus.REOPENED, "reopened: the SCIM base URL changed", {}))
    assert status_line(state, StepId.SCIM) == "↺ reopened: the SCIM base URL changed"


async def test_where_the_record_was_written_is_kept_when_an_earlier_step_changes(tmp_path):
    """Written but not finished, then an earlier answer changed: what was typed on step 9
    is dropped with its draft, but the place the record was written is offered again."""
    from screens.groups import GroupsScreen

    state_dir = tmp_path / "state"
    StateStore(state_dir).save(finished_setup(tmp_path, through=StepId.SUMMARY))
    app = make_app(state_dir)
    record = tmp_path / "records" / "acme.md"
    record.parent.mkdir()
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SummaryScreen)
        await set_value(pilot, "#record_path", str(record))
        app.screen.query_one("#write").press()
        await settle(pilot)
        assert record.is_file() and app.state.record_path == str(record)
        app.go_to(StepId.GROUPS)
        await settle(pilot)
        assert isinstance(app.screen, GroupsScreen)
        app.screen.query_one("#groups").text = "Engineering\nPlatform"
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        app.go_to(StepId.SUMMARY)
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert app.screen.query_one("#record_path").value == str(record)
