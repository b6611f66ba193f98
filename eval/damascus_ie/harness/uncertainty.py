"""How sure a score is: bootstrap intervals and a paired test, resampling sentences within documents.

Every metric arrives as per-sentence sums (`Tally` rows), so a resample is a
matrix product: weights (resamples x sentences) times sums (sentences x 4).
Each document keeps its number of sentences in every resample (stratified by
document), which is all a two-document corpus allows: the intervals describe
sentence-level variation in these documents, not variation across news. A large
corpus (past EXACT_LIMIT weights) draws the resampled sums from their
large-sample normal instead (`normal_value`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from damascus_ie.harness.metrics.counts import Tally, headline_values

Statistic = Sequence[Tally]  # a headline value: the mean of these tallies' F1 (CoNLL averages three)


def resample_weights(unit_doc: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """(resamples, units): how often each sentence is drawn, drawing each document's own count from it."""
    rng = np.random.default_rng(seed)
    weights = np.zeros((resamples, unit_doc.size))
    for doc in np.unique(unit_doc):
        members = np.flatnonzero(unit_doc == doc)
        weights[:, members] = rng.multinomial(members.size, np.full(members.size, 1.0 / members.size), size=resamples)
    return weights


def statistic_value(statistic: Statistic, weights: np.ndarray | None = None) -> np.ndarray:
    """The statistic under each row of weights (or once, unweighted)."""
    values = []
    for item in statistic:
        sums = item.units.sum(axis=0)[None, :] if weights is None else weights @ item.units
        values.append(headline_values(sums, item.kind))
    return np.mean(values, axis=0)


# Exact resampling builds a (resamples x sentences) weight matrix; past this many entries the bootstrap uses its
# large-sample form instead (see normal_sums). The shipped gold (50 sentences) is always resampled exactly.
EXACT_LIMIT = 5_000_000


def bootstrap_intervals(statistics: Mapping[str, Statistic], unit_doc: np.ndarray, resamples: int = 1000,
                        seed: int = 0, level: float = 0.95) -> dict[str, tuple[float, float]]:
    """Percentile intervals of every statistic from the same resamples."""
    if resamples <= 0 or unit_doc.size == 0:
        return {}
    tail = (1 - level) / 2 * 100
    out = {}
    if resamples * unit_doc.size <= EXACT_LIMIT:
        weights = resample_weights(unit_doc, resamples, seed)
        values = {name: statistic_value(statistic, weights) for name, statistic in statistics.items()}
    else:
        rng = np.random.default_rng(seed)
        values = {name: normal_value(statistic, unit_doc, resamples, rng) for name, statistic in statistics.items()}
    for name, value in values.items():
        low, high = np.percentile(value, [tail, 100 - tail])
        out[name] = (float(low), float(high))
    return out


def normal_value(statistic: Statistic, unit_doc: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """The statistic under `resamples` draws of its sums from the bootstrap's large-sample distribution.

    Resampling each document's n sentences with replacement gives sums with mean the observed sums and
    covariance the within-document scatter, sum over documents of sum_i (x_i - mean_d)(x_i - mean_d)^T,
    and with many sentences the sums are normal (central limit theorem). Drawing the sums from that
    normal costs one pass over the sentences instead of resamples x sentences draws.
    """
    columns = np.hstack([item.units for item in statistic])  # (units, 4 per tally)
    firsts = np.flatnonzero(np.r_[True, unit_doc[1:] != unit_doc[:-1]])  # units are in document order
    sizes = np.diff(np.r_[firsts, unit_doc.size]).astype(np.float64)
    doc_sums = np.add.reduceat(columns, firsts, axis=0)
    scatter = columns.T @ columns - (doc_sums.T / sizes) @ doc_sums
    values, vectors = np.linalg.eigh((scatter + scatter.T) / 2)
    root = vectors * np.sqrt(np.clip(values, 0, None))
    sums = columns.sum(axis=0) + rng.standard_normal((resamples, columns.shape[1])) @ root.T
    sums = np.clip(sums, 0, None)
    out = []
    for index, item in enumerate(statistic):
        block = sums[:, 4 * index:4 * index + 4].copy()
        block[:, 0] = np.minimum(block[:, 0], block[:, 1])  # a numerator never exceeds its denominator
        block[:, 2] = np.minimum(block[:, 2], block[:, 3])
        out.append(headline_values(block, item.kind))
    return np.mean(out, axis=0)


def paired_test(a: Mapping[str, Statistic], b: Mapping[str, Statistic], resamples: int = 1000,
                seed: int = 0) -> dict[str, dict[str, float]]:
    """Approximate randomization: swap the two systems' sentence sums at random and see how often the gap is as large.

    p = (1 + #{|delta'| >= |delta|}) / (1 + resamples), two-sided; small p says the difference is unlikely chance.
    """
    rng = np.random.default_rng(seed)
    out = {}
    names = [name for name in a if name in b]
    n_units = a[names[0]][0].units.shape[0] if names else 0
    swap = rng.random((resamples, n_units)) < 0.5
    for name in names:
        observed = float(statistic_value(a[name])[0] - statistic_value(b[name])[0])
        shuffled_a, shuffled_b = [], []
        for item_a, item_b in zip(a[name], b[name], strict=True):
            units_a, units_b = item_a.units, item_b.units
            sums_a = (~swap) @ units_a + swap @ units_b
            sums_b = swap @ units_a + (~swap) @ units_b
            shuffled_a.append(headline_values(sums_a, item_a.kind))
            shuffled_b.append(headline_values(sums_b, item_b.kind))
        deltas = np.mean(shuffled_a, axis=0) - np.mean(shuffled_b, axis=0)
        extreme = int(np.sum(np.abs(deltas) >= abs(observed) - 1e-12))
        out[name] = {"a": float(statistic_value(a[name])[0]), "b": float(statistic_value(b[name])[0]),
                     "delta": observed, "p_value": (1 + extreme) / (1 + resamples)}
    return out
