"""The `score` and `compare` commands end to end: real files, real gold, exit codes and printed numbers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from damascus_ie.cli import main
from damascus_ie.core.io import load_gold


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def fixture_files(tmp_path: Path, known_errors: Any) -> tuple[Path, Path]:
    return (write_jsonl(tmp_path / "gold.jsonl", [known_errors.gold]),
            write_jsonl(tmp_path / "pred.jsonl", [known_errors.predicted]))


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["score", *argv, "--format", "json", "--bootstrap", "200"]) == 0
    return json.loads(capsys.readouterr().out)


def test_real_gold_scored_against_itself_is_one_everywhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, docs = load_gold()
    predictions = write_jsonl(tmp_path / "gold_as_predictions.jsonl", docs)
    report = run_json(capsys, str(predictions))
    assert len(report["headline"]) >= 25
    assert all(value == 1.0 for value in report["headline"].values()), report["headline"]
    assert main(["score", str(predictions), "--bootstrap", "50"]) == 0
    table = capsys.readouterr().out
    rows = [line for line in table.splitlines() if line.startswith("│") and line.split("│")[1].strip() in
            report["headline"]]  # the headline table; the per-type tables follow it
    assert len(rows) == len(report["headline"])
    assert all("│ 1.000 │" in row for row in rows), table
    assert "│ weighted avg │     1.000 │  1.000 │ 1.000 │     278 │" in table


def test_one_known_error_per_layer_gives_the_hand_computed_numbers(fixture_files: tuple[Path, Path], known_errors: Any,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    gold, predictions = fixture_files
    EXPECTED, EXPECTED_CONTENT_TOKEN, EXPECTED_GPE_STRICT = (
        known_errors.expected, known_errors.content_token, known_errors.gpe_strict)
    report = run_json(capsys, str(predictions), "--gold", str(gold))
    assert report["headline"].keys() == EXPECTED.keys()
    for name, value in EXPECTED.items():
        assert report["headline"][name] == pytest.approx(value), name
    content = report["metrics"]["attributions"]["content.token"]
    assert {k: content[k] for k in EXPECTED_CONTENT_TOKEN} == pytest.approx(EXPECTED_CONTENT_TOKEN)
    gpe = next(r for r in report["per_type"]["entities"] if r["type"] == "GPE" and r["scheme"] == "strict")
    assert {k: gpe[k] for k in EXPECTED_GPE_STRICT} == pytest.approx(EXPECTED_GPE_STRICT)
    strict = report["metrics"]["entities"]["overall"]["strict"]
    assert (strict["correct"], strict["incorrect"], strict["missed"], strict["spurious"]) == (5, 1, 0, 0)


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_every_format_prints_the_pinned_numbers(fixture_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
                                                fmt: str) -> None:
    gold, predictions = fixture_files
    assert main(["score", str(predictions), "--gold", str(gold), "--format", fmt, "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    assert "entities.strict.f1" in out
    assert ("0.833333" if fmt == "csv" else "0.833") in out
    assert ("0.750000" if fmt == "csv" else "0.750") in out


def test_problems_are_listed_with_file_line_document_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               fixture_files: tuple[Path, Path],
                                                               known_errors: Any) -> None:
    gold, _ = fixture_files
    good = known_errors.predicted
    out_of_range = {**good, "mentions": [{"start": 60, "end": 999, "type": "PER"}]}
    bad_type = {**good, "mentions": [{"start": 0, "end": 6, "type": "PERSON"}]}
    path = tmp_path / "bad.jsonl"
    lines = [json.dumps(good), "{not json", json.dumps({"id": "unknown-doc"}), json.dumps(good),
             json.dumps({**good, "text": "another text"}), json.dumps(out_of_range), json.dumps(bad_type)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["score", str(path), "--gold", str(gold)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: malformed JSON" in err
    assert f"{path}:3, document unknown-doc, field id: unknown document id" in err
    assert f"{path}:4, document fixture, field id: duplicate document" in err
    assert f"{path}:5, document fixture, field text: does not match the gold text" in err
    assert "Traceback" not in err

    assert main(["score", str(path), "--gold", str(gold), "--lenient", "--format", "json", "--bootstrap", "0"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "lenient: skipped 6 bad record(s)" in report["notes"]
    assert {int(w.split(":")[1].split(",")[0]) for w in report["warnings"]} == {2, 3, 4, 5, 6, 7}
    assert report["headline"]["entities.strict.f1"] == pytest.approx(5 / 6)  # the good first record was scored


def test_offset_type_and_reference_problems_are_all_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             fixture_files: tuple[Path, Path],
                                                             known_errors: Any) -> None:
    gold, _ = fixture_files
    doc = copy.deepcopy(known_errors.predicted)
    doc["mentions"].append({"id": "x", "start": 60, "end": 999, "type": "PERSON"})
    doc["events"][0]["arguments"].append({"role": "Recipient", "mention": "nowhere"})
    path = write_jsonl(tmp_path / "bad.jsonl", [doc])
    assert main(["score", str(path), "--gold", str(gold)]) == 2
    err = capsys.readouterr().err
    assert "field span: end 999 is past the end of the text" in err
    assert "field type: unknown value 'PERSON'" in err
    assert "dangling reference 'nowhere'" in err
    assert err.count(f"{path}:1, document fixture") == 3


def test_compare_finds_gold_better_than_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, docs = load_gold()
    perfect = write_jsonl(tmp_path / "perfect.jsonl", docs)
    empty = write_jsonl(tmp_path / "empty.jsonl", [{"id": d["id"]} for d in docs])
    assert main(["compare", str(perfect), str(empty), "--format", "json", "--resamples", "300"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["entities.strict.f1"]["delta"] == 1.0
    assert result["entities.strict.f1"]["p_value"] < 0.01
    assert main(["compare", str(perfect), str(perfect), "--resamples", "100"]) == 0
    assert "p: approximate randomization" in capsys.readouterr().out
