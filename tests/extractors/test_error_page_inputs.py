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
