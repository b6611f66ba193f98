"""JSON Schemas for a gold document and a predictions record, generated from the taxonomy.

Every record's definition is derived from core.fields; the two schemas share
them and predictions relax only which fields are required (an extractor cannot
know ids unless referenced, identity ids, levels, attributes). Structural checks
the schema cannot express (span text, dangling references) live in
core.validation; roles per event type are the one structural rule written here.
"""

from __future__ import annotations

import json
from typing import Any

from damascus_ie.core.fields import (
    ANCHOR_HINTS,
    ANCHOR_TEXT,
    FILLER_FIELDS,
    LAYER_RECORDS,
    RECORD_FIELDS,
    TEXT_FILLERS,
    Field,
    RecordFields,
    flat_fields,
    label_values,
)
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy

_SCHEMA = "https://json-schema.org/draft/2020-12/schema"


def _field_schema(field: Field, taxonomy: Taxonomy, gold: bool) -> dict[str, Any]:
    schema: dict[str, Any]
    if field.kind == "label" and field.labels:
        schema = {"enum": list(label_values(taxonomy, field.labels))}
    elif field.kind in ("offset", "index"):
        schema = {"type": "integer", **({"minimum": field.minimum} if field.minimum is not None else {})}
    elif field.kind == "span":
        schema = {"$ref": f"#/$defs/{field.record}"}
    elif field.kind in ("spans", "records"):
        schema = {"type": "array", "items": {"$ref": f"#/$defs/{field.record}"}}
        if field.non_empty:
            schema["minItems"] = 1 if gold else 0
    else:  # id, string, identity, reference
        schema = {"type": ["string", "null"] if field.nullable else "string"}
    return {**schema, **({"description": field.description} if field.description else {})}


def record_schema(record: str, taxonomy: Taxonomy, gold: bool, record_fields: RecordFields = RECORD_FIELDS) -> dict[str, Any]:
    """The object schema of one record; gold and predictions differ only in which fields are required."""
    fields = flat_fields(record, record_fields)
    return {
        "type": "object",
        "properties": {field.name: _field_schema(field, taxonomy, gold) for field in fields},
        "required": [field.name for field in fields if field.required(gold)],
    }


def _definitions(taxonomy: Taxonomy, gold: bool, record_fields: RecordFields) -> dict[str, Any]:
    definitions = {name: record_schema(name, taxonomy, gold, record_fields) for name in record_fields}
    definitions["event"]["allOf"] = [_roles_allowed(event_type, roles) for event_type, roles in taxonomy.event_roles.items()]
    if not gold:
        _text_anchored(definitions, taxonomy)
    return definitions


def _text_anchored(definitions: dict[str, Any], taxonomy: Taxonomy) -> None:
    """Predictions only: spans by offsets or by text (core.fields.ANCHOR_HINTS), fillers by id or by text."""
    offsets_or_text = [{"required": ["start", "end"]}, {"required": ["text"]}]
    hints = {field.name: _field_schema(field, taxonomy, False) for field in ANCHOR_HINTS}
    for name in ("span", "mention"):
        schema = definitions[name]
        schema["properties"]["text"] = _field_schema(ANCHOR_TEXT, taxonomy, False)
        schema["properties"].update(hints)
        schema["required"] = [r for r in schema["required"] if r not in ("start", "end")]
        schema["anyOf"] = offsets_or_text
    definitions["filler"] = {"type": "object", "description": "an entity mention given by its text instead of its id",
                             "properties": {f.name: _field_schema(f, taxonomy, False) for f in FILLER_FIELDS},
                             "required": [f.name for f in FILLER_FIELDS if f.required(False)]}
    for record, links in TEXT_FILLERS.items():
        schema = definitions[record]
        for link in links:
            if record == "argument":  # the argument itself carries the filler's fields beside its role
                schema["properties"].update({k: v for k, v in definitions["filler"]["properties"].items()
                                             if k not in schema["properties"]})
                schema["required"] = [r for r in schema["required"] if r != link]
                schema["anyOf"] = [{"required": [link]}, {"required": ["text"]}]
            else:
                by_id = {k: v for k, v in schema["properties"][link].items() if k != "description"}
                schema["properties"][link] = {"anyOf": [by_id, {"$ref": "#/$defs/filler"}],
                                              "description": schema["properties"][link].get("description")}


def _roles_allowed(event_type: str, roles: tuple[str, ...]) -> dict[str, Any]:
    return {
        "if": {"properties": {"type": {"const": event_type}}, "required": ["type"]},
        "then": {"properties": {"arguments": {"items": {"properties": {"role": {"enum": list(roles)}}}}}},
    }


def _document_schema(taxonomy: Taxonomy, gold: bool, record_fields: RecordFields) -> dict[str, Any]:
    title = "Damascus-IE gold document" if gold else "Damascus-IE predictions record"
    layers: dict[str, Any] = {layer: {"type": "array", "items": {"$ref": f"#/$defs/{record}"}} for layer, record in LAYER_RECORDS.items()}
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
        "$defs": _definitions(taxonomy, gold, record_fields),
    }


def document_schema(taxonomy: Taxonomy | None = None, *, record_fields: RecordFields = RECORD_FIELDS) -> dict[str, Any]:
    return _document_schema(taxonomy or load_taxonomy(), True, record_fields)


def predictions_schema(taxonomy: Taxonomy | None = None, *, record_fields: RecordFields = RECORD_FIELDS) -> dict[str, Any]:
    return _document_schema(taxonomy or load_taxonomy(), False, record_fields)


def document_schema_text() -> str:
    return json.dumps(document_schema(), indent=2, ensure_ascii=False) + "\n"


def predictions_schema_text() -> str:
    return json.dumps(predictions_schema(), indent=2, ensure_ascii=False) + "\n"
