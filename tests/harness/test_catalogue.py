"""Runs every input of the catalogue (tests/harness/input_catalogue.py) through the real command line.

Each must give its exit code and the words its message must contain; a scored
input must count its warnings and get its pinned score. None may print a
traceback or an "internal error". eval/INPUTS.md must be the catalogue's
rendering.
"""

from __future__ import annotations

import functools
import io
import json
import os
import sys
from pathlib import Path

import pytest

from damascus_ie.cli import main
from damascus_ie.core.io import load_gold

sys.path.insert(0, str(Path(__file__).parent))
from input_catalogue import CASES, Case, Ctx, render_inputs

INPUTS_DOC = Path(__file__).resolve().parents[2] / "eval" / "INPUTS.md"


@functools.cache
def _test_split() -> tuple[str, list]:
    """The real loader (datasets.load_dataset on dataset/), run once per session."""
    from damascus_ie.leaderboard import benchmark

    return benchmark.__dict__["_real_load_test_documents"]()


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ctx:
    from damascus_ie.leaderboard import benchmark

    benchmark.__dict__.setdefault("_real_load_test_documents", benchmark.load_test_documents)
    ctx = Ctx(tmp_path, [dict(d) for d in load_gold()[1]])

    def loaded(root: Path | None = None) -> tuple[str, list]:
        ctx.extra_calls.append("load_test_documents")
        return _copy(_test_split())

    monkeypatch.setattr(benchmark, "load_test_documents", loaded)
    return ctx


def _copy(split: tuple[str, list]) -> tuple[str, list]:
    import copy

    return split[0], copy.deepcopy(split[1])


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_input(case: Case, ctx: Ctx, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    argv = case.argv(ctx)
    if ctx.chdir:
        monkeypatch.chdir(ctx.tmp)
    if "stdin" in case.extra:
        stdin = case.extra["stdin"]
        text = "".join(json.dumps(d) + "\n" for d in ctx.oracle()) if stdin == "oracle" else stdin
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse usage errors
        code = stop.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    assert code == case.exit, (out[-2000:], err[-3000:])
    shown = err if case.exit else out + err
    for word in case.words:
        assert word.lower() in shown.lower(), (word, shown[-3000:])
    if case.exit == 0 and argv[0] == "score" and "--format" in argv and argv[argv.index("--format") + 1] == "json":
        report = json.loads(out)
        for kind in case.warnings:
            assert any(k.startswith(kind) for k in report["warning_counts"]), (kind, report["warning_counts"])
        for name, value in (case.scores(ctx) if case.scores else {}).items():
            assert report["headline"][name] == pytest.approx(value), name
        if case.outcome == "scored":
            assert case.scores is not None or case.words, "a scored input pins its score"
        if case.extra.get("bounded"):
            assert len(report["warnings"]) <= 20 * len(report["warning_counts"])
            assert sum(report["warning_counts"].values()) > 10_000
    elif case.exit == 0:
        assert case.after is not None or case.words or case.expect, "an accepted input is checked"
    if case.after is not None:
        case.after(ctx)
    if case.extra.get("before_dataset"):
        assert ctx.extra_calls == [], "the extractors are checked before the dataset is loaded"


def test_catalogue_is_large_and_every_exit_zero_input_is_checked() -> None:
    assert len(CASES) >= 120
    assert len({case.id for case in CASES}) == len(CASES)
    for case in CASES:
        if case.exit == 0:
            assert case.scores or case.warnings or case.after or case.words, case.id
        else:
            assert case.words, case.id


def test_inputs_doc_is_the_catalogue() -> None:
    text = render_inputs()
    if os.environ.get("DAMASCUS_IE_WRITE_INPUTS"):
        INPUTS_DOC.write_text(text, encoding="utf-8")
    assert INPUTS_DOC.read_text(encoding="utf-8") == text, "eval/INPUTS.md is stale: DAMASCUS_IE_WRITE_INPUTS=1"


def test_harness_doc_and_readme_give_the_catalogues_size() -> None:
    """HARNESS.md states the number exactly and the README roughly (to the nearest ten); both drifted once."""
    import re

    harness = (INPUTS_DOC.parent / "HARNESS.md").read_text(encoding="utf-8")
    readme = (INPUTS_DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"({len(CASES)} inputs," in harness
    stated = re.search(r"answers to ~(\d+)\s+kinds of bad input", readme)
    assert stated and abs(int(stated.group(1)) - len(CASES)) <= 5, stated
