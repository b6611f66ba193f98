"""The benchmark: load the test split as users do, run extractors, score them with the harness, write the results.

The gold comes through `datasets.load_dataset` with a fresh cache (never a
stale one, see shared/notes/hf-datasets.md), so the leaderboard scores what is
published. Extractors see only each document's id, text and boilerplate. Every
prediction is validated before scoring: a broken extractor fails with its
problems listed, it is never silently scored as empty.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from damascus_ie.core.io import atomic_write_text, canonical_jsonl, write_json
from damascus_ie.core.paths import repo_root
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import Document
from damascus_ie.core.tables import markdown_table
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.harness.predictions import check_record
from damascus_ie.harness.report import LAYER_HEADLINE
from damascus_ie.leaderboard.error_page import grounded, write_error_page
from damascus_ie.leaderboard.extractors.base import Extractor, Prediction, input_view, tuned_on_test_texts
from damascus_ie.leaderboard.extractors.registry import resolve, sidecar_path


@dataclass
class Run:
    """One extractor's outcome: its predictions, how long it took, and the harness's report."""

    extractor: Extractor
    predictions: list[Prediction]
    seconds: float
    report: Any

    @property
    def slug(self) -> str:
        return slug(self.extractor.name)

    @property
    def predictions_jsonl(self) -> str:
        """The predictions as written to predictions/<slug>.jsonl; its sha256 identifies the row."""
        return canonical_jsonl(self.predictions)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.predictions_jsonl.encode("utf-8")).hexdigest()

    def scored_predictions(self, gold: list[Document]) -> list[Prediction]:
        """The predictions with text-anchored spans grounded, as the harness scored them."""
        by_id = {doc["id"]: doc for doc in gold}
        return [grounded(by_id[p["id"]], p)[0] if p.get("id") in by_id else p for p in self.predictions]


def slug(name: str) -> str:
    """A file-name-safe form of an extractor name ("cmd:./x.sh" -> "cmd-x-sh")."""
    return re.sub(r"[^A-Za-z0-9_.]+", "-", name).strip("-.") or "extractor"


def load_test_documents(root: Path | None = None) -> tuple[str, list[Document]]:
    """The published test split, loaded with `datasets` and decoded back to spec records: (version, documents)."""
    from datasets import load_dataset
    from datasets.utils.logging import disable_progress_bar

    from damascus_ie.dataset.verify import decode

    disable_progress_bar()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    dataset_dir = (root or repo_root()) / "dataset"
    if not (dataset_dir / "README.md").exists():
        raise InvalidInput([Problem(str(dataset_dir), None, None, None, "no dataset here; run `damascus-ie build`")])
    with tempfile.TemporaryDirectory(prefix="damascus-ie-bench-cache-") as cache:
        loaded = load_dataset(str(dataset_dir), "documents", split="test", cache_dir=cache)
        documents = [decode(row, loaded.features) for row in loaded]
    return str(loaded.info.version), documents


def run_extractor(extractor: Extractor, documents: list[Document], progress: bool = True) -> tuple[list[Prediction], float]:
    """Predictions for every document (validated against the document's text), and the wall time they took.

    Validation is the harness's own (text-anchored spans grounded first): errors stop the run with every
    problem listed; warnings (wrong but interpretable) are left for the report to count.
    """
    taxonomy = load_taxonomy()
    predictions: list[Prediction] = []
    problems: list[Problem] = []
    started = time.perf_counter()
    for document in tqdm(documents, desc=extractor.name, unit="doc", disable=not progress, leave=False):
        prediction = extractor.extract(input_view(document))
        if not isinstance(prediction, dict):
            problems.append(Problem(extractor.name, document["id"], None, None, "extract() did not return a record"))
            continue
        prediction = {**prediction, "id": prediction.get("id", document["id"])}
        checked = check_record(prediction, extractor.name, None, {document["id"]: document}, set(), taxonomy).checked
        problems += [problem for problem in checked.problems if problem.severity == "error"]
        predictions.append(prediction)
    if problems:
        raise InvalidInput(problems)
    return predictions, time.perf_counter() - started


def run_benchmark(names: list[str], root: Path | None = None, progress: bool = True) -> tuple[str, list[Document],
                                                                                              list[Run]]:
    """Loads the gold once, then resolves, runs and scores each extractor in turn: (version, gold, runs)."""
    from damascus_ie.harness.scoring import score  # imported here so the CLI starts without loading the harness
    version, gold = load_test_documents(root)
    runs: list[Run] = []
    for name in names:
        extractor = resolve(name, gold=gold)
        predictions, seconds = run_extractor(extractor, gold, progress)
        report = score(predictions, gold, extractor=extractor.name, settings=extractor.settings)
        report.dataset_version = version  # the gold came as documents; say which published version they were
        run = Run(extractor, predictions, seconds, report)
        report.tuned_on_test_texts = tuned_on_test_texts(extractor)
        report.predictions_sha256 = run.sha256
        runs.append(run)
    return version, gold, runs


PROVENANCE: tuple[str, ...] = ("tuned on test texts", "dataset", "harness", "predictions sha256", "settings")


def yes_no(flag: bool | None) -> str:
    return "unknown" if flag is None else ("yes" if flag else "no")


def leaderboard_frame(runs: list[Run]) -> pd.DataFrame:
    """One row per extractor: each layer's headline F1 (report.LAYER_HEADLINE) with its 95% interval, speed,
    and how the row was made: whether the extractor was developed with the test texts visible, the dataset
    and harness versions, the sha256 of its predictions (predictions/<slug>.jsonl) and its settings."""
    rows = []
    for run in runs:
        row: dict[str, Any] = {"extractor": run.extractor.name}
        for name in LAYER_HEADLINE.values():
            low, high = run.report.intervals.get(name, (math.nan, math.nan))
            row.update({name: run.report.headline.get(name, math.nan), f"{name} low": low, f"{name} high": high})
        row["docs/s"] = len(run.predictions) / run.seconds if run.seconds > 0 else math.inf
        row.update({"tuned on test texts": yes_no(run.report.tuned_on_test_texts),
                    "dataset": run.report.dataset_version, "harness": run.report.harness_version,
                    "predictions sha256": run.report.predictions_sha256,
                    "settings": json.dumps(run.report.settings, ensure_ascii=False, sort_keys=True)})
        rows.append(row)
    return pd.DataFrame(rows)


def leaderboard_markdown(frame: pd.DataFrame, version: str) -> str:
    """The leaderboard as a Markdown table, each score as "value [low, high]", then how each row was made."""
    names = list(LAYER_HEADLINE.values())
    records = frame.to_dict("records")
    rows = [(row["extractor"], row["tuned on test texts"],
             *(f"{row[n]:.3f} [{row[f'{n} low']:.3f}, {row[f'{n} high']:.3f}]" for n in names),
             f"{row['docs/s']:.1f}") for row in records]
    made = [(row["extractor"], row["tuned on test texts"], row["dataset"], row["harness"],
             f"`{str(row['predictions sha256'])[:16]}`", f"`{row['settings']}`") for row in records]
    return (f"# Damascus-IE leaderboard (dataset {version})\n\n"
            "Headline F1 per layer with 95% bootstrap confidence intervals. \"tuned on test texts: yes\" marks an "
            "extractor developed with these test documents in view (its word lists or rules were written "
            "reading them): an upper reference for its kind, not a baseline.\n\n"
            + markdown_table(("extractor", "tuned on test texts", *names, "docs/s"), rows) + "\n\n"
            "## How each row was made\n\n"
            "The predictions behind a row are `predictions/<extractor>.jsonl` (one canonical JSON record per line); "
            "`damascus-ie benchmark --extractors file:<that file>` reproduces the row, and the sha256 "
            "(first 16 hex digits here, all 64 in leaderboard.csv and the JSON report) identifies it.\n\n"
            + markdown_table(("extractor", *PROVENANCE[:3], "predictions sha256", "settings"), made) + "\n")


def write_results(version: str, gold: list[Document], runs: list[Run], output: Path) -> dict[str, Path]:
    """Leaderboard (Markdown, CSV), and per extractor its predictions (with a sidecar saying how they were made,
    so `file:predictions/<slug>.jsonl` reproduces the row), a JSON report and an HTML error page; the plots."""
    from damascus_ie.leaderboard.plots import write_plots

    output.mkdir(parents=True, exist_ok=True)
    frame = leaderboard_frame(runs)
    written = {"leaderboard.md": output / "leaderboard.md", "leaderboard.csv": output / "leaderboard.csv"}
    written["leaderboard.md"].write_text(leaderboard_markdown(frame, version), encoding="utf-8")
    frame.to_csv(written["leaderboard.csv"], index=False, float_format="%.6f")
    for run in runs:
        predictions_path = output / "predictions" / f"{run.slug}.jsonl"
        predictions_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(predictions_path, run.predictions_jsonl)
        written[f"predictions/{run.slug}.jsonl"] = predictions_path
        meta = {"name": run.extractor.name, "tuned_on_test_texts": run.report.tuned_on_test_texts,
                "settings": {k: v for k, v in run.report.settings.items() if k != "file"}}
        meta_path = sidecar_path(predictions_path)
        write_json(meta_path, {k: v for k, v in meta.items() if v is not None})
        written[f"predictions/{meta_path.name}"] = meta_path
        report_path = output / "reports" / f"{run.slug}.json"
        write_json(report_path, run.report.to_dict())
        written[f"reports/{run.slug}.json"] = report_path
        page = output / "errors" / f"{run.slug}.html"
        write_error_page(page, run.extractor.name, gold, run.predictions, run.report)
        written[f"errors/{run.slug}.html"] = page
    for relative, path in write_plots(gold, runs, output / "plots").items():
        written[f"plots/{relative}"] = path
    return written
