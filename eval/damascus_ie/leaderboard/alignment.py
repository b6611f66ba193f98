"""Per-record statuses for the error page, read off the harness's matchings of one document.

A status says what happened to one gold or predicted record, in the harness's
words: `tp` (matched), `wrong_type` (same span, other type), `partial`
(overlapping span), `fn` (gold, unmatched) or `fp` (predicted, unmatched).
Mentions use the harness's alignment (metrics.entities.align); triggers and
cues pair one to one on offsets, as the harness's event and attribution
metrics match them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from damascus_ie.core.records import Document, Layer, index_by_id
from damascus_ie.harness.metrics import attributions, entities
from damascus_ie.harness.metrics.entities import Status

Record = Mapping[str, Any]
Side = Literal["gold", "pred"]


@dataclass(frozen=True)
class Item:
    side: Side
    layer: Layer
    record_id: str
    kind: str
    status: Status
    spans: tuple[tuple[int, int], ...]
    detail: str
    record: Record = field(compare=False)


@dataclass(frozen=True)
class Aligned:
    document: str
    items: list[Item]


def _statuses(gold: Sequence[Record], pred: Sequence[Record], same: Callable[[Record, Record], bool],
              overlaps: Callable[[Record, Record], bool], same_kind: Callable[[Record, Record], bool],
              ) -> tuple[list[Status], list[Status]]:
    """One-to-one pairing in three passes: exact with same kind, then exact other kind, then overlap."""
    gold_status: list[Status] = ["fn"] * len(gold)
    pred_status: list[Status] = ["fp"] * len(pred)
    passes: tuple[tuple[Callable[[Record, Record], bool], Status], ...] = (
        (lambda g, p: same(g, p) and same_kind(g, p), "tp"), (same, "wrong_type"), (overlaps, "partial"))
    for test, status in passes:
        for i, g in enumerate(gold):
            if gold_status[i] != "fn":
                continue
            j = next((j for j, p in enumerate(pred) if pred_status[j] == "fp" and test(g, p)), None)
            if j is not None:
                gold_status[i] = pred_status[j] = status
    return gold_status, pred_status


def _mention_statuses(gold: Document, pred: Record) -> tuple[list[Status], list[Status]]:
    """The harness's own error-analysis alignment (metrics.entities.align), read back per record."""
    gold_status: dict[int, Status] = {}
    pred_status: dict[int, Status] = {}
    for gold_record, pred_record, status in entities.align(gold, {"mentions": pred.get("mentions") or []}):
        if gold_record is not None:
            gold_status[id(gold_record)] = status
        if pred_record is not None:
            pred_status[id(pred_record)] = status
    return ([gold_status[id(m)] for m in gold.get("mentions") or []],
            [pred_status[id(m)] for m in pred.get("mentions") or []])


def _attribution_statuses(gold: Document, pred: Record) -> tuple[list[Status], list[Status]]:
    """The harness's cue pairing (metrics.attributions.pair_cues): equal cues, then overlapping ones."""
    gold_table = attributions.attribution_table([gold])
    pred_table = attributions.attribution_table([{"mentions": pred.get("mentions") or [],
                                                  "attributions": pred.get("attributions") or []}])
    gold_status: list[Status] = ["fn"] * len(gold_table)
    pred_status: list[Status] = ["fp"] * len(pred_table)
    for gi, pi in zip(*(a.tolist() for a in attributions.pair_cues(gold_table, pred_table)), strict=True):
        equal = (gold_table.cue_start[gi], gold_table.cue_end[gi]) == (pred_table.cue_start[pi], pred_table.cue_end[pi])
        status: Status = ("tp" if gold_table.type[gi] == pred_table.type[pi] else "wrong_type") if equal else "partial"
        gold_status[gi] = pred_status[pi] = status
    return gold_status, pred_status


def _span(record: Record, key: str) -> tuple[int, int]:
    return record[key]["start"], record[key]["end"]


def _names(doc: Record) -> dict[str, str]:
    return {m: r.get("text", m) for m, r in index_by_id(doc.get("mentions") or []).items()}


def _mention_detail(record: Record, names: dict[str, str]) -> str:
    return f"{record.get('level') or '?'} {record['text']!r}"


def _event_detail(record: Record, names: dict[str, str]) -> str:
    arguments = ", ".join(f"{a['role']}={names.get(a['mention'], a['mention'])}" for a in record["arguments"])
    return f"trigger {record['trigger'].get('text')!r}; {arguments}"


def _attribution_detail(record: Record, names: dict[str, str]) -> str:
    return f"cue {record['cue'].get('text')!r}; source {names.get(record.get('source') or '', 'none')!r}"


def _spans(record: Record) -> tuple[tuple[int, int], ...]:
    """Where a record is highlighted: a mention's span, an event's trigger, an attribution's cue."""
    for key in ("trigger", "cue"):
        if key in record:
            return (_span(record, key),)
    return ((record["start"], record["end"]),)


def _event_statuses(gold: Document, pred: Record) -> tuple[list[Status], list[Status]]:
    """Triggers as the harness matches them (TextEE): equal offsets, with the type for classification."""
    def same(g: Record, p: Record) -> bool:
        return _span(g, "trigger") == _span(p, "trigger")

    def overlaps(g: Record, p: Record) -> bool:
        return g["trigger"]["start"] < p["trigger"]["end"] and p["trigger"]["start"] < g["trigger"]["end"]

    return _statuses(gold["events"], pred.get("events") or [], same, overlaps, lambda g, p: g["type"] == p["type"])


LAYER_RULES: dict[Layer, tuple[Callable[[Document, Record], tuple[list[Status], list[Status]]],
                             Callable[[Record, dict[str, str]], str]]] = {
    "mentions": (_mention_statuses, _mention_detail),
    "events": (_event_statuses, _event_detail),
    "attributions": (_attribution_statuses, _attribution_detail),
}


def align_document(gold: Document, pred: Record) -> Aligned:
    """Every gold and predicted record of one document with its status."""
    items: list[Item] = []
    for layer, (statuses_of, detail) in LAYER_RULES.items():
        sides: tuple[tuple[Side, Record], ...] = (("gold", gold), ("pred", pred))
        for (side, doc), statuses in zip(sides, statuses_of(gold, pred), strict=True):
            names = _names(doc)
            for record, status in zip(doc.get(layer) or [], statuses, strict=True):
                items.append(Item(side, layer, str(record.get("id")), str(record.get("type") or "?"), status,
                                  _spans(record), detail(record, names), record))
    return Aligned(gold["id"], items)
