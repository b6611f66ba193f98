"""`damascus-ie benchmark`: run extractors on the test split, print the leaderboard, say where the files went."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_OUTPUT = Path("out") / "benchmark"


def register(subparsers: argparse._SubParsersAction) -> None:
    from damascus_ie.leaderboard.extractors.registry import DEFAULT_EXTRACTORS

    parser = subparsers.add_parser(
        "benchmark", help="score extractors on the test split and write the leaderboard",
        description="Extractor names: spacy, rules, oracle, empty, an entry point of the damascus_ie.extractors "
                    "group, module:attribute, cmd:<shell command> or file:<predictions.jsonl>.")
    parser.add_argument("--extractors", nargs="+", metavar="NAME", default=list(DEFAULT_EXTRACTORS))
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars (for logs)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from damascus_ie.leaderboard.benchmark import leaderboard_frame, leaderboard_markdown, run_benchmark, write_results

    version, gold, runs = run_benchmark(args.extractors, progress=not args.no_progress)
    written = write_results(version, gold, runs, args.output)
    print(leaderboard_markdown(leaderboard_frame(runs), version))
    print(f"Wrote {len(written)} files to {args.output}/:")
    for relative in written:
        print(f"  {args.output / relative}")
    return 0
