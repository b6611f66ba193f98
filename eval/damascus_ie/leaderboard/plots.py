"""Leaderboard plots (matplotlib, Agg: no display needed): per-type F1 per extractor, entity-type confusion.

The confusion matrix counts gold/predicted type pairs over spans the harness
matched with exact boundaries, so it shows what an extractor calls the things
it did find, separately from what it missed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import confusion_matrix

from damascus_ie.core.records import Document
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.harness.metrics.entities import match, mention_table

PLOT_LAYERS: tuple[str, ...] = ("mentions", "events")


def per_type_f1(report: Any, layer: str) -> dict[str, float]:
    """Type -> F1 from the harness report's per-type table."""
    return {str(kind): float(value) for kind, value in report.per_type(layer).items()}


def type_confusion(gold: list[Document], predictions: list[dict]) -> np.ndarray:
    """Rows gold type, columns predicted type, over exactly matched spans (taxonomy order; text-anchored ones grounded)."""
    from damascus_ie.leaderboard.error_page import grounded

    types = list(load_taxonomy().entity_types)
    by_id = {p["id"]: p for p in predictions}
    aligned = [grounded(d, by_id.get(d["id"], {"id": d["id"], "mentions": []}))[0] for d in gold]
    gold_table, pred_table = mention_table(gold), mention_table(aligned)
    gold_rows, pred_rows = match(gold_table, pred_table).correct("exact")
    if not len(gold_rows):
        return np.zeros((len(types), len(types)), dtype=np.int64)
    return confusion_matrix(gold_table.type[gold_rows], pred_table.type[pred_rows], labels=list(range(len(types))))


def plot_per_type(runs: list[Any], layer: str, path: Path) -> None:
    names = [run.extractor.name for run in runs]
    scores = [per_type_f1(run.report, layer) for run in runs]
    types = sorted({t for s in scores for t in s})
    figure, axes = plt.subplots(figsize=(max(6.0, 0.9 * len(types) * max(1, len(runs)) / 2), 4.5))
    width = 0.8 / max(1, len(runs))
    positions = np.arange(len(types))
    for index, (name, score) in enumerate(zip(names, scores, strict=True)):
        axes.bar(positions + index * width, [score.get(t, 0.0) for t in types], width, label=name)
    axes.set_xticks(positions + width * (len(runs) - 1) / 2, types, rotation=30, ha="right")
    axes.set_ylim(0, 1.05)
    axes.set_ylabel("F1")
    axes.set_title(f"Per-type F1 ({layer})")
    axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_confusion(matrix: np.ndarray, name: str, path: Path) -> None:
    types = list(load_taxonomy().entity_types)
    figure, axes = plt.subplots(figsize=(6, 5.2))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(types)), types, rotation=45, ha="right")
    axes.set_yticks(range(len(types)), types)
    axes.set_xlabel("predicted type")
    axes.set_ylabel("gold type")
    axes.set_title(f"{name}: entity types over matched spans")
    for (row, column), count in np.ndenumerate(matrix):
        if count:
            axes.text(column, row, str(count), ha="center", va="center",
                      color="white" if count > matrix.max() / 2 else "black")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_plots(gold: list[Document], runs: list[Any], folder: Path) -> dict[str, Path]:
    """Writes every plot; returns file name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for layer in PLOT_LAYERS:
        path = folder / f"per_type_f1_{layer}.png"
        plot_per_type(runs, layer, path)
        written[path.name] = path
    for run in runs:
        path = folder / f"confusion_{run.slug}.png"
        plot_confusion(type_confusion(gold, run.predictions), run.extractor.name, path)
        written[path.name] = path
    return written
