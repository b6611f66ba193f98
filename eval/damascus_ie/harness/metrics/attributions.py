"""Attributions (PARC 3.0 records), scored the BBC Citron way plus QuoteBank's speaker-by-entity.

Gold and predicted attributions are paired one-to-one by their cues: equal
cues first, then a maximum matching of overlapping cues. On those pairs:
  cue / source / content, exact: the pair's spans are identical (content: the
      same set of spans); precision over predictions having that role, recall
      over gold having it. Source and content count only on cue-paired records.
  ... token: tokens shared by the pair's spans over the tokens of the
      predictions (precision) or of the gold (recall).
  source.entity: the predicted source is aligned to a gold mention (same
      boundaries) of the gold source's entity: any mention of it counts.
  full: cue paired, content shares a token, and the source matches by entity
      (or both have none).
  type and parent: accuracy over cue-paired records; a parent is right when
      both are null or the predicted parent is paired with the gold parent.
  parent.edge: relay-chain links as a set: a predicted (child, parent) edge counts
      when both ends are cue-paired and the predicted parent is the gold parent's
      partner; precision over predicted edges, recall over gold edges.
  chain: accuracy over cue-paired records; right when every parent on the path
      from the record to its root is right and both paths end at the same root.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from damascus_ie.core.records import AnyRecord
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy
from damascus_ie.harness.metrics.columns import NONE, SPAN, Columns, layer, mention_ids
from damascus_ie.harness.metrics.coref import sorted_codes
from damascus_ie.harness.metrics.counts import Tally, accuracy_tally, tally
from damascus_ie.harness.metrics.matching import (
    BoolArray,
    Canonical,
    IntArray,
    Pairs,
    maximum_matching,
    overlap_pairs,
    record_rank,
    residual,
    tie_break,
)
from damascus_ie.harness.metrics.positions import OffsetIndex


@dataclass(frozen=True)
class AttributionTable:
    """Per attribution: doc, cue, type code, source mention row, parent attribution row; content spans flat."""

    doc: IntArray
    cue_start: IntArray
    cue_end: IntArray
    type: IntArray
    source: IntArray
    parent: IntArray
    content_row: IntArray
    content_start: IntArray
    content_end: IntArray
    records: list[AnyRecord]
    statement: IntArray  # statement identity id codes (coref.sorted_codes), -1 where none

    def __len__(self) -> int:
        return int(self.doc.size)


_FIELDS = pa.struct([("id", pa.string()), ("cue", SPAN), ("type", pa.string()), ("source", pa.string()),
                     ("parent", pa.string()), ("statement", pa.string()), ("content", pa.list_(SPAN))])


def attribution_table(docs: Sequence[AnyRecord], taxonomy: Taxonomy | None = None,
                      mentions: Columns | None = None) -> AttributionTable:
    """Flattens `attributions`; source ids become rows of the corpus mention table (document order).

    `mentions`: columns.mention_ids of the same documents, when the caller has read them. A source or
    parent naming no record of its document, or an unknown type, is none (-1).
    """
    taxonomy = taxonomy or load_taxonomy()
    mentions = mentions if mentions is not None else mention_ids(docs)
    table, records = layer(docs, "attributions", _FIELDS)
    content = table.items("content")
    return AttributionTable(
        table.doc, table.ints("cue.start"), table.ints("cue.end"),
        table.codes("type", taxonomy.attribution_types, required=False),
        mentions.rows_of(table.doc, table.field("source")), table.rows_of(table.doc, table.field("parent")),
        content.owner, content.ints("start"), content.ints("end"), records, sorted_codes(table.field("statement")))


def canonical_order(table: AttributionTable, mentions: MentionSide) -> Canonical:
    """Sort keys by content (document, cue, type, source span, content extent) for order-free tie-breaking;
    records tied on all of them (two sharing a cue, as the gold has) by statement id, then whole content."""
    first = np.full(len(table), -1, dtype=np.int64)
    last = np.full(len(table), -1, dtype=np.int64)
    if table.content_row.size:
        first[:] = np.iinfo(np.int64).max
        np.minimum.at(first, table.content_row, table.content_start)
        np.maximum.at(last, table.content_row, table.content_end)
        first[first == np.iinfo(np.int64).max] = -1
    source_start, source_end = gather(mentions.start, table.source), gather(mentions.end, table.source)

    def keys(rows: IntArray) -> tuple[IntArray, ...]:
        # +1: "none" (-1) sorts first and the packed key stays non-negative
        return tie_break((last[rows] + 1, first[rows] + 1, source_end[rows] + 1, source_start[rows] + 1,
                          table.type[rows] + 1, table.cue_end[rows], table.cue_start[rows], table.doc[rows]),
                         rows, lambda tied: record_rank(table.records, tied, "statement"))

    return keys


def pair_cues(gold: AttributionTable, pred: AttributionTable, gold_order: Canonical | None = None,
              pred_order: Canonical | None = None) -> Pairs:
    """Equal cues first, then a maximum matching of the remaining overlapping cues."""
    candidates = overlap_pairs(gold.doc, gold.cue_start, gold.cue_end, pred.doc, pred.cue_start, pred.cue_end)
    gi, pi = candidates
    equal = (gold.cue_start[gi] == pred.cue_start[pi]) & (gold.cue_end[gi] == pred.cue_end[pi])
    first = maximum_matching(gi[equal], pi[equal], gold_order, pred_order)
    second = maximum_matching(*residual(*candidates, *first, len(gold), len(pred)), gold_order, pred_order)
    return np.concatenate([first[0], second[0]]), np.concatenate([first[1], second[1]])


def gather(values: IntArray, rows: IntArray, fill: int = NONE) -> IntArray:
    """values[rows], with `fill` where a row is -1 (no record); safe on empty tables."""
    out = np.full(rows.shape, fill, dtype=np.int64)
    present = rows >= 0
    out[present] = values[rows[present]]
    return out


def _shared_tokens(tokens: OffsetIndex, doc: IntArray, a_start: IntArray, a_end: IntArray,
                   b_start: IntArray, b_end: IntArray) -> IntArray:
    return tokens.count(doc, np.maximum(a_start, b_start), np.minimum(a_end, b_end))


@dataclass(frozen=True)
class MentionSide:
    """What attribution scoring needs of a mention table: spans, and the gold entity each row stands for."""

    start: IntArray
    end: IntArray
    entity: IntArray  # identity code per row (see entity_codes); predictions: their aligned gold mention's


def _content_pairs(gold: AttributionTable, pred: AttributionTable, pairs: Pairs) -> tuple[IntArray, ...]:
    """Every (gold content span, pred content span) combination of each attribution pair: (pair, g span, p span)."""
    pair_of_gold = np.full(len(gold), NONE)
    pair_of_gold[pairs[0]] = np.arange(pairs[0].size)
    pair_of_pred = np.full(len(pred), NONE)
    pair_of_pred[pairs[1]] = np.arange(pairs[1].size)
    g_pair = pair_of_gold[gold.content_row]
    p_pair = pair_of_pred[pred.content_row]
    g_spans = np.flatnonzero(g_pair >= 0)
    p_spans = np.flatnonzero(p_pair >= 0)
    g_order = g_spans[np.argsort(g_pair[g_spans], kind="stable")]
    p_order = p_spans[np.argsort(p_pair[p_spans], kind="stable")]
    g_count = np.bincount(g_pair[g_spans], minlength=pairs[0].size)
    p_count = np.bincount(p_pair[p_spans], minlength=pairs[0].size)
    combos = g_count * p_count
    pair = np.repeat(np.arange(pairs[0].size), combos)
    within = np.arange(combos.sum()) - np.repeat(np.cumsum(combos) - combos, combos)
    p_per = np.repeat(p_count, combos)
    g_first = np.repeat(np.cumsum(g_count) - g_count, combos)
    p_first = np.repeat(np.cumsum(p_count) - p_count, combos)
    g_span = g_order[g_first + within // np.maximum(p_per, 1)]
    p_span = p_order[p_first + within % np.maximum(p_per, 1)]
    return pair, g_span, p_span


def attribution_tallies(gold: AttributionTable, pred: AttributionTable, gold_mentions: MentionSide,
                        pred_mentions: MentionSide, tokens: OffsetIndex, gold_units: IntArray,
                        pred_units: IntArray, n_units: int, pairs: Pairs | None = None) -> dict[str, Tally]:
    """Every attribution score as a tally; units give each gold/pred attribution's sentence (its cue's).

    `pairs` are the cue pairs (`cue_pairs`), computed here when not given."""
    gi, pi = pairs if pairs is not None else cue_pairs(gold, pred, gold_mentions, pred_mentions)
    pair_units = gold_units[gi]
    doc = gold.doc[gi]
    out: dict[str, Tally] = {}

    def prf(hits: BoolArray, gold_has: BoolArray, pred_has: BoolArray) -> Tally:
        hit = (pair_units[hits], None)
        return tally(n_units, hit, (pred_units[pred_has], None), hit, (gold_units[gold_has], None))

    def token_prf(shared: IntArray, shared_units: IntArray, gold_tokens: IntArray,
                  pred_tokens: IntArray) -> Tally:
        hit = (shared_units, shared.astype(float))
        return tally(n_units, hit, (pred_units, pred_tokens.astype(float)), hit, (gold_units, gold_tokens.astype(float)))

    every_gold, every_pred = np.ones(len(gold), bool), np.ones(len(pred), bool)
    exact_cue = (gold.cue_start[gi] == pred.cue_start[pi]) & (gold.cue_end[gi] == pred.cue_end[pi])
    out["cue.exact"] = prf(exact_cue, every_gold, every_pred)
    out["cue.token"] = token_prf(
        _shared_tokens(tokens, doc, gold.cue_start[gi], gold.cue_end[gi], pred.cue_start[pi], pred.cue_end[pi]),
        pair_units, tokens.count(gold.doc, gold.cue_start, gold.cue_end),
        tokens.count(pred.doc, pred.cue_start, pred.cue_end))

    g_src, p_src = gold.source[gi], pred.source[pi]
    both = (g_src >= 0) & (p_src >= 0)
    g_start, g_end = gather(gold_mentions.start, g_src), gather(gold_mentions.end, g_src)
    p_start, p_end = gather(pred_mentions.start, p_src), gather(pred_mentions.end, p_src)
    same_source_span = both & (g_start == p_start) & (g_end == p_end)
    out["source.exact"] = prf(same_source_span, gold.source >= 0, pred.source >= 0)
    out["source.token"] = token_prf(
        np.where(both, _shared_tokens(tokens, doc, g_start, g_end, p_start, p_end), 0), pair_units,
        tokens.count(gold.doc, gather(gold_mentions.start, gold.source), gather(gold_mentions.end, gold.source)),
        tokens.count(pred.doc, gather(pred_mentions.start, pred.source), gather(pred_mentions.end, pred.source)))
    g_entity, p_entity = gather(gold_mentions.entity, g_src), gather(pred_mentions.entity, p_src)
    same_entity = both & (p_entity != NONE) & (g_entity == p_entity)
    out["source.entity"] = prf(same_entity, gold.source >= 0, pred.source >= 0)

    pair, g_span, p_span = _content_pairs(gold, pred, (gi, pi))
    shared = _shared_tokens(tokens, gold.doc[gold.content_row[g_span]], gold.content_start[g_span],
                            gold.content_end[g_span], pred.content_start[p_span], pred.content_end[p_span])
    shared_per_pair = np.bincount(pair, weights=shared, minlength=gi.size)
    content_tokens_gold = np.bincount(gold.content_row, weights=tokens.count(
        gold.doc[gold.content_row], gold.content_start, gold.content_end), minlength=len(gold))
    content_tokens_pred = np.bincount(pred.content_row, weights=tokens.count(
        pred.doc[pred.content_row], pred.content_start, pred.content_end), minlength=len(pred))
    out["content.token"] = token_prf(shared_per_pair, pair_units, content_tokens_gold, content_tokens_pred)
    out["content.exact"] = prf(_same_span_sets(gold, pred, gi, pi), np.bincount(gold.content_row, minlength=len(
        gold)) > 0, np.bincount(pred.content_row, minlength=len(pred)) > 0)

    source_ok = same_entity | ((g_src < 0) & (p_src < 0))
    out["full"] = prf((shared_per_pair > 0) & source_ok, every_gold, every_pred)
    out["type.accuracy"] = accuracy_tally(n_units, pair_units, gold.type[gi] == pred.type[pi], gold_units)
    parents_agree = _parents_agree(gold, pred, gi, pi)
    out["parent.accuracy"] = accuracy_tally(n_units, pair_units, parents_agree, gold_units)
    out["parent.edge"] = _edge_tally(gold, pred, pi, gi, gold_units, pred_units, n_units)
    out["chain.accuracy"] = accuracy_tally(n_units, pair_units, _chains_agree(gold, gi, parents_agree), gold_units)
    return out


def cue_pairs(gold: AttributionTable, pred: AttributionTable, gold_mentions: MentionSide,
              pred_mentions: MentionSide) -> Pairs:
    """The one-to-one pairing every attribution score (and statement identity) uses: by cue, ties by content."""
    return pair_cues(gold, pred, canonical_order(gold, gold_mentions), canonical_order(pred, pred_mentions))


def _edge_tally(gold: AttributionTable, pred: AttributionTable, pi: IntArray, gi: IntArray,
                gold_units: IntArray, pred_units: IntArray, n_units: int) -> Tally:
    """Relay-chain edges (child, parent): a predicted edge counts when both ends are cue-paired and the
    predicted parent is the gold parent's partner; precision over predicted edges, recall over gold edges."""
    partner_of_pred = np.full(len(pred), NONE)
    partner_of_pred[pi] = gi
    child = np.flatnonzero(pred.parent >= 0)
    gold_child, gold_parent = partner_of_pred[child], partner_of_pred[pred.parent[child]]
    hit = (gold_child >= 0) & (gold_parent >= 0) & (gather(gold.parent, gold_child) == gold_parent)
    credit = (gold_units[gold_child[hit]], None)
    return tally(n_units, credit, (pred_units[child], None), credit, (gold_units[gold.parent >= 0], None))


def _chains_agree(gold: AttributionTable, gi: IntArray, parents_agree: BoolArray) -> BoolArray:
    """Per cue pair: the whole path to the root is right (each parent on it agrees, and the roots coincide)."""
    pair_of_gold = np.full(len(gold), NONE)
    pair_of_gold[gi] = np.arange(gi.size)
    has_parent = gold.parent[gi] >= 0
    # a pair whose parent agrees has its gold parent paired, so the parent's pair exists
    parent_pair = np.where(has_parent & parents_agree, gather(pair_of_gold, gold.parent[gi]), NONE)
    chain = parents_agree.copy()
    for _ in range(gi.size):  # gold chains have no cycles (validation), so this settles within their depth
        updated = parents_agree & np.where(parent_pair >= 0, chain[np.maximum(parent_pair, 0)], True)
        if np.array_equal(updated, chain):
            break
        chain = updated
    return chain


def _same_span_sets(gold: AttributionTable, pred: AttributionTable, gi: IntArray, pi: IntArray) -> BoolArray:
    def spans(table: AttributionTable) -> list[frozenset[tuple[int, int]]]:
        out: list[set[tuple[int, int]]] = [set() for _ in range(len(table))]
        for row, start, end in zip(table.content_row.tolist(), table.content_start.tolist(),
                                   table.content_end.tolist(), strict=True):
            out[row].add((start, end))
        return [frozenset(s) for s in out]

    gold_sets, pred_sets = spans(gold), spans(pred)
    return np.array([bool(gold_sets[g]) and gold_sets[g] == pred_sets[p] for g, p in zip(gi.tolist(), pi.tolist(),
                                                                                           strict=True)], dtype=bool)


def _parents_agree(gold: AttributionTable, pred: AttributionTable, gi: IntArray, pi: IntArray) -> BoolArray:
    partner_of_pred = np.full(len(pred), NONE)
    partner_of_pred[pi] = gi
    g_parent, p_parent = gold.parent[gi], pred.parent[pi]
    mapped = np.where(p_parent >= 0, partner_of_pred[np.maximum(p_parent, 0)], NONE)
    agree: BoolArray = ((g_parent < 0) & (p_parent < 0)) | ((g_parent >= 0) & (mapped == g_parent))
    return agree


def entity_codes(gold_entities: IntArray, pred_to_gold: IntArray) -> tuple[IntArray, IntArray]:
    """Identity code per gold mention row, and per predicted row through its aligned gold mention (-1: none).

    `gold_entities` holds an id code per gold row (-1: none, see coref.identity_codes). Codes are >= 0
    for an entity id; a gold mention without one (TIME) stands for itself (-2 - row).
    """
    gold_codes = np.where(gold_entities >= 0, gold_entities, -2 - np.arange(gold_entities.size, dtype=np.int64))
    return gold_codes, gather(gold_codes, pred_to_gold)
