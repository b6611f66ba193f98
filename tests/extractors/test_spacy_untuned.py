"""`spacy-untuned`: the off-the-shelf pipeline, valid on the seeds, and provably free of the project's word lists."""

from __future__ import annotations

import pytest
from textacy.constants import REPORTING_VERBS

from damascus_ie.core.io import seed_texts
from damascus_ie.core.validation import validate_document
from damascus_ie.leaderboard.extractors import lexicon
from damascus_ie.leaderboard.extractors.base import tuned_on_test_texts
from damascus_ie.leaderboard.extractors.registry import DEFAULT_EXTRACTORS, resolve
from damascus_ie.leaderboard.extractors.spacy_untuned import UntunedLineRules, type_name_triggers


@pytest.fixture(scope="module")
def untuned():
    return resolve("spacy-untuned")


def _run(extractor, text: str) -> dict:
    return extractor.extract({"id": "d", "text": text, "boilerplate": []})


def test_registered_flagged_untuned_and_in_the_default_benchmark(untuned) -> None:
    assert untuned.name == "spacy-untuned" and "spacy-untuned" in DEFAULT_EXTRACTORS
    assert tuned_on_test_texts(untuned) is False and tuned_on_test_texts(resolve("rules")) is True
    assert untuned.settings["word lists"] == "none written for this project"


def test_valid_predictions_on_the_seeds(untuned) -> None:
    for doc_id, text in seed_texts().items():
        prediction = untuned.extract({"id": doc_id, "text": text, "boilerplate": []})
        assert validate_document({**prediction, "text": text}, "spacy-untuned", gold=False) == []
        assert prediction["mentions"] and prediction["attributions"]


def test_every_word_list_of_the_parse_rules_is_switched_off() -> None:
    assert UntunedLineRules.titles == frozenset() and UntunedLineRules.hedges == frozenset()
    assert not UntunedLineRules.according_to
    assert UntunedLineRules.reporting_verbs == frozenset(REPORTING_VERBS["en"]) != lexicon.REPORTING_VERBS


def test_triggers_come_from_the_taxonomy_names_only() -> None:
    triggers = type_name_triggers()
    assert triggers["attack"] == "Conflict:Attack" and triggers["jail"] == "Justice:Arrest-Jail"
    assert set(triggers) & set(lexicon.event_triggers()) <= {"attack", "defeat", "demonstrate", "release", "meet",
                                                               "arrest", "jail", "parole", "destroy", "damage",
                                                               "control"}


def test_no_word_of_the_lexicon_changes_what_it_finds(untuned) -> None:
    """Words only the lexicon knows: a title, a nominal head, a trigger and a relay phrase the tuned rows use."""
    text = ("Sheikh Ali Hamdan toured the slaughterhouse in Homs. Rebels captured the prison, "
            "according to residents. Troops attacked the town on Monday.")
    prediction = _run(untuned, text)
    mentions = {m["text"] for m in prediction["mentions"]}
    assert "the slaughterhouse" not in mentions and "slaughterhouse" not in mentions  # no nominal head list
    triggers = {e["trigger"]["text"]: e for e in prediction["events"]}
    assert "captured" not in triggers and "toured" not in triggers  # "capture" is a lexicon trigger only
    attacked = triggers["attacked"]
    assert attacked["type"] == "Conflict:Attack"
    names = {m["id"]: m["text"] for m in prediction["mentions"]}
    assert {(a["role"], names[a["mention"]]) for a in attacked["arguments"]} >= {("Time", "Monday")}
    assert not any(a["cue"]["text"].startswith("according") for a in prediction["attributions"])
    tuned = _run(resolve("spacy"), text)
    assert "captured" in {e["trigger"]["text"] for e in tuned["events"]}  # the same text, with the lexicon
