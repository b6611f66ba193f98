"""`make bench --quick` runs end to end and prints every line the speed claims are read from."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_quick_bench_prints_every_target_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                              repo_root: Path) -> None:
    monkeypatch.syspath_prepend(str(repo_root / "bench"))
    import bench_scoring

    assert bench_scoring.main(["--quick", "--docs", "200"]) == 0
    out = capsys.readouterr().out
    for line in ("score(): ", "x nervaluate", "default bootstrap (1,000 resamples): adds", "reading alone: ",
                 "every layer, default bootstrap",
                 "gold preparation: events", "peak memory", "dense overlaps (nested)", "dense overlaps (crossing)",
                 "bootstrap: 1,000 resamples of the real gold"):
        assert line in out, line
    for scheme in ("strict", "exact", "partial", "type"):  # score() and nervaluate agree on the synthetic corpus
        row = next(r for r in out.splitlines() if r.strip().startswith(scheme) and "nervaluate" in r).split()
        assert row[3] == row[5], row
    assert "failed" not in out
