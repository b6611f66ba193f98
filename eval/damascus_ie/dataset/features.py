"""Hugging Face `Features` of every dataset config, derived from the taxonomy.

Declared explicitly (never inferred) so labels load as ClassLabel, offsets as
int32 and the publication date as date32 — inference would turn labels into
strings and date-like strings into timestamps.
"""

from __future__ import annotations

from datasets import ClassLabel, Features, List, Value

from damascus_ie.core.records import EVENT_ATTRIBUTES
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy

CONFIG_NAMES: tuple[str, ...] = ("documents", "mentions", "events", "attributions", "ner")
DEFAULT_CONFIG = "documents"

_STRING = Value("string")
_INT = Value("int32")


def _span() -> dict:
    return {"start": _INT, "end": _INT, "text": _STRING}


def _labels(names: tuple[str, ...]) -> ClassLabel:
    return ClassLabel(names=list(names))


def _mention_fields(tax: Taxonomy) -> dict:
    return {"id": _STRING, **_span(), "type": _labels(tax.entity_types), "level": _labels(tax.mention_levels),
            "entity": _STRING, "value": _STRING}


def _event_fields(tax: Taxonomy) -> dict:
    attributes = {name: _labels(tax.event_attributes[name]) for name in EVENT_ATTRIBUTES}
    return {"id": _STRING, "type": _labels(tax.event_types), "trigger": _span(),
            "arguments": List({"role": _labels(tax.roles), "mention": _STRING}), **attributes, "event": _STRING}


def _attribution_fields(tax: Taxonomy) -> dict:
    return {"id": _STRING, "type": _labels(tax.attribution_types), "cue": _span(), "source": _STRING,
            "content": List(_span()), "addressee": _STRING, "parent": _STRING, "statement": _STRING}


def config_features(config: str, taxonomy: Taxonomy | None = None) -> Features:
    tax = taxonomy or load_taxonomy()
    if config == "documents":
        return Features({
            "id": _STRING, "title": _STRING, "date": Value("date32"), "publisher": _STRING, "language": _STRING,
            "text": _STRING, "boilerplate": List(List(_INT)),
            "mentions": List(_mention_fields(tax)), "events": List(_event_fields(tax)),
            "attributions": List(_attribution_fields(tax)),
        })
    if config == "mentions":
        return Features({"document": _STRING, **_mention_fields(tax)})
    if config == "events":
        return Features({"document": _STRING, **_event_fields(tax)})
    if config == "attributions":
        return Features({"document": _STRING, **_attribution_fields(tax)})
    if config == "ner":
        return Features({"id": _STRING, "document": _STRING, "sentence": _INT, "start": _INT, "end": _INT,
                         "tokens": List(_STRING), "ner_tags": List(_labels(tax.ner_labels))})
    raise KeyError(f"unknown config {config!r}; expected one of {', '.join(CONFIG_NAMES)}")
