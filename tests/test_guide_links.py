"""The guides' links: each a published source (wizard.links, docs/sources.md), opened in
the browser and copied when clicked, and listed in the command palette."""

from __future__ import annotations

import re

import pytest

import assets
from screens.create_app import CreateAppScreen
from screens.widgets.guide import LINK, render_guide
from tests.wizard_helpers import CopyRecorder, complete_before, make_app, resume
from wizard import links
from wizard.state import StateStore, StepId, WizardState
from wizard.steps import STEPS

GUIDES = sorted({STEPS[step].guide for step in STEPS} | {"troubleshooting"})


@pytest.mark.parametrize("name", GUIDES)
def test_every_link_in_a_guide_is_a_known_source(name):
    for match in LINK.finditer(assets.guide(name)):
        assert match.group("url") in links.ALL_LINKS, f"{name}: {match.group('url')} is not in wizard.links"


def test_the_guides_link_what_the_issue_asks_for():
    text = "\n".join(assets.guide(name) for name in GUIDES)
    for url in (
        links.JUMPCLOUD_INTEGRATE_WITH_PULUMI,
        links.PULUMI_SAML_TROUBLESHOOTING,
        links.PULUMI_SCIM,
        links.JUMPCLOUD_ADMIN_PORTAL,
    ):
        assert f"]({url})" in text
    for words in ("Select Options", "Save Application", "Configure Application", "Identity Provider Metadata"):
        assert words in re.sub(r"\s+", " ", text)
    assert "bulk importing is not supported" in re.sub(r"\s+", " ", text)
    # the IdP URL's custom value is optional in JumpCloud: what it is when left empty, and where it is shown
    step2 = re.sub(r"\s+", " ", assets.guide("create_app"))
    assert "https://sso.jumpcloud.com/saml2/<application name>" in step2 and "SSO IdP URL" in step2


def test_a_link_is_shown_as_its_words_and_clicking_runs_open_link():
    text = render_guide("See [Pulumi's page](https://www.pulumi.com/docs/x/) now.")
    assert text.plain == "See Pulumi's page now."
    span = next(s for s in text.spans if "@click" in getattr(s.style, "meta", {}))
    assert text.plain[span.start : span.end] == "Pulumi's page"
    assert span.style.meta["@click"] == "app.open_link('https://www.pulumi.com/docs/x/')"


async def test_open_link_opens_the_browser_copies_and_is_in_the_palette(tmp_path, monkeypatch):
    state = complete_before(WizardState(org="acmecorp", has_sso_package=True, has_saml_edition=True), StepId.CREATE_APP)
    StateStore(tmp_path / "state").save(state)
    recorder = CopyRecorder()
    app = make_app(tmp_path / "state", recorder=recorder)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, CreateAppScreen)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Open JumpCloud: Integrate with Pulumi" in titles
        app.action_open_link(links.JUMPCLOUD_INTEGRATE_WITH_PULUMI)
        await pilot.pause()
        assert opened == [links.JUMPCLOUD_INTEGRATE_WITH_PULUMI]
        assert recorder.copied[-1] == links.JUMPCLOUD_INTEGRATE_WITH_PULUMI
        # a long address is shown whole in the notice (it may be selected by hand from there)
        app.action_open_link(links.PULUMI_SAML_TROUBLESHOOTING)
        await pilot.pause()
        assert len(links.PULUMI_SAML_TROUBLESHOOTING) > 60
        assert links.PULUMI_SAML_TROUBLESHOOTING in list(app._notifications)[-1].message


async def test_clicking_a_link_in_the_guide_opens_it(tmp_path, monkeypatch):
    state = complete_before(WizardState(org="acmecorp", has_sso_package=True, has_saml_edition=True), StepId.CREATE_APP)
    StateStore(tmp_path / "state").save(state)
    app = make_app(tmp_path / "state")
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(100, 30)) as pilot:
        await resume(pilot, CreateAppScreen)
        guide = app.screen.query_one(".guide")
        first_line = guide.render_line(0).text
        column = first_line.index("JumpCloud Admin Portal") + 3
        await pilot.click(guide, offset=(column, 0))
        await pilot.pause()
        assert opened == [links.JUMPCLOUD_ADMIN_PORTAL]
