"""metrics/matching.py: keys, candidate pairs and optimal one-to-one matchings of spans.

pack (one sortable int64 key per row, for any column widths; issue 12: it raised on large corpora), then
hand-computed cases and brute-force properties for the pairing functions every layer's scores rest on.
Hypothesis builds the spans and edges, so a failure shrinks to the smallest graph.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.harness.metrics import events
from damascus_ie.harness.metrics.matching import (
    _dense_rank_pairs,
    best_assignment,
    equal_pairs,
    interval_lexicographic_matching,
    interval_matching,
    joint_keys,
    lexicographic_matching,
    maximum_matching,
    overlap_pairs,
    pack,
    residual,
)

COLUMNS = st.integers(1, 5).flatmap(lambda n_columns: st.lists(
    st.tuples(*[st.integers(0, 2**62) | st.integers(0, 3) for _ in range(n_columns)]), min_size=1, max_size=30))


@settings(max_examples=200, deadline=None)
@given(COLUMNS)
def test_packed_keys_sort_and_compare_as_the_rows_do(rows: list[tuple[int, ...]]) -> None:
    columns = [np.array(column, dtype=np.int64) for column in zip(*rows, strict=True)]
    key = pack(*columns)
    table = np.array(rows, dtype=np.int64)
    assert (table[np.argsort(key, kind="stable")] == table[np.lexsort(columns[::-1])]).all()
    same_row = (table[:, None, :] == table[None, :, :]).all(axis=2)
    assert ((key[:, None] == key[None, :]) == same_row).all()
    if len(columns) > 1:  # the last resort for more than 2**31 distinct values on both sides, checked directly
        ranks = _dense_rank_pairs(columns[0], columns[1])
        pairs = table[:, :2]
        assert (pairs[np.argsort(ranks, kind="stable")] == pairs[np.lexsort(columns[1::-1])]).all()
        assert ((ranks[:, None] == ranks[None, :]) == (pairs[:, None, :] == pairs[None, :, :]).all(axis=2)).all()


def test_event_keys_pack_at_the_size_that_failed() -> None:
    """20,000 documents of 20,000 characters, one event with one argument each: seven columns of 15 bits."""
    rng = np.random.default_rng(0)
    taxonomy = load_taxonomy()
    kind = taxonomy.event_types[0]
    docs = []
    for start, arg_start in zip(rng.integers(0, 19_990, 20_000).tolist(), rng.integers(0, 19_990, 20_000).tolist(),
                                strict=True):
        docs.append({"mentions": [{"id": "m", "start": arg_start, "end": arg_start + 5}],
                     "events": [{"type": kind, "trigger": {"start": start, "end": start + 4},
                                 "arguments": [{"role": taxonomy.event_roles[kind][0], "mention": "m"}]}]})
    table = events.event_table(docs, taxonomy)
    units = {f"{side}_{name}": np.zeros(20_000, np.int64) for side in ("gold", "pred")
             for name in ("events", "arguments")}
    tallies = events.event_tallies(table, table, units, 1)
    assert all(tallies[task].scores()["f1"] == 1.0 for task in events.TASKS)


def ints(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def pairs_of(result: tuple[np.ndarray, np.ndarray]) -> set[tuple[int, int]]:
    return set(zip(result[0].tolist(), result[1].tolist(), strict=True))


def is_one_to_one(pairs: set[tuple[int, int]]) -> bool:
    return len({g for g, _ in pairs}) == len(pairs) == len({p for _, p in pairs})


# -- hand-computed -----------------------------------------------------------------------------------------------

def test_overlap_pairs_are_half_open_and_stay_within_a_group() -> None:
    """Gold [0,5) [5,9) [2,4) in group 0 and [0,5) in group 1; predictions [4,6) and [9,12) in group 0, [1,2) in 1."""
    gold = (ints(0, 0, 0, 1), ints(0, 5, 2, 0), ints(5, 9, 4, 5))
    pred = (ints(0, 0, 1), ints(4, 9, 1), ints(6, 12, 2))
    # [4,6) overlaps [0,5) and [5,9) but not [2,4) (it ends where [4,6) starts); [9,12) touches [5,9) only at 9
    assert pairs_of(overlap_pairs(*gold, *pred)) == {(0, 0), (1, 0), (3, 2)}


def test_interval_matching_takes_the_prediction_that_ends_first() -> None:
    """Gold [0,4) and [3,9); predictions [2,10) and [3,5). The first gold (by end) reaches both; taking [2,10)
    would leave [3,9) nothing; the sweep gives it [3,5), which ends first, and [3,9) gets [2,10)."""
    pairs = interval_matching(ints(0, 0), ints(0, 3), ints(4, 9), ints(0, 0), ints(2, 3), ints(10, 5))
    assert pairs_of(pairs) == {(0, 1), (1, 0)}


def test_interval_matching_is_half_open_and_stays_within_a_group() -> None:
    """Gold [0,5) in groups 0 and 1; predictions [5,8) in group 0 (touching only) and [4,5) in group 2."""
    assert pairs_of(interval_matching(ints(0, 1), ints(0, 0), ints(5, 5), ints(0, 2), ints(5, 4), ints(8, 5))) == set()
    assert pairs_of(interval_matching(ints(), ints(), ints(), ints(0), ints(0), ints(1))) == set()


def test_interval_lexicographic_matching_gives_up_the_pair_that_blocks_another() -> None:
    """Issue 12's counter-example: gold PER[0,5), PER[4,8); predictions PER[4,8), ORG[0,2) (kinds 0, 0; 0, 1).
    The sweep within PER pairs [0,5) with [4,8), leaving ORG nothing; the augmenting path moves [4,8) to its
    twin and pairs [0,5) with ORG: one correct pair, two in all."""
    correct, other = interval_lexicographic_matching(ints(0, 0), ints(0, 4), ints(5, 8), ints(0, 0),
                                                     ints(0, 0), ints(4, 0), ints(8, 2), ints(0, 1))
    assert pairs_of(correct) == {(1, 0)} and pairs_of(other) == {(0, 1)}


def test_equal_pairs_pair_min_of_both_counts_per_key() -> None:
    """Keys gold 7, 7, 7, 3 and predicted 7, 7, 5: two pairs for key 7, none for 3 and 5."""
    gi, pi = equal_pairs(ints(7, 7, 7, 3), ints(7, 7, 5))
    assert gi.size == 2 and set(gi.tolist()) <= {0, 1, 2} and sorted(pi.tolist()) == [0, 1]


def test_joint_keys_are_equal_exactly_when_the_rows_are() -> None:
    gold, pred = joint_keys((ints(0, 1, 1), ints(5, 5, 2**40)), (ints(1, 1, 0), ints(5, 2**40, 6)))
    assert [g == p for g in gold.tolist() for p in pred.tolist()] == [False, False, False, True, False, False,
                                                                      False, True, False]


def test_maximum_matching_finds_the_augmenting_path() -> None:
    """Edges g0-p0, g0-p1, g1-p0: greedy g0-p0 leaves g1 unmatched; the maximum pairs g0-p1 and g1-p0."""
    assert pairs_of(maximum_matching(ints(0, 0, 1), ints(0, 1, 0))) == {(0, 1), (1, 0)}


def test_lone_edges_are_kept_as_they_are() -> None:
    assert pairs_of(maximum_matching(ints(0, 2), ints(1, 0))) == {(0, 1), (2, 0)}
    assert pairs_of(maximum_matching(ints(), ints())) == set()


def test_residual_keeps_edges_between_free_ends() -> None:
    gi, pi = residual(ints(0, 0, 1, 2), ints(0, 1, 1, 2), used_gold=ints(0), used_pred=ints(2), n_gold=3, n_pred=3)
    assert pairs_of((gi, pi)) == {(1, 1)}


def test_lexicographic_matching_prefers_correct_pairs_then_more_pairs() -> None:
    """g0-p0 is correct; g0-p1 and g1-p0 are overlaps. Most correct first (g0-p0), then nothing else fits:
    one correct pair beats two overlap pairs, as a correct pair weighs two overlap pairs in SemEval."""
    (correct, other) = lexicographic_matching(ints(0, 0, 1), ints(0, 1, 0), np.array([True, False, False]), 2, 2)
    assert pairs_of(correct) == {(0, 0)} and pairs_of(other) == set()


def test_lexicographic_matching_keeps_the_correct_pair_that_leaves_room() -> None:
    """Correct edges g0-p1 and g1-p1 compete for p1; g0-p0 and g2-p1 are overlaps.

    Keeping g0-p1 would leave p0 (whose only candidate is g0) unpaired; keeping g1-p1 lets g0-p0 pair too:
    one correct pair and two pairs in all, the only optimum."""
    gi, pi = ints(0, 1, 0, 2), ints(1, 1, 0, 1)
    correct, other = lexicographic_matching(gi, pi, np.array([True, True, False, False]), 3, 2)
    assert pairs_of(correct) == {(1, 1)} and pairs_of(other) == {(0, 0)}


def test_best_assignment_maximises_weight_and_drops_zero_pairs() -> None:
    weights = np.array([[1.0, 3.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 0.0]])
    assert pairs_of(best_assignment(weights)) == {(0, 1), (1, 0)}  # 3 + 2 beats 4 + 1; row 2 has only zeros
    assert pairs_of(best_assignment(np.zeros((0, 0)))) == set()


# -- properties against brute force ------------------------------------------------------------------------------

SPANS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20), st.integers(1, 6)), max_size=12).map(
    lambda rows: (ints(*(g for g, _, _ in rows)), ints(*(s for _, s, _ in rows)), ints(*(s + n for _, s, n in rows))))


@settings(max_examples=200, deadline=None)
@given(SPANS, SPANS)
def test_overlap_pairs_are_exactly_the_overlapping_pairs(gold: tuple[np.ndarray, ...], pred: tuple[np.ndarray, ...]
                                                         ) -> None:
    expected = {(g, p) for g in range(gold[0].size) for p in range(pred[0].size)
                if gold[0][g] == pred[0][p] and gold[1][g] < pred[2][p] and pred[1][p] < gold[2][g]}
    found = overlap_pairs(*gold, *pred)
    assert pairs_of(found) == expected and found[0].size == len(expected)  # each pair once


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 4), max_size=12), st.lists(st.integers(0, 4), max_size=12))
def test_equal_pairs_are_one_to_one_and_as_many_as_possible(gold: list[int], pred: list[int]) -> None:
    pairs = pairs_of(equal_pairs(ints(*gold), ints(*pred)))
    assert is_one_to_one(pairs)
    assert all(gold[g] == pred[p] for g, p in pairs)
    assert len(pairs) == sum(min(gold.count(k), pred.count(k)) for k in set(gold))


def overlap_edges(gold: tuple[np.ndarray, ...], pred: tuple[np.ndarray, ...]) -> set[tuple[int, int]]:
    """By the definition, pair by pair: same group, a.start < b.end and b.start < a.end."""
    return {(g, p) for g in range(gold[0].size) for p in range(pred[0].size)
            if gold[0][g] == pred[0][p] and gold[1][g] < pred[2][p] and pred[1][p] < gold[2][g]}


def all_overlapping(crossing: bool) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
    """One group of spans that all overlap each other: nested (each inside the last) or crossing (each starting
    and ending after the last), with steps of 0 to 2 so boundaries repeat; shrinks towards fewer, equal spans."""
    def spans(steps: list[tuple[int, int]]) -> tuple[np.ndarray, ...]:
        starts = np.cumsum([0] + [a for a, _ in steps])
        ends = 40 + np.cumsum([0] + [b for _, b in steps]) * (1 if crossing else -1)
        return np.zeros(starts.size, np.int64), starts.astype(np.int64), ends.astype(np.int64)
    return st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=9).map(spans)


# spans that nest, cross and repeat, in three groups; empty and inverted ones too (the sweep works on any integers)
LOOSE_SPANS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 14), st.integers(-2, 6)), max_size=12).map(
    lambda rows: (ints(*(g for g, _, _ in rows)), ints(*(s for _, s, _ in rows)), ints(*(s + n for _, s, n in rows))))
# one group, spans of 1 to 6 in [0, 16): mostly nested and crossing, where a same-kind pair often blocks another
CROWDED_SPANS = st.lists(st.tuples(st.just(0), st.integers(0, 10), st.integers(1, 6)), max_size=8).map(
    lambda rows: (ints(*(g for g, _, _ in rows)), ints(*(s for _, s, _ in rows)), ints(*(s + n for _, s, n in rows))))
SWEPT = (st.tuples(LOOSE_SPANS, LOOSE_SPANS) | st.tuples(CROWDED_SPANS, CROWDED_SPANS)
         | st.tuples(all_overlapping(False), all_overlapping(False))
         | st.tuples(all_overlapping(True), all_overlapping(True)) | st.tuples(all_overlapping(False), LOOSE_SPANS))


@settings(max_examples=400, deadline=None)
@given(SWEPT, st.data())
def test_interval_matching_is_a_maximum_matching_of_the_overlaps(spans: tuple[tuple[np.ndarray, ...], ...],
                                                                 data: st.DataObject) -> None:
    """As large as maximum_matching on the listed overlap edges (brute force below 9 edges), one to one, only
    overlapping pairs; and the same pairs, as records, whatever the row order when ranks break ties."""
    gold, pred = spans
    edges = overlap_edges(gold, pred)
    pairs = pairs_of(interval_matching(*gold, *pred))
    assert pairs <= edges and is_one_to_one(pairs)
    general = maximum_matching(ints(*(g for g, _ in edges)), ints(*(p for _, p in edges)))
    assert len(pairs) == general[0].size
    if len(edges) < 9:
        assert len(pairs) == brute_force([(g, p, False) for g, p in edges])[1]
    g_order = np.array(data.draw(st.permutations(range(gold[0].size))), dtype=np.int64)
    p_order = np.array(data.draw(st.permutations(range(pred[0].size))), dtype=np.int64)
    # shuffled row i is row order[i]: that is its rank, so ties break as they did before shuffling
    shuffled = interval_matching(*(a[g_order] for a in gold), *(a[p_order] for a in pred), g_order, p_order)
    ranked = interval_matching(*gold, *pred, np.arange(gold[0].size), np.arange(pred[0].size))
    assert {(int(g_order[g]), int(p_order[p])) for g, p in pairs_of(shuffled)} == pairs_of(ranked)


@settings(max_examples=400, deadline=None)
@given(SWEPT, st.data())
def test_interval_lexicographic_matching_is_optimal_whatever_the_row_order(
        spans: tuple[tuple[np.ndarray, ...], ...], data: st.DataObject) -> None:
    """Most same-kind overlapping pairs, then most overlapping pairs: as lexicographic_matching on the listed edges
    (brute force below 9 edges); one to one; and the same pairs, as records, whatever the row order."""
    gold, pred = spans
    gold_kind = ints(*data.draw(st.lists(st.integers(0, 2), min_size=gold[0].size, max_size=gold[0].size)))
    pred_kind = ints(*data.draw(st.lists(st.integers(0, 2), min_size=pred[0].size, max_size=pred[0].size)))
    correct, other = interval_lexicographic_matching(*gold, gold_kind, *pred, pred_kind)
    edges = overlap_edges(gold, pred)
    chosen = pairs_of(correct) | pairs_of(other)
    assert chosen <= edges and is_one_to_one(chosen) and len(chosen) == correct[0].size + other[0].size
    assert all(gold_kind[g] == pred_kind[p] for g, p in pairs_of(correct))
    assert all(gold_kind[g] != pred_kind[p] for g, p in pairs_of(other))
    gi, pi = ints(*(g for g, _ in edges)), ints(*(p for _, p in edges))
    general = lexicographic_matching(gi, pi, gold_kind[gi] == pred_kind[pi], gold[0].size, pred[0].size)
    assert (correct[0].size, len(chosen)) == (general[0][0].size, general[0][0].size + general[1][0].size)
    if len(edges) < 9:
        assert (correct[0].size, len(chosen)) == brute_force([(g, p, gold_kind[g] == pred_kind[p]) for g, p in edges])
    g_order = np.array(data.draw(st.permutations(range(gold[0].size))), dtype=np.int64)
    p_order = np.array(data.draw(st.permutations(range(pred[0].size))), dtype=np.int64)
    shuffled = interval_lexicographic_matching(*(a[g_order] for a in gold), gold_kind[g_order],
                                               *(a[p_order] for a in pred), pred_kind[p_order], g_order, p_order)
    ranked = interval_lexicographic_matching(*gold, gold_kind, *pred, pred_kind, np.arange(gold[0].size),
                                             np.arange(pred[0].size))
    for moved, kept in zip(shuffled, ranked, strict=True):
        assert {(int(g_order[g]), int(p_order[p])) for g, p in pairs_of(moved)} == pairs_of(kept)


def test_interval_lexicographic_matching_equals_the_general_one_on_larger_dense_groups() -> None:
    """Forty groups of 40 gold and 40 predicted spans, each overlapping a dozen others, in three kinds: many
    augmenting paths, several per group; the counts equal lexicographic_matching's on the listed edges."""
    rng = np.random.default_rng(7)
    n = 1600
    sides = []
    for _ in range(2):
        start = rng.integers(0, 200, n)
        sides.append((np.repeat(np.arange(40), 40), start, start + rng.integers(1, 60, n), rng.integers(0, 3, n)))
    (g_group, g_start, g_end, g_kind), (p_group, p_start, p_end, p_kind) = sides
    correct, other = interval_lexicographic_matching(g_group, g_start, g_end, g_kind, p_group, p_start, p_end, p_kind)
    gi, pi = overlap_pairs(g_group, g_start, g_end, p_group, p_start, p_end)
    general = lexicographic_matching(gi, pi, g_kind[gi] == p_kind[pi], n, n)
    assert (correct[0].size, other[0].size) == (general[0][0].size, general[1][0].size)
    first_sweep = interval_matching(g_group * 3 + g_kind, g_start, g_end, p_group * 3 + p_kind, p_start, p_end)
    assert first_sweep[0].size == correct[0].size  # the same correct count the sweep within kinds found


EDGES = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.booleans()), unique_by=lambda e: e[:2],
                 max_size=10)


def brute_force(edges: list[tuple[int, int, bool]]) -> tuple[int, int]:
    """(most correct edges, then most edges) over every one-to-one subset of the edges."""
    best = (0, 0)
    for size in range(1, len(edges) + 1):
        for chosen in combinations(edges, size):
            if is_one_to_one({(g, p) for g, p, _ in chosen}):
                best = max(best, (sum(c for _, _, c in chosen), size))
    return best


@settings(max_examples=150, deadline=None)
@given(EDGES)
def test_maximum_matching_is_maximum_and_one_to_one(edges: list[tuple[int, int, bool]]) -> None:
    gi, pi = ints(*(g for g, _, _ in edges)), ints(*(p for _, p, _ in edges))
    pairs = pairs_of(maximum_matching(gi, pi))
    assert pairs <= {(g, p) for g, p, _ in edges} and is_one_to_one(pairs)
    assert len(pairs) == brute_force([(g, p, False) for g, p, _ in edges])[1]


@settings(max_examples=150, deadline=None)
@given(EDGES, st.data())
def test_lexicographic_matching_is_optimal_whatever_the_edge_order(edges: list[tuple[int, int, bool]],
                                                                   data: st.DataObject) -> None:
    """Most correct pairs, then most pairs, as a brute force finds; the counts do not depend on edge order."""
    for arrangement in (edges, data.draw(st.permutations(edges))):
        gi, pi = ints(*(g for g, _, _ in arrangement)), ints(*(p for _, p, _ in arrangement))
        correct_mask = np.array([c for _, _, c in arrangement], dtype=bool)
        correct, other = lexicographic_matching(gi, pi, correct_mask, 5, 5)
        chosen = pairs_of(correct) | pairs_of(other)
        assert is_one_to_one(chosen) and len(chosen) == correct[0].size + other[0].size
        assert pairs_of(correct) <= {(g, p) for g, p, c in edges if c}
        assert pairs_of(other) <= {(g, p) for g, p, _ in edges}
        assert (correct[0].size, len(chosen)) == brute_force(edges)
