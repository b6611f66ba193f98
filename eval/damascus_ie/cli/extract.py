"""`damascus-ie extract NAME --output preds.jsonl`: one extractor's validated predictions on the test split."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from damascus_ie.cli.benchmark import extractor_options

    parser = subparsers.add_parser("extract", help="run one extractor on the test split and save its predictions")
    parser.add_argument("name", help="extractor name (as for `benchmark --extractors`)")
    parser.add_argument("--output", type=Path, required=True, metavar="PREDS.jsonl")
    extractor_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from damascus_ie.cli.score import refuse_overwriting
    from damascus_ie.core.io import write_jsonl
    from damascus_ie.leaderboard.benchmark import load_test_documents, run_extractor
    from damascus_ie.leaderboard.extractors.llm import cli_options
    from damascus_ie.leaderboard.extractors.registry import needs_gold, resolve, write_sidecar

    refuse_overwriting(args.output, [Path(args.name[5:])] if args.name.startswith("file:") else [])
    extractor = None if needs_gold(args.name) else resolve(args.name, timeout=args.timeout, cmd_mode=args.cmd_mode,
                                                                   llm_options=cli_options(args))
    _, gold = load_test_documents()
    extractor = extractor or resolve(args.name, gold=gold)
    predictions, seconds = run_extractor(extractor, gold, lenient=args.lenient)
    write_jsonl(args.output, predictions)
    sidecar = write_sidecar(args.output, extractor)
    print(f"wrote {len(predictions)} prediction records to {args.output} (how they were made: {sidecar}) in "
          f"{seconds:.1f} s "
          f"(score them with `damascus-ie score {args.output}`)")
    return 0
