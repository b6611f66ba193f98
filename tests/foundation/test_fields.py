"""One description of each record's fields (core.fields): schema, features, validation and normalisation follow it."""

from __future__ import annotations

import copy
import typing
from pathlib import Path

import pytest
from datasets import ClassLabel, List, Value

from damascus_ie.core import records
from damascus_ie.core.fields import (
    ANCHOR_HINTS,
    ANCHOR_TEXT,
    FILLER_FIELDS,
    LAYER_RECORDS,
    RECORD_FIELDS,
    TEXT_FILLERS,
    Field,
    flat_fields,
    label_values,
)
from damascus_ie.core.io import load_annotated
from damascus_ie.core.records import normal_record, normalise
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.core.validation import validate_document
from damascus_ie.dataset.features import config_features, record_features
from damascus_ie.dataset.jsonschemas import document_schema, predictions_schema

FIXTURE = Path(__file__).parent / "fixture_gold.json"
TYPED_DICTS = {"span": records.Span, "mention": records.Mention, "argument": records.Argument,
               "event": records.Event, "attribution": records.Attribution}
PYTHON_TYPES = {"id": str, "string": str, "offset": int, "label": str, "identity": str,
                "reference": str, "span": records.Span, "spans": list[records.Span],
                "records": list[records.Argument]}


@pytest.fixture
def docs(repo_root: Path) -> list[dict]:
    return load_annotated(FIXTURE, repo_root)


def with_field(record: str, field: Field) -> dict[str, tuple[Field, ...]]:
    """A copy of the description with one more field: what adding a field to core.fields would be."""
    return {**RECORD_FIELDS, record: (*RECORD_FIELDS[record], field)}


@pytest.mark.parametrize("record", list(TYPED_DICTS))
def test_typed_dicts_agree_with_the_description(record: str):
    """Same keys in the same order; NotRequired exactly where gold may omit it; `| None` exactly where nullable."""
    typed = TYPED_DICTS[record]
    hints = typing.get_type_hints(typed, include_extras=True)  # keeps NotRequired (lost to __optional_keys__
    fields = flat_fields(record)                                # under `from __future__ import annotations`)
    assert list(hints) == [f.name for f in fields]
    optional = {name for name, hint in hints.items() if typing.get_origin(hint) is typing.NotRequired}
    assert optional == {f.name for f in fields if not f.gold}
    for field in fields:
        hint = typing.get_args(hints[field.name])[0] if field.name in optional else hints[field.name]
        expected = PYTHON_TYPES[field.kind] | None if field.nullable else PYTHON_TYPES[field.kind]
        assert hint == expected, field.name


@pytest.mark.parametrize("gold", [True, False])
def test_schema_properties_and_required_follow_the_description(gold: bool):
    tax = load_taxonomy()
    schema = document_schema() if gold else predictions_schema()
    for record in RECORD_FIELDS:
        definition, fields = schema["$defs"][record], flat_fields(record)
        anchored = _text_anchored_extras(record) if not gold else ({}, set())
        assert list(definition["properties"]) == [f.name for f in fields] + [
            name for name in anchored[0] if name not in {f.name for f in fields}]
        assert definition["required"] == [f.name for f in fields if f.required(gold) and f.name not in anchored[1]]
        for field in fields:
            prop = definition["properties"][field.name]
            expected = anchored[0].get(field.name, field).description
            assert prop.get("description") == expected
            if field.labels:
                assert prop["enum"] == list(label_values(tax, field.labels))
    assert set(schema["properties"]) >= set(LAYER_RECORDS)


def _text_anchored_extras(record: str) -> tuple[dict[str, Field], set[str]]:
    """Predictions only (core.fields.ANCHOR_HINTS): fields a text-anchored record adds, and the ones it frees."""
    if record in ("span", "mention"):
        return {"text": ANCHOR_TEXT, **{f.name: f for f in ANCHOR_HINTS}}, {"start", "end"}
    if record == "argument":
        return {f.name: f for f in FILLER_FIELDS}, {"mention"}
    return {}, set()


def test_predictions_schema_allows_fillers_by_text():
    schema = predictions_schema()
    assert list(schema["$defs"]["filler"]["properties"]) == [f.name for f in FILLER_FIELDS]
    for record, links in TEXT_FILLERS.items():
        for link in links:
            prop = schema["$defs"][record]["properties"][link]
            assert record == "argument" or {"$ref": "#/$defs/filler"} in prop["anyOf"]


def test_features_follow_the_description():
    tax = load_taxonomy()
    for layer, record in LAYER_RECORDS.items():
        features = config_features(layer)
        fields = flat_fields(record)
        assert list(features) == ["document", *(f.name for f in fields)]
        assert config_features("documents")[layer] == List(record_features(record, tax))
        for field in fields:
            if field.labels:
                assert features[field.name] == ClassLabel(names=list(label_values(tax, field.labels)))
            elif field.kind == "offset":
                assert features[field.name] == Value("int32")


def test_normalise_gives_every_described_key_in_order(docs):
    for doc in docs:
        normal = normalise(doc)
        for layer, record in LAYER_RECORDS.items():
            names = [f.name for f in flat_fields(record)]
            assert all(list(r) == names for r in normal[layer])
        assert all(list(r["trigger"]) == ["start", "end", "text"] for r in normal["events"])
    assert normal_record({"role": "Place", "mention": "m1", "extra": 1}, "argument") == {"role": "Place", "mention": "m1"}
    assert normal_record({"start": 0, "end": 2}, "span") == {"start": 0, "end": 2, "text": None}


def test_an_added_field_reaches_schema_features_validation_and_normalise(docs):
    """Adding a field is one edit: a required string on events shows up in all four consumers."""
    described = with_field("event", Field("note", "string", description="an annotator's note"))
    gold_schema = document_schema(record_fields=described)["$defs"]["event"]
    assert gold_schema["properties"]["note"] == {"type": "string", "description": "an annotator's note"}
    assert "note" in gold_schema["required"]
    assert "note" not in predictions_schema(record_fields=described)["$defs"]["event"]["required"]
    assert config_features("events", record_fields=described)["note"] == Value("string")
    assert "note" in config_features("documents", record_fields=described)["events"].feature

    doc = docs[0]
    event_id = doc["events"][0]["id"]
    assert f"{event_id}|note|missing" in reasons(validate_document(doc, "f", record_fields=described))
    assert validate_document(doc, "f", gold=False, record_fields=described) == []
    doc["events"][0]["note"] = 5
    assert f"{event_id}|note|must be a string, got 5" in reasons(validate_document(doc, "f", record_fields=described))
    doc["events"][0]["note"] = "checked twice"
    assert validate_document(doc, "f", record_fields=described) == []
    normal = normalise(doc, record_fields=described)
    assert [e["note"] for e in normal["events"]].count("checked twice") == 1
    assert all("note" in e for e in normal["events"])


def test_an_added_label_field_takes_its_values_from_the_taxonomy(docs):
    described = with_field("mention", Field("kind", "label", gold=False, labels="mention_levels"))
    tax = load_taxonomy()
    assert document_schema(record_fields=described)["$defs"]["mention"]["properties"]["kind"] == {
        "enum": list(tax.mention_levels)}
    assert config_features("mentions", record_fields=described)["kind"] == ClassLabel(names=list(tax.mention_levels))
    doc = copy.deepcopy(docs[0])
    assert validate_document(doc, "f", record_fields=described) == []  # optional: absent is fine
    doc["mentions"][0]["kind"] = "NAME"
    [problem] = validate_document(doc, "f", record_fields=described)
    assert (problem.field, problem.reason) == ("kind", "unknown value 'NAME'; expected one of NAM, NOM, PRO")


def test_derived_checks_follow_presence_and_kind(docs):
    """Gold must carry every required field; a prediction may leave out optional lists, and a null one is read as []."""
    doc = docs[0]
    event, attribution, mention = doc["events"][0], doc["attributions"][0], doc["mentions"][0]
    del event["arguments"]
    attribution["content"] = None
    mention["value"] = 5
    gold = reasons(validate_document(doc, "f"))
    assert f"{event['id']}|arguments|missing" in gold
    assert f"{attribution['id']}|content|expected a non-empty list of spans" in gold
    assert f"{mention['id']}|value|must be a string, got 5" in gold
    predicted = validate_document(doc, "f", gold=False)
    assert [(p.field, p.severity, p.reason) for p in predicted if p.record == attribution["id"]] == [
        ("content", "warning", "`content: null` read as []")]
    assert not any(p.field == "arguments" for p in predicted)


def reasons(problems) -> list[str]:
    return [f"{p.record}|{p.field}|{p.reason}" for p in problems]
