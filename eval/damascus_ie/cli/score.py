"""`damascus-ie score` and `damascus-ie compare`: the harness from the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

LAYER_CHOICES = ("entities", "mentions", "events", "attributions")
FORMATS = ("table", "json", "markdown", "csv")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gold", type=Path, metavar="PATH",
                        help="gold to score against: an annotation .json or documents .jsonl (default: the shipped gold)")
    parser.add_argument("--layers", nargs="+", choices=LAYER_CHOICES, metavar="LAYER",
                        help=f"layers to score (default: all): {', '.join(LAYER_CHOICES)}")
    parser.add_argument("--seed", type=int, default=0)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("score", help="score a predictions JSONL against the gold",
                                   description="Score predictions (JSONL, one document per line) on every layer.")
    parser.add_argument("predictions", type=Path)
    _common(parser)
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("--lenient", action="store_true", help="skip bad records with a warning instead of refusing")
    parser.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap resamples (0: none)")
    parser.add_argument("--extractor", help="name recorded in the report")
    parser.add_argument("--output", type=Path, help="also write the rendering to this file")
    parser.set_defaults(func=run_score)

    compare = subparsers.add_parser("compare", help="paired test: is system A better than system B?",
                                    description="Approximate randomization over sentences, per headline metric.")
    compare.add_argument("a", type=Path)
    compare.add_argument("b", type=Path)
    _common(compare)
    compare.add_argument("--resamples", type=int, default=1000)
    compare.add_argument("--format", choices=("table", "json"), default="table")
    compare.set_defaults(func=run_compare)


def run_score(args: argparse.Namespace) -> int:
    from damascus_ie.core.io import atomic_write_text
    from damascus_ie.harness.scoring import score

    report = score(args.predictions, args.gold, layers=args.layers, extractor=args.extractor or args.predictions.stem,
                   settings={"predictions": str(args.predictions), "lenient": args.lenient},
                   bootstrap=args.bootstrap, seed=args.seed, lenient=args.lenient)
    text = report.render(args.format)
    print(text, end="")
    if args.output:
        atomic_write_text(args.output, text)
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from damascus_ie.harness.scoring import compare

    results = compare(args.a, args.b, args.gold, layers=args.layers, resamples=args.resamples, seed=args.seed)
    if args.format == "json":
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'metric':<45} {'A':>7} {'B':>7} {'A-B':>8} {'p':>7}")
    for name, row in results.items():
        print(f"{name:<45} {row['a']:7.3f} {row['b']:7.3f} {row['delta']:+8.3f} {row['p_value']:7.4f}")
    print(f"A = {args.a}, B = {args.b}; p: approximate randomization over sentences, {args.resamples} resamples, "
          "two-sided.")
    return 0
