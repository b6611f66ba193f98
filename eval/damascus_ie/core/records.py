"""Record shapes of ANNOTATION_SPEC section 4, as typed dicts, and their normal form.

Records stay plain JSON dicts end to end (files, datasets rows, metric inputs):
no conversion layer to keep in sync, and scoring millions of mentions pays no
object-construction cost. Metric modules take these and return counts. The
fields themselves are described once, in core.fields; these TypedDicts (the
gold shape) are for the type checker, and tests/foundation/test_fields.py holds
them to that description.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NotRequired, TypedDict, TypeVar

from damascus_ie.core.fields import EVENT_ATTRIBUTES, LAYER_RECORDS, RECORD_FIELDS, Layer, RecordFields, flat_fields

__all__ = ["EVENT_ATTRIBUTES", "LAYERS", "AnyRecord", "Argument", "Attribution", "Document", "Event", "Layer", "Mention",
           "Span", "index_by_id", "normal_record", "normalise", "rows_by_id"]


class Span(TypedDict):
    start: int
    end: int
    text: str


class Mention(TypedDict):
    id: str
    start: int
    end: int
    text: str
    type: str
    level: str
    entity: str | None
    value: NotRequired[str | None]


class Argument(TypedDict):
    role: str
    mention: str


class Event(TypedDict):
    id: str
    type: str
    trigger: Span
    arguments: list[Argument]
    polarity: str
    modality: str
    tense: str
    genericity: str
    event: str


class Attribution(TypedDict):
    id: str
    type: str
    cue: Span
    source: str | None
    content: list[Span]
    addressee: str | None
    parent: str | None
    statement: str


class Document(TypedDict):
    id: str
    text: str
    boilerplate: list[list[int]]
    mentions: list[Mention]
    events: list[Event]
    attributions: list[Attribution]


# A record or document as given: a prediction may lack fields, so readers take any mapping.
AnyRecord = Mapping[str, Any]
LAYERS: tuple[Layer, ...] = tuple(LAYER_RECORDS)
ID_PREFIX: dict[Layer, str] = {"mentions": "m", "events": "v", "attributions": "a"}  # record ids m1, v1, a1


R = TypeVar("R", bound=Mapping[str, Any])


def index_by_id(records: Iterable[R]) -> dict[str, R]:
    """Records that have an id, by id. A missing id is no id: a missing reference (`source: null`) must
    never find a record that has none either."""
    return {record["id"]: record for record in records if record.get("id") is not None}


def rows_by_id(records: Sequence[AnyRecord], first: int = 0) -> dict[str, int]:
    """Row (counting from `first`) of each record that has an id; see index_by_id."""
    return {record["id"]: first + i for i, record in enumerate(records) if record.get("id") is not None}


_ORDER: dict[Layer, Callable[[dict[str, Any]], tuple[Any, ...]]] = {
    "mentions": lambda m: (m["start"], -m["end"], m["id"]),
    "events": lambda e: (e["trigger"]["start"], e["id"]),
    "attributions": lambda a: (a["cue"]["start"], a["id"]),
}


def normalise(doc: Document, *, record_fields: RecordFields = RECORD_FIELDS) -> Document:
    """Every described key present in the described order (null where absent), records in document order,
    so rows and records compare equal after loading and hash the same."""
    layers = {layer: sorted((normal_record(r, record, record_fields) for r in doc[layer]), key=_ORDER[layer])
              for layer, record in LAYER_RECORDS.items()}
    return {"id": doc["id"], "text": doc["text"], "boilerplate": [list(p) for p in doc["boilerplate"]],
            **layers}  # type: ignore[typeddict-item]


def normal_record(record: Mapping[str, Any], name: str, record_fields: RecordFields = RECORD_FIELDS) -> dict[str, Any]:
    """One record with exactly the fields core.fields describes for it, nested spans and records likewise."""
    out: dict[str, Any] = {}
    for field in flat_fields(name, record_fields):
        value = record.get(field.name)
        if field.kind == "span" and field.record and value is not None:
            value = normal_record(value, field.record, record_fields)
        elif field.kind in ("spans", "records") and field.record:
            value = [normal_record(item, field.record, record_fields) for item in value or []]
        out[field.name] = value
    return out
