"""`damascus-ie benchmark` end to end on a dataset built from the fixture gold, with an extractor written in shell."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from damascus_ie import __version__
from damascus_ie.core.io import load_gold
from damascus_ie.harness.grounding import text_anchored
from damascus_ie.harness.report import LAYER_HEADLINE
from damascus_ie.leaderboard.benchmark import run_benchmark

# Finds the text's first word with POSIX shell tools and predicts it as a NORP name: on the fixture gold
# ("Syrian" opens both seeds) that is 2 correct of 2 predicted against 9 gold mentions: strict F1 = 4/11.
# Streaming (the default cmd: mode): one document per line in, one record per line out.
SHELL_EXTRACTOR = r"""#!/bin/sh
while IFS= read -r document; do
id=$(printf '%s' "$document" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p')
word=$(printf '%s' "$document" | sed -n 's/.*"text": *"\([A-Za-z]*\).*/\1/p')
printf '{"id": "%s", "mentions": [{"id": "m1", "start": 0, "end": %d, "text": "%s", "type": "NORP", "level": "NAM"}]}\n' \
  "$id" "${#word}" "$word"
done
"""


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DAMASCUS_IE_ROOT": str(root)}
    return subprocess.run([sys.executable, "-m", "damascus_ie.cli", *args], capture_output=True, text=True,
                          env=env, check=False, timeout=300)


def _script(folder: Path, body: str) -> Path:
    path = folder / "first_word.sh"
    path.write_text(body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_benchmark_writes_the_leaderboard_reports_plots_and_pages(bench_repo: Path, tmp_path: Path) -> None:
    script = _script(tmp_path, SHELL_EXTRACTOR)
    output = tmp_path / "out"
    done = _cli(bench_repo, "benchmark", "--extractors", "oracle", "empty", f"cmd:{script}", "rules",
                "--output", str(output), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "| extractor | tuned on test texts | entities.strict.f1 | entities.names.strict.f1 |" in done.stdout
    assert str(output / "leaderboard.csv") in done.stdout

    board = pd.read_csv(output / "leaderboard.csv").set_index("extractor")
    assert list(board.index) == ["oracle", "empty", f"cmd:{script}", "rules"]
    for metric in LAYER_HEADLINE.values():
        assert board.loc["oracle", metric] == 1.0 and board.loc["empty", metric] == 0.0
        assert board.loc["oracle", f"{metric} low"] <= 1.0 <= board.loc["oracle", f"{metric} high"]
    assert board.loc[f"cmd:{script}", "entities.strict.f1"] == pytest.approx(4 / 11)
    assert board.loc["oracle", "entities.names.strict.f1"] == 1.0 and board.loc["empty", "entities.names.strict.f1"] == 0.0

    [shell_report_path] = (output / "reports").glob("cmd-*first_word.sh.json")
    shell_report = json.loads(shell_report_path.read_text(encoding="utf-8"))
    assert shell_report["extractor"] == f"cmd:{script}"
    assert shell_report["dataset_version"] == load_gold(bench_repo)[0]
    assert shell_report["settings"]["command"] == str(script)
    assert shell_report["metrics"]["entities"]["overall"]["strict"]["correct"] == 2
    for name in ("per_type_f1_mentions.png", "per_type_f1_events.png", "confusion_rules.png", "confusion_oracle.png"):
        assert (output / "plots" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (output / "errors" / "rules.html").stat().st_size > 10_000
    markdown = (output / "leaderboard.md").read_text(encoding="utf-8")
    assert "| oracle | yes | 1.000 [1.000, 1.000] |" in markdown and "| empty | no | 0.000" in markdown
    assert f"| cmd:{script} | unknown |" in markdown and "## How each row was made" in markdown
    assert list(board["tuned on test texts"]) == ["yes", "no", "unknown", "yes"]
    assert set(board["dataset"]) == {load_gold(bench_repo)[0]} and set(board["harness"]) == {__version__}
    for slug in ("oracle", "empty", "rules"):
        digest = hashlib.sha256((output / "predictions" / f"{slug}.jsonl").read_bytes()).hexdigest()
        assert board.loc[slug, "predictions sha256"] == digest
        assert json.loads((output / "reports" / f"{slug}.json").read_text(encoding="utf-8"))[
            "predictions_sha256"] == digest
    assert json.loads(board.loc["rules", "settings"])["kind"] == "regular expressions"


def test_a_row_from_a_users_file_carries_its_sidecar_and_reproduces(bench_repo: Path, tmp_path: Path,
                                                                      gold_documents: list) -> None:
    """Text-anchored predictions from a file, named by their sidecar; the written row reproduces from its file."""
    predictions = tmp_path / "mine.jsonl"
    predictions.write_text("".join(json.dumps(text_anchored(doc, doc["text"])) + "\n" for doc in gold_documents),
                           encoding="utf-8")
    (tmp_path / "mine.meta.json").write_text(json.dumps(
        {"name": "my-llm", "settings": {"model": "x", "temperature": 0}, "tuned_on_test_texts": False}),
        encoding="utf-8")
    first = tmp_path / "first"
    done = _cli(bench_repo, "benchmark", "--extractors", "rules", "empty", f"file:{predictions}", "--output",
                str(first), "--no-progress")
    assert done.returncode == 0, done.stderr
    board = pd.read_csv(first / "leaderboard.csv").set_index("extractor")
    row = board.loc["my-llm"]
    assert row["tuned on test texts"] == "no" and json.loads(row["settings"])["temperature"] == 0
    assert row["entities.strict.f1"] == 1.0  # every span found again from its text and context
    # 15 text spans: 9 mentions, 2 triggers, 2 cues, 2 contents (arguments and sources stay mention ids)
    assert (row["text spans"], row["ungrounded"], board.loc["rules", "text spans"]) == (15, 0, 0)
    markdown = (first / "leaderboard.md").read_text(encoding="utf-8")
    assert "| 0.0% of 15 |" in markdown and "| — |" in markdown
    report = json.loads((first / "reports" / "my-llm.json").read_text(encoding="utf-8"))
    assert report["grounding"]["entities"]["counts"]["exact"] == 9

    again = tmp_path / "again"  # the whole board again, from its saved predictions and their sidecars
    done = _cli(bench_repo, "benchmark", "--extractors", f"file:{first / 'predictions' / '*.jsonl'}",
                "--output", str(again), "--no-progress")
    assert done.returncode == 0, done.stderr
    rerun = pd.read_csv(again / "leaderboard.csv").set_index("extractor")
    assert sorted(rerun.index) == ["empty", "my-llm", "rules"]
    for column in ("predictions sha256", "tuned on test texts", "dataset", "entities.strict.f1",
                   "events.trigger_classification.f1", "attributions.full.f1"):
        assert list(rerun.loc[["empty", "my-llm", "rules"], column]) == \
            list(board.loc[["empty", "my-llm", "rules"], column]), column


def test_a_bad_sidecar_is_refused_with_its_field(bench_repo: Path, tmp_path: Path) -> None:
    (tmp_path / "p.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "p.meta.json").write_text('{"tuned_on_test_texts": "no", "colour": 1}', encoding="utf-8")
    done = _cli(bench_repo, "benchmark", "--extractors", f"file:{tmp_path / 'p.jsonl'}", "--output",
                str(tmp_path / "out"), "--no-progress")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "field tuned_on_test_texts: expected a bool, got 'no'" in done.stderr and "field colour" in done.stderr


def test_bad_predictions_from_a_command_are_refused_with_their_problems(bench_repo: Path, tmp_path: Path) -> None:
    script = _script(tmp_path, '#!/bin/sh\nwhile read -r line; do echo \'{"mentions": [{"start": 0, "end": 99999, '
                               '"type": "PER"}]}\'; done\n')
    done = _cli(bench_repo, "benchmark", "--extractors", f"cmd:{script}", "--output", str(tmp_path / "out"),
                "--no-progress")
    assert done.returncode == 2
    assert "end 99999 is past the end of the text" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_anchors_on_the_shipped_gold(repo_root: Path) -> None:
    """oracle 1.0 and empty 0.0 on every layer the real gold fills (read only through the dataset)."""
    _, gold, runs = run_benchmark(["oracle", "empty"], repo_root, progress=False)
    oracle, empty = (run.report for run in runs)
    for layer in ("mentions", "events", "attributions"):
        if any(doc[layer] for doc in gold):
            assert oracle.layer_f1(layer) == 1.0
            assert empty.layer_f1(layer) == 0.0


def test_extract_writes_a_sidecar_that_benchmark_reads_back(bench_repo: Path, tmp_path: Path) -> None:
    predictions = tmp_path / "untuned.jsonl"
    done = _cli(bench_repo, "extract", "spacy-untuned", "--output", str(predictions))
    assert done.returncode == 0, done.stderr
    meta = json.loads((tmp_path / "untuned.meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "spacy-untuned" and meta["tuned_on_test_texts"] is False
    assert meta["settings"]["word lists"] == "none written for this project"
    done = _cli(bench_repo, "benchmark", "--extractors", f"file:{predictions}", "--output", str(tmp_path / "out"),
                "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "| spacy-untuned | no |" in (tmp_path / "out" / "leaderboard.md").read_text(encoding="utf-8")


def test_docs_per_second_stays_readable_for_slow_extractors() -> None:
    from damascus_ie.leaderboard.benchmark import rate

    assert (rate(0.0102), rate(9.94), rate(0.0)) == ("0.010", "9.9", "0.0")  # an LLM on a CPU is not 0.0 docs/s
