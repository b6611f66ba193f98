"""The error page on the predictions users send (no browser needed): spans without text, spans in boilerplate."""

from __future__ import annotations

import copy

from damascus_ie import score
from damascus_ie.leaderboard.error_page import error_page


def _oracle(gold_documents: list) -> list[dict]:
    return [{k: copy.deepcopy(d[k]) for k in ("id", "mentions", "events", "attributions")} for d in gold_documents]


def test_spans_without_text_render_with_the_text_at_their_offsets(gold_documents: list) -> None:
    """Issue 11 defect 2: `text` is optional on mentions, triggers and cues; the page used to raise KeyError."""
    predictions = _oracle(gold_documents)
    for doc in predictions:
        for m in doc["mentions"]:
            del m["text"]
        for v in doc["events"]:
            del v["trigger"]["text"]
        for a in doc["attributions"]:
            del a["cue"]["text"]
    report = score(predictions, gold_documents, bootstrap=0)
    page = error_page("no-text", gold_documents, predictions, report)
    first = gold_documents[0]["events"][0]["trigger"]["text"]
    assert f"<td>{first}</td>" in page and "true positive" in page


def test_predictions_in_boilerplate_are_greyed_and_not_scored(gold_documents: list) -> None:
    doc = next(d for d in gold_documents if d["boilerplate"])
    start, end = doc["boilerplate"][0]
    predictions = _oracle(gold_documents)
    word_end = start + next(i for i, c in enumerate(doc["text"][start:end]) if c.isspace())
    target = next(p for p in predictions if p["id"] == doc["id"])
    target["mentions"].append({"start": start, "end": word_end, "type": "ORG", "level": "NAM"})
    report = score(predictions, gold_documents, bootstrap=0)
    assert report.headline["entities.strict.f1"] == 1.0 and report.warning_counts["span in boilerplate"] == 1
    page = error_page("boilerplate", gold_documents, predictions, report)
    assert 'class="st-ignored"' in page and "in boilerplate, not scored" in page
    assert 'data-status="ignored">1</td>' in page


def test_one_page_that_fails_costs_the_others_nothing(gold_documents: list, tmp_path, monkeypatch) -> None:
    """Issue 11 defect 2: a page that raises is reported; every other file of the run is written."""
    import pytest

    from damascus_ie.core.problems import InvalidInput
    from damascus_ie.leaderboard import benchmark
    from damascus_ie.leaderboard.extractors.registry import resolve

    runs = []
    for name in ("empty", "rules"):
        extractor = resolve(name)
        predictions, seconds = benchmark.run_extractor(extractor, gold_documents, progress=False)
        runs.append(benchmark.Run(extractor, predictions, seconds, score(predictions, gold_documents, bootstrap=0,
                                                                         extractor=name)))
    real = benchmark.write_error_page

    def flaky(path, name, *args):
        if name == "empty":
            raise KeyError("text")
        real(path, name, *args)

    monkeypatch.setattr(benchmark, "write_error_page", flaky)
    with pytest.raises(InvalidInput, match="error page not written: KeyError"):
        benchmark.write_results("x", gold_documents, runs, tmp_path / "out")
    out = tmp_path / "out"
    assert (out / "leaderboard.csv").exists() and (out / "errors" / "rules.html").exists()
    assert (out / "reports" / "empty.json").exists() and not (out / "errors" / "empty.html").exists()
