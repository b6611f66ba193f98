"""Record shapes of ANNOTATION_SPEC section 4, as typed dicts.

Records stay plain JSON dicts end to end (files, datasets rows, metric inputs):
no conversion layer to keep in sync, and scoring millions of mentions pays no
object-construction cost. Metric modules take these and return counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NotRequired, TypedDict


class Span(TypedDict):
    start: int
    end: int
    text: NotRequired[str]


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


LAYERS: tuple[str, ...] = ("mentions", "events", "attributions")
EVENT_ATTRIBUTES: tuple[str, ...] = ("polarity", "modality", "tense", "genericity")


def index_by_id(records: Sequence[dict]) -> dict[str, dict]:
    """Records that have an id, by id. A missing id is no id: a missing reference (`source: null`) must
    never find a record that has none either."""
    return {record["id"]: record for record in records if record.get("id") is not None}


def rows_by_id(records: Sequence[dict], first: int = 0) -> dict[str, int]:
    """Row (counting from `first`) of each record that has an id; see index_by_id."""
    return {record["id"]: first + i for i, record in enumerate(records) if record.get("id") is not None}


def normalise(doc: Document) -> Document:
    """Every optional key present (null where absent), so rows and records compare equal after loading."""
    mentions = [{"id": m["id"], "start": m["start"], "end": m["end"], "text": m["text"], "type": m["type"],
                 "level": m["level"], "entity": m.get("entity"), "value": m.get("value")}
                for m in sorted(doc["mentions"], key=lambda m: (m["start"], -m["end"], m["id"]))]
    events = [{"id": e["id"], "type": e["type"], "trigger": _span(e["trigger"]),
               "arguments": [{"role": a["role"], "mention": a["mention"]} for a in e["arguments"]],
               **{name: e[name] for name in EVENT_ATTRIBUTES}, "event": e["event"]}
              for e in sorted(doc["events"], key=lambda e: (e["trigger"]["start"], e["id"]))]
    attributions = [{"id": a["id"], "type": a["type"], "cue": _span(a["cue"]), "source": a.get("source"),
                     "content": [_span(s) for s in a["content"]], "addressee": a.get("addressee"),
                     "parent": a.get("parent"), "statement": a["statement"]}
                    for a in sorted(doc["attributions"], key=lambda a: (a["cue"]["start"], a["id"]))]
    return {"id": doc["id"], "text": doc["text"], "boilerplate": [list(p) for p in doc["boilerplate"]],
            "mentions": mentions, "events": events, "attributions": attributions}  # type: ignore[typeddict-item]


def _span(span: dict) -> dict:
    return {"start": span["start"], "end": span["end"], "text": span["text"]}
