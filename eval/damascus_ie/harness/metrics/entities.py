"""Entity mentions: SemEval-2013 task 9.1 schemes (nervaluate's definitions), micro and macro, per type and level.

Schemes (POS = COR+INC+PAR+MIS, ACT = COR+INC+PAR+SPU):
  strict  same boundaries and type; any other overlapping pair is INC.
  exact   same boundaries, type ignored; overlapping pairs are INC.
  partial same boundaries is COR, overlap is PAR (half credit), type ignored.
  type    overlap and same type is COR; overlap with another type is INC.
Per type, gold and predictions are filtered to that type first, as nervaluate does.
Head match: a prediction matches when its head (the span's last token, which
for the spec's base noun phrases, names and pronouns is the head word) equals
the gold head and the type agrees.

Unlike nervaluate, pairing is optimal for every scheme (maximum number of correct
pairs, then of overlapping pairs), so the scores never depend on the order of
predictions.
Everything runs on flat arrays: one record never becomes a Python object.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cached_property, reduce
from itertools import chain, starmap
from typing import Any, Literal, get_args

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from damascus_ie.core.records import AnyRecord
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy
from damascus_ie.harness.metrics.coref import sorted_codes
from damascus_ie.harness.metrics.counts import Tally, scores_from, tally
from damascus_ie.harness.metrics.matching import (
    BoolArray,
    IntArray,
    Pairs,
    equal_pairs,
    interval_lexicographic_matching,
    interval_matching,
    joint_keys,
    lexicographic_matching,
    maximum_matching,
    overlap_candidates,
    overlap_pairs,
    record_rank,
    residual,
    tie_break,
)
from damascus_ie.harness.metrics.positions import JoinedTexts, last_tokens

Scheme = Literal["strict", "exact", "partial", "type"]
Rule = Literal["strict", "exact", "type"]  # what a pair must share to be correct; partial pairs like exact
SCHEMES: tuple[Scheme, ...] = get_args(Scheme)
COUNT_NAMES: tuple[str, ...] = ("correct", "incorrect", "partial", "missed", "spurious", "possible", "actual")


@dataclass
class MentionTable:
    """Column arrays of every mention of a corpus; row order = document order, then record order.

    Offsets and type codes are int32 as Arrow read them (a copy to int64 would cost more than it saves).
    """

    doc: IntArray
    start: IntArray
    end: IntArray
    type: IntArray
    per_doc: list[Sequence[AnyRecord]]  # each document's mention records, as given
    taxonomy: Taxonomy
    entity: IntArray  # identity id code per row (coref.sorted_codes of this table), -1 where there is none
    level: IntArray  # mention level code per row (taxonomy.mention_levels), -1 where a prediction has none
    # a subset's rows among the records of per_doc; None: all of them. Records are looked up only when needed
    # (identity ties, error pages), so a subset never copies them.
    source_rows: IntArray | None = None

    def __len__(self) -> int:
        return int(self.start.size)

    def documents(self, start: int, stop: int) -> MentionTable:
        """The rows of documents [start, stop), numbered from 0 like a table built from docs[start:stop]."""
        first, last = np.searchsorted(self.doc, [start, stop])
        rows = slice(int(first), int(last))
        source_rows = None
        if self.source_rows is not None:  # renumbered from the first record of document `start`
            source_rows = self.source_rows[rows] - sum(map(len, self.per_doc[:start]))
        return MentionTable(self.doc[rows] - start, self.start[rows], self.end[rows], self.type[rows],
                            self.per_doc[start:stop], self.taxonomy, self.entity[rows], self.level[rows], source_rows)

    def subset(self, keep: BoolArray) -> MentionTable:
        """The rows where `keep` is true, as a table of the same documents."""
        if keep.all():
            return self
        rows = np.flatnonzero(keep)
        source_rows = rows if self.source_rows is None else self.source_rows[rows]
        return MentionTable(self.doc[rows], self.start[rows], self.end[rows], self.type[rows], self.per_doc,
                            self.taxonomy, self.entity[rows], self.level[rows], source_rows)

    @cached_property
    def records(self) -> list[AnyRecord]:
        """The records in row order; built only when a record itself is needed (identity ties, errors)."""
        every = list(chain.from_iterable(self.per_doc))
        return every if self.source_rows is None else [every[r] for r in self.source_rows.tolist()]

    def canonical(self, rows: IntArray) -> tuple[IntArray, ...]:
        """Sort keys by content (document, span, type, then identity id and whole record) for order-free tie-breaks; lexsort order."""
        return tie_break((self.type[rows], self.end[rows], self.start[rows], self.doc[rows]), rows,
                         lambda tied: record_rank(self.records, tied, "entity"))


# The fields scoring reads, converted by Arrow's C++ loop: touching millions of dicts is what scoring costs.
# Offsets are read as int32 (half the bytes written; a document is far below 2**31 code points) and types and
# levels as plain strings, coded against the taxonomy afterwards in C++.
MENTION_FIELDS = pa.list_(pa.struct([("start", pa.int32()), ("end", pa.int32()), ("type", pa.string()),
                                     ("entity", pa.string()), ("level", pa.string())]))
_REQUIRED = ("start", "end", "type")


def mention_table(docs: Sequence[AnyRecord], taxonomy: Taxonomy | None = None, *,
                  lists: pa.ListArray | None = None) -> MentionTable:
    """Flattens the `mentions` of aligned documents (doc index = position in `docs`).

    Each record is read once, while it is in cache, by `pyarrow.array` (about twice as fast as
    Python-level iterators on scattered dicts); a missing field or an unknown type raises KeyError.
    `lists`: the documents' mention lists already read by Arrow (null for none), with the types Arrow
    inferred; they are used instead of reading the records again.
    """
    taxonomy = taxonomy or load_taxonomy()
    per_doc = [d.get("mentions") or () for d in docs]
    lists = pa.array(per_doc, type=MENTION_FIELDS) if lists is None else _with_fields(lists)
    rows = lists.flatten()
    missing = [name for name in _REQUIRED if rows.null_count or rows.field(name).null_count]
    if missing:
        raise KeyError(missing[0])
    types = rows.field("type")
    codes = pc.index_in(types, value_set=pa.array(taxonomy.entity_types, pa.string()))
    if codes.null_count:
        raise KeyError(types.filter(codes.is_null())[0].as_py())
    levels = pc.index_in(rows.field("level"), value_set=pa.array(taxonomy.mention_levels, pa.string()))
    offsets = lists.offsets.to_numpy()
    return MentionTable(
        doc=np.repeat(np.arange(len(docs), dtype=np.int64), np.diff(offsets)),
        start=rows.field("start").to_numpy(), end=rows.field("end").to_numpy(), type=codes.to_numpy(),
        per_doc=per_doc, taxonomy=taxonomy, entity=sorted_codes(rows.field("entity")),
        level=levels.fill_null(-1).to_numpy())


def _with_fields(lists: pa.ListArray) -> pa.ListArray:
    """Lists of inferred mention structs as lists of `MENTION_FIELDS` (a field no record has is all null)."""
    values = lists.flatten()  # what the valid lists hold, in order
    if lists.offset or lists.null_count:  # offsets from 0, nulls (no record) as empty lists
        lengths = pc.list_value_length(lists).fill_null(0).to_numpy()
        lists = pa.ListArray.from_arrays(pa.array(np.r_[0, np.cumsum(lengths)], pa.int32()), values)
    wanted = MENTION_FIELDS.value_type
    present = set(values.type.names) if pa.types.is_struct(values.type) else set()
    children = [values.field(f.name).cast(f.type) if f.name in present else pa.nulls(len(values), f.type)
                for f in wanted]
    return pa.ListArray.from_arrays(lists.offsets, pa.StructArray.from_arrays(children, fields=list(wanted)))


# The rule each scheme pairs by: partial pairs like exact and gives INC pairs half credit instead.
_RULE: dict[Scheme, Rule] = {"strict": "strict", "exact": "exact", "partial": "exact", "type": "type"}


@dataclass(frozen=True)
class EntityMatching:
    """The pairs each scheme chose, kept as flags where that is enough.

    Most overlap edges are alone (their two ends touch nothing else): such an edge is COR or INC by
    its flag, so it is stored once with a flag per rule (strict, exact, type) and pairs are assembled
    only when asked for. Ambiguous edges are matched per rule: (correct, other) pairs.
    """

    alone: Pairs
    alone_flags: dict[Rule, BoolArray]
    ambiguous: dict[Rule, tuple[Pairs, Pairs]]  # per rule: (correct, other) pairs
    ambiguous_type_incorrect: Pairs  # same type, not strict, matched after the strict pairs

    def correct(self, scheme: Scheme) -> Pairs:
        """COR pairs of a scheme."""
        return self._with_alone(self.alone_flags[_RULE[scheme]], self.ambiguous[_RULE[scheme]][0])

    def incorrect(self, scheme: Scheme) -> Pairs:
        """INC pairs of a scheme (PAR for partial): overlapping, paired, not correct."""
        return self._with_alone(~self.alone_flags[_RULE[scheme]], self.ambiguous[_RULE[scheme]][1])

    def count(self, scheme: Scheme, correct: bool) -> int:
        flags = self.alone_flags[_RULE[scheme]]
        alone = int(np.count_nonzero(flags))
        return (alone if correct else flags.size - alone) + self.ambiguous[_RULE[scheme]][0 if correct else 1][0].size

    def type_incorrect(self) -> Pairs:
        """Within one type (as per-type scores filter first): overlapping pairs of that type that are not strict."""
        flags = self.alone_flags
        return self._with_alone(flags["type"] & ~flags["strict"], self.ambiguous_type_incorrect)

    def _with_alone(self, flags: BoolArray, ambiguous: Pairs) -> Pairs:
        gold, pred = self.alone
        return np.concatenate([gold[flags], ambiguous[0]]), np.concatenate([pred[flags], ambiguous[1]])


# Candidate overlap pairs in one document past which it is matched by interval sweeps instead of an edge list:
# n spans all overlapping each other have n^2 edges (25M at 5,000 a side, several GB), the sweeps O(n log n).
DENSE_EDGES = 50_000


def match(gold: MentionTable, pred: MentionTable, *, dense_edges: int | None = None) -> EntityMatching:
    """The optimal pairing of every scheme, overall and within each type, from one overlap join.

    Equal spans always overlap, so every candidate pair of every scheme is an overlap edge; the
    schemes differ only in which edges they accept and in what they pair first. An edge whose two
    ends touch nothing else is decided by its flags alone; only the rest needs matching. Documents
    with more than `dense_edges` (default DENSE_EDGES) candidate pairs never list their edges (`_match_dense`).
    """
    dense_edges = DENSE_EDGES if dense_edges is None else dense_edges
    candidates = overlap_candidates(gold.doc, gold.start, gold.end, pred.doc, pred.start, pred.end)
    edges_per_doc = np.bincount(pred.doc, weights=candidates.count, minlength=len(pred.per_doc))
    dense = edges_per_doc > dense_edges
    sparse_pred = None if not dense.any() else ~dense[pred.doc]
    gi, pi = candidates.pairs(gold.end, pred.start, sparse_pred)
    alone = (np.bincount(gi, minlength=len(gold))[gi] == 1) & (np.bincount(pi, minlength=len(pred))[pi] == 1)
    same_bounds = (gold.start[gi] == pred.start[pi]) & (gold.end[gi] == pred.end[pi])
    same_type = gold.type[gi] == pred.type[pi]
    flags: dict[Rule, BoolArray] = {"strict": same_bounds & same_type, "exact": same_bounds, "type": same_type}
    ambiguous = ~alone
    matched = _match_ambiguous(gold, pred, (gi[ambiguous], pi[ambiguous]), {name: f[ambiguous] for name, f in flags.items()})
    if sparse_pred is not None:
        matched = _joined(matched, _match_dense(gold, pred, dense))
    return EntityMatching(alone=(gi[alone], pi[alone]), alone_flags={name: f[alone] for name, f in flags.items()},
                          **matched)


def _match_ambiguous(gold: MentionTable, pred: MentionTable, overlap: Pairs,
                     flags: dict[Rule, BoolArray]) -> dict[str, Any]:
    """Per rule the most correct pairs, then the most overlap pairs (matching.lexicographic_matching).

    Returns the `ambiguous` and `ambiguous_type_incorrect` fields of EntityMatching."""
    n_gold, n_pred = len(gold), len(pred)
    order = (gold.canonical, pred.canonical)
    gi, pi = overlap
    by_rule = {name: lexicographic_matching(gi, pi, accepted, n_gold, n_pred, *order, exchangeable=name != "type")
               for name, accepted in flags.items()}  # strict and exact pairs join equal spans
    same_type = (gi[flags["type"]], pi[flags["type"]])
    type_incorrect = maximum_matching(*residual(*same_type, *by_rule["strict"][0], n_gold, n_pred), *order)
    return {"ambiguous": by_rule, "ambiguous_type_incorrect": type_incorrect}


def _match_dense(gold: MentionTable, pred: MentionTable, dense: BoolArray) -> dict[str, Any]:
    """`_match_ambiguous` for the mentions of the `dense` documents, by interval sweeps instead of overlap edges.

    Correct strict and exact pairs join equal spans (a hash join), then a sweep pairs the most overlapping
    spans left (matching.interval_matching); `type` is matching.interval_lexicographic_matching (correct:
    overlapping and of the same type), and its same-type pairs left after the strict ones a sweep within types.
    """
    g_rows, p_rows = np.flatnonzero(dense[gold.doc]), np.flatnonzero(dense[pred.doc])
    g_rank, p_rank = _rank(gold.canonical(g_rows)), _rank(pred.canonical(p_rows))
    n_types = len(gold.taxonomy.entity_types)
    every = (np.arange(g_rows.size), np.arange(p_rows.size))

    def spans(table: MentionTable, rows: IntArray, by_type: bool) -> tuple[IntArray, IntArray, IntArray]:
        group = table.doc[rows] * n_types + table.type[rows] if by_type else table.doc[rows]
        return group, table.start[rows], table.end[rows]

    def sweep(g: IntArray, p: IntArray, by_type: bool) -> Pairs:  # positions in g_rows, p_rows -> pairs of them
        pairs = interval_matching(*spans(gold, g_rows[g], by_type), *spans(pred, p_rows[p], by_type), g_rank[g],
                                  p_rank[p])
        return g[pairs[0]], p[pairs[1]]

    def equal(with_type: bool) -> Pairs:
        def columns(table: MentionTable, rows: IntArray) -> tuple[IntArray, ...]:
            return (table.doc[rows], table.start[rows], table.end[rows], *((table.type[rows],) if with_type else ()))

        return equal_pairs(*joint_keys(columns(gold, g_rows), columns(pred, p_rows)),
                           lambda r: gold.canonical(g_rows[r]), lambda r: pred.canonical(p_rows[r]))

    def free(pairs: Pairs) -> Pairs:
        return np.setdiff1d(every[0], pairs[0]), np.setdiff1d(every[1], pairs[1])

    def then_overlap(first: Pairs) -> tuple[Pairs, Pairs]:
        return first, sweep(*free(first), by_type=False)

    def rows(pairs: Pairs) -> Pairs:
        return g_rows[pairs[0]], p_rows[pairs[1]]

    strict = equal(with_type=True)
    by_type = interval_lexicographic_matching(*spans(gold, g_rows, False), gold.type[g_rows],
                                              *spans(pred, p_rows, False), pred.type[p_rows], g_rank, p_rank)
    by_rule: dict[Rule, tuple[Pairs, Pairs]] = {"strict": then_overlap(strict),
                                                "exact": then_overlap(equal(with_type=False)), "type": by_type}
    return {"ambiguous": {name: (rows(first), rows(then)) for name, (first, then) in by_rule.items()},
            "ambiguous_type_incorrect": rows(sweep(*free(strict), by_type=True))}


def _rank(keys: tuple[IntArray, ...]) -> IntArray:
    """Each row's place in np.lexsort order of `keys`."""
    order = np.lexsort(keys)
    rank: IntArray = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank


def _joined_pairs(*parts: Pairs) -> Pairs:
    return np.concatenate([g for g, _ in parts]), np.concatenate([p for _, p in parts])


def _joined(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two `_match_ambiguous` results over disjoint mentions, as one."""
    return {"ambiguous": {name: tuple(_joined_pairs(a, b) for a, b in zip(pairs, second["ambiguous"][name], strict=True))
                          for name, pairs in first["ambiguous"].items()},
            "ambiguous_type_incorrect": _joined_pairs(first["ambiguous_type_incorrect"],
                                                      second["ambiguous_type_incorrect"])}


def _counts(correct: IntArray, incorrect: IntArray, possible: IntArray, actual: IntArray,
            partial_credit: bool) -> dict[str, IntArray]:
    """nervaluate's counts; with partial credit the INC pairs are PAR."""
    partial = incorrect if partial_credit else np.zeros_like(incorrect)
    incorrect = np.zeros_like(incorrect) if partial_credit else incorrect
    return {"correct": correct, "incorrect": incorrect, "partial": partial,
            "missed": possible - correct - incorrect - partial, "spurious": actual - correct - incorrect - partial,
            "possible": possible, "actual": actual}


def _with_scores(counts: Mapping[str, float]) -> dict[str, float]:
    credit = counts["correct"] + 0.5 * counts["partial"]
    return {**counts, **scores_from(np.array([credit, counts["actual"], credit, counts["possible"]], dtype=float))}


@dataclass(frozen=True)
class EntityCounts:
    """The additive counts every entity score derives from: parts of a corpus are counted apart, then summed."""

    possible: IntArray  # per type
    actual: IntArray  # per type
    typed_correct: IntArray  # per type: strict pairs
    typed_incorrect: IntArray  # per type: overlapping same-type pairs that are not strict
    typed_overlap: IntArray  # per type: overlapping same-type pairs
    correct: IntArray  # per scheme, in SCHEMES order
    incorrect: IntArray  # per scheme
    levels: IntArray | None  # per level: possible, actual, correct by gold level, correct by predicted level

    def __add__(self, other: EntityCounts) -> EntityCounts:
        levels = None if self.levels is None or other.levels is None else self.levels + other.levels
        summed = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self) if f.name != "levels"}
        return EntityCounts(**summed, levels=levels)


def count(gold: MentionTable, pred: MentionTable, matching: EntityMatching, taxonomy: Taxonomy,
          per_level: bool = True) -> EntityCounts:
    """The counts of one matched part: pure arrays, so parts add up (see EntityCounts)."""
    n_types = len(taxonomy.entity_types)

    def by_type(codes: IntArray) -> IntArray:
        return np.bincount(codes, minlength=n_types)

    strict_gold, strict_pred = matching.correct("strict")
    levels = None
    if per_level:
        n_levels = len(taxonomy.mention_levels)
        gold_level, pred_level = gold.level, pred.level
        levels = np.stack([np.bincount(codes[codes >= 0], minlength=n_levels) for codes in
                           (gold_level, pred_level, gold_level[strict_gold], pred_level[strict_pred])])
    return EntityCounts(
        possible=by_type(gold.type), actual=by_type(pred.type),
        typed_correct=by_type(gold.type[strict_gold]),
        typed_incorrect=by_type(gold.type[matching.type_incorrect()[0]]),
        typed_overlap=by_type(gold.type[matching.correct("type")[0]]),
        correct=np.array([matching.count(scheme, correct=True) for scheme in SCHEMES]),
        incorrect=np.array([matching.count(scheme, correct=False) for scheme in SCHEMES]),
        levels=levels)


def scores(counts: EntityCounts, taxonomy: Taxonomy) -> dict[str, Any]:
    """P/R/F1 per scheme: micro overall, per type, macro over types, and per mention level (strict)."""
    n_types = len(taxonomy.entity_types)
    possible, actual = counts.possible, counts.actual
    typed_cor, typed_inc = counts.typed_correct, counts.typed_incorrect
    per_type_arrays = {
        "strict": _counts(typed_cor, typed_inc, possible, actual, False),
        "exact": _counts(typed_cor, typed_inc, possible, actual, False),
        "partial": _counts(typed_cor, typed_inc, possible, actual, True),
        "type": _counts(counts.typed_overlap, np.zeros(n_types, np.int64), possible, actual, False),
    }
    overall: dict[str, dict[str, float]] = {}
    per_type: dict[str, dict[str, dict[str, float]]] = {}
    macro: dict[str, dict[str, float]] = {}
    present = (possible + actual) > 0
    for index, scheme in enumerate(SCHEMES):
        totals = _counts(counts.correct[index], counts.incorrect[index], possible.sum(), actual.sum(),
                         scheme == "partial")
        overall[scheme] = _with_scores({k: int(v) for k, v in totals.items()})
        for code, name in enumerate(taxonomy.entity_types):
            if present[code]:
                row = {k: int(v[code]) for k, v in per_type_arrays[scheme].items()}
                per_type.setdefault(name, {})[scheme] = _with_scores(row)
        f1s = [per_type[name][scheme]["f1"] for code, name in enumerate(taxonomy.entity_types) if present[code]]
        macro[scheme] = {"f1": float(np.mean(f1s)) if f1s else 1.0}
    out = {"overall": overall, "macro": macro, "per_type": per_type}
    if counts.levels is not None:
        out["per_level"] = _per_level(counts.levels, taxonomy)
    return out


def scheme_counts(gold: MentionTable, pred: MentionTable, matching: EntityMatching,
                  taxonomy: Taxonomy | None = None, per_level: bool = True) -> dict[str, Any]:
    """Counts and P/R/F1 per scheme: micro overall, per type, macro over types, and per mention level (strict)."""
    taxonomy = taxonomy or load_taxonomy()
    return scores(count(gold, pred, matching, taxonomy, per_level), taxonomy)


def _per_level(levels: IntArray, taxonomy: Taxonomy) -> dict[str, Any]:
    """Strict scores per mention level: recall by gold level; precision by predicted level where given."""
    out: dict[str, dict[str, float]] = {}
    for code, name in enumerate(taxonomy.mention_levels):
        possible, actual, cor_g, cor_p = (int(v) for v in levels[:, code])
        if not possible and not actual:
            continue
        row: dict[str, float] = {"correct": cor_g, "possible": possible, "actual": actual}
        row.update(scores_from(np.array([cor_p, actual, cor_g, possible], dtype=float)))
        out[name] = row
    return out


def scheme_tallies(gold: MentionTable, pred: MentionTable, matching: EntityMatching,
                   gold_units: IntArray, pred_units: IntArray, n_units: int) -> dict[str, Tally]:
    """Per-sentence sums for the bootstrap: credit at the gold mention's sentence, ACT at the prediction's."""
    out: dict[str, Tally] = {}
    for scheme in SCHEMES:
        g_cor = gold_units[matching.correct(scheme)[0]]
        if scheme == "partial":
            g_par = gold_units[matching.incorrect(scheme)[0]]
            credit = (np.concatenate([g_cor, g_par]), np.r_[np.ones(g_cor.size), np.full(g_par.size, 0.5)])
        else:
            credit = (g_cor, None)
        out[scheme] = tally(n_units, credit, (pred_units, None), credit, (gold_units, None))
    return out


def names_only(table: MentionTable, *, unlevelled: bool) -> tuple[MentionTable, IntArray]:
    """The name (NAM) mentions and their rows: CoNLL-2003-style name tagging inside the all-levels layer.

    `unlevelled`: rows without a level count as names (a name tagger's predictions carry none, and a
    system that does not say a prediction is a nominal or a pronoun is taken to claim a name).
    """
    nam = table.taxonomy.mention_levels.index("NAM")
    keep = (table.level == nam) | (unlevelled & (table.level < 0))
    return table.subset(keep), np.flatnonzero(keep)


def head_spans(table: MentionTable, texts: JoinedTexts) -> tuple[IntArray, IntArray]:
    """[start, end) of each mention's last token (the head of a base NP, name or pronoun)."""
    return last_tokens(texts, table.doc, table.start, table.end)


def head_pairs(gold: MentionTable, pred: MentionTable, texts: JoinedTexts) -> Pairs:
    """One-to-one pairs with the same head token and the same type; `texts` are the gold texts."""
    g_start, g_end = head_spans(gold, texts)
    p_start, p_end = head_spans(pred, texts)
    return equal_pairs(*joint_keys((gold.doc, g_start, g_end, gold.type), (pred.doc, p_start, p_end, pred.type)),
                       gold.canonical, pred.canonical)


def head_tally(gold: MentionTable, pred: MentionTable, pairs: Pairs, gold_units: IntArray,
               pred_units: IntArray, n_units: int) -> Tally:
    credit = (gold_units[pairs[0]], None)
    return tally(n_units, credit, (pred_units, None), credit, (gold_units, None))


# Predicted mentions per part in `evaluate`: the arrays of a part stay small enough to be reused by the allocator
# and kept in cache, where one pass over millions of mentions pays for fresh memory at every step.
PART_MENTIONS = 400_000


def evaluate(gold_docs: Sequence[AnyRecord] | MentionTable, pred_docs: Sequence[AnyRecord], taxonomy: Taxonomy | None = None,
             per_level: bool = True) -> dict[str, Any]:
    """All four schemes, per type and macro (and per level), from aligned document lists (the benchmarked path).

    The gold may be given as an already built table: a gold read once serves every system scored on it.
    Large corpora are scored in parts of whole documents (about a quarter faster on 4M mentions,
    `make bench`); counts are sums over documents, so the result is the same (a test pins it).
    """
    taxonomy = taxonomy or (gold_docs.taxonomy if isinstance(gold_docs, MentionTable) else load_taxonomy())

    def counted(start: int, stop: int) -> EntityCounts:
        gold = (gold_docs.documents(start, stop) if isinstance(gold_docs, MentionTable)
                else mention_table(gold_docs[start:stop], taxonomy))
        pred = mention_table(pred_docs[start:stop], taxonomy)
        return count(gold, pred, match(gold, pred), taxonomy, per_level)

    return scores(reduce(operator.add, starmap(counted, _document_parts(pred_docs))), taxonomy)


def _document_parts(docs: Sequence[AnyRecord]) -> list[tuple[int, int]]:
    """[start, stop) document ranges of about PART_MENTIONS predicted mentions each."""
    sizes = np.fromiter((len(d.get("mentions") or ()) for d in docs), np.int64, len(docs))
    n_parts = max(1, int(sizes.sum()) // PART_MENTIONS)
    # a part ends after the first document where the running count reaches its share
    stops = np.searchsorted(np.cumsum(sizes), np.arange(1, n_parts) * (sizes.sum() / n_parts)) + 1
    bounds = np.unique(np.r_[0, np.minimum(stops, len(docs)), len(docs)])
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)) or [(0, 0)]


Status = Literal["tp", "fp", "fn", "wrong_type", "partial"]


def align(gold_doc: AnyRecord, pred_doc: AnyRecord, taxonomy: Taxonomy | None = None) -> list[tuple[AnyRecord | None, AnyRecord | None,
                                                                                           Status]]:
    """Mention-level alignment of one document for error analysis: optimal pairing, best statuses first.

    tp: same span and type; wrong_type: same span, other type; partial: overlapping spans (any type);
    fn: gold mention left unpaired; fp: prediction left unpaired. Sorted by position.
    """
    gold, pred = mention_table([gold_doc], taxonomy), mention_table([pred_doc], taxonomy)
    n_gold, n_pred = len(gold), len(pred)
    order = (gold.canonical, pred.canonical)
    tp = equal_pairs(*joint_keys((gold.start, gold.end, gold.type), (pred.start, pred.end, pred.type)), *order)
    free_gold = np.setdiff1d(np.arange(n_gold), tp[0])
    free_pred = np.setdiff1d(np.arange(n_pred), tp[1])
    g, p = equal_pairs(*joint_keys((gold.start[free_gold], gold.end[free_gold]),
                                   (pred.start[free_pred], pred.end[free_pred])),
                       lambda rows: gold.canonical(free_gold[rows]), lambda rows: pred.canonical(free_pred[rows]))
    wrong_type = (free_gold[g], free_pred[p])
    used = (np.concatenate([tp[0], wrong_type[0]]), np.concatenate([tp[1], wrong_type[1]]))
    overlap = overlap_pairs(gold.doc, gold.start, gold.end, pred.doc, pred.start, pred.end)
    partial = maximum_matching(*residual(*overlap, *used, n_gold, n_pred), *order)
    rows: list[tuple[AnyRecord | None, AnyRecord | None, Status]] = []
    labelled: tuple[tuple[Pairs, Status], ...] = ((tp, "tp"), (wrong_type, "wrong_type"), (partial, "partial"))
    for pairs, status in labelled:
        rows += [(gold.records[g], pred.records[p], status) for g, p in zip(*(a.tolist() for a in pairs), strict=True)]
    paired_gold = set(np.concatenate([used[0], partial[0]]).tolist())
    paired_pred = set(np.concatenate([used[1], partial[1]]).tolist())
    rows += [(gold.records[g], None, "fn") for g in range(n_gold) if g not in paired_gold]
    rows += [(None, pred.records[p], "fp") for p in range(n_pred) if p not in paired_pred]
    return sorted(rows, key=lambda row: _position(row[0] or row[1]))


def _position(record: AnyRecord | None) -> tuple[int, int]:
    return (record["start"], record["end"]) if record else (0, 0)
