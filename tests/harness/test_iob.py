"""Names only and the IOB2 helper: a token-classification model's tags on the `ner` config, scored in three lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasets import load_dataset
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities

from damascus_ie import score
from damascus_ie.core.io import load_gold
from damascus_ie.core.problems import InvalidInput
from damascus_ie.dataset.build import ner_rows
from damascus_ie.harness.iob import ner_predictions, tag_spans

TAGS = st.lists(st.sampled_from(["O", "B-PER", "I-PER", "B-ORG", "I-ORG"]), max_size=12)


@settings(max_examples=500, deadline=None)
@given(TAGS)
def test_tag_spans_equal_seqeval_get_entities_including_invalid_sequences(tags: list[str]) -> None:
    """seqeval's default (conlleval) reading: a stray I- starts an entity; its ends are inclusive."""
    assert tag_spans(tags) == [(kind, start, end + 1) for kind, start, end in get_entities(tags)]


def test_tag_spans_refuse_what_is_not_bio() -> None:
    for tags in (["S-PER"], ["PER"], ["B-"]):
        with pytest.raises(ValueError, match="not IOB2/BIO"):
            tag_spans(tags)


@pytest.fixture(scope="module")
def ner(repo_root: Path) -> object:
    return load_dataset(str(repo_root / "dataset"), "ner", split="test")


def test_the_gold_tags_score_as_a_perfect_flat_name_tagger(ner: object) -> None:
    """The three lines of the README. The `ner` config holds the outermost names, so the one nested name of the
    gold (Damascus inside a name) is missed: names-only strict F1 2*121/(122+121); all levels 2*121/(278+121)."""
    predictions = ner_predictions(ner, ner["ner_tags"])  # type: ignore[index]
    headline = score(predictions, layers=["entities"], bootstrap=0).headline
    gold = [m for d in load_gold()[1] for m in d["mentions"]]
    names = sum(m["level"] == "NAM" for m in gold)
    assert (names, len(gold)) == (122, 278)
    assert headline["entities.names.strict.f1"] == pytest.approx(2 * 121 / (names + 121))
    assert headline["entities.strict.f1"] == pytest.approx(2 * 121 / (len(gold) + 121))
    assert list(headline)[:2] == ["entities.strict.f1", "entities.names.strict.f1"]


def test_integer_and_string_tags_give_the_same_predictions(ner: object) -> None:
    rows = list(ner)  # type: ignore[call-overload]
    names = ner.features["ner_tags"].feature.names  # type: ignore[attr-defined]
    as_strings = [[names[t] for t in row["ner_tags"]] for row in rows]
    assert ner_predictions(rows, as_strings) == ner_predictions(rows, [row["ner_tags"] for row in rows])


def gold_rows() -> list[dict]:
    return [row for doc in load_gold()[1] for row in ner_rows(doc)]


def test_model_types_map_to_the_taxonomy_and_bad_rows_are_named() -> None:
    rows = gold_rows()[:3]
    conll = [[t.replace("GPE", "LOC").replace("NORP", "MISC") for t in row["ner_tags"]] for row in rows]
    mapped = ner_predictions(rows, conll, types={"MISC": None})
    assert {m["type"] for d in mapped for m in d["mentions"]} <= {"PER", "ORG", "LOC"}
    assert all(m["level"] == "NAM" for d in mapped for m in d["mentions"])
    with pytest.raises(InvalidInput) as refused:
        ner_predictions(rows, [conll[0], conll[1][:-1], ["E-PER"] * len(conll[2])])
    messages = [str(p) for p in refused.value.problems]
    assert any(rows[0]["id"] in m and "'MISC' is not in the taxonomy" in m for m in messages)
    assert any(rows[1]["id"] in m and f"{len(rows[1]['tokens']) - 1} tags for" in m for m in messages)
    assert any(rows[2]["id"] in m and "not IOB2/BIO" in m for m in messages)


def test_names_only_counts_unlevelled_predictions_as_names_and_leaves_out_nominals(known_errors: object) -> None:
    """Fixture names: Homs, Sunday, Assad, Moscow (NAM); the prediction types Homs as LOC."""
    gold, pred = known_errors.gold, known_errors.predicted  # type: ignore[attr-defined]
    unlevelled = {**pred, "mentions": [{k: v for k, v in m.items() if k != "level"} for m in pred["mentions"]]}
    names = score([pred], gold=[gold], bootstrap=0).metrics["entities"]["names"]["overall"]["strict"]
    assert (names["correct"], names["possible"], names["actual"]) == (3, 4, 4)
    claimed = score([unlevelled], gold=[gold], bootstrap=0).metrics["entities"]["names"]["overall"]["strict"]
    assert (claimed["correct"], claimed["possible"], claimed["actual"]) == (3, 4, 6)  # nominals claimed as names
