"""`damascus-ie` command line: one subcommand per concern, each registered by its own module.

A command module exposes `register(subparsers)`; it adds its parser and sets
`func(args) -> int`. Errors from bad input (`InvalidInput`) print as a list of
problems and exit 2, never as a traceback; anything else unexpected prints one
line saying it is a bug (exit 1; DAMASCUS_IE_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from damascus_ie.core.problems import InvalidInput

COMMAND_MODULES: tuple[str, ...] = (
    "damascus_ie.cli.dataset",
    "damascus_ie.cli.labelstudio",
    "damascus_ie.cli.benchmark",
    "damascus_ie.cli.extract",
    "damascus_ie.cli.llm",
    "damascus_ie.cli.score",
)


class _Version(argparse.Action):
    """Like action="version", but reads the installed version only when asked (it costs start-up time)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        import damascus_ie

        print(f"damascus-ie {damascus_ie.__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="damascus-ie", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    fix = getattr(args, "fix_arguments", None)
    try:
        if fix is not None:
            fix(args, parser)
        return int(args.func(args) or 0)
    except InvalidInput as error:
        print(f"damascus-ie {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"damascus-ie {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: one line, not a traceback, unless asked for
        if os.environ.get("DAMASCUS_IE_DEBUG"):
            raise
        print(f"damascus-ie {args.command}: internal error ({type(error).__name__}: {error}); this is a bug, please "
              "report it (DAMASCUS_IE_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
