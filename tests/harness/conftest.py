"""Harness test fixtures. The main one: a one-document corpus with one known error per layer, and the numbers
it must score (worked out by hand).

Text: "Rebels captured Homs on Sunday, the army said. Assad fled to Moscow."
Entities: the prediction types Homs as LOC (gold GPE); everything else exact.
  strict/type: 5 of 6 correct -> P = R = F1 = 5/6; exact/partial: 1.0; head (type must agree): 5/6.
  names only (Homs, Sunday, Assad, Moscow are NAM): 3 of 4 -> strict F1 3/4.
  GPE strict: 1 of 2 gold found, 1 of 1 predicted right -> F1 = 2/3; LOC: F1 0.
Events: the "fled" Destination (Moscow) is predicted as Origin.
  triggers and argument identification: 1.0; argument classification (and attached): 4/5 = 0.8.
Attributions: the content stops before "on Sunday" (3 of the 5 gold tokens).
  cue, source (exact, token, entity): 1.0; content exact: 0.0; content token: P 1.0, R 0.6, F1 0.75;
  full relation (content overlaps, source matches): 1.0; type and parent accuracy: 1.0; no relay chain on
  either side: parent edges 1.0 (nothing to find, nothing found), chain accuracy 1.0.
Identity: unaffected (alignment ignores type), but every cluster is a singleton, so MUC has no link on either
  side and scores 0 as the CoNLL reference scorer does (B3, CEAF-e 1.0): CoNLL F1 2/3 for entities, events and
  statements (the one attribution, paired by its cue).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest

from ..conftest import locate, mention

TEXT = "Rebels captured Homs on Sunday, the army said. Assad fled to Moscow."
DOC_ID = "fixture"


def _mention(mid: str, surface: str, kind: str, level: str, entity: str | None) -> dict:
    return mention(TEXT, mid, surface, kind, level, entity)


def _span(surface: str) -> dict:
    return locate(TEXT, surface)


def gold_document() -> dict:
    mentions = [
        _mention("m1", "Rebels", "PER", "NOM", "rebels"),
        _mention("m2", "Homs", "GPE", "NAM", "homs"),
        _mention("m3", "Sunday", "TIME", "NAM", None),
        _mention("m4", "the army", "ORG", "NOM", "army"),
        _mention("m5", "Assad", "PER", "NAM", "assad"),
        _mention("m6", "Moscow", "GPE", "NAM", "moscow"),
    ]
    attributes = {"polarity": "POSITIVE", "modality": "ASSERTED", "tense": "PAST", "genericity": "SPECIFIC"}
    events = [
        {"id": "v1", "type": "Conflict:TransferControl", "trigger": _span("captured"),
         "arguments": [{"role": "Recipient", "mention": "m1"}, {"role": "Territory", "mention": "m2"},
                       {"role": "Time", "mention": "m3"}], **attributes, "event": "homs-captured"},
        {"id": "v2", "type": "Movement:Transport", "trigger": _span("fled"),
         "arguments": [{"role": "Artifact", "mention": "m5"}, {"role": "Destination", "mention": "m6"}],
         **attributes, "event": "assad-fled"},
    ]
    attributions = [{"id": "a1", "type": "INDIRECT", "cue": _span("said"), "source": "m4",
                     "content": [_span("Rebels captured Homs on Sunday")], "addressee": None, "parent": None,
                     "statement": "army-homs"}]
    return {"id": DOC_ID, "text": TEXT, "boilerplate": [], "mentions": mentions, "events": events,
            "attributions": attributions}


def predicted_document() -> dict:
    doc = copy.deepcopy(gold_document())
    del doc["text"]
    doc["mentions"][1]["type"] = "LOC"
    doc["events"][1]["arguments"][1]["role"] = "Origin"
    doc["attributions"][0]["content"] = [_span("Rebels captured Homs")]
    return doc


EXPECTED: dict[str, float] = {
    "entities.strict.f1": 5 / 6,
    "entities.names.strict.f1": 3 / 4,
    "entities.exact.f1": 1.0,
    "entities.partial.f1": 1.0,
    "entities.type.f1": 5 / 6,
    "entities.head.f1": 5 / 6,
    "entities.coref.conll_f1": 2 / 3,
    "entities.coref_corpus.conll_f1": 2 / 3,
    "events.trigger_identification.f1": 1.0,
    "events.trigger_classification.f1": 1.0,
    "events.argument_identification.f1": 1.0,
    "events.argument_classification.f1": 0.8,
    "events.argument_identification_attached.f1": 1.0,
    "events.argument_classification_attached.f1": 0.8,
    "events.attributes.polarity.accuracy": 1.0,
    "events.attributes.modality.accuracy": 1.0,
    "events.attributes.tense.accuracy": 1.0,
    "events.attributes.genericity.accuracy": 1.0,
    "events.coref.conll_f1": 2 / 3,
    "events.coref_corpus.conll_f1": 2 / 3,
    "attributions.cue.exact.f1": 1.0,
    "attributions.cue.token.f1": 1.0,
    "attributions.source.exact.f1": 1.0,
    "attributions.source.token.f1": 1.0,
    "attributions.source.entity.f1": 1.0,
    "attributions.content.exact.f1": 0.0,
    "attributions.content.token.f1": 0.75,
    "attributions.full.f1": 1.0,
    "attributions.type.accuracy": 1.0,
    "attributions.parent.accuracy": 1.0,
    "attributions.parent.edge.f1": 1.0,
    "attributions.chain.accuracy": 1.0,
    "attributions.statement.conll_f1": 2 / 3,
    "attributions.statement_corpus.conll_f1": 2 / 3,
}
EXPECTED_CONTENT_TOKEN = {"precision": 1.0, "recall": 0.6, "f1": 0.75}
EXPECTED_GPE_STRICT = {"precision": 1.0, "recall": 0.5, "f1": 2 / 3}


@dataclass(frozen=True)
class KnownErrors:
    gold: dict
    predicted: dict
    expected: dict[str, float]
    content_token: dict[str, float]
    gpe_strict: dict[str, float]


@pytest.fixture
def known_errors() -> KnownErrors:
    return KnownErrors(gold_document(), predicted_document(), EXPECTED, EXPECTED_CONTENT_TOKEN, EXPECTED_GPE_STRICT)

