"""The fields of every record (ANNOTATION_SPEC section 4), described once.

The JSON Schemas (dataset.jsonschemas), the Hugging Face `Features`
(dataset.features), the validator's presence, type, label and reference checks
(core.validation) and normalisation (core.records.normalise) are all derived
from `RECORD_FIELDS`, so adding a field is one edit here (then `damascus-ie
generate` and `build`). Label sets are named, not listed: their values come
from the taxonomy. Rules that tie fields together (roles per event type, TIME
mentions without entity id, relay cycles) are structural and stay in
core.validation. The TypedDicts in core.records are kept for the type checker;
tests/foundation/test_fields.py holds them to this description.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from damascus_ie.core.taxonomy import Taxonomy

FieldKind = Literal[
    "id",  # the record's own id: unique in its layer; required in gold, in predictions only when referenced
    "string",
    "offset",  # a code point offset into the document text
    "label",  # one value of a closed label set of the taxonomy
    "identity",  # a corpus-level id (entity, event, statement): non-empty in gold
    "reference",  # the id of another record of the same document
    "span",  # a span object (start, end, text); `inline` when its fields sit in the record itself
    "spans",  # a list of span objects
    "records",  # a list of nested records (`record` names them)
    "index",  # a 0-based position in a list the harness derives (the document's sentences)
]
LabelSet = Literal["entity_types", "mention_levels", "event_types", "roles", "attribution_types",
                   "polarity", "modality", "tense", "genericity"]
RecordName = Literal["span", "mention", "argument", "event", "attribution"]
Layer = Literal["mentions", "events", "attributions"]

TYPE_ALIASES = ("label", "entity_type", "event_type", "category", "tag", "ner_type")
EVENT_ATTRIBUTES: tuple[Literal["polarity", "modality", "tense", "genericity"], ...] = (
    "polarity", "modality", "tense", "genericity")


@dataclass(frozen=True)
class Field:
    """One field of a record: what it holds, when it must be there, and what it means."""

    name: str
    kind: FieldKind
    gold: bool = True  # required in a gold record
    predictions: bool = False  # required in a predictions record
    nullable: bool = False  # null is an allowed value (a reference to nothing, an absent identity)
    labels: LabelSet | None = None  # kind label: which closed set of the taxonomy
    target: Layer | None = None  # kind reference: the layer whose ids it names
    record: RecordName | None = None  # kind span/spans/records: the nested record ("span" for spans)
    non_empty: bool = False  # kind spans: a gold record holds at least one
    minimum: int | None = None  # kind offset: the smallest allowed value
    inline: bool = False  # kind span: the record itself is the span (a mention's start, end and text)
    aliases: tuple[str, ...] = ()  # keys people use for this field by mistake, named in the error's hint
    description: str | None = None

    def required(self, gold: bool) -> bool:
        return self.gold if gold else self.predictions


RecordFields = Mapping[str, tuple[Field, ...]]

RECORD_FIELDS: RecordFields = {
    "span": (
        Field("start", "offset", predictions=True, minimum=0, description="code point offset, inclusive"),
        Field("end", "offset", predictions=True, minimum=1, description="code point offset, exclusive"),
        Field("text", "string", description="must equal text[start:end]"),
    ),
    "mention": (
        Field("id", "id"),
        Field("span", "span", predictions=True, record="span", inline=True),
        Field("type", "label", predictions=True, labels="entity_types", aliases=TYPE_ALIASES),
        Field("level", "label", labels="mention_levels"),
        Field("entity", "identity", nullable=True, description="corpus-level entity id; null for TIME"),
        Field("value", "string", gold=False, nullable=True, description="ISO 8601 value of a TIME mention"),
    ),
    "argument": (
        Field("role", "label", predictions=True, labels="roles"),  # which roles an event type allows: validation
        Field("mention", "reference", predictions=True, target="mentions"),
    ),
    "event": (
        Field("id", "id"),
        Field("type", "label", predictions=True, labels="event_types", aliases=TYPE_ALIASES),
        Field("trigger", "span", predictions=True, record="span"),
        Field("arguments", "records", record="argument"),
        *(Field(name, "label", labels=name) for name in EVENT_ATTRIBUTES),
        Field("event", "identity", description="corpus-level event id"),
    ),
    "attribution": (
        Field("id", "id"),
        Field("type", "label", labels="attribution_types", aliases=TYPE_ALIASES),
        Field("cue", "span", predictions=True, record="span"),
        Field("source", "reference", nullable=True, target="mentions",
              description="mention id of the source, null where the text names none"),
        Field("content", "spans", record="span", non_empty=True),
        Field("addressee", "reference", nullable=True, target="mentions", description="mention id of whom it was told to"),
        Field("parent", "reference", nullable=True, target="attributions",
              description="id of the attribution that relays this one"),
        Field("statement", "identity", description="corpus-level statement id"),
    ),
}

# Text-anchored predictions (harness.grounding): a span may give its text and these hints instead of offsets,
# and an argument's mention, a source or an addressee may be such a span (a "filler") instead of a mention id.
# Predictions only: the gold, its Features and its validation never see these fields.
ANCHOR_HINTS: tuple[Field, ...] = (
    Field("context", "string", gold=False, description="text-anchored span: a short quote of the document that "
          "contains the span (a few words either side); searched first, and it locates the span"),
    Field("sentence", "index", gold=False, minimum=0, description="text-anchored span: 0-based index of the sentence "
          "that contains it (core.sentences.sentence_spans); searched after the context"),
)
ANCHOR_TEXT = Field("text", "string", gold=False, description="the span's text; without start and end the span is "
                    "text-anchored: grounded to offsets (exact, then normalised match; HARNESS.md)")
FILLER_FIELDS: tuple[Field, ...] = (
    Field("text", "string", gold=False, predictions=True, description="the filler's text, grounded like a span: it "
          "names the predicted mention at those offsets"),
    *ANCHOR_HINTS,
    Field("type", "label", gold=False, labels="entity_types", description="needed when no predicted mention has the "
          "grounded offsets: a mention of this type is added"),
    Field("level", "label", gold=False, labels="mention_levels", description="level of the added mention"),
    Field("entity", "identity", gold=False, nullable=True, description="corpus-level entity id of the added mention"),
)
TEXT_FILLERS: Mapping[RecordName, tuple[str, ...]] = {"argument": ("mention",), "attribution": ("source", "addressee")}

LAYER_RECORDS: dict[Layer, RecordName] = {"mentions": "mention", "events": "event", "attributions": "attribution"}


def flat_fields(record: str, record_fields: RecordFields = RECORD_FIELDS) -> tuple[Field, ...]:
    """The record's fields with inline spans replaced by the span's own fields: the keys a record carries."""
    flat: list[Field] = []
    for field in record_fields[record]:
        if field.inline and field.record:
            flat += record_fields[field.record]
        else:
            flat.append(field)
    return tuple(flat)


def label_values(taxonomy: Taxonomy, labels: LabelSet) -> tuple[str, ...]:
    """The values of a named label set: an event attribute's, or the taxonomy attribute of that name."""
    if labels in taxonomy.event_attributes:
        return taxonomy.event_attributes[labels]
    values: tuple[str, ...] = getattr(taxonomy, labels)
    return values
