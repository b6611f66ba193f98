"""Events, TextEE conventions: exact matching of tuple sets, duplicates collapse.

  trigger identification          (doc, trigger offsets)
  trigger classification          + event type
  argument identification         (doc, event type, argument offsets)
  argument classification         + role
  ..._attached variants           + the trigger's offsets (and type), so an argument counts only on its own trigger
Argument offsets are those of the mention the argument points to. Attributes
(polarity, modality, tense, genericity) are scored as accuracy over the events
paired by trigger classification (same trigger and type; among duplicates the
pairing that agrees most); a missing predicted attribute counts as wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from damascus_ie.core.records import EVENT_ATTRIBUTES, AnyRecord
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy
from damascus_ie.harness.metrics.columns import SPAN, Columns, layer, mention_ids
from damascus_ie.harness.metrics.coref import sorted_codes
from damascus_ie.harness.metrics.counts import Tally, tally
from damascus_ie.harness.metrics.matching import IntArray, equal_pairs, joint_keys, record_rank, tie_break

TASKS: dict[str, tuple[str, ...]] = {
    "trigger_identification": ("doc", "start", "end"),
    "trigger_classification": ("doc", "start", "end", "type"),
    "argument_identification": ("doc", "type", "arg_start", "arg_end"),
    "argument_classification": ("doc", "type", "arg_start", "arg_end", "role"),
    "argument_identification_attached": ("doc", "start", "end", "type", "arg_start", "arg_end"),
    "argument_classification_attached": ("doc", "start", "end", "type", "arg_start", "arg_end", "role"),
}


@dataclass(frozen=True)
class EventTable:
    """One row per event (trigger) and one per argument, as int columns."""

    events: dict[str, IntArray]
    arguments: dict[str, IntArray]
    identities: IntArray  # event identity id codes (coref.sorted_codes), -1 where none
    records: list[AnyRecord]

    def canonical(self, rows: IntArray) -> tuple[IntArray, ...]:
        """Sort keys by content (trigger, type, event id, whole record) for order-free tie-breaking; np.lexsort order."""
        columns = self.events
        return tie_break((columns["type"][rows], columns["end"][rows], columns["start"][rows], columns["doc"][rows]),
                         rows, lambda tied: record_rank(self.records, tied, "event"))


_FIELDS = pa.struct([("trigger", SPAN), ("type", pa.string()), *((a, pa.string()) for a in EVENT_ATTRIBUTES),
                     ("event", pa.string()),
                     ("arguments", pa.list_(pa.struct([("role", pa.string()), ("mention", pa.string())])))])


def event_table(docs: Sequence[AnyRecord], taxonomy: Taxonomy | None = None,
                mentions: Columns | None = None) -> EventTable:
    """Flattens `events`; `mentions` (columns.mention_ids of the same documents) when the caller has read them.

    A missing required field, an unknown type or role, or an argument naming no mention of its document raises
    KeyError: predictions are validated before they get here.
    """
    taxonomy = taxonomy or load_taxonomy()
    mentions = mentions if mentions is not None else mention_ids(docs)
    table, records = layer(docs, "events", _FIELDS)
    events: dict[str, IntArray] = {"doc": table.doc, "start": table.ints("trigger.start"), "end": table.ints("trigger.end"),
                                   "type": table.codes("type", taxonomy.event_types, required=True),
                                   **{a: table.codes(a, taxonomy.event_attributes[a], required=False) for a in EVENT_ATTRIBUTES}}
    items = table.items("arguments")
    mention = mentions.rows_of(items.doc, items.field("mention"))
    if (mention < 0).any():
        raise KeyError(items.field("mention").filter(pa.array(mention < 0))[0].as_py())
    event = items.owner
    arguments = {"doc": items.doc, "start": events["start"][event], "end": events["end"][event],
                 "type": events["type"][event], "arg_start": mentions.ints("start")[mention],
                 "arg_end": mentions.ints("end")[mention], "role": items.codes("role", taxonomy.roles, required=True)}
    return EventTable(events, arguments, sorted_codes(table.field("event")), records)


def set_tally(gold_key: IntArray, pred_key: IntArray, gold_units: IntArray, pred_units: IntArray,
              n_units: int) -> Tally:
    """P/R/F1 of two sets of keys (duplicates collapse to their first occurrence)."""
    gold_unique, gold_first = np.unique(gold_key, return_index=True)
    pred_unique, pred_first = np.unique(pred_key, return_index=True)
    hit = np.isin(gold_unique, pred_unique, assume_unique=True)
    tp_units = gold_units[gold_first[hit]]
    return tally(n_units, (tp_units, None), (pred_units[pred_first], None), (tp_units, None),
                 (gold_units[gold_first], None))


def _keys(gold: dict[str, IntArray], pred: dict[str, IntArray], columns: tuple[str, ...]) -> tuple[IntArray,
                                                                                                     IntArray]:
    return joint_keys(tuple(gold[c] for c in columns), tuple(pred[c] for c in columns))


def multiset_overlap(gold_key: IntArray, pred_key: IntArray) -> tuple[IntArray, IntArray]:
    """Per distinct gold key: its first gold row and min(#gold, #pred) with that key.

    Events sharing a trigger and type are interchangeable, so attribute agreement is counted as the
    overlap of the two multisets of (trigger, type, value): the best pairing, whatever the order.
    """
    gold_unique, gold_first, gold_count = np.unique(gold_key, return_index=True, return_counts=True)
    pred_unique, pred_count = np.unique(pred_key, return_counts=True)
    _, in_gold, in_pred = np.intersect1d(gold_unique, pred_unique, assume_unique=True, return_indices=True)
    overlap = np.minimum(gold_count[in_gold], pred_count[in_pred])
    return gold_first[in_gold], overlap


def event_tallies(gold: EventTable, pred: EventTable, units: dict[str, IntArray], n_units: int) -> dict[str, Tally]:
    """Every TextEE task and attribute accuracy; `units` holds the sentence of gold/pred triggers and arguments."""
    out: dict[str, Tally] = {}
    for task, columns in TASKS.items():
        table = "events" if task.startswith("trigger") else "arguments"
        gold_key, pred_key = _keys(getattr(gold, table), getattr(pred, table), columns)
        out[task] = set_tally(gold_key, pred_key, units[f"gold_{table}"], units[f"pred_{table}"], n_units)
    trigger = TASKS["trigger_classification"]
    first, matched = multiset_overlap(*_keys(gold.events, pred.events, trigger))
    gold_units = units["gold_events"]
    for attribute in EVENT_ATTRIBUTES:
        first_a, correct = multiset_overlap(*_keys(gold.events, pred.events, (*trigger, attribute)))
        out[f"attributes.{attribute}"] = tally(
            n_units, (gold_units[first_a], correct.astype(float)), (gold_units[first], matched.astype(float)),
            (gold_units[first_a], correct.astype(float)), (gold_units, None), kind="accuracy")
    return out


def per_type_tallies(gold: EventTable, pred: EventTable, units: dict[str, IntArray], n_units: int,
                     taxonomy: Taxonomy | None = None) -> dict[str, Tally]:
    """Trigger classification within each event type present in gold or predictions."""
    taxonomy = taxonomy or load_taxonomy()
    gold_key, pred_key = _keys(gold.events, pred.events, TASKS["trigger_classification"])
    out = {}
    for code, name in enumerate(taxonomy.event_types):
        g, p = gold.events["type"] == code, pred.events["type"] == code
        if g.any() or p.any():
            out[name] = set_tally(gold_key[g], pred_key[p], units["gold_events"][g], units["pred_events"][p], n_units)
    return out


def trigger_pairs(gold: EventTable, pred: EventTable) -> tuple[IntArray, IntArray]:
    """Events paired one-to-one on identical trigger offsets: the mention alignment of event coreference."""
    return equal_pairs(*_keys(gold.events, pred.events, TASKS["trigger_identification"]), gold.canonical,
                       pred.canonical)
