"""JSON Schemas for a gold document and a predictions record, generated from the taxonomy.

The two schemas share every definition; predictions relax only what an
extractor cannot know (ids unless referenced, identity ids, levels, attributes).
Structural checks the schema cannot express (span text, roles per event type,
dangling references) live in validation.py.
"""

from __future__ import annotations

import json
from typing import Any

from damascus_ie.core.records import EVENT_ATTRIBUTES
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy

_SCHEMA = "https://json-schema.org/draft/2020-12/schema"


def _span(text_required: bool) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "start": {"type": "integer", "minimum": 0, "description": "code point offset, inclusive"},
            "end": {"type": "integer", "minimum": 1, "description": "code point offset, exclusive"},
            "text": {"type": "string", "description": "must equal text[start:end]"},
        },
        "required": ["start", "end", "text"] if text_required else ["start", "end"],
    }


def _nullable_string() -> dict[str, Any]:
    return {"type": ["string", "null"]}


def _definitions(taxonomy: Taxonomy, gold: bool) -> dict[str, Any]:
    span = _span(text_required=gold)
    mention = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "start": span["properties"]["start"],
            "end": span["properties"]["end"],
            "text": {"type": "string"},
            "type": {"enum": list(taxonomy.entity_types)},
            "level": {"enum": list(taxonomy.mention_levels)},
            "entity": {**_nullable_string(), "description": "corpus-level entity id; null for TIME"},
            "value": {**_nullable_string(), "description": "ISO 8601 value of a TIME mention"},
        },
        "required": ["id", "start", "end", "text", "type", "level", "entity"] if gold else ["start", "end", "type"],
    }
    argument = {
        "type": "object",
        "properties": {"role": {"enum": list(taxonomy.roles)}, "mention": {"type": "string"}},
        "required": ["role", "mention"],
    }
    event = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "type": {"enum": list(taxonomy.event_types)},
            "trigger": {"$ref": "#/$defs/span"},
            "arguments": {"type": "array", "items": {"$ref": "#/$defs/argument"}},
            **{name: {"enum": list(taxonomy.event_attributes[name])} for name in EVENT_ATTRIBUTES},
            "event": {"type": "string", "description": "corpus-level event id"},
        },
        "required": ["id", "type", "trigger", "arguments", *EVENT_ATTRIBUTES, "event"] if gold else ["type", "trigger"],
        "allOf": [_roles_allowed(event_type, roles) for event_type, roles in taxonomy.event_roles.items()],
    }
    attribution = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "type": {"enum": list(taxonomy.attribution_types)},
            "cue": {"$ref": "#/$defs/span"},
            "source": {**_nullable_string(), "description": "mention id of the source, null where the text names none"},
            "content": {"type": "array", "items": {"$ref": "#/$defs/span"}, "minItems": 1 if gold else 0},
            "addressee": {**_nullable_string(), "description": "mention id of whom it was told to"},
            "parent": {**_nullable_string(), "description": "id of the attribution that relays this one"},
            "statement": {"type": "string", "description": "corpus-level statement id"},
        },
        "required": ["id", "type", "cue", "source", "content", "addressee", "parent", "statement"] if gold else ["cue"],
    }
    return {"span": span, "mention": mention, "argument": argument, "event": event, "attribution": attribution}


def _roles_allowed(event_type: str, roles: tuple[str, ...]) -> dict[str, Any]:
    return {
        "if": {"properties": {"type": {"const": event_type}}, "required": ["type"]},
        "then": {"properties": {"arguments": {"items": {"properties": {"role": {"enum": list(roles)}}}}}},
    }


def _document_schema(taxonomy: Taxonomy, gold: bool) -> dict[str, Any]:
    title = "Damascus-IE gold document" if gold else "Damascus-IE predictions record"
    layers = {
        "mentions": {"type": "array", "items": {"$ref": "#/$defs/mention"}},
        "events": {"type": "array", "items": {"$ref": "#/$defs/event"}},
        "attributions": {"type": "array", "items": {"$ref": "#/$defs/attribution"}},
    }
    properties: dict[str, Any] = {"id": {"type": "string", "description": "document id: the seed file's stem"}}
    if gold:
        properties["text"] = {"type": "string"}
        properties["boilerplate"] = {"type": "array", "items": {"type": "array", "items": {"type": "integer"},
                                                                "minItems": 2, "maxItems": 2}}
    else:
        properties["text"] = {"type": "string", "description": "optional; when given, spans are checked against it"}
    properties.update(layers)
    return {
        "$schema": _SCHEMA,
        "$id": f"https://damascus-ie/schemas/{'document' if gold else 'predictions'}.schema.json",
        "title": title,
        "description": f"Generated from schemas/taxonomy.json (taxonomy {taxonomy.version}); do not edit by hand.",
        "type": "object",
        "properties": properties,
        "required": ["id", "text", "boilerplate", "mentions", "events", "attributions"] if gold else ["id"],
        "$defs": _definitions(taxonomy, gold),
    }


def document_schema(taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    return _document_schema(taxonomy or load_taxonomy(), gold=True)


def predictions_schema(taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    return _document_schema(taxonomy or load_taxonomy(), gold=False)


def document_schema_text() -> str:
    return json.dumps(document_schema(), indent=2, ensure_ascii=False) + "\n"


def predictions_schema_text() -> str:
    return json.dumps(predictions_schema(), indent=2, ensure_ascii=False) + "\n"
