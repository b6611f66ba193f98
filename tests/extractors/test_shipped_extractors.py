"""The real extractors on the real seeds: valid predictions on every layer, and the rules they promise."""

from __future__ import annotations

import pytest

from damascus_ie.core.io import seed_texts
from damascus_ie.core.records import LAYERS
from damascus_ie.core.validation import validate_document
from damascus_ie.leaderboard.extractors.registry import resolve


@pytest.fixture(scope="module")
def spacy_extractor():
    return resolve("spacy")  # one model load for the module


def _run(extractor, text: str, doc_id: str = "d") -> dict:
    return extractor.extract({"id": doc_id, "text": text, "boilerplate": []})


@pytest.mark.parametrize("name", ["spacy", "rules"])
def test_valid_predictions_on_every_layer_of_the_seeds(name: str, spacy_extractor) -> None:
    extractor = spacy_extractor if name == "spacy" else resolve(name)
    for doc_id, text in seed_texts().items():
        prediction = _run(extractor, text, doc_id)
        assert validate_document({**prediction, "text": text}, name, gold=False) == []
        assert all(prediction[layer] for layer in LAYERS), f"{name} predicted nothing on a layer of {doc_id}"


def _names(prediction: dict) -> dict[str, str]:
    return {m["id"]: m["text"] for m in prediction["mentions"]}


def test_spacy_maps_ner_trims_names_and_parses_arguments(spacy_extractor) -> None:
    text = "Rebel fighters reached Damascus on Sunday. President Bashar al-Assad’s army collapsed."
    prediction = _run(spacy_extractor, text)
    mentions = {(m["text"], m["type"], m["level"]) for m in prediction["mentions"]}
    assert {("Damascus", "GPE", "NAM"), ("Sunday", "TIME", "NAM"), ("Bashar al-Assad", "PER", "NAM"),
            ("Rebel fighters", "PER", "NOM")} <= mentions
    names = _names(prediction)
    reached = next(e for e in prediction["events"] if e["trigger"]["text"] == "reached")
    assert reached["type"] == "Movement:Transport"
    assert {(a["role"], names[a["mention"]]) for a in reached["arguments"]} == {
        ("Artifact", "Rebel fighters"), ("Destination", "Damascus"), ("Time", "Sunday")}
    assert reached["tense"] == "PAST"


def test_spacy_attributions_direct_indirect_according_and_relay(spacy_extractor) -> None:
    text = ("“Damascus has fallen,” a source told CNN. The army withdrew from Homs, according to two residents. "
            "Officials said that the city was quiet, AP reported.")
    prediction = _run(spacy_extractor, text)
    names = _names(prediction)
    by_cue = {a["cue"]["text"]: a for a in prediction["attributions"]}
    told = by_cue["told"]
    assert (told["type"], names[told["source"]], names[told["addressee"]]) == ("DIRECT", "a source", "CNN")
    assert [c["text"] for c in told["content"]] == ["Damascus has fallen"]
    according = by_cue["according to"]
    assert [c["text"] for c in according["content"]] == ["The army withdrew from Homs"]
    assert names[according["source"]] == "two residents"
    said, reported = by_cue["said"], by_cue["reported"]
    assert [c["text"] for c in said["content"]] == ["the city was quiet"] and said["type"] == "INDIRECT"
    assert said["parent"] == reported["id"]


def test_rules_floor_finds_quotes_names_and_triggers() -> None:
    text = "“We have won,” Ahmed Khalil told Reuters on Monday. The army withdrew, according to a source."
    prediction = _run(resolve("rules"), text)
    names = _names(prediction)
    told = next(a for a in prediction["attributions"] if a["cue"]["text"] == "told")
    assert (told["type"], names[told["source"]], [c["text"] for c in told["content"]]) == (
        "DIRECT", "Ahmed Khalil", ["We have won"])
    assert {("Ahmed Khalil", "PER"), ("Monday", "TIME")} <= {(m["text"], m["type"]) for m in prediction["mentions"]}
    withdrew = next(e for e in prediction["events"] if e["trigger"]["text"] == "withdrew")
    assert withdrew["type"] == "Movement:Transport"
    according = next(a for a in prediction["attributions"] if a["cue"]["text"] == "according to")
    assert [c["text"] for c in according["content"]] == ["The army withdrew"]
