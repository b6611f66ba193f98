"""Counts in, scores out: the one place precision, recall, F1 and accuracy are defined.

Every metric returns a `Tally`: per resampling unit (a sentence), the four sums
precision and recall are ratios of. Summing the rows gives the corpus score;
the bootstrap resamples rows. Convention for empty denominators: a side with
nothing to find and nothing found scores 1.0 (gold against itself is perfect
even on an empty layer); otherwise an empty denominator scores 0.0. The one
exception is MUC (kind "links"), whose denominators count coreference links:
with no link on either side it scores 0.0, as the CoNLL-2012 reference scorer
v8.01 does (its test suite pins that case).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from damascus_ie.harness.metrics.matching import IntArray

P_NUM, P_DEN, R_NUM, R_DEN = range(4)
FloatArray = npt.NDArray[np.float64]
# prf: precision/recall/F1 sums; links: the same without vacuous credit (MUC, whose denominators count links);
# accuracy: correct/matched over matched items (see Tally)
Kind = Literal["prf", "links", "accuracy"]
# (unit of each item, its weight: one array, one number for all, or None for 1 each)
Column = tuple[IntArray, npt.ArrayLike | None]


@dataclass(frozen=True)
class Tally:
    """Rows: resampling units; columns: precision numerator/denominator, recall numerator/denominator.

    For an accuracy (kind "accuracy"): correct, matched, correct, gold items.
    """

    units: FloatArray
    kind: Kind = "prf"

    def total(self) -> FloatArray:
        total: FloatArray = self.units.sum(axis=0)
        return total

    def scores(self) -> dict[str, float]:
        return scores_from(self.total(), self.kind)

    def value(self) -> float:
        return float(headline_values(self.total()[None, :], self.kind)[0])


def tally(n_units: int, p_num: Column, p_den: Column, r_num: Column, r_den: Column, kind: Kind = "prf") -> Tally:
    """Sums each (unit index, weight) column per unit; weight None counts 1 per index."""
    table = np.zeros((max(n_units, 1), 4), dtype=np.float64)
    for position, (units, weights) in enumerate((p_num, p_den, r_num, r_den)):
        if np.size(units):
            table[:, position] = np.bincount(units, weights=_weights(weights, units), minlength=table.shape[0])
    return Tally(table, kind)


def accuracy_tally(n_units: int, units: IntArray, correct: npt.ArrayLike, gold_units: IntArray) -> Tally:
    """Accuracy over matched items: columns (correct, matched, -, gold items).

    With nothing matched it is 0.0 when the gold had items to match and a vacuous 1.0 when it had none.
    """
    weight = np.asarray(correct, dtype=np.float64)
    return tally(n_units, (units, weight), (units, None), (units, weight),
                 (gold_units, None), kind="accuracy")


def _weights(weights: npt.ArrayLike | None, units: IntArray) -> FloatArray | None:
    if weights is None:
        return None
    if np.ndim(weights) == 0:
        return np.full(np.size(units), weights, dtype=np.float64)
    return np.asarray(weights, dtype=np.float64)


def _ratio(numerator: FloatArray, denominator: FloatArray, vacuous: npt.NDArray[np.bool_]) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), 0.0)
    return np.where((denominator == 0) & vacuous, 1.0, value)


def precision_recall_f1(counts: npt.ArrayLike, *, vacuous: bool = True) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Vectorised over leading axes: counts[..., 4] -> (precision, recall, f1).

    `vacuous`: both denominators empty scores 1.0 (nothing to find, nothing found); else 0.0.
    """
    counts = np.asarray(counts, dtype=np.float64)
    nothing = (counts[..., P_DEN] == 0) & (counts[..., R_DEN] == 0) & vacuous
    precision = _ratio(counts[..., P_NUM], counts[..., P_DEN], nothing)
    recall = _ratio(counts[..., R_NUM], counts[..., R_DEN], nothing)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return precision, recall, f1


def headline_values(counts: FloatArray, kind: Kind) -> FloatArray:
    """F1 for a precision/recall tally, the ratio for an accuracy; counts[..., 4]."""
    if kind == "accuracy":
        return _ratio(counts[..., P_NUM], counts[..., P_DEN], counts[..., R_DEN] == 0)
    return precision_recall_f1(counts, vacuous=kind == "prf")[2]


def scores_from(counts: npt.ArrayLike, kind: Kind = "prf") -> dict[str, float]:
    counts = np.asarray(counts, dtype=np.float64)
    if kind == "accuracy":
        return {"accuracy": float(headline_values(counts, kind)), "correct": float(counts[P_NUM]),
                "matched": float(counts[P_DEN])}
    precision, recall, f1 = precision_recall_f1(counts, vacuous=kind == "prf")
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1)}
