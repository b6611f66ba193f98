"""Dataset commands: validate, generate, build, verify, bump, release."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from damascus_ie.core.paths import repo_root
from damascus_ie.core.problems import InvalidInput
from damascus_ie.dataset.changelog import BUMP_LEVELS


def _root(args: argparse.Namespace) -> Path:
    return Path(args.root).resolve() if args.root else repo_root()


def _validate(args: argparse.Namespace) -> int:
    from damascus_ie.core.io import GOLD_SOURCE, load_annotated
    from damascus_ie.core.validation import validate_corpus
    from damascus_ie.dataset.seeds import seed_problems

    root = _root(args)
    paths = [Path(p) for p in args.paths] or [root / GOLD_SOURCE]
    problems = list(seed_problems(root))  # a seed text edited after annotation shifts every offset after the edit
    for path in paths:
        try:
            problems += validate_corpus(load_annotated(path, root), str(path))
        except InvalidInput as error:
            problems += error.problems
    if problems:
        raise InvalidInput(problems)
    print(f"valid: {', '.join(str(p) for p in paths)}")
    return 0


def _check_or_write(check: bool, stale: Callable[[], list[str]], write: Callable[[], list[str]], what: str,
                    command: str) -> int:
    """`--check` fails on stale derived files (CI); otherwise the stale ones are rewritten."""
    if check:
        found = stale()
        if found:
            print(f"{what} stale (run `damascus-ie {command}`): " + ", ".join(found), file=sys.stderr)
            return 1
        print(f"{what} up to date")
        return 0
    print(f"{what} written: " + (", ".join(write()) or "nothing (up to date)"))
    return 0


def _generate(args: argparse.Namespace) -> int:
    from damascus_ie.cli.generated import stale_files, write_generated

    root = _root(args)
    return _check_or_write(args.check, lambda: stale_files(root), lambda: write_generated(root),
                           "generated files (schemas/, agreement table):", "generate")


def _build(args: argparse.Namespace) -> int:
    from damascus_ie.dataset.build import stale_dataset_files, write_dataset

    root = _root(args)
    return _check_or_write(args.check, lambda: stale_dataset_files(root), lambda: write_dataset(root),
                           "dataset/ (vs a fresh build from seeds/ and annotations/):", "build")


def _verify(args: argparse.Namespace) -> int:
    from damascus_ie.dataset.verify import summary, verify_or_raise

    root = _root(args)
    verify_or_raise(root)
    print(summary(root))
    return 0


def _bump(args: argparse.Namespace) -> int:
    from damascus_ie.core.io import load_gold
    from damascus_ie.dataset.versioning import publish_new_version

    root = _root(args)
    _, docs = load_gold(root)
    version = publish_new_version(root, docs, args.message, args.level)
    print(f"dataset is now version {version}; review `git diff` and commit")
    return 0


def _agreement(args: argparse.Namespace) -> int:
    from damascus_ie.harness.agreement import agreement_section

    print(agreement_section(_root(args)))
    return 0


def _release(args: argparse.Namespace) -> int:
    from damascus_ie.dataset.release import release

    release(_root(args), args.version, push_to_hub=args.push_to_hub)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("--root", help="repository root (default: this checkout)")
        parser.set_defaults(func=func)
        return parser

    validate = add("validate", _validate, "validate annotation files (default: the gold) against spec and taxonomy")
    validate.add_argument("paths", nargs="*", help="annotation JSON files ({'documents': [...]})")
    generate = add("generate", _generate, "write the files derived from the taxonomy (schemas, Label Studio config)")
    generate.add_argument("--check", action="store_true", help="fail if a committed derived file is stale")
    build = add("build", _build, "build dataset/ (Hugging Face folder) from seeds/ and annotations/")
    build.add_argument("--check", action="store_true", help="fail if dataset/ differs from a fresh build")
    add("verify", _verify, "load every config with datasets.load_dataset and compare with the source records")
    bump_parser = add("bump", _bump, "record the current gold as a new version (CHANGELOG entry, rebuild, verify)")
    bump_parser.add_argument("level", choices=BUMP_LEVELS)
    bump_parser.add_argument("-m", "--message", action="append", required=True, help="a change (repeatable)")
    add("agreement", _agreement, "inter-annotator agreement between the kept passes in dataset/annotator_passes/")
    release = add("release", _release, "tag a verified version vX.Y.Z, optionally push it to the Hugging Face Hub")
    release.add_argument("version")
    release.add_argument("--push-to-hub", metavar="ORG/NAME", help="upload dataset/ and tag it on the Hub (HF_TOKEN)")
