"""Hugging Face `Features` of every dataset config, derived from core.fields and the taxonomy.

Declared explicitly (never inferred) so labels load as ClassLabel, offsets as
int32 and the publication date as date32 — inference would turn labels into
strings and date-like strings into timestamps.
"""

from __future__ import annotations

from typing import Any

from datasets import ClassLabel, Features, List, Value

from damascus_ie.core.fields import LAYER_RECORDS, RECORD_FIELDS, Field, RecordFields, flat_fields, label_values
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy

CONFIG_NAMES: tuple[str, ...] = ("documents", "mentions", "events", "attributions", "ner")
DEFAULT_CONFIG = "documents"

_STRING = Value("string")
_INT = Value("int32")


def _labels(names: tuple[str, ...]) -> ClassLabel:
    return ClassLabel(names=list(names))


def _feature(field: Field, tax: Taxonomy, record_fields: RecordFields) -> Any:
    if field.kind == "label" and field.labels:
        return _labels(label_values(tax, field.labels))
    if field.kind == "offset":
        return _INT
    if field.kind == "span" and field.record:
        return record_features(field.record, tax, record_fields)
    if field.kind in ("spans", "records") and field.record:
        return List(record_features(field.record, tax, record_fields))
    return _STRING  # id, string, identity, reference: nulls load as None


def record_features(record: str, tax: Taxonomy, record_fields: RecordFields = RECORD_FIELDS) -> dict[str, Any]:
    """The nested feature dict of one record, from core.fields (inline spans flattened, as in the records)."""
    return {field.name: _feature(field, tax, record_fields) for field in flat_fields(record, record_fields)}


def config_features(config: str, taxonomy: Taxonomy | None = None, *,
                    record_fields: RecordFields = RECORD_FIELDS) -> Features:
    tax = taxonomy or load_taxonomy()
    if config == "documents":
        return Features({
            "id": _STRING, "title": _STRING, "date": Value("date32"), "publisher": _STRING, "language": _STRING,
            "text": _STRING, "boilerplate": List(List(_INT)),
            **{str(layer): List(record_features(record, tax, record_fields)) for layer, record in LAYER_RECORDS.items()},
        })
    if config in LAYER_RECORDS:
        return Features({"document": _STRING, **record_features(LAYER_RECORDS[config], tax, record_fields)})
    if config == "ner":
        return Features({"id": _STRING, "document": _STRING, "sentence": _INT, "start": _INT, "end": _INT,
                         "tokens": List(_STRING), "ner_tags": List(_labels(tax.ner_labels))})
    raise KeyError(f"unknown config {config!r}; expected one of {', '.join(CONFIG_NAMES)}")
