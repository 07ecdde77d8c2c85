"""Pilot: the troubleshooting screen over two different steps, the catalogue search, the file loader.

Responses are made with ``saml_factory`` for the org ``acmecorp``, signed with a key
kept as test data (``tests/data/troubleshoot-test-idp-key.pem``: a TEST-ONLY key,
generated once for these tests and used nowhere else) so the certificate, its
fingerprint and the signatures are the same on every run (the snapshots show them).
Times sit around the app's fixed clock (FIXED_NOW, 2026-11-27 12:00 UTC).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from textual import events
from textual.widgets import Checkbox, Input, TextArea

from screens.signin import SigninScreen
from screens.sso_tab import SsoTabScreen
from screens.troubleshoot import TroubleshootScreen
from tests import saml_factory
from tests.wizard_helpers import FIXED_NOW, complete_before, make_app, settle, type_into, until
from wizard.state import StateStore, StepId, StepStatus, WizardState
from wizard.values import org_values

ORG = "acmecorp"
VALUES = org_values(ORG)
KEY_FILE = Path(__file__).parent / "data" / "troubleshoot-test-idp-key.pem"  # test-only key
ISSUED = FIXED_NOW - timedelta(seconds=40)
CANARY = "canary-7f3c2a@example.com"


@cache
def stored_identity() -> saml_factory.Identity:
    """The committed test key with a certificate built deterministically from it."""
    key = serialization.load_pem_private_key(KEY_FILE.read_bytes(), password=None)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "JumpCloudSAMLIdP"),
            x509.NameAttribute(NameOID.COMMON_NAME, "JumpCloudSAMLUser"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(0x7453_7473)
        .not_valid_before(datetime(2024, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2029, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())  # RSA PKCS#1 v1.5: the same bytes every time
    )
    return saml_factory.Identity(key, cert)


def response(**overrides) -> bytes:
    """A signed JumpCloud-shaped response for acmecorp, issued 40 s before the fixed now."""
    kwargs = dict(
        audience=VALUES.sp_entity_id, destination=VALUES.acs_url, recipient=VALUES.acs_url, issue_instant=ISSUED
    )
    kwargs.update(overrides)
    return saml_factory.signed_response(stored_identity(), **kwargs)


def metadata() -> str:
    return saml_factory.metadata_xml(ident=stored_identity()).decode()


def saved_state_at(step: StepId, *, with_metadata: bool = True) -> WizardState:
    state = WizardState(
        org=ORG,
        has_sso_package=True,
        has_saml_edition=True,
        idp_url_value="pulumi",
        idp_url_acknowledged=True,
        groups=["Engineering"],
        metadata_xml=metadata() if with_metadata else "",
        ticked_rows=["sp_entity_id", "acs_url"]
        if step is StepId.SSO_TAB
        else ["sp_entity_id", "acs_url", "relay_state", "nameid", "nameid_format", "signature_algorithm"],
    )
    complete_before(state, step)
    state.current_step = step.value
    return state


def app_at(tmp_path: Path, step: StepId, **kwargs):
    state_dir = tmp_path / "state"
    StateStore(state_dir).save(saved_state_at(step, **kwargs))
    return make_app(state_dir)


async def resume(pilot, screen_type) -> None:
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "ResumeScreen", what="the resume prompt")
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(pilot.app.screen, screen_type)


async def open_troubleshooting(pilot) -> TroubleshootScreen:
    await pilot.press("ctrl+t")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TroubleshootScreen)
    return pilot.app.screen


async def paste(pilot, text: str | bytes) -> None:
    """What a terminal paste does: a Paste event to the app, which hands it to the focused widget."""
    area = pilot.app.screen.query_one("#response", TextArea)
    area.focus()
    area.clear()
    await pilot.pause()
    pilot.app.post_message(events.Paste(text.decode() if isinstance(text, bytes) else text))
    await pilot.pause()


async def wait_for_diagnosis(pilot, screen: TroubleshootScreen) -> None:
    await settle(pilot)
    assert not screen.busy, "the diagnosis did not finish"


async def diagnose_paste(pilot, text: str | bytes) -> TroubleshootScreen:
    screen = pilot.app.screen
    await paste(pilot, text)
    await pilot.press("ctrl+d")
    await wait_for_diagnosis(pilot, screen)
    return screen


def shown(screen, selector: str) -> str:
    """The text of a widget as shown (rendered wide, so long values stay on one line); '' when hidden."""
    import io

    from rich.console import Console

    widget = screen.query_one(selector)
    if not widget.display:
        return ""
    console = Console(width=240, record=True, color_system=None, file=io.StringIO())
    console.print(widget.content, markup=False)
    return console.export_text().rstrip("\n")


def summary_text(screen) -> str:
    return shown(screen, "#ts-summary")


def line_with(text: str, label: str) -> str:
    return next((line for line in text.splitlines() if label in line), "")


def titles(text: str) -> list[str]:
    return [line[2:] for line in text.splitlines() if line.startswith("● ")]


# ---------------------------------------------------------------------------
# from two different steps


async def test_from_the_sso_tab_step_good_then_wrong_audience_and_back(tmp_path):
    app = app_at(tmp_path, StepId.SSO_TAB)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SsoTabScreen)
        step = app.screen
        await pilot.pause()
        relay = step.query_one("#tick-relay_state", Checkbox)
        relay.focus()
        await pilot.press("space")  # the admin ticks a row, then something fails
        await pilot.pause()
        assert relay.value

        screen = await open_troubleshooting(pilot)
        assert screen.query_one("#ts_org", Input).value == ORG  # prefilled

        # a signed, correct response: response.ok, signature checked with the metadata certificate
        await diagnose_paste(pilot, response())
        assert "response.ok" in screen.report.codes and screen.report.diagnosis.ok
        assert "response.ok" in shown(screen, "#ts-findings")
        assert "Signature checked against the exported metadata's certificate" in shown(screen, "#ts-status")
        summary = summary_text(screen)
        assert VALUES.sp_entity_id in summary and "alice@example.com" in summary
        fp = stored_identity().fingerprint  # on two lines of 16 pairs, never broken inside a pair
        assert "rsa-sha256" in summary and fp[:48] in summary and fp[48:] in summary
        assert "expected" not in summary  # nothing flagged
        assert "<saml:Audience>" in screen.query_one("#ts-pretty", TextArea).text
        assert screen.query_one("#ts-pretty", TextArea).read_only

        # the same org name with a capital: the audience is wrong, shown with the fix and the expected value
        wrong = VALUES.sp_entity_id.replace("acmecorp", "AcmeCorp")
        await diagnose_paste(pilot, saml_factory.as_base64(response(audience=wrong), wrap=76))
        assert "response.audience.mismatch" in screen.report.codes
        findings = shown(screen, "#ts-findings")
        assert "response.audience.mismatch" in findings
        assert f"set SP Entity ID to exactly {VALUES.sp_entity_id}" in findings
        assert "base64 (POST binding)" in line_with(summary_text(screen), "Pasted as")
        summary = summary_text(screen)
        audience_line = next(line for line in summary.splitlines() if "Audience" in line)
        assert "✗" in audience_line and wrong in audience_line
        expected_line = summary.splitlines()[summary.splitlines().index(audience_line) + 1]
        assert "expected" in expected_line and VALUES.sp_entity_id in expected_line
        # the catalogue entry for it, under the findings, filled in for the org
        related = shown(screen, "#ts-related")
        assert "Audience mismatch" in related
        assert "response.audience.mismatch" in related
        assert "{org}" not in related and "{api}" not in related

        # escape: back on the SSO tab step, with its ticks as they were
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is step
        assert step.query_one("#tick-relay_state", Checkbox).value
        assert step.query_one("#tick-sp_entity_id", Checkbox).value
        assert not step.query_one("#tick-nameid", Checkbox).value


async def test_from_the_signin_step_saml_tracer_and_base64_then_back(tmp_path):
    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        step = app.screen
        await pilot.click("#idp_initiated_ok")  # not saved until Next: only the widget holds it
        await pilot.pause()
        assert step.query_one("#idp_initiated_ok", Checkbox).value
        await pilot.click("#troubleshoot")  # the step's own button opens it too
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TroubleshootScreen)

        good = response(in_response_to="_req1")
        await diagnose_paste(pilot, saml_factory.as_saml_tracer(good))
        assert screen.report.codes == ["response.ok"]
        assert "a SAML-tracer export" in line_with(summary_text(screen), "Pasted as")
        assert not shown(screen, "#ts-related")  # nothing wrong, nothing to look up

        await diagnose_paste(pilot, saml_factory.as_urlencoded(good))
        assert screen.report.codes == ["response.ok"]
        await diagnose_paste(pilot, saml_factory.as_form(good))
        assert screen.report.codes == ["response.ok"]

        # expired (an old capture): the finding, its catalogue entry and the time flagged
        old = response(issue_instant=FIXED_NOW - timedelta(hours=3))
        await diagnose_paste(pilot, saml_factory.as_deflate(old))
        assert "response.time.expired" in screen.report.codes
        assert "clock skew" in shown(screen, "#ts-related")
        assert "expected" in summary_text(screen)

        await pilot.press("ctrl+t")  # ctrl+t closes it as well
        await pilot.pause()
        assert app.screen is step
        assert step.query_one("#idp_initiated_ok", Checkbox).value
        assert not step.query_one("#sp_initiated_ok", Checkbox).value
        # ... and the step still works from there
        await pilot.click("#sp_initiated_ok")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.state.status(StepId.SIGNIN) is StepStatus.CONFIRMED


# ---------------------------------------------------------------------------
# the catalogue


async def test_catalogue_search_as_you_type(tmp_path):
    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        search = screen.query_one("#catalogue-search", Input)
        assert screen.focused is search
        everything = shown(screen, "#catalogue-results")
        assert "Members are locked out" in everything and "Email already in use" in everything

        await type_into(pilot, "#catalogue-search", "email already in use")
        results = shown(screen, "#catalogue-results")
        found = titles(results)
        assert found[0] == '"Email already in use" when a member signs in with SAML'
        assert "SCIM provisioning fails with 409 Conflict" in found  # its symptom quotes the same error
        assert len(found) == 2
        assert line_with(results, "Fix ").strip().startswith("Fix") and "Detected by" in results
        assert "2 of" in shown(screen, "#catalogue-count")

        await type_into(pilot, "#catalogue-search", "locked out")
        results = shown(screen, "#catalogue-results")
        assert titles(results) == ["Members are locked out after switching the organisation to SAML"]
        assert "Account Settings > Connect SAML SSO" in results  # the fix
        assert "no automatic check" in results  # this one has no check: says so

        # every word must match, in any order
        await type_into(pilot, "#catalogue-search", "audience case")
        results = shown(screen, "#catalogue-results")
        assert titles(results) == ["Audience mismatch (SP Entity ID wrong, or the org name's case differs)"]
        assert "response.audience.mismatch" in results
        assert "{org}" not in results and "{api}" not in results  # filled in for the org
        await type_into(pilot, "#catalogue-search", "audience zebra")
        assert "Nothing in the catalogue matches" in shown(screen, "#catalogue-results")

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SigninScreen)


# ---------------------------------------------------------------------------
# metadata, org, file, bad input, failures


async def test_without_metadata_the_signature_is_not_checked_and_it_says_so(tmp_path):
    app = app_at(tmp_path, StepId.SIGNIN, with_metadata=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        assert "could not be checked against the metadata" in shown(screen, "#ts-status")
        await diagnose_paste(pilot, response())
        assert "response.signature.unchecked" in screen.report.codes
        assert "could not be checked against the metadata" in shown(screen, "#ts-status")
        assert "not checked" in summary_text(screen)


async def test_with_metadata_a_response_signed_by_another_key_is_caught(tmp_path):
    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        other = saml_factory.signed_response(
            saml_factory.identity("rotated"),
            audience=VALUES.sp_entity_id,
            destination=VALUES.acs_url,
            recipient=VALUES.acs_url,
            issue_instant=ISSUED,
        )
        await diagnose_paste(pilot, other)
        assert "response.cert.mismatch" in screen.report.codes
        summary = summary_text(screen)
        fp = stored_identity().fingerprint  # the metadata's, as the expected value
        assert fp[:48] in summary and fp[48:] in summary
        related = shown(screen, "#ts-related")
        assert "Signature invalid after the certificate was rotated" in related
        # another certificate explains the invalid signature: no alarm about tampering
        assert "tampered" not in related


async def test_the_org_is_editable_and_validated_before_diagnosing(tmp_path):
    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        await paste(pilot, response())
        await wait_for_diagnosis(pilot, screen)
        first = screen.report
        assert first is not None and "response.ok" in first.codes  # a paste is diagnosed at once
        await type_into(pilot, "#ts_org", "acme corp")
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert "no spaces" in shown(screen, "#err-ts_org")
        assert screen.report is first  # not diagnosed again with an unusable org

        await type_into(pilot, "#ts_org", "otherorg")
        await pilot.press("enter")
        await wait_for_diagnosis(pilot, screen)
        assert shown(screen, "#err-ts_org") == ""
        assert "response.audience.mismatch" in screen.report.codes
        assert org_values("otherorg").sp_entity_id in summary_text(screen)
        assert app.state.org == ORG  # the wizard's org is not changed by troubleshooting


async def test_file_loader_reads_any_encoding_and_explains_a_bad_path(tmp_path):
    app = app_at(tmp_path, StepId.SIGNIN)
    saved = tmp_path / "downloads"
    saved.mkdir()
    (saved / "trace.json").write_text(saml_factory.as_saml_tracer(response()))
    (saved / "response.xml").write_bytes(response().decode().encode("utf-16"))
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        await type_into(pilot, "#response_path", str(saved / "missing.txt"))
        await pilot.press("enter")
        await pilot.pause()
        assert "There is no file at" in shown(screen, "#err-response_path")
        assert screen.report is None

        await type_into(pilot, "#response_path", str(saved / "trace.json"))
        await pilot.click("#ts-load")
        await wait_for_diagnosis(pilot, screen)
        assert shown(screen, "#err-response_path") == ""
        assert "response.ok" in screen.report.codes and screen.report.diagnosis.ok
        assert '"requests"' in screen.query_one("#response", TextArea).text  # shown, to check by eye

        await type_into(pilot, "#response_path", str(saved / "response.xml"))
        await pilot.press("ctrl+o")
        await wait_for_diagnosis(pilot, screen)
        assert "response.ok" in screen.report.codes and screen.report.diagnosis.ok

        await type_into(pilot, "#response_path", str(saved))
        await pilot.press("enter")
        await pilot.pause()
        assert "is a folder" in shown(screen, "#err-response_path")


async def test_bad_input_is_a_finding_and_a_crash_is_a_message(tmp_path):
    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        await diagnose_paste(pilot, "Sorry, something went wrong. Error 500")
        assert screen.report.codes == ["response.not_decodable"]
        assert "SAMLResponse" in shown(screen, "#ts-findings")  # says where to copy it from
        await diagnose_paste(pilot, "<samlp:AuthnRequest xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'/>")
        assert "response.not_response" in screen.report.codes
        await diagnose_paste(pilot, '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
        assert "xml.forbidden" in screen.report.codes

        # a bug in the diagnosis: a message on the screen, the paste kept, the app alive
        def broken(*args, **kwargs):
            raise RuntimeError("boom")

        app.diagnose = broken
        good = response().decode()
        await diagnose_paste(pilot, good)
        assert "failed unexpectedly" in shown(screen, "#ts-status") and "boom" in shown(screen, "#ts-status")
        assert screen.report is None and not shown(screen, "#ts-findings")
        assert screen.query_one("#response", TextArea).text == good
        assert not screen.query_one("#ts-run").disabled  # not stuck busy
        assert app.is_running


async def test_a_pasted_response_never_touches_the_disk(tmp_path, capfd):
    app = app_at(tmp_path, StepId.SIGNIN)
    pasted = saml_factory.as_base64(response(nameid=CANARY))
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        await diagnose_paste(pilot, pasted)
        assert CANARY in summary_text(screen)
        await pilot.press("escape")
        await pilot.pause()
        # the step saves the state on its way out
        await pilot.click("#sp_initiated_ok")
        await pilot.click("#idp_initiated_ok")
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.save()
        state_dump = json.dumps(asdict(app.state))
    assert CANARY not in state_dump and pasted[:40] not in state_dump
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written  # the state file at least
    for path in written:
        content = path.read_bytes()
        assert CANARY.encode() not in content and pasted[:40].encode() not in content, path
    out, err = capfd.readouterr()
    assert CANARY not in out + err


# ---------------------------------------------------------------------------
# the glue in wizard/troubleshoot.py, without a terminal


def test_summary_rows_put_the_expected_value_beside_each_flagged_value():
    from wizard.troubleshoot import diagnose_for_org

    wrong_dest = VALUES.acs_url + "/"
    report = diagnose_for_org(
        response(destination=wrong_dest, nameid_format=saml_factory.UNSPECIFIED_FORMAT),
        org=ORG,
        api_base=VALUES.api_base,
        metadata_xml=metadata(),
        now=FIXED_NOW,
    )
    rows = {row.key: row for row in report.rows}
    assert rows["destination"].flagged and rows["destination"].value == wrong_dest
    assert rows["destination"].expected == VALUES.acs_url
    assert rows["nameid_format"].flagged and rows["nameid_format"].expected.endswith("emailAddress")
    assert not rows["audience"].flagged and rows["audience"].expected == ""
    assert rows["issuer"].value == "JumpCloud"
    titles = [entry.title for entry in report.related]
    assert any("ACS URL" in t for t in titles) and "NameID format invalid" in titles
    assert report.signature_checked_against_metadata


async def test_at_80_columns_a_long_value_goes_under_its_label_whole_not_broken_inside(tmp_path):
    """The Audience (56 characters) did not fit beside its label at 80 columns and was
    folded as '…/metada' + 'ta': it now goes on the line under the label, whole."""
    audience = VALUES.sp_entity_id.replace("acmecorp", "AcmeCorp")
    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(80, 24)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        await diagnose_paste(pilot, response(audience=audience))
        summary = screen.query_one("#ts-summary")
        lines = [line.text.rstrip() for line in summary.render_lines(summary.region.reset_offset)]
        assert any(line.strip() == audience for line in lines), lines
        assert any(line.strip() == VALUES.sp_entity_id for line in lines)  # the expected value too
        assert any(line.strip().startswith("Status") and line.strip().endswith("Success") for line in lines)


def test_unreadable_metadata_says_the_signature_could_not_be_checked():
    from wizard.troubleshoot import diagnose_for_org

    report = diagnose_for_org(
        response(), org=ORG, api_base=VALUES.api_base, metadata_xml="<md:EntityDescriptor", now=FIXED_NOW
    )
    assert "could not be read" in report.metadata_note
    assert "could not be checked against the metadata" in report.metadata_note
    assert not report.signature_checked_against_metadata
    assert "response.signature.unchecked" in report.codes


def test_read_response_file_refuses_a_huge_file(tmp_path):
    from wizard.troubleshoot import read_response_file

    big = tmp_path / "big.txt"
    big.write_bytes(b"A" * 2048)
    text, problems = read_response_file(str(big), cap=1024)
    assert text is None and problems[0].code == "response.file.too_large"
    text, problems = read_response_file("   ")
    assert text is None and problems[0].code == "response.file.none"


# ---------------------------------------------------------------------------
# text from the paste is shown inert


async def test_values_from_the_paste_are_shown_inert_and_never_read_as_markup(tmp_path):
    app = app_at(tmp_path, StepId.SIGNIN)
    hostile = "_a\rb\x9bc\u202ed[/]e[link=http://127.0.0.1:9]f"
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        await diagnose_paste(pilot, response(in_response_to=hostile, nameid="al\u202eice@example.com"))
        summary, findings = summary_text(screen), shown(screen, "#ts-findings")
        for text in (summary, findings):
            assert all(c.isprintable() or c == "\n" for c in text), repr(text)
        assert "_a\\u000db\\u009bc\\u202ed[/]e[link=http://127.0.0.1:9]f" in summary
        assert "al\\u202eice@example.com" in summary
        # a notification quoting such a value is plain text too: the toast shows it as
        # written instead of failing on it as bad markup
        screen.notify("Loaded [/]x[bold]y", title="[/]")
        await pilot.pause()
        note = list(app._notifications)[-1]
        assert note.message == "Loaded [/]x[bold]y" and note.markup is False


async def test_a_megabyte_paste_is_held_once_unwrapped_and_diagnosed(tmp_path):
    from screens.troubleshoot import PasteArea

    app = app_at(tmp_path, StepId.SIGNIN)
    big = saml_factory.as_base64(response(attributes=5000))
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        area = screen.query_one("#response", PasteArea)
        await diagnose_paste(pilot, big)
        assert area.text == big and not area.soft_wrap  # pasted once; a megabyte line is not wrapped
        assert "response.ok" in screen.report.codes
        assert screen.query_one("#ts-pretty", TextArea).text.rstrip().endswith("the checks above read all of it.")
        await diagnose_paste(pilot, response())  # a normal paste wraps again
        assert area.soft_wrap and "response.ok" in screen.report.codes


async def test_the_paste_and_its_diagnosis_are_kept_when_troubleshooting_is_closed_and_opened(tmp_path):
    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        pasted = response().decode()
        await paste(pilot, pasted)
        await wait_for_diagnosis(pilot, screen)  # no ctrl+d: the paste starts it
        assert "response.ok" in screen.report.codes
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SigninScreen)
        again = await open_troubleshooting(pilot)
        assert again.query_one("#response", TextArea).text == pasted
        assert "response.ok" in again.report.codes
    # never saved: it may hold personal data
    assert CANARY not in (tmp_path / "state" / "state.json").read_text()
    assert "alice@example.com" not in (tmp_path / "state" / "state.json").read_text()


# ---------------------------------------------------------------------------
# another metadata file, and the moment the response was captured


async def test_a_named_metadata_file_is_what_the_signature_is_checked_against(tmp_path):
    """Step 5 holds another app's export; the admin names the right file and the same
    response verifies; a wrong path is said beside the field and nothing is run."""
    rotated = saml_factory.identity("rotated")
    other_file = tmp_path / "JumpCloud-other-metadata.xml"
    other_file.write_bytes(saml_factory.metadata_xml(ident=rotated))
    signed_by_rotated = saml_factory.signed_response(
        rotated,
        audience=VALUES.sp_entity_id,
        destination=VALUES.acs_url,
        recipient=VALUES.acs_url,
        issue_instant=ISSUED,
    )
    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        assert "metadata exported in step 5" in shown(screen, "#ts-status")
        await diagnose_paste(pilot, signed_by_rotated)
        assert "response.cert.mismatch" in screen.report.codes  # against step 5's export

        screen.query_one("#ts_metadata", Input).value = str(tmp_path / "missing.xml")
        await pilot.press("ctrl+d")
        await wait_for_diagnosis(pilot, screen)
        assert "There is no file at" in str(screen.query_one("#err-ts_metadata").render())
        assert "response.cert.mismatch" in screen.report.codes  # the last diagnosis is kept as it was

        screen.query_one("#ts_metadata", Input).value = str(other_file)
        await pilot.press("ctrl+d")
        await wait_for_diagnosis(pilot, screen)
        assert str(screen.query_one("#err-ts_metadata").render()).strip() == ""
        assert "response.cert.mismatch" not in screen.report.codes
        assert screen.report.signature_checked_against_metadata
        assert f"Signature checked against the certificate in {other_file}" in shown(screen, "#ts-status")


async def test_the_capture_time_is_what_the_times_are_checked_against(tmp_path):
    """A response captured an hour ago has expired now; given the capture time it has not.
    A time that is not one is refused beside its field."""
    captured = FIXED_NOW - timedelta(hours=1)
    old = response(issue_instant=captured - timedelta(seconds=20))
    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        await diagnose_paste(pilot, old)
        assert "response.time.expired" in screen.report.codes
        findings = shown(screen, "#ts-findings")
        assert "Captured (UTC) above the paste" in findings and "--at" not in findings  # the fix names this field

        screen.query_one("#ts_at", Input).value = "an hour ago"
        await pilot.press("ctrl+d")
        await wait_for_diagnosis(pilot, screen)
        assert "is not a date and time" in str(screen.query_one("#err-ts_at").render())
        assert screen.focused is screen.query_one("#ts_at", Input)
        assert "Not diagnosed: fix the field above" in shown(screen, "#ts-status")

        screen.query_one("#ts_at", Input).value = captured.strftime("%Y-%m-%d %H:%M")  # no zone: UTC
        await pilot.press("ctrl+d")
        await wait_for_diagnosis(pilot, screen)
        assert str(screen.query_one("#err-ts_at").render()).strip() == ""
        assert "response.time.expired" not in screen.report.codes
        assert screen.report.diagnosis.ok, screen.report.codes


def test_diagnosis_inputs_default_to_step_5_and_now():
    from wizard.troubleshoot import STEP5_METADATA, diagnosis_inputs

    inputs = diagnosis_inputs("", "", "<step5/>")
    assert (inputs.metadata_xml, inputs.metadata_source, inputs.now, inputs.problems) == (
        "<step5/>",
        STEP5_METADATA,
        None,
        (),
    )
    at = diagnosis_inputs("", "2026-11-30T14:05:00+01:00", "")
    assert at.now == datetime(2026, 11, 30, 13, 5, tzinfo=UTC)
    bad = diagnosis_inputs("/no/such/file.xml", "tomorrow", "<step5/>")
    assert [p.field for p in bad.problems] == ["ts_at", "ts_metadata"]
    assert bad.metadata_xml == ""


async def test_the_decoded_xml_has_a_tab_of_its_own_not_a_scroll_inside_the_results(tmp_path):
    from textual.widgets import TabbedContent

    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        tabs = screen.query_one("#ts-tabs", TabbedContent)
        assert tabs.get_tab("ts-decoded").disabled  # nothing decoded yet
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert tabs.active == "ts-diagnose"
        assert any("Nothing decoded yet" in str(n.message) for n in app._notifications)
        await diagnose_paste(pilot, response())
        assert not screen.query("#ts-results TextArea")  # one scrollbar in the results, not two
        assert not tabs.get_tab("ts-decoded").disabled
        assert "(ctrl+g)" in str(screen.query_one("#ts-pretty-label").render())
        await pilot.press("ctrl+g")  # the key the results name, from the paste box
        await pilot.pause()
        pretty = screen.query_one("#ts-pretty", TextArea)
        assert tabs.active == "ts-decoded" and app.focused is pretty
        assert pretty.region.height > 10 and "<saml:Audience>" in pretty.text
        # one screen line per line of XML: a long line scrolls sideways, its indentation kept
        assert pretty.wrapped_document.height == pretty.document.line_count
        await pilot.press("ctrl+g")  # and back to the diagnosis
        await pilot.pause()
        assert tabs.active == "ts-diagnose"


def test_the_note_says_checked_only_when_a_signature_was():
    from wizard.troubleshoot import diagnose_for_org

    nonsense = diagnose_for_org("hello there, not a response", org=ORG, api_base="", metadata_xml=metadata())
    assert not nonsense.signature_checked_against_metadata
    assert nonsense.metadata_note.startswith("No signature in this paste could be checked against")
    unsigned_xml = saml_factory.to_bytes(
        saml_factory.build_response(audience=VALUES.sp_entity_id, destination=VALUES.acs_url, recipient=VALUES.acs_url)
    )
    unsigned = diagnose_for_org(unsigned_xml, org=ORG, api_base="", metadata_xml=metadata(), now=FIXED_NOW)
    assert not unsigned.signature_checked_against_metadata
    assert unsigned.metadata_note.startswith("No signature in this paste could be checked against")
    signed = diagnose_for_org(response(), org=ORG, api_base="", metadata_xml=metadata(), now=FIXED_NOW)
    assert signed.signature_checked_against_metadata
    assert signed.metadata_note.startswith("Signature checked against the exported metadata's certificate")


async def test_a_paste_over_a_diagnosed_response_replaces_it_and_ctrl_r_clears(tmp_path):
    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        first = response().decode()
        await diagnose_paste(pilot, first)
        area = screen.query_one("#response", TextArea)
        assert area.text == first
        # a second paste with the box untouched since: what is diagnosed is the new one alone
        second = response(audience="https://api.pulumi.com/login/other/sso/saml/metadata").decode()
        area.focus()
        app.post_message(events.Paste(second))
        await wait_for_diagnosis(pilot, screen)
        assert area.text == second
        assert "response.audience.mismatch" in screen.report.codes
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert area.text == "" and screen.report is None
        assert "metadata exported in step 5" in shown(screen, "#ts-status")
        assert not shown(screen, "#ts-summary")


def test_a_capture_time_later_than_now_is_refused():
    from wizard.troubleshoot import diagnosis_inputs

    later = diagnosis_inputs("", "2027-06-01 10:00", "", now=FIXED_NOW)
    assert [(p.code, p.field) for p in later.problems] == [("troubleshoot.at.future", "ts_at")]
    assert diagnosis_inputs("", "2026-11-27 11:00", "", now=FIXED_NOW).problems == ()


async def test_a_response_cut_short_points_to_the_capture_not_to_the_metadata(tmp_path):
    """The paste's first 3,000 characters of base64: not well-formed XML. The known
    problem shown is the paste (copy the whole SAMLResponse again), not 'Pulumi refuses
    the metadata XML', which the same parser's code means for a metadata file."""
    import base64

    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        await diagnose_paste(pilot, base64.b64encode(response()).decode()[:3000])
        assert "xml.malformed" in screen.report.codes
        related = shown(screen, "#ts-related")
        assert "The pasted text is not one whole SAML response" in related
        assert "Pulumi refuses the metadata XML" not in related
        await pilot.press("ctrl+g")  # no decoded XML to show: said so, with where to look
        await pilot.pause()
        assert "did not decode to XML: the diagnosis says why" in str(list(app._notifications)[-1].message)


async def test_a_response_edited_after_signing_points_first_to_tampering_not_rotation(tmp_path):
    """The certificate matches the metadata but a value was changed after JumpCloud
    signed it: the first known problem is the edited response; the rotation entry, which
    needs another certificate, comes after it."""
    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        await diagnose_paste(pilot, saml_factory.tamper_nameid(response()))
        assert "response.signature.invalid" in screen.report.codes
        assert "response.cert.mismatch" not in screen.report.codes
        related = shown(screen, "#ts-related")
        tampered = related.find("The response looks tampered with")
        rotated = related.find("Signature invalid after the certificate was rotated")
        assert 0 <= tampered < rotated, related


def test_a_fingerprint_is_laid_out_on_two_lines_of_whole_pairs():
    from screens.widgets import fold_fingerprints

    fp = stored_identity().fingerprint
    folded = fold_fingerprints(f"{fp} (metadata)")
    first, second = folded.split("\n")
    assert first == fp[:48] and first.endswith(":") and len(first.split(":")) == 17
    assert second == f"{fp[48:]} (metadata)"
    assert fold_fingerprints("rsa-sha256") == "rsa-sha256"  # nothing else is touched


def test_an_invalid_signature_flags_the_signature_verified_row_not_the_algorithm():
    """Edited after signing: the ✗ goes on 'Signature verified: no' (expected yes), not on
    'Signature algorithm', which is rsa-sha256 as expected."""
    from wizard.troubleshoot import diagnose_for_org

    report = diagnose_for_org(
        saml_factory.tamper_nameid(response()), org=ORG, api_base="", metadata_xml=metadata(), now=FIXED_NOW
    )
    flagged = {row.key: row for row in report.rows if row.flagged}
    assert "signature_verified" in flagged and flagged["signature_verified"].expected == "yes"
    assert "signature_algorithm" not in flagged


async def test_an_edit_after_the_diagnosis_says_the_results_are_about_the_paste_as_it_was(tmp_path):
    app = app_at(tmp_path, StepId.SIGNIN)
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        await diagnose_paste(pilot, response().decode())
        assert "changed since it was diagnosed" not in shown(screen, "#ts-status")
        area = screen.query_one("#response", TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.press("x", "y", "z")
        await pilot.pause()
        assert "changed since it was diagnosed" in shown(screen, "#ts-status")
        await pilot.press("backspace", "backspace", "backspace")  # back as it was diagnosed
        await pilot.pause()
        assert "changed since it was diagnosed" not in shown(screen, "#ts-status")
        await pilot.press("x")
        await pilot.press("ctrl+d")
        await wait_for_diagnosis(pilot, screen)
        status = shown(screen, "#ts-status")
        assert "changed since it was diagnosed" not in status
        assert "xml.malformed" in screen.report.codes  # the paste as it is now: an 'x' after the XML


async def test_a_reopened_export_is_said_beside_the_metadata_field(tmp_path):
    """The IdP URL value changed after the export: step 5 is reopened and its export may be
    the old app's. The diagnosis still runs against it, and says so beside the field."""
    from wizard import flow

    state = saved_state_at(StepId.SIGNIN)
    state.idp_url_value = "pulumi-new"
    flow.reconcile(state)
    assert state.status(StepId.METADATA) is StepStatus.REOPENED
    state.current_step = StepId.CREATE_APP.value
    StateStore(tmp_path / "state").save(state)
    app = make_app(tmp_path / "state")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "ResumeScreen", what="the resume prompt")
        await pilot.press("r")
        await settle(pilot)
        screen = await open_troubleshooting(pilot)
        await diagnose_paste(pilot, response())
        note = " ".join(shown(screen, "#err-ts_metadata").split())
        assert "Step 5 is reopened (the IdP URL value changed (pulumi → pulumi-new))" in note
        assert "Export the metadata again on step 5" in note
        assert screen.report is not None  # the diagnosis ran all the same
    # with step 5 accepted, no such note
    fresh = app_at(tmp_path / "other", StepId.SIGNIN)
    async with fresh.run_test(size=(100, 30)) as pilot:
        await resume(pilot, SigninScreen)
        screen = await open_troubleshooting(pilot)
        await diagnose_paste(pilot, response())
        assert shown(screen, "#err-ts_metadata").strip() == ""
