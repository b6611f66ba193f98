"""metrics/counts.py: the one definition of precision, recall, F1 and accuracy, and the per-unit tallies.

Hand-computed cases pin the numbers and the empty-denominator conventions; properties (hypothesis builds the
counts, so a failure shrinks to the smallest one) pin what must hold for any counts.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from damascus_ie.harness.metrics.counts import (
    Kind,
    Tally,
    accuracy_tally,
    headline_values,
    precision_recall_f1,
    scores_from,
    tally,
)


def prf(*counts: float, kind: Kind = "prf") -> dict[str, float]:
    return scores_from(np.array(counts, dtype=np.float64), kind)


# -- hand-computed -----------------------------------------------------------------------------------------------

def test_precision_recall_f1_of_plain_counts() -> None:
    # 3 of 4 predictions right, 3 of 5 gold items found: P 3/4, R 3/5, F1 = 2PR/(P+R) = 0.9/1.35 = 2/3
    assert prf(3, 4, 3, 5) == pytest.approx({"precision": 0.75, "recall": 0.6, "f1": 2 / 3})


def test_precision_and_recall_may_have_different_numerators() -> None:
    """Partial credit and token scores count P and R numerators apart: 2.5 of 4 predicted, 3 of 6 gold."""
    result = prf(2.5, 4, 3, 6)
    assert result["precision"] == pytest.approx(0.625) and result["recall"] == pytest.approx(0.5)
    assert result["f1"] == pytest.approx(2 * 0.625 * 0.5 / 1.125)


def test_nothing_to_find_and_nothing_found_is_perfect() -> None:
    """Gold scored against itself is perfect even on an empty layer."""
    assert prf(0, 0, 0, 0) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_an_empty_side_scores_zero_when_the_other_is_not() -> None:
    assert prf(0, 0, 0, 5) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}  # predicted nothing, 5 to find
    assert prf(0, 3, 0, 0) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}  # 3 predicted, nothing to find
    assert prf(0, 3, 0, 5) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}  # P + R = 0: F1 0, not nan


def test_links_kind_gives_no_vacuous_credit() -> None:
    """MUC with no coreference link on either side scores 0.0, as the CoNLL-2012 reference scorer does."""
    assert prf(0, 0, 0, 0, kind="links") == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert prf(1, 2, 1, 4, kind="links") == prf(1, 2, 1, 4)


def test_accuracy_counts_correct_over_matched() -> None:
    assert prf(2, 3, 2, 5, kind="accuracy") == pytest.approx({"accuracy": 2 / 3, "correct": 2.0, "matched": 3.0})
    assert prf(0, 0, 0, 4, kind="accuracy")["accuracy"] == 0.0  # gold had items, none matched
    assert prf(0, 0, 0, 0, kind="accuracy")["accuracy"] == 1.0  # nothing to match at all


def test_tally_sums_each_column_per_unit() -> None:
    """Three units; predictions in units 0, 0, 2; gold in units 0, 1, 1; one correct pair per unit 0 and 1."""
    result = tally(3, (np.array([0, 1]), None), (np.array([0, 0, 2]), None), (np.array([0, 1]), 0.5),
                   (np.array([0, 1, 1]), np.array([1.0, 2.0, 3.0])))
    assert result.units.tolist() == [[1, 2, 0.5, 1], [1, 0, 0.5, 5], [0, 1, 0, 0]]
    assert result.total().tolist() == [2, 3, 1, 6]
    assert result.scores() == pytest.approx({"precision": 2 / 3, "recall": 1 / 6, "f1": 2 * (2 / 3) * (1 / 6) / (5 / 6)})
    assert result.value() == pytest.approx(result.scores()["f1"])


def test_a_tally_always_has_a_unit() -> None:
    """A corpus without sentences still has one row, so its (vacuous) score exists and the bootstrap can draw it."""
    empty = tally(0, (np.zeros(0, np.int64), None), (np.zeros(0, np.int64), None), (np.zeros(0, np.int64), None),
                  (np.zeros(0, np.int64), None))
    assert empty.units.shape == (1, 4)
    assert empty.scores() == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_accuracy_tally_puts_correct_and_matched_at_the_items_units() -> None:
    result = accuracy_tally(2, np.array([0, 0, 1]), np.array([True, False, True]), np.array([0, 0, 1, 1]))
    assert result.kind == "accuracy"
    assert result.units.tolist() == [[1, 2, 1, 2], [1, 1, 1, 2]]
    assert result.scores() == pytest.approx({"accuracy": 2 / 3, "correct": 2.0, "matched": 3.0})


def test_headline_values_are_vectorised_over_resamples() -> None:
    counts = np.array([[3, 4, 3, 5], [0, 0, 0, 0], [2, 3, 2, 5]], dtype=np.float64)
    assert headline_values(counts, "prf") == pytest.approx([2 / 3, 1.0, 2 * (2 / 3) * 0.4 / (2 / 3 + 0.4)])
    assert headline_values(counts, "accuracy") == pytest.approx([0.75, 1.0, 2 / 3])


# -- properties --------------------------------------------------------------------------------------------------

@st.composite
def counts(draw: st.DrawFn) -> tuple[float, float, float, float]:
    """Counts as metrics produce them: a numerator never exceeds its denominator."""
    p_den, r_den = draw(st.integers(0, 50)), draw(st.integers(0, 50))
    p_num, r_num = draw(st.integers(0, p_den)), draw(st.integers(0, r_den))
    half = draw(st.booleans())  # partial credit: half points
    return (p_num / 2 if half else p_num), p_den, (r_num / 2 if half else r_num), r_den


@given(counts())
def test_scores_lie_in_the_unit_interval_and_f1_between_precision_and_recall(c: tuple[float, ...]) -> None:
    result = prf(*c)
    assert all(0.0 <= value <= 1.0 for value in result.values())
    low, high = sorted((result["precision"], result["recall"]))
    assert low - 1e-12 <= result["f1"] <= high + 1e-12


@given(counts())
def test_swapping_the_sides_swaps_precision_and_recall(c: tuple[float, ...]) -> None:
    p_num, p_den, r_num, r_den = c
    forward, backward = prf(p_num, p_den, r_num, r_den), prf(r_num, r_den, p_num, p_den)
    assert (forward["precision"], forward["recall"], forward["f1"]) == \
        pytest.approx((backward["recall"], backward["precision"], backward["f1"]))


@given(st.lists(counts(), min_size=1, max_size=20))
def test_vectorised_scores_equal_one_at_a_time(rows: list[tuple[float, ...]]) -> None:
    table = np.array(rows, dtype=np.float64)
    precision, recall, f1 = precision_recall_f1(table)
    one_by_one = [prf(*row) for row in rows]
    assert precision.tolist() == [r["precision"] for r in one_by_one]
    assert recall.tolist() == [r["recall"] for r in one_by_one]
    assert f1.tolist() == [r["f1"] for r in one_by_one]


ITEMS = st.lists(st.tuples(st.integers(0, 4), st.sampled_from([0.0, 0.5, 1.0])), max_size=30)


@given(ITEMS, ITEMS, st.integers(1, 5))
def test_tallies_add_up_over_units_and_over_parts(predicted: list[tuple[int, float]], gold: list[tuple[int, float]],
                                                  n_units: int) -> None:
    """Corpus counts are the sum of unit rows, and a tally of two parts is the sum of the parts' tallies."""
    def columns(items: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        units = np.array([u % n_units for u, _ in items], dtype=np.int64)
        return units, np.array([w for _, w in items], dtype=np.float64)

    def tally_of(p: list[tuple[int, float]], g: list[tuple[int, float]]) -> Tally:
        (p_units, p_credit), (g_units, g_credit) = columns(p), columns(g)
        return tally(n_units, (p_units, p_credit), (p_units, None), (g_units, g_credit), (g_units, None))

    whole = tally_of(predicted, gold)
    assert whole.units.shape == (n_units, 4)
    assert whole.total() == pytest.approx([sum(w for _, w in predicted), len(predicted), sum(w for _, w in gold),
                                           len(gold)])
    cut_p, cut_g = len(predicted) // 2, len(gold) // 2
    parts = tally_of(predicted[:cut_p], gold[:cut_g]).units + tally_of(predicted[cut_p:], gold[cut_g:]).units
    assert parts == pytest.approx(whole.units)
