"""CLI sub-commands: each module has add_arguments(parser) and run(args) -> int; its
one-line help is in wizard.cli.COMMANDS.

The arguments every command shares are defined here once.
"""

from __future__ import annotations

import argparse

from wizard.values import DEFAULT_API_BASE

ORG_HELP = "Pulumi organisation name (case-sensitive)"


def add_org_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--org", required=True, metavar="ORG", help=ORG_HELP)


def add_api_url_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup, *, extra_help: str = "") -> None:
    """``--api-url`` on a parser or an argument group."""
    parser.add_argument(
        "--api-url",
        default=DEFAULT_API_BASE,
        metavar="URL",
        help=f"Pulumi API base URL, for self-hosted Pulumi Cloud (default {DEFAULT_API_BASE}){extra_help}",
    )


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def read_secret(env_var: str, prompt: str, *, max_line: int = 64 * 1024) -> str:
    """A secret from ``env_var``, else standard input: a hidden prompt on a terminal, one
    line from a pipe.  Never from the command line (process lists and shell history)."""
    import os
    import sys

    value = os.environ.get(env_var, "")
    if value.strip():
        return value.strip()
    stdin = sys.stdin
    if stdin is None:
        return ""
    try:
        if stdin.isatty():
            import getpass

            return getpass.getpass(prompt)
        return stdin.readline(max_line)
    except (EOFError, OSError, UnicodeDecodeError):
        return ""
