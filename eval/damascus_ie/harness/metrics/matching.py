"""Optimal one-to-one matching of spans, vectorised over a whole corpus.

Every layer aligns gold and predicted spans the same way: equal keys are
paired first (identical records are interchangeable, so any pairing of them is
optimal), then the remaining spans that overlap are paired by a maximum
cardinality bipartite matching (a unit-capacity maximum flow by Dinic's
algorithm, `scipy.sparse.csgraph`). Pairs whose two ends have no other candidate are settled with array operations;
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
from scipy.sparse.csgraph import connected_components, maximum_flow

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
    # places (and bits) counted from the group's first, so a bit set holds one group's predictions, not all
    first = np.searchsorted(p_end[by_end], np.arange(int(group.max()) + 1) * width, side="left")
    reach = np.searchsorted(p_end[by_end], g_start, side="right") - first[group[:n_gold]]  # first place ending past
    # one sweep by position: a gold at its end, before the predictions that start there; golds then by rank
    order = np.lexsort((np.concatenate([gold_rank, pred_rank]), np.r_[np.zeros(n_gold, bool), np.ones(place.size, bool)],
                        np.concatenate([g_end, p_start])))
    events = np.concatenate([np.arange(n_gold), ~(place - first[group[n_gold:]])])[order]  # gold, or ~its bit
    event_group = group[order]
    starts = np.r_[0, np.flatnonzero(np.diff(event_group)) + 1]
    reach_of = reach.tolist()
    gold_out, place_out = [], []
    for base, chunk in zip(first[event_group[starts]].tolist(), np.split(events, starts[1:]), strict=True):
        free = 0
        for event in chunk.tolist():
            if event < 0:
                free |= 1 << ~event
                continue
            above = free >> reach_of[event]
            if above:
                chosen = reach_of[event] + (above & -above).bit_length() - 1
                free ^= 1 << chosen
                gold_out.append(event)
                place_out.append(base + chosen)
    return np.array(gold_out, dtype=np.int64), by_end[np.array(place_out, dtype=np.int64)]


def interval_lexicographic_matching(gold_group: IntArray, gold_start: IntArray, gold_end: IntArray,
                                    gold_kind: IntArray, pred_group: IntArray, pred_start: IntArray,
                                    pred_end: IntArray, pred_kind: IntArray, gold_rank: IntArray | None = None,
                                    pred_rank: IntArray | None = None) -> tuple[Pairs, Pairs]:
    """(correct pairs, other pairs): the most overlapping pairs of the same kind, then the most overlapping pairs.

    `lexicographic_matching` for spans whose correct pairs are the overlapping ones of the same kind (the
    `type` scheme), without listing the overlaps. A sweep within each kind, then a sweep of what is left,
    give the most correct pairs and, with them, a matching of the greatest weight for its size (weight
    n+1 a correct pair, 1 another); where a group has fewer pairs than the sweep of all its overlaps,
    augmenting paths that give up no correct pair are added while one exists (`_augment`): each keeps the
    weight the greatest for the size, and the greatest weight is concave in the size, so when none is left
    the matching is the optimum. Ranks break ties, as in `interval_matching`.
    """
    n_gold, n_pred = gold_start.size, pred_start.size
    if not n_gold or not n_pred:
        return (EMPTY, EMPTY), (EMPTY, EMPTY)
    gold_rank = np.arange(n_gold) if gold_rank is None else np.asarray(gold_rank)
    pred_rank = np.arange(n_pred) if pred_rank is None else np.asarray(pred_rank)
    group = np.unique(np.concatenate([gold_group, pred_group]), return_inverse=True)[1].ravel().astype(np.int64)
    kind = _dense_rank_pairs(group, np.concatenate([gold_kind, pred_kind]).astype(np.int64))
    g_group, p_group, g_kind, p_kind = group[:n_gold], group[n_gold:], kind[:n_gold], kind[n_gold:]
    first = interval_matching(g_kind, gold_start, gold_end, p_kind, pred_start, pred_end, gold_rank, pred_rank)
    free_g = np.setdiff1d(np.arange(n_gold), first[0])
    free_p = np.setdiff1d(np.arange(n_pred), first[1])
    second = interval_matching(g_group[free_g], gold_start[free_g], gold_end[free_g], p_group[free_p],
                               pred_start[free_p], pred_end[free_p], gold_rank[free_g], pred_rank[free_p])
    mate_g = np.full(n_gold, -1, dtype=np.int64)
    mate_g[first[0]] = first[1]
    mate_g[free_g[second[0]]] = free_p[second[1]]
    most = interval_matching(g_group, gold_start, gold_end, p_group, pred_start, pred_end, gold_rank, pred_rank)
    n_groups = int(group.max()) + 1
    short = np.bincount(g_group[most[0]], minlength=n_groups) > np.bincount(g_group[mate_g >= 0], minlength=n_groups)
    if short.any():
        g_rows, p_rows = np.flatnonzero(short[g_group]), np.flatnonzero(short[p_group])
        gold = _Spans(g_group[g_rows], gold_start[g_rows], gold_end[g_rows], g_kind[g_rows], gold_rank[g_rows])
        pred = _Spans(p_group[p_rows], pred_start[p_rows], pred_end[p_rows], p_kind[p_rows], pred_rank[p_rows])
        position = np.full(n_pred, -1, dtype=np.int64)  # pred row -> its place in p_rows
        position[p_rows] = np.arange(p_rows.size)
        local = _augment(gold, pred, np.where(mate_g[g_rows] >= 0, position[mate_g[g_rows]], -1))
        mate_g[g_rows] = np.where(local >= 0, p_rows[local], -1)
    gi = np.flatnonzero(mate_g >= 0)
    pi = mate_g[gi]
    same = g_kind[gi] == p_kind[pi]
    return (gi[same], pi[same]), (gi[~same], pi[~same])


@dataclass(frozen=True)
class _Spans:
    """One side's spans for `_augment`: group, offsets, kind (one code per group and kind), content rank."""

    group: IntArray
    start: IntArray
    end: IntArray
    kind: IntArray
    rank: IntArray

    def line(self, by: IntArray, width: int, low: int) -> tuple[IntArray, IntArray]:
        """Offsets on one line with group `by` g shifted to [g * width, (g + 1) * width): overlaps stay within groups."""
        return by * width + self.start - low, by * width + self.end - low


def _augment(gold: _Spans, pred: _Spans, mate_g: IntArray) -> IntArray:
    """`mate_g` (gold -> pred, -1) grown by augmenting paths that keep every correct pair's count (see above).

    An alternating path from a free gold adds non-matching overlaps and removes matching pairs; its balance
    is the correct pairs added minus those removed. None is positive (the correct pairs are already the
    most), so the greatest balance reaching each span is a longest path without positive cycles, found by
    Bellman-Ford rounds over implicit overlaps (`_best_overlapping`); a free prediction reached at balance 0
    ends a path that adds a pair and loses no correct one. Each round takes vertex-disjoint paths (each still
    augments once the others are taken), only golds whose balance rose are swept again, until none is left.
    """
    offsets = [gold.start, gold.end, pred.start, pred.end]
    low = min(int(a.min()) for a in offsets)
    width = max(int(a.max()) for a in offsets) - low + 1
    lines = [(gold.line(by_g, width, low), pred.line(by_p, width, low)) for by_g, by_p in
             ((gold.group, pred.group), (gold.kind, pred.kind))]  # any overlap, overlap of the same kind
    by_start = [np.argsort(g_line[0], kind="stable") for g_line, _ in lines]
    by_group = np.argsort(gold.group, kind="stable")
    none = -(gold.start.size + pred.start.size + 2)  # below every balance
    while True:
        mate_p = np.full(pred.start.size, -1, dtype=np.int64)
        matched = np.flatnonzero(mate_g >= 0)
        mate_p[mate_g[matched]] = matched
        correct = np.zeros(gold.start.size, dtype=np.int64)
        correct[matched] = gold.kind[matched] == pred.kind[mate_g[matched]]
        label_g = np.where(mate_g < 0, 0, none)
        label_p = np.full(pred.start.size, none, dtype=np.int64)
        depth_g = np.zeros(gold.start.size, dtype=np.int64)
        depth_p = np.zeros(pred.start.size, dtype=np.int64)
        frontier = mate_g < 0  # golds whose balance rose in the last step: only they can raise a prediction's
        for depth in range(1, gold.start.size + 2):
            value = np.where(frontier, label_g, none)
            reach = [_best_overlapping(value, *g_line, order, *p_line, none)
                     for (g_line, p_line), order in zip(lines, by_start, strict=True)]
            reached = np.maximum(reach[0], np.where(reach[1] > none, reach[1] + 1, none))
            better = reached > label_p
            label_p[better], depth_p[better] = reached[better], depth
            via = np.where(label_p[np.maximum(mate_g, 0)] > none, label_p[np.maximum(mate_g, 0)] - correct, none)
            frontier = (mate_g >= 0) & (via > label_g)
            if not frontier.any():
                break
            label_g[frontier], depth_g[frontier] = via[frontier], depth
        ends = np.flatnonzero((mate_p < 0) & (label_p >= 0))
        if not ends.size:
            return mate_g
        ends = ends[np.lexsort((pred.rank[ends], pred.group[ends]))]
        (g_start, g_end), (p_start, p_end) = lines[0]
        used = np.zeros(gold.start.size, dtype=bool)  # golds on a path of this round: paths stay vertex-disjoint
        for end in ends.tolist():
            p, path = end, list[tuple[int, int]]()
            first, last = np.searchsorted(gold.group[by_group], [pred.group[p], pred.group[p] + 1])
            near = by_group[first:last]  # the golds of p's group
            while True:  # back along the balances: each step to a span whose balance was final a round earlier
                witness = near[(g_start[near] < p_end[p]) & (p_start[p] < g_end[near]) & (depth_g[near] < depth_p[p])
                               & (label_g[near] > none) & ~used[near]
                               & (label_g[near] + (gold.kind[near] == pred.kind[p]) == label_p[p])]
                if not witness.size:  # every way back crosses a path already taken: this end waits a round
                    path = []
                    break
                g = int(witness[np.argmin(gold.rank[witness])])
                path.append((g, p))
                if mate_g[g] < 0:
                    break
                p = int(mate_g[g])
            for g, p in path:
                used[g] = True
                mate_g[g] = p


def _best_overlapping(value: IntArray, g_start: IntArray, g_end: IntArray, by_start: IntArray, p_start: IntArray,
                      p_end: IntArray, none: int) -> IntArray:
    """Per prediction, the greatest `value` of a gold overlapping it (`none` if no gold with a value does).

    One pass per distinct value, from the greatest down: golds at that value or more, in start order, with the
    running greatest end; a prediction is overlapped when a gold starting before its end ends after its start.
    """
    out = np.full(p_start.size, none, dtype=np.int64)
    open_ = np.ones(p_start.size, dtype=bool)
    for level in np.unique(value[value > none])[::-1].tolist():
        live = by_start[value[by_start] >= level]
        reach = np.maximum.accumulate(g_end[live])
        before = np.searchsorted(g_start[live], p_end, side="left")
        hit = open_ & (before > 0)
        hit[hit] = reach[before[hit] - 1] > p_start[hit]
        out[hit] = level
        open_ &= ~hit
        if not open_.any():
            break
    return out


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
    candidates) go to a maximum flow, with nodes numbered in canonical order, so which maximum
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
    match = _unit_flow_matching(row_index, col_index, rows.size, cols.size)
    matched = match >= 0
    return (np.concatenate([gi[simple], rows[matched]]), np.concatenate([pi[simple], cols[match[matched]]]))


def _unit_flow_matching(rows: IntArray, cols: IntArray, n_rows: int, n_cols: int) -> IntArray:
    """Each row's column in a maximum matching of the edges (rows[k], cols[k]), -1 if none: a unit-capacity
    maximum flow, source -> rows -> columns -> sink, by Dinic's algorithm (O(E sqrt(V))).

    Not scipy's maximum_bipartite_matching: its Hopcroft-Karp search never marks dead ends, so it takes
    exponential time on layered graphs (scipy/scipy#26147), and nested spans make them (600 random spans
    a side, 39,000 candidate pairs: over five minutes, where this takes 0.03 s).
    """
    source, sink = n_rows + n_cols, n_rows + n_cols + 1
    tail = np.concatenate([np.full(n_rows, source), rows, n_rows + np.arange(n_cols)])
    head = np.concatenate([np.arange(n_rows), n_rows + cols, np.full(n_cols, sink)])
    network = csr_matrix((np.ones(tail.size, dtype=np.int32), (tail, head)), shape=(sink + 1, sink + 1))
    flow = maximum_flow(network, source, sink, method="dinic").flow.tocoo()
    used = (flow.data > 0) & (flow.row < n_rows) & (flow.col >= n_rows) & (flow.col < source)
    match = np.full(n_rows, -1, dtype=np.int64)
    match[flow.row[used]] = flow.col[used] - n_rows
    return match


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
