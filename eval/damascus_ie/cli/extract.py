"""`damascus-ie extract NAME --output preds.jsonl`: one extractor's validated predictions on the test split."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("extract", help="run one extractor on the test split and save its predictions")
    parser.add_argument("name", help="extractor name (as for `benchmark --extractors`)")
    parser.add_argument("--output", type=Path, required=True, metavar="PREDS.jsonl")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from damascus_ie.core.io import write_jsonl
    from damascus_ie.leaderboard.benchmark import load_test_documents, run_extractor
    from damascus_ie.leaderboard.extractors.registry import resolve

    _, gold = load_test_documents()
    predictions, seconds = run_extractor(resolve(args.name, gold=gold), gold)
    write_jsonl(args.output, predictions)
    print(f"wrote {len(predictions)} prediction records to {args.output} in {seconds:.1f} s "
          f"(score them with `damascus-ie benchmark --extractors file:{args.output}`)")
    return 0
