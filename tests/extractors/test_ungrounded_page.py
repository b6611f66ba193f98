"""The error page of text-anchored predictions: grounded spans are highlighted, ungrounded ones listed apart."""

from __future__ import annotations

import re

from damascus_ie import score
from damascus_ie.harness.grounding import text_anchored
from damascus_ie.leaderboard.error_page import error_page


def test_ungrounded_spans_get_a_list_of_their_own(gold_documents: list) -> None:
    predictions = [text_anchored(doc, doc["text"]) for doc in gold_documents]
    predictions[0]["mentions"].append({"text": "the Free Syrian Army", "type": "ORG"})
    predictions[1]["attributions"][0]["content"].append({"text": "we will never surrender"})
    report = score(predictions, gold_documents, extractor="anchored", bootstrap=0)
    page = error_page("anchored", gold_documents, predictions, report)
    section = re.search(r'<section id="ungrounded">(.*?)</section>', page, re.S).group(1)
    assert "Ungrounded spans (2)" in section
    assert "the Free Syrian Army" in section and "we will never surrender" in section
    text = page.split('<section class="doc"', 1)[1]
    assert "Free Syrian Army</mark>" not in text  # not highlighted: it is not in the document
    assert text.count('data-status="tp"') > 0  # the grounded spans are aligned as the harness scores them
    assert report.grounding["entities"]["counts"]["ungrounded"] == 1
    assert report.grounding["attributions"]["counts"]["ungrounded"] == 1


def test_a_page_without_text_anchored_spans_says_none(gold_documents: list) -> None:
    page = error_page("gold", gold_documents, gold_documents)
    assert "None: every text-anchored span was found." in page


def test_confusion_plot_grounds_text_anchored_predictions(gold_documents: list) -> None:
    from damascus_ie.leaderboard.plots import type_confusion

    predictions = [text_anchored(doc, doc["text"]) for doc in gold_documents]
    assert type_confusion(gold_documents, predictions).trace() == sum(len(d["mentions"]) for d in gold_documents)
