"""`damascus-ie` command line: one subcommand per concern, each registered by its own module.

A command module exposes `register(subparsers)`; it adds its parser and sets
`func(args) -> int`. Errors from bad input (`InvalidInput`) print as a list of
problems and exit 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from damascus_ie import __version__
from damascus_ie.core.problems import InvalidInput

COMMAND_MODULES: tuple[str, ...] = (
    "damascus_ie.cli.dataset",
    "damascus_ie.cli.labelstudio",
    "damascus_ie.cli.benchmark",
    "damascus_ie.cli.extract",
    "damascus_ie.cli.score",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="damascus-ie", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"damascus-ie {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InvalidInput as error:
        print(f"damascus-ie {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
