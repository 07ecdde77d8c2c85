from __future__ import annotations

import json
import subprocess
import sys

import pytest

from wizard import __version__
from wizard.cli import COMMANDS, main


def run_cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True, timeout=60, **kw)


def exit_code(argv: list[str]) -> int:
    """main()'s result, whether it returns it or argparse exits with it."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_values_prints_the_sso_table(capsys):
    assert main(["values", "acmecorp"]) == 0
    out = capsys.readouterr().out
    assert "https://api.pulumi.com/login/acmecorp/sso/saml/metadata" in out
    assert "https://api.pulumi.com/login/acmecorp/sso/saml/acs" in out
    assert "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" in out
    assert "RSA-SHA256" in out
    assert "https://api.pulumi.com/scim/v2/acmecorp" in out


def test_values_json_for_self_hosted(capsys):
    assert main(["values", "Acme.Corp", "--api-url", "https://api.pulumi.example.com", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["self_hosted"] is True
    assert data["values"]["relay_state"] == "https://api.pulumi.example.com/login/Acme.Corp/sso"
    assert data["values"]["scim_base_url"] == "https://api.pulumi.example.com/scim/v2/Acme.Corp"


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["values", "acme corp"], "no spaces"),
        (["values", "acme", "--api-url", "http://api.example.com"], "https://"),
        (["values"], "the following arguments are required: ORG"),
        (["--nope"], "unrecognized arguments"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(argv, fragment, capsys):
    assert exit_code(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_version_and_help_as_a_process():
    result = run_cli("--version")
    assert result.returncode == 0 and __version__ in result.stdout
    result = run_cli("--help")
    assert result.returncode == 0
    assert "values" in result.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_and_its_own_arguments(command, capsys):
    """Each registry entry names a real module whose arguments appear in its help."""
    assert exit_code([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert COMMANDS[command][1][:40] in " ".join(out.split())
    assert "--" in out.split("options:")[-1].replace("-h, --help", "")


def test_a_command_after_state_dir_still_runs(tmp_path, capsys):
    assert main(["--state-dir", str(tmp_path), "values", "acmecorp", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["org"] == "acmecorp"


def modules_after(code: str) -> list[str]:
    """The modules a fresh interpreter has loaded once ``code`` has run."""
    code += "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_opening_the_wizard_imports_no_command_module():
    """Start-up pays only for the wizard: the sub-commands' modules stay unloaded."""
    loaded = modules_after(
        "from wizard.cli import build_parser, _named_command\nbuild_parser(_named_command([])).parse_args([])"
    )
    assert "wizard.cli" in loaded
    assert [m for m in loaded if m.startswith("wizard.commands.")] == []


def test_values_does_not_import_textual():
    loaded = modules_after("from wizard.cli import main\nmain(['values', 'acmecorp', '--json'])")
    assert "wizard.commands.values" in loaded
    assert not [m for m in loaded if m == "textual" or m.startswith("textual.")]


def test_the_tui_refuses_a_non_terminal_clearly():
    result = run_cli(stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert "interactive terminal" in result.stderr
    assert "Traceback" not in result.stderr


def test_console_script_is_the_same_entry():
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="console_scripts") if e.name == "jumpcloud-pulumi-sso"]
    assert ep.value == "wizard.cli:main"


def test_the_domain_package_never_imports_textual_or_screens():
    import ast
    from pathlib import Path

    import wizard

    root = Path(wizard.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in {"textual", "screens"} and not (path.name == "cli.py" and name == "screens.app"):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


@pytest.mark.parametrize("command", ["status", "rotate", "values", "check-metadata"])
def test_a_token_given_as_an_unknown_argument_is_never_echoed(command):
    token = "pul-0123456789abcdef0123456789abcdef01234567"
    done = run_cli(command, "--org", "acmecorp", "--token", token, "--token=" + token, token)
    assert done.returncode == 2
    assert token not in done.stderr and token not in done.stdout
    if command in ("status", "rotate"):
        assert "unrecognized arguments: --token (values not shown)" in done.stderr


def test_an_unexpected_error_in_a_command_is_exit_2_with_a_short_note(monkeypatch, capsys):
    # the guard for whatever a check misses: no traceback, the exception's text (which
    # could quote input) left out, a hint to report it; distinct from exit 1 (a finding)
    import wizard.commands.values as values_command

    def broken(args):
        raise RuntimeError("pul-secretvalue-from-somewhere")

    monkeypatch.setattr(values_command, "run", broken)
    assert main(["values", "acme"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "internal error (RuntimeError at test_cli.py:" in err
    assert "report it" in err and "Traceback" not in err
    assert "pul-secretvalue" not in err


def test_no_library_warning_reaches_the_admin():
    # in a child process: pytest records warnings itself, so only a real process shows
    # what reaches the terminal; -W default shows every warning, as a developer's shell may
    code = (
        "import warnings, wizard.commands.values as v\n"
        "real = v.run\n"
        "def noisy(args):\n"
        "    warnings.warn('a library deprecation', DeprecationWarning)\n"
        "    warnings.warn('CryptographyDeprecationWarning-like', UserWarning)\n"
        "    return real(args)\n"
        "v.run = noisy\n"
        "from wizard.cli import main\n"
        "raise SystemExit(main(['values', 'acme']))\n"
    )
    done = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "deprecation" not in done.stderr
