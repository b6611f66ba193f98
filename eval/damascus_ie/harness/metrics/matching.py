"""Optimal one-to-one matching of spans, vectorised over a whole corpus.

Every layer aligns gold and predicted spans the same way: equal keys are
paired first (identical records are interchangeable, so any pairing of them is
optimal), then the remaining spans that overlap are paired by a maximum
cardinality bipartite matching (Hopcroft-Karp, `scipy.sparse.csgraph`). Pairs
whose two ends have no other candidate are settled with array operations;
only ambiguous groups (nested or crossing candidates) reach the matcher.

The SemEval-2013 schemes want the most correct pairs, then the most pairs
(`lexicographic_matching`). A maximum matching of the correct edges followed
by a maximum matching of what is left gets there when correct pairs are
exchangeable (same boundaries: any two maximum sets of them leave the same
spans free), but not always otherwise: with `type`, gold PER[0,5), PER[4,8)
and predictions PER[4,8), ORG[0,2), pairing PER[4,8) with PER[0,5) leaves ORG
unpaired. So the result is checked against a maximum matching of all edges,
and a connected group that falls short is solved exactly as an assignment
(weight n+1 per correct pair, 1 per other pair). Results never depend on
record order.

Spans are code-point half-open ``[start, end)``; two spans overlap when
``a.start < b.end and b.start < a.end``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, maximum_bipartite_matching

from damascus_ie.core.records import AnyRecord

IntArray = npt.NDArray[np.integer[Any]]  # any integer dtype: Arrow gives int32 offsets, numpy int64 indices
Pairs = tuple[IntArray, IntArray]
BoolArray = npt.NDArray[np.bool_]
# rows -> sort keys for np.lexsort (last key primary): a record's content, so ties break the same in any input order
Canonical = Callable[[IntArray], tuple[IntArray, ...]]

EMPTY = np.zeros(0, dtype=np.int64)


def pack(*columns: IntArray) -> IntArray:
    """One int64 key per row from non-negative integer columns, ordered as np.lexsort orders the rows
    (first column primary here). Always succeeds: columns are shifted together while their bits fit in 62,
    and a prefix that would not fit is replaced by its dense rank (fewer than 2**62 rows, so it fits)."""
    columns = tuple(np.asarray(c, dtype=np.int64) for c in columns)
    if not columns:
        return EMPTY
    key, key_bits = columns[0], _bits(columns[0])
    for column in columns[1:]:
        width = _bits(column)
        if key_bits + width > 62:
            key = _dense_rank(key)
            key_bits = _bits(key)
            if key_bits + width > 62:
                column = _dense_rank(column)
                width = _bits(column)
            if key_bits + width > 62:  # more than 2**31 distinct values on both sides: rank the pairs
                key = _dense_rank_pairs(key, column)
                key_bits = _bits(key)
                continue
        key, key_bits = (key << width) | column, key_bits + width
    return key


def _bits(column: IntArray) -> int:
    return int(column.max()).bit_length() if column.size else 0


def _dense_rank(column: IntArray) -> IntArray:
    return np.unique(column, return_inverse=True)[1].ravel().astype(np.int64)


def _dense_rank_pairs(first: IntArray, second: IntArray) -> IntArray:
    """Dense rank of (first, second) pairs in lexicographic order, without combining them into one integer."""
    order = np.lexsort((second, first))
    new = np.r_[True, (first[order][1:] != first[order][:-1]) | (second[order][1:] != second[order][:-1])]
    rank = np.empty(first.size, dtype=np.int64)
    rank[order] = np.cumsum(new) - 1
    return rank


def tie_break(keys: tuple[IntArray, ...], rows: IntArray, refine: Callable[[IntArray], IntArray]) -> tuple[IntArray,
                                                                                                       ...]:
    """`keys` (np.lexsort order, non-negative) as one packed key, plus a finer key only for rows that tie on all of them.

    One packed int64 sorts several times faster than a multi-key lexsort. The finer key (e.g. a rank
    of identity-id strings) is costly; ties are rare, so most calls skip it.
    """
    packed = pack(*reversed(keys))
    if rows.size < 2:
        return (packed,)
    order = np.argsort(packed)
    ordered = packed[order]
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return (packed,)
    tied = np.zeros(rows.size, dtype=bool)
    tied[order[1:][same]] = True
    tied[order[:-1][same]] = True
    finer = np.zeros(rows.size, dtype=np.int64)
    finer[tied] = refine(rows[tied])
    return (finer, packed)


def record_rank(records: Sequence[AnyRecord], rows: IntArray, field: str) -> IntArray:
    """Rank of each row's record by its `field` (an identity id), then by its whole content.

    The finest tie-break: records left tied differ in no field, so whichever pairs, the scores are the same.
    """
    keys = [f"{records[r].get(field)}\0{json.dumps(records[r], sort_keys=True, default=str)}" for r in rows.tolist()]
    rank: IntArray = np.unique(np.array(keys, dtype=object), return_inverse=True)[1].ravel().astype(np.int64)
    return rank


def joint_keys(gold: tuple[IntArray, ...], pred: tuple[IntArray, ...]) -> tuple[IntArray, IntArray]:
    """Comparable keys for gold and predicted rows: both sides packed with the same bit widths."""
    key = pack(*(np.concatenate([np.asarray(g), np.asarray(p)]) for g, p in zip(gold, pred, strict=True)))
    size = np.size(gold[0])
    return key[:size], key[size:]


def _occurrence(key: IntArray, canonical: Canonical | None) -> IntArray:
    """0 for the first record with a key, 1 for the second, ...; "first" by content when `canonical` is given."""
    rows = np.arange(key.size)
    order = np.lexsort((*canonical(rows), key)) if canonical is not None else np.argsort(key, kind="stable")
    ordered = key[order]
    run_start = np.r_[True, ordered[1:] != ordered[:-1]] if ordered.size else np.zeros(0, bool)
    starts = np.flatnonzero(run_start)
    run_index = np.cumsum(run_start) - 1
    occurrence = np.empty_like(key)
    occurrence[order] = np.arange(key.size) - starts[run_index]
    return occurrence


def equal_pairs(gold_key: IntArray, pred_key: IntArray, gold_canonical: Canonical | None = None,
                pred_canonical: Canonical | None = None) -> Pairs:
    """One-to-one pairs of records with equal keys: min(#gold, #pred) pairs per key value.

    Among records sharing a key, the k-th gold pairs with the k-th prediction in canonical order,
    so the pairing does not depend on the order of the input.
    """
    if gold_key.size == 0 or pred_key.size == 0:
        return EMPTY, EMPTY
    g_occ, p_occ = _occurrence(gold_key, None), _occurrence(pred_key, None)
    if g_occ.max() or p_occ.max():
        g_occ, p_occ = _occurrence(gold_key, gold_canonical), _occurrence(pred_key, pred_canonical)
        both = np.unique(np.concatenate([gold_key, pred_key]), return_inverse=True)[1]
        gold_key, pred_key = joint_keys((both[: gold_key.size], g_occ), (both[gold_key.size:], p_occ))
    _, gi, pi = np.intersect1d(gold_key, pred_key, assume_unique=True, return_indices=True)
    return gi.astype(np.int64), pi.astype(np.int64)


def overlap_pairs(gold_group: IntArray, gold_start: IntArray, gold_end: IntArray,
                  pred_group: IntArray, pred_start: IntArray, pred_end: IntArray) -> Pairs:
    """Every (gold, pred) pair in the same group whose spans overlap, without a quadratic loop."""
    return overlap_candidates(gold_group, gold_start, gold_end, pred_group, pred_start, pred_end).pairs(gold_end,
                                                                                                       pred_start)


@dataclass(frozen=True)
class OverlapCandidates:
    """Per prediction, the run of gold rows (in group, start order) that may overlap it: counted before any edge exists.

    Gold spans are sorted by (group, start); a prediction can only overlap gold spans starting in
    [pred.start - longest gold + 1, pred.end), found by binary search. `count` bounds each prediction's
    overlap edges from above, so a caller sees a dense group coming before it costs memory.
    """

    low: IntArray
    high: IntArray
    order: IntArray | None  # gold rows in (group, start) order; None when they are in that order already

    @property
    def count(self) -> IntArray:
        return self.high - self.low

    def pairs(self, gold_end: IntArray, pred_start: IntArray, keep: BoolArray | None = None) -> Pairs:
        """The overlapping (gold, pred) pairs, filtered on gold.end; of the predictions in `keep` only, when given."""
        counts = self.count if keep is None else np.where(keep, self.count, 0)
        pi = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
        position = np.arange(pi.size, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts - self.low, counts)
        gi = position if self.order is None else self.order[position]
        kept = gold_end[gi] > pred_start[pi]
        return gi[kept], pi[kept]


def overlap_candidates(gold_group: IntArray, gold_start: IntArray, gold_end: IntArray,
                       pred_group: IntArray, pred_start: IntArray, pred_end: IntArray) -> OverlapCandidates:
    """The candidate runs of `OverlapCandidates`, by two binary searches per prediction."""
    if gold_start.size == 0 or pred_start.size == 0:
        return OverlapCandidates(np.zeros(pred_start.size, np.int64), np.zeros(pred_start.size, np.int64), None)
    longest = int((gold_end - gold_start).max())
    width = int(max(gold_end.max(), pred_end.max())) + 1
    gold_key = gold_group.astype(np.int64) * width + gold_start
    in_order = bool(np.all(gold_key[1:] >= gold_key[:-1]))  # usual: documents in order, spans by start
    order = None if in_order else np.argsort(gold_key, kind="stable")
    sorted_key = gold_key if order is None else gold_key[order]
    base = pred_group.astype(np.int64) * width
    low = np.searchsorted(sorted_key, base + np.maximum(pred_start - longest + 1, 0), side="left")
    high = np.searchsorted(sorted_key, base + pred_end, side="left")
    return OverlapCandidates(low, np.maximum(high, low), order)


def interval_matching(gold_group: IntArray, gold_start: IntArray, gold_end: IntArray, pred_group: IntArray,
                      pred_start: IntArray, pred_end: IntArray, gold_rank: IntArray | None = None,
                      pred_rank: IntArray | None = None) -> Pairs:
    """A maximum one-to-one set of overlapping (gold, pred) pairs in the same group, without listing the overlaps.

    n spans all overlapping each other have n^2 overlap edges; this needs O(n log n) and a sweep. Gold g
    overlaps prediction p when p.start < g.end and g.start < p.end: p's point (start, end) lies left of
    and above g's (end, start) (a two-directional orthogonal ray graph). Golds are taken by increasing end;
    each takes, among the predictions that start before that end and are still free, the one with the
    smallest end past its start. That is optimal: every later gold can use any prediction this one can
    reach in start, and whether it reaches one in end is monotone in the end, so the smallest end is the
    one least needed later (an exchange argument; a property test pins it against brute force).
    `gold_rank` and `pred_rank` (content ranks) break ties, so the pairs do not depend on row order.
    """
    if gold_start.size == 0 or pred_start.size == 0:
        return EMPTY, EMPTY
    n_gold = gold_start.size
    gold_rank = np.arange(n_gold) if gold_rank is None else gold_rank
    pred_rank = np.arange(pred_start.size) if pred_rank is None else pred_rank
    # one line for all groups: group g's offsets shifted to [g * width, (g + 1) * width), so no pair crosses groups
    group = np.unique(np.concatenate([gold_group, pred_group]), return_inverse=True)[1].ravel().astype(np.int64)
    offsets = [np.asarray(a, dtype=np.int64) for a in (gold_start, gold_end, pred_start, pred_end)]
    low = min(int(a.min()) for a in offsets)
    width = max(int(a.max()) for a in offsets) - low + 1
    g_start, g_end = (group[:n_gold] * width + a - low for a in offsets[:2])
    p_start, p_end = (group[n_gold:] * width + a - low for a in offsets[2:])
    by_end = np.lexsort((pred_rank, p_end))  # a free prediction is a bit: its place in (end, rank) order
    place = np.empty(by_end.size, dtype=np.int64)
    place[by_end] = np.arange(by_end.size)
    reach = np.searchsorted(p_end[by_end], g_start, side="right").tolist()  # first place ending past the gold's start
    # one sweep by position: a gold at its end, before the predictions that start there; golds then by rank
    order = np.lexsort((np.concatenate([gold_rank, pred_rank]), np.r_[np.zeros(n_gold, bool), np.ones(place.size, bool)],
                        np.concatenate([g_end, p_start])))
    events = np.concatenate([np.arange(n_gold), ~place])[order].tolist()  # gold row, or ~place of a prediction
    free, gold_out, place_out = 0, [], []
    for event in events:
        if event < 0:
            free |= 1 << ~event
            continue
        above = free >> reach[event]
        if above:
            chosen = reach[event] + (above & -above).bit_length() - 1
            free ^= 1 << chosen
            gold_out.append(event)
            place_out.append(chosen)
    return np.array(gold_out, dtype=np.int64), by_end[np.array(place_out, dtype=np.int64)]


def _compress(nodes: IntArray, canonical: Canonical | None) -> tuple[IntArray, IntArray]:
    """Distinct nodes (in canonical order when given) and each entry's position among them."""
    unique, position = np.unique(nodes, return_inverse=True)
    if canonical is not None:
        order = np.lexsort(canonical(unique))
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        unique, position = unique[order], rank[position]
    return unique, position


def maximum_matching(gi: IntArray, pi: IntArray, gold_canonical: Canonical | None = None,
                     pred_canonical: Canonical | None = None) -> Pairs:
    """A maximum one-to-one subset of the candidate edges (gi[k], pi[k]); deterministic.

    Edges whose two ends have degree one are kept as they are; the rest (nested or crossing
    candidates) go to Hopcroft-Karp, with nodes numbered in canonical order, so which maximum
    matching comes out does not depend on the order of the input records.
    """
    if gi.size == 0:
        return EMPTY, EMPTY
    g_degree = np.bincount(gi)
    p_degree = np.bincount(pi)
    simple = (g_degree[gi] == 1) & (p_degree[pi] == 1)
    if simple.all():
        return gi, pi
    rest_g, rest_p = gi[~simple], pi[~simple]
    rows, row_index = _compress(rest_g, gold_canonical)
    cols, col_index = _compress(rest_p, pred_canonical)
    graph = csr_matrix((np.ones(rest_g.size, dtype=np.int8), (row_index, col_index)), shape=(rows.size, cols.size))
    match = maximum_bipartite_matching(graph, perm_type="column")
    matched = match >= 0
    return (np.concatenate([gi[simple], rows[matched]]), np.concatenate([pi[simple], cols[match[matched]]]))


def residual(gi: IntArray, pi: IntArray, used_gold: IntArray, used_pred: IntArray,
             n_gold: int, n_pred: int) -> Pairs:
    """Candidate edges whose two ends are both still unmatched."""
    free_gold = np.ones(n_gold, dtype=bool)
    free_gold[used_gold] = False
    free_pred = np.ones(n_pred, dtype=bool)
    free_pred[used_pred] = False
    keep = free_gold[gi] & free_pred[pi]
    return gi[keep], pi[keep]


def lexicographic_matching(gi: IntArray, pi: IntArray, correct: BoolArray, n_gold: int, n_pred: int,
                           gold_canonical: Canonical | None = None, pred_canonical: Canonical | None = None, *,
                           exchangeable: bool = False) -> tuple[Pairs, Pairs]:
    """(correct pairs, other pairs): the most correct edges, then the most edges, one-to-one.

    Two maximum matchings (correct edges, then the rest) are optimal when the correct edges join
    `exchangeable` records (equal keys, so any maximum set of them leaves equivalent records free) or when
    they pair as many as a maximum matching of all edges; each connected group where they pair fewer is
    solved as an exact assignment.
    """
    first = maximum_matching(gi[correct], pi[correct], gold_canonical, pred_canonical)
    second = maximum_matching(*residual(gi, pi, *first, n_gold, n_pred), gold_canonical, pred_canonical)
    paired = first[0].size + second[0].size
    if exchangeable or paired == min(np.count_nonzero(np.bincount(gi)), np.count_nonzero(np.bincount(pi))):
        return first, second
    best = maximum_matching(gi, pi, gold_canonical, pred_canonical)
    if paired == best[0].size:
        return first, second
    return _repair(gi, pi, correct, (first, second), best, gold_canonical, pred_canonical)


def _repair(gi: IntArray, pi: IntArray, correct: BoolArray, chosen: tuple[Pairs, Pairs], best: Pairs,
            gold_canonical: Canonical | None, pred_canonical: Canonical | None) -> tuple[Pairs, Pairs]:
    """Replaces the pairs of every connected group where `chosen` pairs fewer than `best` by an exact optimum."""
    rows, row_of = _compress(gi, gold_canonical)  # nodes numbered in canonical order: order-free assignments
    cols, col_of = _compress(pi, pred_canonical)
    graph = coo_matrix((np.ones(gi.size), (row_of, rows.size + col_of)), shape=(rows.size + cols.size,) * 2)
    n_groups, group = connected_components(graph, directed=False)
    group_of_gold = np.zeros(int(rows.max()) + 1, dtype=np.int64)
    group_of_gold[rows] = group[: rows.size]

    def pairs_per_group(*gold: IntArray) -> IntArray:
        return np.bincount(group_of_gold[np.concatenate(gold)], minlength=n_groups)

    short = pairs_per_group(best[0]) > pairs_per_group(chosen[0][0], chosen[1][0])
    out: list[list[IntArray]] = []
    for pairs in chosen:
        keep = ~short[group_of_gold[pairs[0]]]
        out += [[pairs[0][keep]], [pairs[1][keep]]]
    edge_group = group[row_of]
    for g in np.flatnonzero(short).tolist():
        edges = np.flatnonzero(edge_group == g)
        g_nodes, g_index = np.unique(row_of[edges], return_inverse=True)
        p_nodes, p_index = np.unique(col_of[edges], return_inverse=True)
        weights = np.zeros((g_nodes.size, p_nodes.size))
        weights[g_index, p_index] = np.where(correct[edges], g_nodes.size + p_nodes.size + 1.0, 1.0)
        r, c = best_assignment(weights)
        is_correct = weights[r, c] > 1
        for slot, mask in ((0, is_correct), (2, ~is_correct)):
            out[slot].append(rows[g_nodes[r[mask]]])
            out[slot + 1].append(cols[p_nodes[c[mask]]])
    joined = [np.concatenate(parts).astype(np.int64) for parts in out]
    return (joined[0], joined[1]), (joined[2], joined[3])


def best_assignment(weights: npt.NDArray[np.floating[Any]]) -> Pairs:
    """Maximum-weight one-to-one assignment of a small dense matrix; pairs with weight 0 dropped."""
    if weights.size == 0:
        return EMPTY, EMPTY
    rows, cols = linear_sum_assignment(weights, maximize=True)
    keep = weights[rows, cols] > 0
    return rows[keep].astype(np.int64), cols[keep].astype(np.int64)
