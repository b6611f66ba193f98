"""The validator reports every problem with file, document, record, field and reason."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path

import pytest

from damascus_ie.cli import main
from damascus_ie.core.io import load_annotated
from damascus_ie.core.validation import validate_corpus, validate_document

FIXTURE = Path(__file__).parent / "fixture_gold.json"


@pytest.fixture
def docs(repo_root: Path) -> list[dict]:
    return load_annotated(FIXTURE, repo_root)


def reasons(problems) -> list[str]:
    return [f"{p.record}|{p.field}|{p.reason}" for p in problems]


def test_fixture_is_valid(docs):
    assert validate_corpus(docs, "fixture") == []


def test_span_text_mismatch_names_file_document_record_field(docs):
    docs[0]["mentions"][2]["start"] += 1
    [problem] = validate_document(docs[0], "gold.json")
    assert (problem.file, problem.document, problem.record, problem.field) == ("gold.json", docs[0]["id"], "m3", "span")
    assert "!= text[" in problem.reason


def test_unknown_type_and_level(docs):
    docs[0]["mentions"][0]["type"] = "PERSON"
    docs[0]["mentions"][0]["level"] = "NAME"
    found = reasons(validate_document(docs[0], "f"))
    assert any(r.startswith("m1|type|unknown value 'PERSON'") for r in found)
    assert any(r.startswith("m1|level|unknown value 'NAME'") for r in found)


def test_dangling_references(docs):
    docs[0]["events"][0]["arguments"][0]["mention"] = "m99"
    docs[0]["attributions"][0]["source"] = "m42"
    docs[0]["attributions"][0]["parent"] = "a9"
    found = reasons(validate_document(docs[0], "f"))
    assert "v1|arguments[0].mention|dangling reference 'm99': no such mention" in found
    assert "a1|source|dangling reference 'm42': no such mention" in found
    assert "a1|parent|dangling reference 'a9': no such other attribution" in found


def test_role_not_allowed_for_event_type(docs):
    docs[0]["events"][0]["arguments"][0]["role"] = "Victor"
    [problem] = validate_document(docs[0], "f")
    assert problem.field == "arguments[0].role"
    assert "not allowed for Movement:Transport" in problem.reason


def test_whitespace_edges_crossing_spans_and_duplicate_ids(docs):
    doc = docs[0]
    source, cnn = doc["mentions"][4], doc["mentions"][5]  # "a source", "CNN"
    doc["mentions"].append({**copy.deepcopy(cnn), "id": "m7", "start": cnn["start"] - 1,
                            "text": doc["text"][cnn["start"] - 1:cnn["end"]]})
    doc["mentions"].append({**copy.deepcopy(source), "id": "m5", "start": source["start"] + 2, "end": source["end"] + 5,
                            "text": doc["text"][source["start"] + 2:source["end"] + 5]})
    found = reasons(validate_document(doc, "f"))
    assert any(r.startswith("m7|span|") and "white space" in r for r in found)
    assert any(r.startswith("m5|id|duplicate id") for r in found)
    assert any("crosses mention" in r for r in found)


def test_all_problems_reported_in_one_run(docs):
    docs[0]["mentions"][0]["type"] = "X"
    docs[0]["events"][0]["type"] = "Y"
    docs[1]["mentions"][0]["end"] = 10_000
    assert len(validate_corpus(docs, "f")) == 3


def test_identity_types_must_be_compatible(docs):
    docs[1]["mentions"][1]["entity"] = "cnn"  # a GPE mention in the ORG entity "cnn"
    [problem] = validate_corpus(docs, "f")
    assert problem.field == "entity" and "one id names one thing" in problem.reason


def test_identity_problem_names_the_record_whose_type_differs_from_the_rest(docs):
    """Relabelling one mention of an entity reports that mention, with the type the others carry."""
    by_entity = [(d, m) for d in docs for m in d["mentions"] if m["entity"]]
    entity = next(e for e in {m["entity"] for _, m in by_entity} if sum(m["entity"] == e for _, m in by_entity) >= 2)
    doc, changed = [(d, m) for d, m in by_entity if m["entity"] == entity][-1]
    old_type, changed["type"] = changed["type"], "FAC" if changed["type"] != "FAC" else "VEH"
    [problem] = validate_corpus(docs, "f")
    assert (problem.document, problem.record) == (doc["id"], changed["id"])
    assert problem.reason.startswith(f"entity id {entity!r} is {changed['type']} here but {old_type} at ")
    assert problem.reason.endswith(f"give this mention the type {old_type} or another entity id")


def test_nothing_annotated_in_boilerplate(docs):
    doc = docs[1]
    start, end = doc["boilerplate"][1]  # "TAGS"
    doc["mentions"].append({"id": "m9", "start": start, "end": end, "text": doc["text"][start:end], "type": "ORG",
                            "level": "NAM", "entity": "tags"})
    [problem] = validate_document(doc, "f")
    assert "boilerplate" in problem.reason


def test_cli_reports_problems_without_traceback(tmp_path: Path, capsys):
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    raw["documents"][0]["mentions"][0]["type"] = "PERSON"
    raw["documents"][0]["events"][0]["arguments"][0]["role"] = "Victor"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "2 problem(s)" in err and "Traceback" not in err
    assert f"{bad}, document 000_245b1950fae37238, record m1, field type: unknown value 'PERSON'" in err


def test_cli_reports_malformed_json(tmp_path: Path, capsys):
    bad = tmp_path / "broken.json"
    bad.write_text('{"documents": [', encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    assert "malformed JSON" in capsys.readouterr().err


def _brute_crossing(spans: list[tuple[int, int, str]]) -> set[str]:
    return {b[2] for a in spans for b in spans if a[0] < b[0] < a[1] < b[1]}


@pytest.mark.parametrize("seed", range(30))
def test_crossing_spans_flags_exactly_the_spans_that_cross_an_earlier_one(seed: int) -> None:
    """The O(n log n) check against all pairs: every span crossing one that starts before it, once."""
    import random

    from damascus_ie.core.validation import crossing_spans

    rng = random.Random(seed)
    spans = []
    for i in range(rng.randint(0, 40)):
        start = rng.randint(0, 30)
        spans.append((start, start + rng.randint(1, 8), f"s{i}"))
    found = crossing_spans(spans)
    assert {b[2] for _, b in found} == _brute_crossing(spans)
    assert all(a[0] < b[0] < a[1] < b[1] for a, b in found)
    assert len(found) == len({b[2] for _, b in found})


def test_problem_lists_are_bounded_per_kind_and_count_everything() -> None:
    from damascus_ie.core.problems import InvalidInput, Problem, ProblemLog

    log = ProblemLog(Problem("f", "d", str(i), "span", f"reason {i}", kind="crossing spans") for i in range(50_000))
    log.add(Problem("f", "d", None, "id", "other"))
    assert len(log) == 50_001 and len(log.kept) == 21 and log.counts["crossing spans"] == 50_000
    message = str(InvalidInput(log))
    assert "50001 problem(s)" in message and "... and 49980 more like 'crossing spans'" in message


def test_predictions_distinguish_errors_from_warnings(docs: list[dict]) -> None:
    """Gold is strict; in a prediction, crossing, white space and missing text are warnings, an unknown type an error."""
    doc = copy.deepcopy(docs[0])
    mention = doc["mentions"][0]
    doc["mentions"].append({"start": mention["start"] + 1, "end": mention["end"] + 2, "type": "PER"})
    severities = {p.kind or p.reason: p.severity for p in validate_document(doc, "p", gold=False)}
    assert severities["crossing spans"] == "warning" and severities["record without id"] == "warning"
    assert all(p.severity == "error" for p in validate_document(doc, "g", gold=True))
    doc["mentions"][0]["type"] = "PERSON"
    [error] = [p for p in validate_document(doc, "p", gold=False) if p.severity == "error"]
    assert error.field == "type" and error.hint == "did you mean 'PER'?"


def test_identity_problem_names_a_few_of_the_other_records_and_counts_the_rest(repo_root: Path):
    """One relabelled mention of a much-mentioned entity gets one readable line, not every other mention's id."""
    from damascus_ie.core.io import load_gold
    from damascus_ie.core.validation import SHOWN_PLACES

    docs = load_gold(repo_root)[1]
    counts = Counter(m["entity"] for d in docs for m in d["mentions"] if m["entity"])
    entity, n = counts.most_common(1)[0]
    assert n > SHOWN_PLACES + 1
    changed = next(m for d in docs for m in d["mentions"] if m["entity"] == entity)
    old_type, changed["type"] = changed["type"], "FAC" if changed["type"] != "FAC" else "VEH"
    [problem] = validate_corpus(docs, "f")
    assert problem.reason.count("/") == SHOWN_PLACES
    assert f" and {n - 1 - SHOWN_PLACES} more: " in problem.reason
    assert problem.reason.startswith(f"entity id {entity!r} is {changed['type']} here but {old_type} at ")
