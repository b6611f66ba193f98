"""The error page in a real headless Chromium: it renders (not blank), its filters run, and its counts are the report's."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from damascus_ie import score
from damascus_ie.leaderboard.error_page import write_error_page
from damascus_ie.leaderboard.extractors.base import input_view
from damascus_ie.leaderboard.extractors.registry import resolve

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


def _chromium(tmp_path: Path, url: str, *mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,1000", *mode, url],
                          capture_output=True, text=True, timeout=120, check=True)


@pytest.fixture
def page(tmp_path: Path, gold_documents: list) -> tuple[Path, object]:
    rules = resolve("rules")
    predictions = [rules.extract(input_view(doc)) for doc in gold_documents]
    report = score(predictions, gold_documents, extractor="rules")
    path = tmp_path / "rules.html"
    write_error_page(path, "rules", gold_documents, predictions, report)
    return path, report


def _summary(dom: str) -> dict[str, dict[str, int]]:
    cells = re.findall(r'<td data-layer="(\w+)" data-status="(\w+)">(\d+)</td>', dom)
    out: dict[str, dict[str, int]] = {}
    for layer, status, count in cells:
        out.setdefault(layer, {})[status] = int(count)
    return out


def _precision_recall(counts: dict[str, int], correct: int) -> tuple[float, float]:
    found = counts["tp"] + counts["wrong_type"] + counts["partial"]
    return correct / (found + counts["fp"]), correct / (found + counts["fn"])


def test_page_renders_and_shows_the_report_counts(tmp_path: Path, page: tuple[Path, object]) -> None:
    path, report = page
    html_text = path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html_text), "the page must not fetch anything"

    screenshot = tmp_path / "page.png"
    _chromium(tmp_path, path.as_uri(), f"--screenshot={screenshot}")
    pixels = np.asarray(Image.open(screenshot).convert("RGB")).reshape(-1, 3)
    assert (pixels.min(axis=1) < 200).mean() > 0.02, "screenshot is blank"
    colours = {tuple(p) for p in pixels[:: max(1, len(pixels) // 200_000)]}
    assert (0xC8, 0xF0, 0xC8) in colours and (0xFF, 0xD0, 0xD0) in colours  # true-positive and false-positive fills

    dom = _chromium(tmp_path, path.as_uri(), "--dump-dom").stdout
    shown = _summary(dom)
    entities = report.metrics["entities"]["overall"]["strict"]
    mentions = shown["mentions"]
    assert (mentions["tp"], mentions["wrong_type"] + mentions["partial"], mentions["fn"], mentions["fp"]) == (
        entities["correct"], entities["incorrect"], entities["missed"], entities["spurious"])
    triggers = report.metrics["events"]["trigger_classification"]
    assert _precision_recall(shown["events"], shown["events"]["tp"]) == pytest.approx(
        (triggers["precision"], triggers["recall"]))
    cues = report.metrics["attributions"]["cue.exact"]
    cue_matches = shown["attributions"]["tp"] + shown["attributions"]["wrong_type"]
    assert _precision_recall(shown["attributions"], cue_matches) == pytest.approx((cues["precision"], cues["recall"]))
    gold_tp = set(re.findall(r'<mark class="st-tp[^"]*" data-id="([^"]+:gold:mentions:[^"]+)"', dom))
    assert len(gold_tp) == mentions["tp"]  # the highlights are the counted records
    assert f'data-metric="entities.strict.f1">entities.strict.f1 = {report.headline["entities.strict.f1"]:.3f}' in dom


def test_filters_run_in_the_browser(tmp_path: Path, page: tuple[Path, object]) -> None:
    path, _ = page
    dom = _chromium(tmp_path, path.as_uri() + "#layer=events&status=tp", "--dump-dom").stdout
    marks = re.findall(r'<mark class="([^"]*)" data-id="[^"]*" data-layer="(\w+)" data-type="[^"]*" '
                       r'data-status="(\w+)"', dom)
    assert marks
    for classes, layer, status in marks:
        assert ("off" in classes.split()) == (layer != "events" or status != "tp")
