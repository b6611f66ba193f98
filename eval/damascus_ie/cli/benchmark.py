"""`damascus-ie benchmark`: run extractors on the test split, print the leaderboard, say where the files went."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUTPUT = Path("out") / "benchmark"


def extractor_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `benchmark` and `extract`: how `cmd:` extractors run, leniency, the `llm` settings."""
    from damascus_ie.cli.score import positive_seconds
    from damascus_ie.leaderboard.extractors.llm import add_cli_options

    parser.add_argument("--timeout", type=positive_seconds, default=120.0, metavar="SECONDS",
                        help="per document, for cmd: extractors; on timeout the command's process group is ended")
    parser.add_argument("--cmd-mode", choices=("stream", "per-document"), default="stream",
                        help="cmd: extractors: one process for the run, JSONL in/out (default), or one per document")
    parser.add_argument("--lenient", action="store_true",
                        help="drop malformed records (not their documents) with a warning instead of refusing")
    add_cli_options(parser)


def register(subparsers: argparse._SubParsersAction) -> None:
    from damascus_ie.leaderboard.extractors.registry import DEFAULT_EXTRACTORS

    parser = subparsers.add_parser(
        "benchmark", help="score extractors on the test split and write the leaderboard",
        description="Extractor names: spacy, spacy-untuned, rules, oracle, empty, an entry point of the "
                    "damascus_ie.extractors group, module:attribute, cmd:<shell command> or file:<predictions.jsonl>; "
                    "llm, llm:<model> or llm:key=value,... for a model behind an OpenAI-compatible endpoint.")
    parser.add_argument("--extractors", nargs="+", metavar="NAME", default=list(DEFAULT_EXTRACTORS))
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR",
                        help="folder for this run's files (replaced: it describes one run)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars (for logs)")
    extractor_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from damascus_ie.core.problems import InvalidInput
    from damascus_ie.leaderboard.benchmark import (
        check_output_folder,
        leaderboard_frame,
        leaderboard_markdown,
        run_benchmark,
        write_results,
    )
    from damascus_ie.leaderboard.extractors.llm import cli_options

    check_output_folder(args.output)
    failures: list = []
    version, gold, runs = run_benchmark(args.extractors, progress=not args.no_progress, lenient=args.lenient,
                                        timeout=args.timeout, cmd_mode=args.cmd_mode, failures=failures,
                                        llm_options=cli_options(args))
    if runs:
        written = write_results(version, gold, runs, args.output)
        print(leaderboard_markdown(leaderboard_frame(runs), version))
        print(f"Wrote {len(written)} files to {args.output}/:")
        for relative in written:
            print(f"  {args.output / relative}")
    if failures:
        failed = len({p.file for p in failures})
        print(f"damascus-ie benchmark: {failed} extractor(s) failed and are not on the leaderboard:",
              file=sys.stderr)
        raise InvalidInput(failures)
    return 0
