"""The benchmark: load the test split as users do, run extractors, score them with the harness, write the results.

The gold comes through `datasets.load_dataset` with a fresh cache (never a
stale one, see shared/notes/hf-datasets.md), so the leaderboard scores what is
published. Extractors see only a copy of each document's id, text and
boilerplate; only the built-in oracle is given the gold. Every extractor is
loaded before the dataset is, so a typo fails at once. Every prediction is
validated before scoring: a broken extractor fails with its problems listed (it
is never silently scored as empty) and the others are still scored and written.
The output folder describes one run: it is written beside and swapped in.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from damascus_ie.core.io import atomic_write_text, canonical_jsonl, umask, write_json
from damascus_ie.core.paths import repo_root
from damascus_ie.core.problems import InvalidInput, Problem, ProblemLog
from damascus_ie.core.records import Document
from damascus_ie.core.tables import markdown_table
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.harness.predictions import check_record
from damascus_ie.harness.report import LAYER_HEADLINE, NAMES_HEADLINE
from damascus_ie.leaderboard.error_page import write_error_page
from damascus_ie.leaderboard.extractors.base import Extractor, Prediction, input_view, tuned_on_test_texts
from damascus_ie.leaderboard.extractors.registry import COMMAND_TIMEOUT, CommandMode, expand_names, needs_gold, resolve, write_sidecar

RUN_MARKER = ".damascus-ie-benchmark"


@dataclass
class Run:
    """One extractor's outcome: its predictions, how long it took, and the harness's report."""

    extractor: Extractor
    predictions: list[Prediction]
    seconds: float
    report: Any
    slug: str = field(default="")

    def __post_init__(self) -> None:
        self.slug = self.slug or slug(self.extractor.name)

    @property
    def predictions_jsonl(self) -> str:
        """The predictions as written to predictions/<slug>.jsonl; its sha256 identifies the row."""
        return canonical_jsonl(self.predictions)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.predictions_jsonl.encode("utf-8")).hexdigest()


def slug(name: str) -> str:
    """A file-name-safe form of an extractor name ("cmd:./x.sh" -> "cmd-x-sh")."""
    return re.sub(r"[^A-Za-z0-9_.]+", "-", name).strip("-.") or "extractor"


def unique_slugs(names: list[str]) -> list[str]:
    """slug() per name; names that reduce to the same slug ("file:x/a-b.jsonl", "file:x/a/b.jsonl") get a hash."""
    plain = [slug(name) for name in names]
    return [s if plain.count(s) == 1 else f"{s}-{hashlib.sha256(n.encode()).hexdigest()[:8]}"
            for s, n in zip(plain, names, strict=True)]


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


def run_extractor(extractor: Extractor, documents: list[Document], progress: bool = True,
                  lenient: bool = False) -> tuple[list[Prediction], float]:
    """Predictions for every document (checked against the document's text), and the wall time they took.

    An exception inside the extractor becomes a problem naming the document; malformed records refuse the
    extractor's run unless `lenient` (then scoring drops them with a warning).
    """
    taxonomy = load_taxonomy()
    predictions: list[Prediction] = []
    problems = ProblemLog()
    by_id = {d["id"]: d for d in documents}
    seen: set[str] = set()
    started = time.perf_counter()
    try:
        for document in tqdm(documents, desc=extractor.name, unit="doc", disable=not progress, leave=False):
            try:
                prediction = extractor.extract(input_view(document))
            except InvalidInput:
                raise
            except Exception as error:
                problems.add(Problem(extractor.name, document["id"], None, None,
                                     f"extract() raised {type(error).__name__}: {error}"))
                continue
            if not isinstance(prediction, dict):
                problems.add(Problem(extractor.name, document["id"], None, None,
                                     f"extract() returned {type(prediction).__name__}, not a predictions record"))
                continue
            prediction = {**prediction, "id": prediction.get("id", document["id"])}
            if prediction["id"] != document["id"]:
                problems.add(Problem(extractor.name, document["id"], None, "id",
                                     f"extract() answered for document {prediction['id']!r}"))
                continue
            checked = check_record(prediction, extractor.name, None, by_id, seen, taxonomy).checked
            problems.extend(p for p in checked.problems if p.severity == "error")
            predictions.append(prediction)
    finally:
        close = getattr(extractor, "close", None)
        if callable(close):
            close()
    unknown = getattr(extractor, "unknown_documents", None)
    if callable(unknown):
        problems.extend(unknown(set(by_id)))
    if problems and not lenient:
        raise InvalidInput(problems)
    return predictions, time.perf_counter() - started


def _resolve_on(name: str, gold: list[Document]) -> Extractor:
    return resolve(name, gold=gold)


def _ready(extractor: Extractor, gold: list[Document]) -> Extractor:
    return extractor


def load_extractors(names: list[str], *, timeout: float = COMMAND_TIMEOUT, cmd_mode: CommandMode = "stream",
                    llm_options: Mapping[str, str | None] | None = None) -> list[Callable[[list[Document]], Extractor]]:
    """Loads every extractor before anything runs (a typo fails at once); the oracle is built later, on the gold.

    `llm_options` (the CLI's `--llm-*` flags) configure the `llm` extractor.
    """
    problems: list[Problem] = []
    factories: list[Callable[[list[Document]], Extractor]] = []
    for name in expand_names(names):
        if needs_gold(name):
            factories.append(functools.partial(_resolve_on, name))
            continue
        try:
            extractor = resolve(name, timeout=timeout, cmd_mode=cmd_mode, llm_options=llm_options)
        except InvalidInput as error:
            problems += error.problems
            continue
        factories.append(functools.partial(_ready, extractor))
    if problems:
        raise InvalidInput(problems)
    return factories


def run_benchmark(names: list[str], root: Path | None = None, progress: bool = True, *, lenient: bool = False,
                  timeout: float = COMMAND_TIMEOUT, cmd_mode: CommandMode = "stream",
                  failures: list[Problem] | None = None,
                  llm_options: Mapping[str, str | None] | None = None) -> tuple[str, list[Document], list[Run]]:
    """Loads every extractor, then the gold once, then runs and scores each in turn: (version, gold, runs).

    With `failures` given, an extractor that fails is recorded there and the others still run; without it the
    first failure raises.
    """
    from damascus_ie.harness.scoring import score  # imported here so the CLI starts without loading the harness
    factories = load_extractors(names, timeout=timeout, cmd_mode=cmd_mode, llm_options=llm_options)
    version, gold = load_test_documents(root)
    runs: list[Run] = []
    for factory in factories:
        try:
            extractor = factory(gold)
            predictions, seconds = run_extractor(extractor, gold, progress, lenient)
            report = score(predictions, gold, extractor=extractor.name, settings=extractor.settings,
                           lenient=lenient)
        except InvalidInput as error:
            if failures is None:
                raise
            failures.extend(error.problems)
            continue
        report.dataset_version = version  # the gold came as documents; say which published version they were
        run = Run(extractor, predictions, seconds, report)
        report.tuned_on_test_texts = tuned_on_test_texts(extractor)
        report.predictions_sha256 = run.sha256
        runs.append(run)
    for run, unique in zip(runs, unique_slugs([run.extractor.name for run in runs]), strict=True):
        run.slug = unique  # two names that reduce to one file name must not overwrite each other's files
    return version, gold, runs


# the leaderboard's score columns: each layer's headline F1, and the names-only one next to all levels
SCORE_COLUMNS: tuple[str, ...] = (LAYER_HEADLINE["entities"], NAMES_HEADLINE, LAYER_HEADLINE["events"],
                                  LAYER_HEADLINE["attributions"])
PROVENANCE: tuple[str, ...] = ("tuned on test texts", "dataset", "harness", "predictions sha256", "settings")


def yes_no(flag: bool | None) -> str:
    return "unknown" if flag is None else ("yes" if flag else "no")


def leaderboard_frame(runs: list[Run]) -> pd.DataFrame:
    """One row per extractor: each layer's headline F1 (SCORE_COLUMNS) with its 95% interval, speed,
    and how the row was made: whether the extractor was developed with the test texts visible, the dataset
    and harness versions, the sha256 of its predictions (predictions/<slug>.jsonl) and its settings."""
    rows = []
    for run in runs:
        row: dict[str, Any] = {"extractor": run.extractor.name}
        for name in SCORE_COLUMNS:
            low, high = run.report.intervals.get(name, (math.nan, math.nan))
            row.update({name: run.report.headline.get(name, math.nan), f"{name} low": low, f"{name} high": high})
        row["docs/s"] = len(run.predictions) / run.seconds if run.seconds > 0 else math.inf
        row.update(grounding_columns(run.report.grounding))
        row.update({"tuned on test texts": yes_no(run.report.tuned_on_test_texts),
                    "dataset": run.report.dataset_version, "harness": run.report.harness_version,
                    "predictions sha256": run.report.predictions_sha256,
                    "settings": json.dumps(run.report.settings, ensure_ascii=False, sort_keys=True)})
        rows.append(row)
    return pd.DataFrame(rows)


def grounding_columns(grounding: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Over all layers: spans given as text, and how many of them the harness found nowhere (hallucinations)."""
    anchored = sum(layer["text_anchored"] for layer in grounding.values())
    ungrounded = sum(layer["counts"]["ungrounded"] for layer in grounding.values())
    return {"text spans": anchored, "ungrounded": ungrounded,
            "ungrounded rate": ungrounded / anchored if anchored else math.nan}


def _ungrounded_cell(row: dict[str, Any]) -> str:
    if not row["text spans"]:
        return "—"
    return f"{row['ungrounded rate']:.1%} of {row['text spans']}"


def rate(value: float) -> str:
    """docs/s with one decimal, three below 0.1 (an LLM on a CPU: 0.010, not 0.0)."""
    return f"{value:.1f}" if value >= 0.1 or value == 0 else f"{value:.3f}"


def leaderboard_markdown(frame: pd.DataFrame, version: str) -> str:
    """The leaderboard as a Markdown table, each score as "value [low, high]", then how each row was made."""
    names = list(SCORE_COLUMNS)
    records = frame.to_dict("records")
    rows = [(row["extractor"], row["tuned on test texts"],
             *(f"{row[n]:.3f} [{row[f'{n} low']:.3f}, {row[f'{n} high']:.3f}]" for n in names),
             rate(row["docs/s"]), _ungrounded_cell(row)) for row in records]
    made = [(row["extractor"], row["tuned on test texts"], row["dataset"], row["harness"],
             f"`{str(row['predictions sha256'])[:16]}`", f"`{row['settings']}`") for row in records]
    return (f"# Damascus-IE leaderboard (dataset {version})\n\n"
            "Headline F1 per layer with 95% bootstrap confidence intervals (entities also names only, "
            "as CoNLL-2003 scores them). \"tuned on test texts: yes\" marks an "
            "extractor developed with these test documents in view (its word lists or rules were written "
            "reading them): an upper reference for its kind, not a baseline. \"ungrounded\": of the spans given "
            "as text instead of offsets, the share found nowhere in the document (scored as false positives; "
            "— when every span came with offsets).\n\n"
            + markdown_table(("extractor", "tuned on test texts", *names, "docs/s", "ungrounded"), rows) + "\n\n"
            "## How each row was made\n\n"
            "The predictions behind a row are `predictions/<extractor>.jsonl` (one canonical JSON record per line); "
            "`damascus-ie benchmark --extractors file:<that file>` reproduces the row, and the sha256 "
            "(first 16 hex digits here, all 64 in leaderboard.csv and the JSON report) identifies it.\n\n"
            + markdown_table(("extractor", *PROVENANCE[:3], "predictions sha256", "settings"), made) + "\n")


def check_output_folder(output: Path) -> None:
    """The folder must be new, empty, or an earlier benchmark run (which it will replace): never a user's files."""
    if output.exists() and not output.is_dir():
        raise InvalidInput([Problem(str(output), None, None, "--output", "is a file; the benchmark writes a folder")])
    if output.is_dir() and any(output.iterdir()) and not ((output / RUN_MARKER).exists()
                                                          or (output / "leaderboard.md").exists()):
        raise InvalidInput([Problem(str(output), None, None, "--output", "is a folder with other files in it; the "
                                    "benchmark replaces its output folder", hint="choose a new or empty folder")])


def write_results(version: str, gold: list[Document], runs: list[Run], output: Path) -> dict[str, Path]:
    """Leaderboard (Markdown, CSV), and per extractor its predictions (with a sidecar saying how they were made,
    so `file:predictions/<slug>.jsonl` reproduces the row), a JSON report and an HTML error page; the plots.

    Everything is written into a fresh folder beside `output`, which then replaces it: the folder describes
    this run only (no report of an earlier run is left beside the new leaderboard), and an interrupted run
    leaves the previous one intact.
    """
    check_output_folder(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=output.parent, prefix=f".{output.name}.incoming-"))
    try:
        os.chmod(stage, 0o777 & ~umask())
        failures: list[Problem] = []
        written = _write_into(stage, version, gold, runs, failures)
        _swap_in(stage, output)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if failures:
        raise InvalidInput(failures)
    return {relative: output / relative for relative in written}


def _swap_in(stage: Path, output: Path) -> None:
    old = output.parent / f".{output.name}.previous"
    shutil.rmtree(old, ignore_errors=True)
    if output.exists():
        os.replace(output, old)
    os.replace(stage, output)
    shutil.rmtree(old, ignore_errors=True)


def _write_into(folder: Path, version: str, gold: list[Document], runs: list[Run],
                failures: list[Problem]) -> list[str]:
    from damascus_ie.leaderboard.plots import write_plots

    frame = leaderboard_frame(runs)
    atomic_write_text(folder / "leaderboard.md", leaderboard_markdown(frame, version))
    atomic_write_text(folder / "leaderboard.csv", frame.to_csv(index=False, float_format="%.6f"))
    written = ["leaderboard.md", "leaderboard.csv"]
    for run in runs:
        predictions_path = folder / "predictions" / f"{run.slug}.jsonl"
        atomic_write_text(predictions_path, run.predictions_jsonl)
        written.append(f"predictions/{run.slug}.jsonl")
        written.append(f"predictions/{write_sidecar(predictions_path, run.extractor).name}")
        write_json(folder / "reports" / f"{run.slug}.json", run.report.to_dict())
        written.append(f"reports/{run.slug}.json")
        try:  # a page that cannot be drawn costs nobody else their files
            write_error_page(folder / "errors" / f"{run.slug}.html", run.extractor.name, gold, run.predictions,
                             run.report)
            written.append(f"errors/{run.slug}.html")
        except Exception as error:
            failures.append(Problem(run.extractor.name, None, None, None, "error page not written: "
                                    f"{type(error).__name__}: {error} (this is a bug; the other files were written)"))
    for relative in write_plots(gold, runs, folder / "plots"):
        written.append(f"plots/{relative}")
    atomic_write_text(folder / RUN_MARKER, "".join(f"{relative}\n" for relative in written))
    return written
