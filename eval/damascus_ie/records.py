"""Record shapes of ANNOTATION_SPEC section 4, as typed dicts.

Records stay plain JSON dicts end to end (files, datasets rows, metric inputs):
no conversion layer to keep in sync, and scoring millions of mentions pays no
object-construction cost. Metric modules take these and return counts.
"""

from __future__ import annotations

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


def index_by_id(records: list) -> dict[str, dict]:
    return {record["id"]: record for record in records if record.get("id") is not None}
