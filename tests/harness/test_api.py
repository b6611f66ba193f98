"""The Python API others build on: score() inputs, the Report, alignment for error analysis, uncertainty."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest

from damascus_ie import score
from damascus_ie.core.io import load_gold
from damascus_ie.core.problems import InvalidInput
from damascus_ie.harness.metrics import entities
from damascus_ie.harness.report import Report
from damascus_ie.harness.scoring import compare


@pytest.fixture(scope="module")
def real_gold() -> list[dict]:
    return load_gold()[1]


def degraded(docs: list[dict], keep_every: int = 3) -> list[dict]:
    """Every third mention dropped (and the events/attributions that pointed at them)."""
    out = []
    for doc in docs:
        kept = [m for i, m in enumerate(doc["mentions"]) if i % keep_every]
        ids = {m["id"] for m in kept}
        events = [{**e, "arguments": [a for a in e["arguments"] if a["mention"] in ids]} for e in doc["events"]]
        attributions = [{**a, "source": a["source"] if a["source"] in ids else None,
                         "addressee": a["addressee"] if a["addressee"] in ids else None} for a in doc["attributions"]]
        out.append({"id": doc["id"], "mentions": kept, "events": events, "attributions": attributions})
    return out


def test_report_json_matches_its_schema_and_round_trips(real_gold: list[dict], repo_root: Path) -> None:
    report = score(degraded(real_gold), extractor="degraded", settings={"keep": "2/3"}, bootstrap=100)
    data = json.loads(report.to_json())
    schema = json.loads((repo_root / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["dataset_version"] == load_gold()[0]
    assert data["extractor"] == "degraded" and data["settings"] == {"keep": "2/3"}
    assert Report.from_dict(data).to_dict() == report.to_dict()
    bad = {**data, "headline": {**data["headline"], "entities.strict.f1": 1.5}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(bad)


def test_headline_intervals_and_per_type_tables(real_gold: list[dict]) -> None:
    report = score(degraded(real_gold), bootstrap=300, seed=3)
    strict = report.headline["entities.strict.f1"]
    assert 0.5 < strict < 0.95
    low, high = report.intervals["entities.strict.f1"]
    assert low <= strict <= high and high - low > 0.01
    assert set(report.intervals) == set(report.headline)
    per_type = report.per_type("mentions")
    assert set(per_type) <= set(report.per_type_table("entities")["type"])
    assert all(0.0 <= v <= 1.0 for v in per_type.values())
    assert isinstance(report.per_type_table("events"), pd.DataFrame)
    assert report.layer_f1("mentions") == strict
    frame = pd.read_csv(io.StringIO(report.to_csv()))
    assert list(frame.columns) == ["metric", "value", "low", "high"]
    assert frame.set_index("metric").loc["entities.strict.f1", "value"] == pytest.approx(strict, abs=1e-6)
    assert "| entities.strict.f1 |" in report.to_markdown()
    assert any("intervals are wide" in note for note in report.notes)


def test_bootstrap_is_reproducible_and_seeded(real_gold: list[dict]) -> None:
    predictions = degraded(real_gold)
    first, again = score(predictions, bootstrap=200, seed=1), score(predictions, bootstrap=200, seed=1)
    other = score(predictions, bootstrap=200, seed=2)
    assert first.intervals == again.intervals
    assert first.intervals != other.intervals


def test_paired_test_separates_systems_and_not_a_system_from_itself(real_gold: list[dict]) -> None:
    result = compare(real_gold, degraded(real_gold), resamples=500, seed=0)
    assert result["entities.strict.f1"]["delta"] > 0.1
    assert result["entities.strict.f1"]["p_value"] < 0.01
    same = compare(real_gold, real_gold, resamples=100)
    assert all(row["delta"] == 0.0 and row["p_value"] == 1.0 for row in same.values())


def test_annotator_agreement_use_gold_is_any_document_list(known_errors: Any) -> None:
    pass_a = known_errors.gold
    pass_b = {**copy.deepcopy(known_errors.predicted), "text": pass_a["text"]}
    report = score([pass_b], gold=[pass_a], bootstrap=0)
    assert report.dataset_version is None
    assert report.layer_f1("mentions") == pytest.approx(5 / 6)
    assert report.layer_f1("events") == 1.0
    assert report.layer_f1("attributions") == 1.0
    reverse = score([pass_a], gold=[pass_b], bootstrap=0)
    assert reverse.layer_f1("entities") == pytest.approx(5 / 6)


def test_gold_without_text_and_bad_prediction_lists_are_refused(known_errors: Any) -> None:
    no_text = {k: v for k, v in known_errors.gold.items() if k != "text"}
    with pytest.raises(InvalidInput, match="gold documents need their text"):
        score([known_errors.predicted], gold=[no_text])
    broken = copy.deepcopy(known_errors.predicted)
    broken["mentions"][0]["type"] = "PERSON"
    with pytest.raises(InvalidInput, match="unknown value 'PERSON'"):
        score([broken], gold=[known_errors.gold])
    lenient = score([broken], gold=[known_errors.gold], lenient=True, bootstrap=0)
    # only the malformed mention is dropped, not its document: 4 of the 5 kept are right (Homs is typed LOC)
    assert lenient.headline["entities.strict.f1"] == pytest.approx(2 * (4 / 5) * (4 / 6) / (4 / 5 + 4 / 6))
    assert "lenient: skipped 1 bad record(s)" in lenient.notes


def test_alignment_for_error_analysis(known_errors: Any) -> None:
    gold = known_errors.gold
    pred = copy.deepcopy(known_errors.predicted)
    army = next(m for m in pred["mentions"] if m["text"] == "the army")
    army.update(start=army["start"] + 4, text="army")  # overlaps "the army": partial
    pred["mentions"] = [m for m in pred["mentions"] if m["text"] != "Moscow"]  # Moscow missed
    pred["mentions"].append({"id": "x", "start": 47, "end": 52, "type": "PER", "text": "Assad"})  # duplicate: fp
    rows = entities.align(gold, pred)
    status = {(g["text"] if g else None, p["text"] if p else None): s for g, p, s in rows}
    assert status[("Homs", "Homs")] == "wrong_type"
    assert status[("the army", "army")] == "partial"
    assert status[("Moscow", None)] == "fn"
    assert status[(None, "Assad")] == "fp"
    assert status[("Rebels", "Rebels")] == "tp"
    assert len(rows) == 7
    assert [r[0]["start"] if r[0] else r[1]["start"] for r in rows] == sorted(
        r[0]["start"] if r[0] else r[1]["start"] for r in rows)


def test_head_match_levels_and_coreference_alignment(known_errors: Any) -> None:
    gold = known_errors.gold
    pred = copy.deepcopy(gold)
    army = next(m for m in pred["mentions"] if m["text"] == "the army")
    army.update(start=army["start"] + 4, text="army")
    report = score([pred], gold=[gold], bootstrap=0)
    assert report.headline["entities.strict.f1"] == pytest.approx(5 / 6)
    assert report.headline["entities.head.f1"] == 1.0  # same head word "army", same type
    levels = report.metrics["entities"]["per_level"]
    assert levels["NOM"]["recall"] == pytest.approx(1 / 2) and levels["NAM"]["recall"] == 1.0
    b3 = report.metrics["entities"]["coref"]["b3"]
    assert (b3["precision"], b3["recall"]) == pytest.approx((4 / 5, 4 / 5))  # "army" is twinless: no credit


def test_order_of_documents_and_records_does_not_matter(real_gold: list[dict]) -> None:
    predictions = degraded(real_gold)
    reordered = [{**d, "mentions": d["mentions"][::-1], "events": d["events"][::-1]} for d in predictions[::-1]]
    # equal up to the order floating-point sums are taken in (coreference shares are fractions)
    assert score(predictions, bootstrap=0).headline == pytest.approx(score(reordered, bootstrap=0).headline, rel=1e-12)


def test_predictions_file_and_list_give_the_same_report(real_gold: list[dict], tmp_path: Path) -> None:
    predictions = degraded(real_gold)
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in predictions), encoding="utf-8")
    assert score(path, bootstrap=50).to_dict() == score(predictions, bootstrap=50).to_dict()
    assert score(str(path), layers=["mentions"], bootstrap=0).layers == ["entities"]


def test_a_repeated_predicted_mention_is_left_out_of_identity_scoring_with_a_warning(known_errors: Any) -> None:
    """Key {a}, response {a, a} (the reference scorer's de-duplication): B3 stays 1.0; the copy is a warning.

    The copy still counts as a spurious span for the entity schemes."""
    gold, pred = known_errors.gold, copy.deepcopy(known_errors.predicted)
    assad = next(m for m in pred["mentions"] if m["id"] == "m5")
    pred["mentions"].append({**assad, "id": "m5-copy"})
    report = score([pred], gold=[gold], bootstrap=0)
    for level in ("coref", "coref_corpus"):
        assert report.metrics["entities"][level]["b3"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert report.metrics["entities"]["overall"]["exact"]["spurious"] == 1
    kind = "entities: repeated prediction left out of identity scoring"
    assert report.warning_counts[kind] == 1 and any(w.startswith(f"{kind}: 1 ") for w in report.warnings)
    assert not any("repeated" in w for w in score([known_errors.predicted], gold=[gold], bootstrap=0).warnings)


def test_table_output_shows_precision_recall_and_support_per_type(known_errors: Any) -> None:
    """seqeval's classification_report layout: per type, then micro, macro and weighted averages."""
    report = score([known_errors.predicted], gold=[known_errors.gold], bootstrap=0)
    table = report.classification_report("entities").set_index("type")
    assert (table.loc["GPE", "precision"], table.loc["GPE", "recall"], table.loc["GPE", "support"]) == (1.0, 0.5, 2)
    assert table.loc["micro avg", "f1"] == pytest.approx(5 / 6) and table.loc["micro avg", "support"] == 6
    assert list(table.index[-3:]) == ["micro avg", "macro avg", "weighted avg"]
    rendered = report.render_table()
    assert "entities per type (strict)" in rendered and "events per type (trigger classification)" in rendered
    assert all(word in rendered for word in ("precision", "recall", "support", "weighted avg"))


@pytest.mark.parametrize("enabled", [True, False])
def test_score_pauses_the_cycle_collector_and_restores_it_even_on_refusal(real_gold: list[dict],
                                                                           enabled: bool) -> None:
    import gc

    seen: list[bool] = []
    original = entities.match

    def spy(*args: Any) -> Any:
        seen.append(gc.isenabled())
        return original(*args)

    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(entities, "match", spy)
            score(degraded(real_gold), real_gold, layers=["entities"], bootstrap=0)
        with pytest.raises(InvalidInput):
            score([{"id": real_gold[0]["id"], "mentions": [{"start": "x"}]}], real_gold, bootstrap=0)
        assert seen and not any(seen)  # paused while scoring
        assert gc.isenabled() is enabled  # and as it was afterwards, also after a refusal
    finally:
        gc.enable()
