"""The bootstrap's large-sample form (used past EXACT_LIMIT) gives the intervals exact resampling gives."""

from __future__ import annotations

import numpy as np
import pytest

from damascus_ie.harness import uncertainty
from damascus_ie.harness.metrics.counts import tally


def test_normal_form_matches_exact_resampling_on_many_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    n_docs, per_doc = 400, 12
    unit_doc = np.repeat(np.arange(n_docs), per_doc)
    n_units = unit_doc.size
    gold = rng.poisson(2.0, n_units)
    found = np.minimum(gold, rng.binomial(gold, 0.7) + rng.poisson(0.3, n_units))
    predicted = found + rng.poisson(0.6, n_units)
    units = np.arange(n_units)
    prf = tally(n_units, (units, found.astype(float)), (units, predicted.astype(float)),
                (units, found.astype(float)), (units, gold.astype(float)))
    accuracy = tally(n_units, (units, found.astype(float)), (units, predicted.astype(float)),
                     (units, found.astype(float)), (units, gold.astype(float)), kind="accuracy")
    statistics = {"f1": [prf], "accuracy": [accuracy], "mean of two": [prf, accuracy]}
    exact = uncertainty.bootstrap_intervals(statistics, unit_doc, 2000, 0)
    monkeypatch.setattr(uncertainty, "EXACT_LIMIT", 0)
    normal = uncertainty.bootstrap_intervals(statistics, unit_doc, 2000, 0)
    for name in statistics:
        width = exact[name][1] - exact[name][0]
        assert width > 0
        assert normal[name] == pytest.approx(exact[name], abs=0.1 * width), name

