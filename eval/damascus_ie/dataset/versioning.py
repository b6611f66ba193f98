"""New dataset versions: the only way gold changes.

A new version is staged in a scratch copy (gold source, CHANGELOG entry with
the data hash, rebuilt dataset), verified there, and only then swapped in, so
a failure or interruption leaves the checkout as it was.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
from pathlib import Path

from damascus_ie.core.records import normalise
from damascus_ie.dataset.build import data_hash, staged_copy, write_dataset
from damascus_ie.dataset.changelog import CHANGELOG, BumpLevel, bump, entry_text, read_changelog, with_entry
from damascus_ie.core.io import GOLD_SOURCE, atomic_write_text, load_annotation_source, seed_texts
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import LAYERS, Document
from damascus_ie.core.validation import validate_corpus
from damascus_ie.dataset.verify import verify


def gold_source_text(version: str, documents: list[Document]) -> str:
    """annotations/gold.json: layers only (texts and boilerplate live with the seeds)."""
    normalised = sorted((normalise(d) for d in documents), key=lambda d: d["id"])
    docs = [{"id": d["id"], **{layer: d[layer] for layer in LAYERS}} for d in normalised]
    return json.dumps({"version": version, "documents": docs}, ensure_ascii=False, indent=1) + "\n"


def publish_new_version(root: Path, documents: list[Document], changes: list[str], level: BumpLevel = "minor",
                        today: datetime.date | None = None, dry_run: bool = False) -> str:
    """Validate, bump, record, rebuild, verify; then swap the result into `root`. Returns the new version.

    A dry run does all of it in the scratch copy and swaps nothing in, so it refuses exactly what a release would."""
    gold_path = root / GOLD_SOURCE
    problems = validate_corpus(documents, str(gold_path))
    texts = seed_texts(root)
    problems += [Problem(str(gold_path), d["id"], None, "text", "text differs from the seed file")
                 for d in documents if texts.get(d["id"]) != d["text"]]
    if not changes or any(not change.strip() for change in changes):
        problems.append(Problem(str(root / CHANGELOG), None, None, "changes", "a new version needs a list of changes, "
                                "none of them empty", hint="-m \"what changed and why\" (repeatable)"))
    if problems:
        raise InvalidInput(problems)
    digest = data_hash(documents)
    entries = read_changelog(root)
    if entries:
        latest = max(entries.values(), key=lambda entry: tuple(int(x) for x in entry.version.split(".")
                                                                if x.isdigit()))
        if latest.data_sha256 == digest:
            raise InvalidInput([Problem(str(gold_path), None, None, None, f"no label changed since {latest.version} "
                                        f"(same data sha256 {digest[:12]}...): nothing to version")])
    old_version, _ = load_annotation_source(gold_path)
    version = bump(old_version or "0.0.0", level)
    stage = staged_copy(root)
    try:
        atomic_write_text(stage / GOLD_SOURCE, gold_source_text(version, documents))
        changelog = stage / CHANGELOG
        existing = changelog.read_text(encoding="utf-8") if changelog.exists() else ""
        date = (today or datetime.date.today()).isoformat()
        atomic_write_text(changelog, with_entry(existing, entry_text(version, date, digest, changes)))
        write_dataset(stage)
        problems = verify(stage)
        if problems:
            raise InvalidInput(problems)
        if not dry_run:
            _swap_in(stage, root)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return version


def _swap_in(stage: Path, root: Path) -> None:
    """Replace root's dataset/ by the staged one with renames, then the gold source (each step atomic)."""
    old = root / ".dataset.previous"
    shutil.rmtree(old, ignore_errors=True)
    new = root / ".dataset.incoming"
    shutil.rmtree(new, ignore_errors=True)
    shutil.copytree(stage / "dataset", new)
    os.replace(root / "dataset", old)
    try:
        os.replace(new, root / "dataset")
        atomic_write_text(root / GOLD_SOURCE, (stage / GOLD_SOURCE).read_text(encoding="utf-8"))
    except BaseException:
        shutil.rmtree(root / "dataset", ignore_errors=True)
        os.replace(old, root / "dataset")
        raise
    shutil.rmtree(old, ignore_errors=True)
