from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.values import (
    DEFAULT_API_BASE,
    NAMEID_EMAIL,
    InvalidValue,
    api_base_problem,
    idp_sso_url,
    idp_url_value_from_location,
    idp_url_value_problem,
    normalize_api_base,
    org_problem,
    org_values,
    scim_base_problem,
)


def test_saas_values_match_pulumi_documentation():
    values = org_values("acmecorp")
    rows = {row.key: row.value for row in values.sso_rows()}
    assert rows == {
        "sp_entity_id": "https://api.pulumi.com/login/acmecorp/sso/saml/metadata",
        "acs_url": "https://api.pulumi.com/login/acmecorp/sso/saml/acs",
        "relay_state": "https://api.pulumi.com/login/acmecorp/sso",
        "nameid": "email",
        "nameid_format": NAMEID_EMAIL,
        "signature_algorithm": "RSA-SHA256",
    }
    assert [row.label for row in values.sso_rows()] == [
        "SP Entity ID",
        "ACS URL",
        "Default RelayState",
        "SAMLSubject NameID",
        "SAMLSubject NameID Format",
        "Signature Algorithm",
    ]
    assert values.scim_base_url == "https://api.pulumi.com/scim/v2/acmecorp"
    assert values.sp_signin_url == "https://app.pulumi.com/signin/sso/"
    assert not values.self_hosted


def test_org_with_dots_dashes_underscores_and_capitals_is_kept_exactly():
    values = org_values("Acme.Corp-Platform_Team")
    assert values.acs_url == "https://api.pulumi.com/login/Acme.Corp-Platform_Team/sso/saml/acs"
    assert values.scim_base_url.endswith("/scim/v2/Acme.Corp-Platform_Team")


def test_self_hosted_api_base_is_normalised_and_used_everywhere():
    values = org_values("acme", "https://API.Pulumi.Example.com/")
    assert values.api_base == "https://api.pulumi.example.com"
    assert values.self_hosted
    assert values.sp_entity_id == "https://api.pulumi.example.com/login/acme/sso/saml/metadata"
    assert values.relay_state == "https://api.pulumi.example.com/login/acme/sso"
    assert values.scim_base_url == "https://api.pulumi.example.com/scim/v2/acme"
    assert values.sp_signin_url == "https://app.pulumi.example.com/signin/sso/"


def test_self_hosted_with_port_and_unknown_console():
    values = org_values("acme", "https://pulumi.internal:8443")
    assert values.acs_url == "https://pulumi.internal:8443/login/acme/sso/saml/acs"
    assert values.sp_signin_url is None


@pytest.mark.parametrize(
    "org, fragment",
    [
        ("", "Enter the organisation name"),
        ("   ", "Enter the organisation name"),
        (" acme", "spaces before or after"),
        ("acme corp", "no spaces"),
        ("acme/infra", "no '/'"),
        ("https://app.pulumi.com/acme", "no '/'"),
        ("acmé", "remove 'é'"),
        ("acme?x", "remove '?'"),
        ("..", "not organisation names"),
    ],
)
def test_bad_org_names_are_refused_with_the_reason(org, fragment):
    problem = org_problem(org)
    assert problem is not None and fragment in problem
    with pytest.raises(InvalidValue):
        org_values(org)


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("", "Enter the API base URL"),
        ("api.pulumi.com", "must start with https://"),
        ("http://api.pulumi.example.com", "must use https://"),
        ("https://api.pulumi.com/api", "remove '/api'"),
        ("https://user:pw@api.pulumi.com", "user name or password"),
        ("https://api.pulumi.com?x=1", "'?…'"),
        ("https://api.pulumi.com:99999", "not a valid URL"),
        ("ftp://api.pulumi.com", "must start with https://"),
        ("https://" + "a" * 100_000 + ".com", "100,012 characters long"),  # httpx refuses it too
        ("https://" + "a" * 64 + ".pulumi.com", "valid host"),  # a DNS label has 63 characters at most
        ("https://" + "a." * 127 + "com", "valid host"),  # a host name has 253 characters at most
        ("https://api..pulumi.com", "valid host"),
        ("https://exa%20mple.com", "valid host"),
        ("https://\u00fc..com", "valid host"),
    ],
)
def test_bad_api_base_urls_are_refused(url, fragment):
    problem = api_base_problem(url)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost:3000", "http://[::1]:9000"])
def test_plain_http_is_accepted_for_loopback_only(url):
    assert api_base_problem(url) is None
    assert normalize_api_base(url + "/").startswith("http://")


def test_default_api_base_has_no_problem():
    assert api_base_problem(DEFAULT_API_BASE) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://api.pulumi.com",
        "https://b\u00fccher.example",
        "https://api.pulumi.com.",
        "https://10.0.0.5:8443",
        "https://[2001:db8::1]",
        "https://my_host.corp",
    ],
)
def test_real_hosts_pass_the_host_check(url):
    assert api_base_problem(url) is None


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("https://api.pulumi.com/scim/v2/acme/Users", "ends before '/Users'"),
        ("https://api.pulumi.com/scim/v2/acme/groups/", "ends before '/groups'"),
        ("https://" + "a" * 64 + ".com/scim/v2/acme", "valid host"),
    ],
)
def test_scim_base_urls_follow_the_same_rule_plus_their_own(url, fragment):
    problem = scim_base_problem(url)
    assert problem is not None and fragment in problem
    assert scim_base_problem("https://api.pulumi.com/scim/v2/acme/") is None


@pytest.mark.parametrize(
    "value, ok",
    [
        ("pulumi-acme", True),
        ("bitdefender", True),
        ("a.b_c-d", True),
        ("", False),
        ("has space", False),
        ("https://sso.jumpcloud.com/saml2/x", False),
        ("a/b", False),
        ("é", False),
    ],
)
def test_idp_url_value_validation(value, ok):
    assert (idp_url_value_problem(value) is None) is ok


def test_idp_url_round_trip():
    assert idp_sso_url("bitdefender") == "https://sso.jumpcloud.com/saml2/bitdefender"
    assert idp_url_value_from_location("https://sso.jumpcloud.com/saml2/bitdefender") == "bitdefender"
    assert idp_url_value_from_location("https://example.okta.com/app/sso/saml") is None


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("https://%65vil.com", "valid host"),
        ("https://evil.com%00.pulumi.com", "valid host"),
        ("https://:@api.pulumi.com", "user name or password"),
        ("https://user@api.pulumi.com", "user name or password"),
        ("https://api.pulumi.com:0", "port 0"),
        ("https://\u0430pi.pulumi.com", "mixes letters of different alphabets"),  # Cyrillic a
        ("https://app.pulumi.com", "web console, not its API: use https://api.pulumi.com"),
        ("https://App.Pulumi.com/", "web console"),
        ("https://" + "a" * 100_000 + ".com", "characters long"),
    ],
)
def test_every_api_url_form_people_slip_into_is_refused_with_a_fix(url, said):
    problem = api_base_problem(url)
    assert problem and said in problem


@pytest.mark.parametrize(
    "url",
    [
        "https://api.pulumi.com",
        "https://pulumi.example.com",
        "http://127.0.0.1:8080",
        "https://[::1]:8443",
        "https://xn--pulumi-example-7fb.com",
    ],
)
def test_good_api_urls_pass(url):
    assert api_base_problem(url) is None


# ---- the one URL rule, over the forms a URL can take ----------------------------------

_HOSTS = st.one_of(
    st.sampled_from(
        [
            "api.pulumi.com",
            "API.Pulumi.com",
            "\u0430pi.pulumi.com",  # Cyrillic a
            "%65vil.com",
            "evil.com%00.pulumi.com",
            "evil.com\x00.pulumi.com",
            "app.pulumi.com",
            "127.0.0.1",
            "[::1]",
            "localhost",
            "b\u00fccher.example",
            "xn--bcher-kva.example",
            "a" * 300 + ".com",
            "exa mple.com",
            "",
            "-bad-.com",
            "good.example.",
            "pulumi.example.com\u202e",
            "[::ffff:127.0.0.1]",
        ]
    ),
    st.text(max_size=12),
)


@settings(max_examples=400, deadline=None)
@given(
    scheme=st.sampled_from(["https://", "http://", "HTTPS://", "ftp://", "", "https:/", "https:///"]),
    userinfo=st.sampled_from(["", "user@", ":@", "a:b@", "@"]),
    host=_HOSTS,
    port=st.sampled_from(["", ":0", ":443", ":8443", ":65535", ":65536", ":-1", ":abc", ":"]),
    tail=st.sampled_from(["", "/", "/api", "?x=1", "#frag", "/%2e%2e", " "]),
)
def test_an_api_url_is_either_refused_with_a_reason_or_safe_to_send_to(scheme, userinfo, host, port, tail):
    import httpx

    url = scheme + userinfo + host + port + tail
    problem = api_base_problem(url)
    if problem is not None:
        assert problem.strip() and problem.isprintable()
        with pytest.raises(InvalidValue):
            normalize_api_base(url)
        return
    base = normalize_api_base(url)
    parsed = httpx.URL(base)  # never httpx.InvalidURL
    assert parsed.scheme == "https" or parsed.host in ("127.0.0.1", "localhost", "::1")
    assert not parsed.userinfo and not parsed.query and parsed.path in ("", "/")
    assert parsed.port is None or 1 <= parsed.port <= 65535
    wire = parsed.raw_host.decode("ascii")  # the host as it goes on the wire (IDNA)
    assert "%" not in wire and "\x00" not in wire and "@" not in wire
    assert wire.lower() != "app.pulumi.com"


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("https://app.pulumi.com/acmecorp", "acmecorp"),
        ("https://app.pulumi.com/Acme.Corp/settings/access-management", "Acme.Corp"),
        ("  https://pulumi.internal.example/acme-corp/  ", "acme-corp"),
        ("acmecorp", None),
        ("https://app.pulumi.com/", None),
        ("https://app.pulumi.com/acme corp", None),
    ],
)
def test_the_organisation_is_taken_out_of_a_pasted_console_url(text, org):
    from wizard.values import org_from_url

    assert org_from_url(text) == org


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("https://sso.jumpcloud.com/saml2/pulumi-acmecorp", "pulumi-acmecorp"),
        ("https://SSO.jumpcloud.com/saml2/pulumi/", "pulumi"),
        ("https://sso.jumpcloud.com/saml2/", None),
        ("https://sso.jumpcloud.com/other/pulumi", None),
        ("pulumi", None),
    ],
)
def test_the_idp_url_value_is_taken_out_of_a_pasted_idp_url(text, value):
    from wizard.values import idp_value_from_url

    assert idp_value_from_url(text) == value


def test_a_whole_idp_url_with_a_bad_value_is_refused_for_its_value_not_for_being_a_url():
    from wizard.values import idp_url_value_problem

    said = idp_url_value_problem("https://sso.jumpcloud.com/saml2/Bit Defender")
    assert said == "The IdP URL value cannot contain spaces; use '-' instead."
    assert "not a JumpCloud IdP URL" in idp_url_value_problem("https://example.com/saml2/bitdefender")
    # Pulumi's URL (the org's, say) is named as Pulumi's: the guide allows JumpCloud's whole URL only
    said = idp_url_value_problem("https://app.pulumi.com/acmecorp")
    assert said is not None and said.startswith("app.pulumi.com is Pulumi's, not the app's IdP URL")


def test_step_two_takes_the_value_out_of_the_whole_idp_url_as_its_guide_allows():
    from wizard.state import StepId, WizardState
    from wizard.steps import STEPS

    state = WizardState(org="acmecorp")
    STEPS[StepId.CREATE_APP].apply(state, {"idp_url_value": "https://sso.jumpcloud.com/saml2/bitdefender/"})
    assert state.idp_url_value == "bitdefender"
