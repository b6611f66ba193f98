"""Correction mode: an extractor's predictions as pre-annotations, speaking the gold's ids wherever they can.

A predicted record whose span equals a gold record's (a mention's span, a
trigger, a cue) takes that record's id, and a predicted entity or event cluster
takes the gold identity id most of its span-matched records carry; an identity
the extractor does not predict (event and statement ids) is filled from the
span-matched gold record. Everything else gets the next free `m`/`v`/`a` number
after the gold's. So the diff of a corrected task against the gold lists what
the correction changed, not the extractor's own numbering.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from damascus_ie.core.records import ID_PREFIX, LAYERS, AnyRecord, Document, Layer
from damascus_ie.harness.agreement import SPAN_FIELD

IDENTITY = {"mentions": "entity", "events": "event", "attributions": "statement"}
_NUMBERED = re.compile(r"^[a-z](\d+)$")


def _span(layer: Layer, record: AnyRecord) -> tuple[Any, Any]:
    key = SPAN_FIELD[layer]
    span = record if key is None else record.get(key) or {}
    return span.get("start"), span.get("end")


def _next_free(records: list[AnyRecord], prefix: str) -> int:
    numbers = [int(m[1]) for r in records if (m := _NUMBERED.match(str(r.get("id")))) and str(r["id"])[0] == prefix]
    return max(numbers, default=0) + 1


def _identity_map(layer: str, pred: list[dict[str, Any]], matched: dict[int, AnyRecord]) -> dict[Any, Any]:
    """Predicted identity id -> the gold identity most of its span-matched records carry."""
    votes: dict[Any, Counter] = defaultdict(Counter)
    field = IDENTITY[layer]
    for index, record in enumerate(pred):
        gold = matched.get(index)
        if gold is not None and record.get(field) is not None and gold.get(field) is not None:
            votes[record[field]][gold[field]] += 1
    return {identity: counts.most_common(1)[0][0] for identity, counts in votes.items()}


def align_to_gold(pred: dict[str, Any], gold: Document) -> Document:
    """The predicted document with the gold's record and identity ids where spans match, fresh numbers elsewhere."""
    out: dict[str, Any] = dict(pred)
    renamed: dict[str, dict[str, str]] = {}
    for layer in LAYERS:
        gold_records: list[AnyRecord] = list(gold.get(layer) or [])
        by_span = {_span(layer, r): r for r in gold_records}
        records = [dict(r) for r in pred.get(layer) or []]
        matched = {i: by_span[_span(layer, r)] for i, r in enumerate(records) if _span(layer, r) in by_span}
        identities = _identity_map(layer, records, matched)
        field, prefix = IDENTITY[layer], ID_PREFIX[layer]
        number = _next_free(gold_records, prefix)
        used = {str(g["id"]) for g in matched.values()}
        renamed[layer] = {}
        for index, record in enumerate(records):
            gold_record = matched.get(index)
            if gold_record is not None and str(gold_record["id"]) in used:
                new_id = str(gold_record["id"])
                used.discard(new_id)  # two predictions on one span: the first takes the gold id
            else:
                new_id, number = f"{prefix}{number}", number + 1
            if record.get("id") is not None:
                renamed[layer][str(record["id"])] = new_id
            record["id"] = new_id
            if record.get(field) in identities:
                record[field] = identities[record[field]]
            elif record.get(field) is None and gold_record is not None and layer != "mentions":
                record[field] = gold_record.get(field)
        out[layer] = records
    mentions, attributions = renamed["mentions"], renamed["attributions"]
    for event in out["events"]:
        event["arguments"] = [{**a, "mention": mentions.get(str(a.get("mention")), a.get("mention"))}
                              for a in event.get("arguments") or []]
    for attribution in out["attributions"]:
        for link, names in (("source", mentions), ("addressee", mentions), ("parent", attributions)):
            if attribution.get(link) is not None:
                attribution[link] = names.get(str(attribution[link]), attribution[link])
    return out  # type: ignore[return-value]
