"""Entry point: ``jumpcloud-pulumi-sso`` and ``python -m wizard``.

No arguments opens the TUI.  Sub-commands are for scripts and CI; they live in
``wizard/commands/<name>.py`` and must not import Textual.  Each such module has
``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``, and
imports anything heavy inside ``run``, so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from wizard import __version__

PROG = "jumpcloud-pulumi-sso"

# sub-command -> module under wizard.commands (missing modules are skipped)
COMMANDS: dict[str, str] = {
    "values": "values",
    "check-metadata": "check_metadata",
    "status": "status",
    "rotate": "rotate",
    "check-scim": "check_scim",
    "diagnose": "diagnose",
}

STATE_DIR_ENV = "JUMPCLOUD_PULUMI_SSO_STATE_DIR"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
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
        help=f"where the wizard keeps its progress (default: the platform's state folder; "
        f"also ${STATE_DIR_ENV})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(f"wizard.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"wizard.commands.{module_name}":
                continue
            raise
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command:
        try:
            return int(args._run(args))
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:
            return 0
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        if not os.environ.get("JUMPCLOUD_PULUMI_SSO_FORCE_TUI"):
            sys.stderr.write(
                f"{PROG}: error: the wizard needs an interactive terminal; for scripts use a "
                f"command (see '{PROG} --help')\n"
            )
            return 2
    from screens.app import run_app  # Textual is imported only here

    return run_app(state_dir=args.state_dir)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
