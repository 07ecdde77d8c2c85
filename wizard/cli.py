"""Entry point: ``jumpcloud-pulumi-sso`` and ``python -m wizard``.

No arguments opens the TUI.  Sub-commands are for scripts and CI; they live in
``wizard/commands/<name>.py`` and must not import Textual.  Each such module has
``add_arguments(parser)`` and ``run(args) -> int`` and imports anything heavy inside
``run``; its one-line help is in ``COMMANDS`` here, so that only the command named on
the command line is imported (opening the wizard imports none of them).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from wizard import __version__

PROG = "jumpcloud-pulumi-sso"

# sub-command -> (module under wizard.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "values": (
        "values",
        "print the values to enter in JumpCloud (SSO table, SCIM base URL) for an organisation",
    ),
    "check-metadata": (
        "check_metadata",
        "check an IdP metadata file (JumpCloud's export) the way Pulumi will when you paste it",
    ),
    "status": (
        "status",
        "show what Pulumi Cloud has loaded for the organisation's SAML SSO and when its certificate expires",
    ),
    "rotate": (
        "rotate",
        "replace the IdP metadata (certificate) Pulumi Cloud uses with a new JumpCloud export",
    ),
    "check-scim": (
        "check_scim",
        "check a SCIM token against the live SCIM endpoint (read-only; token from $PULUMI_SCIM_TOKEN or stdin)",
    ),
    "check-jumpcloud": (
        "check_jumpcloud",
        "check the Pulumi app in JumpCloud through its API (SSO tab, groups, metadata); --fix sets what differs",
    ),
    "diagnose": (
        "diagnose",
        "diagnose a SAML response captured during a failed sign-in (what is wrong and how to fix it)",
    ),
}

STATE_DIR_ENV = "JUMPCLOUD_PULUMI_SSO_STATE_DIR"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments:"):
            # Name the options, never the values: a value may be a token typed where it
            # does not belong (`status --token pul-…`), and stderr ends up in CI logs.
            words = message.split(":", 1)[1].split()
            options = sorted({w.split("=", 1)[0] for w in words if w.startswith("-")})
            message = "unrecognized arguments" + (f": {' '.join(options)}" if options else "") + " (values not shown)"
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def _named_command(argv: Sequence[str]) -> str | None:
    """The sub-command on the command line, if any: the first word that is not an
    option or the value of ``--state-dir``."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word == "--state-dir":
            skip = True
        elif word == "--":
            continue
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s module is imported, to add its arguments."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Set up JumpCloud as the SAML single sign-on identity provider for a "
            "Pulumi Cloud organisation. With no command, opens the step-by-step wizard."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        help=f"where the wizard keeps its progress (default: the platform's state folder; also ${STATE_DIR_ENV})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, help_line) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_line, description=help_line)
        if name == command:
            module = importlib.import_module(f"wizard.commands.{module_name}")
            module.add_arguments(cmd)
            cmd.set_defaults(_run=module.run)
    return parser


class _InertStream:
    """stdout or stderr for a sub-command: every character a terminal would act on
    (ESC, CSI, CR, backspace, bidi overrides) is written as a visible escape, whichever
    print wrote it, so a value from a response, a file or an API answer cannot move the
    cursor, retitle the window or reorder text; line feeds pass."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from wizard.inert import inert

        self._stream.write(inert(text, keep_newlines=True))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if not argv:  # the usual launch: straight to the wizard, no parser to build
        return _open_wizard(state_dir=None)
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _InertStream(out), _InertStream(err)
    try:
        parser = build_parser(_named_command(argv))
        args = parser.parse_args(argv)
        if args.command:
            return _run_command(args)
    finally:
        sys.stdout, sys.stderr = out, err
    return _open_wizard(state_dir=args.state_dir)


def _run_command(args: argparse.Namespace) -> int:
    """Run a sub-command: an unexpected error is exit 2 with a short note, never a traceback;
    no library's warning (a deprecation in cryptography, say) is printed to the admin."""
    import warnings

    from wizard.where import on_command_line

    try:
        with warnings.catch_warnings(), on_command_line():
            warnings.simplefilter("ignore")
            return int(args._run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the guard: whatever was missed ends as a short message, not a traceback
        # the exception's text is left out: it could quote a value from the input
        where = ""
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            where = f" at {os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
        sys.stderr.write(
            f"{PROG} {args.command}: internal error ({type(exc).__name__}{where}); nothing more was done.\n"
            "This is a bug in the tool, not in your setup: please report it with the command you ran "
            "(leave out tokens) and this line.\n"
        )
        return 2


def _open_wizard(state_dir: str | None) -> int:
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        if not os.environ.get("JUMPCLOUD_PULUMI_SSO_FORCE_TUI"):
            sys.stderr.write(
                f"{PROG}: error: the wizard needs an interactive terminal; for scripts use a "
                f"command (see '{PROG} --help')\n"
            )
            return 2
    # Start-up makes a few hundred thousand long-lived objects (Textual, its CSS rules,
    # the first screen's widgets), and the cyclic garbage collector would walk them
    # again and again before anything is on screen: about a fifth of the time to the
    # first screen.  It is paused here and resumed once that screen is painted
    # (screens.app.WizardApp.first_screen_painted).
    import gc

    gc.disable()
    from screens.app import run_app  # Textual is imported only here

    return run_app(state_dir=state_dir)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
