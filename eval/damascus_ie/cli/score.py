"""`damascus-ie score` and `damascus-ie compare`: the harness from the command line."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from damascus_ie.core.problems import InvalidInput, Problem

LAYER_CHOICES = ("entities", "mentions", "events", "attributions")
FORMATS = ("table", "json", "markdown", "csv")


def count(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer >= minimum (a negative bootstrap is a typo, not a request)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value
    return parse


def positive_seconds(text: str) -> float:
    """An argparse type: a number of seconds > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gold", type=Path, metavar="PATH",
                        help="gold to score against: an annotation .json or documents .jsonl (default: the shipped gold)")
    parser.add_argument("--layers", nargs="+", metavar="LAYER",
                        help=f"layers to score (default: all): {', '.join(LAYER_CHOICES)}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lenient", action="store_true",
                        help="drop malformed records (not their documents) with a warning instead of refusing the file")


def fix_layers(args: argparse.Namespace, parser: argparse.ArgumentParser, positionals: tuple[str, ...]) -> None:
    """`--layers entities x.jsonl`: values after --layers that are not layers are the file(s) it swallowed."""
    layers = list(args.layers or [])
    while layers and layers[-1] not in LAYER_CHOICES and any(getattr(args, p) is None for p in positionals):
        empty = [p for p in positionals if getattr(args, p) is None]
        setattr(args, empty[-1], Path(layers.pop()))
        # keep the order: the swallowed values are the first positionals
        values = [getattr(args, p) for p in positionals]
        filled = [v for v in values if v is not None]
        for name, value in zip(positionals, [*filled, *[None] * (len(values) - len(filled))], strict=True):
            setattr(args, name, value)
    unknown = [layer for layer in layers if layer not in LAYER_CHOICES]
    if unknown:
        parser.error(f"unknown layer {unknown[0]!r}; expected one of {', '.join(LAYER_CHOICES)}")
    if args.layers is not None:
        args.layers = layers or None
    missing = [p for p in positionals if getattr(args, p) is None]
    if missing:
        parser.error(f"missing {' and '.join(missing)} (a predictions JSONL file, or - for standard input)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("score", help="score a predictions JSONL against the gold",
                                   description="Score predictions (JSONL, one document per line; - reads standard "
                                               "input) on every layer.")
    parser.add_argument("predictions", type=Path, nargs="?")
    _common(parser)
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("--bootstrap", type=count(0), default=1000, metavar="N", help="bootstrap resamples (0: none)")
    parser.add_argument("--extractor", help="name recorded in the report")
    parser.add_argument("--output", type=Path, help="also write the rendering to this file")
    parser.set_defaults(func=run_score, fix_arguments=lambda args, p: fix_layers(args, p, ("predictions",)))

    compare = subparsers.add_parser("compare", help="paired test: is system A better than system B?",
                                    description="Approximate randomization over sentences, per headline metric.")
    compare.add_argument("a", type=Path, nargs="?")
    compare.add_argument("b", type=Path, nargs="?")
    _common(compare)
    compare.add_argument("--resamples", type=count(1), default=1000)
    compare.add_argument("--format", choices=("table", "json"), default="table")
    compare.set_defaults(func=run_compare, fix_arguments=lambda args, p: fix_layers(args, p, ("a", "b")))


def refuse_overwriting(output: Path | None, inputs: list[Path | None], flag: str = "--output") -> None:
    """An output that is one of the inputs would destroy it: refuse before anything runs."""
    if output is None:
        return
    if output.is_dir():
        raise InvalidInput([Problem(str(output), None, None, flag, "is a directory; give a file name")])
    for given in inputs:
        if given is None or str(given) == "-":
            continue
        if output.resolve() == given.resolve() or (output.exists() and given.exists() and output.samefile(given)):
            raise InvalidInput([Problem(str(output), None, None, flag, f"is the input {given}; writing it would "
                                        "destroy the input", hint="choose another output file")])


def run_score(args: argparse.Namespace) -> int:
    from damascus_ie.core.io import atomic_write_text
    from damascus_ie.harness.scoring import score

    refuse_overwriting(args.output, [args.predictions, args.gold])
    name = args.extractor or ("stdin" if str(args.predictions) == "-" else args.predictions.stem)
    report = score(args.predictions, args.gold, layers=args.layers, extractor=name,
                   settings={"predictions": str(args.predictions), "lenient": args.lenient},
                   bootstrap=args.bootstrap, seed=args.seed, lenient=args.lenient)
    text = report.render(args.format)
    print(text, end="")
    if args.output:
        atomic_write_text(args.output, text)
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from damascus_ie.harness.scoring import compare

    if str(args.a) == "-" and str(args.b) == "-":
        raise InvalidInput([Problem("<arguments>", None, None, None, "only one of A and B can be standard input")])
    results = compare(args.a, args.b, args.gold, layers=args.layers, resamples=args.resamples, seed=args.seed,
                      lenient=args.lenient)
    if args.format == "json":
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'metric':<45} {'A':>7} {'B':>7} {'A-B':>8} {'p':>7}")
    for name, row in results.items():
        print(f"{name:<45} {row['a']:7.3f} {row['b']:7.3f} {row['delta']:+8.3f} {row['p_value']:7.4f}")
    print(f"A = {args.a}, B = {args.b}; p: approximate randomization over sentences, {args.resamples} resamples, "
          "two-sided.")
    return 0
