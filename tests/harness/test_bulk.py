"""The bulk check clears only documents the per-record checker finds nothing in, and clears clean ones."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.core.validation import check_document
from damascus_ie.harness import bulk, predictions
from damascus_ie.harness.bulk import trusted_mentions

TAXONOMY = load_taxonomy()
TEXT = "Rebel forces entered the capital.  Residents said\tthe army left."
WORDS = [(0, 5), (6, 12), (13, 20), (21, 24), (25, 32), (35, 44), (45, 49), (50, 53), (54, 58), (59, 63)]


@st.composite
def mention(draw: Any, index: int) -> dict:
    """A clean mention on word boundaries, sometimes broken in one of the ways the checker reports."""
    first = draw(st.integers(0, len(WORDS) - 1))
    last = draw(st.integers(first, min(first + 2, len(WORDS) - 1)))
    start, end = WORDS[first][0], WORDS[last][1]
    kind = draw(st.sampled_from(["PER", "ORG", "GPE", "TIME"]))
    record: dict[str, Any] = {"id": f"m{index}", "start": start, "end": end, "text": TEXT[start:end], "type": kind}
    if kind != "TIME" and draw(st.booleans()):
        record["entity"] = f"e{draw(st.integers(0, 3))}"
    if draw(st.booleans()):
        record["level"] = draw(st.sampled_from(["NAM", "NOM", "PRO"]))
    flaw = draw(st.sampled_from([None] * 6 + ["shift", "text", "space", "type", "level", "time_entity", "value",
                                             "float", "bool", "no_text", "id", "past", "entity_int"]))
    if flaw == "shift":
        record["start"] = max(0, start - 1)
    elif flaw == "text":
        record["text"] = record["text"].upper()
    elif flaw == "space":
        record["end"] = end + 1
        record["text"] = TEXT[start:end + 1]
    elif flaw == "type":
        record["type"] = "person"
    elif flaw == "level":
        record["level"] = "NAME"
    elif flaw == "time_entity":
        record.update(type="TIME", entity="e1")
    elif flaw == "value":
        record.update(type="PER", value="2024")
    elif flaw == "float":
        record["start"] = float(start)
    elif flaw == "bool":
        record["end"] = True
    elif flaw == "no_text":
        del record["text"]
    elif flaw == "id":
        record["id"] = "m0"
    elif flaw == "past":
        record["end"] = len(TEXT) + 3
    elif flaw == "entity_int":
        record["entity"] = 7
    return record


@st.composite
def document(draw: Any, number: int) -> dict:
    count = draw(st.integers(0, 5))
    return {"id": f"d{number}", "mentions": [draw(mention(i)) for i in range(count)]}


DOCS = st.integers(1, 6).flatmap(lambda n: st.tuples(*[document(i) for i in range(n)]))


def _gold(n: int, boilerplate: bool) -> dict[str, dict]:
    return {f"d{i}": {"id": f"d{i}", "text": TEXT, "boilerplate": [[45, 49]] if boilerplate and i % 2 else []}
            for i in range(n)}


@settings(max_examples=300, deadline=None)
@given(DOCS, st.booleans())
def test_a_cleared_document_has_nothing_for_the_checker_to_report(docs: tuple[dict, ...], boilerplate: bool) -> None:
    gold = _gold(len(docs), boilerplate)
    cleared = trusted_mentions(list(docs), gold, TAXONOMY)
    for doc, clear in zip(docs, cleared, strict=True):
        found = check_document({**doc, "text": TEXT, "boilerplate": gold[doc["id"]]["boilerplate"]}, "<p>", TAXONOMY,
                               gold=False).problems
        if clear:
            assert found == [], found
        nested = any(a["start"] < b["end"] and b["start"] < a["end"] for i, a in enumerate(doc["mentions"])
                     for b in doc["mentions"][i + 1:] if isinstance(a.get("end"), int) and isinstance(b.get("end"), int))
        if not found and not nested:
            assert clear  # clean and flat: the fast path takes it


def test_loading_gives_the_same_documents_and_problems_with_or_without_the_bulk_check(
        monkeypatch: pytest.MonkeyPatch) -> None:
    gold_docs = [{"id": f"d{i}", "text": TEXT, "boilerplate": [], "mentions": []} for i in range(4)]
    records = [{"id": "d0", "mentions": [{"id": "a", "start": 0, "end": 5, "text": "Rebel", "type": "ORG"}]},
               {"id": "d1", "mentions": [{"id": "a", "start": 0, "end": 6, "text": "Rebel ", "type": "ORG"}]},
               {"id": "d2", "mentions": [{"id": "a", "start": 0, "end": 5, "text": "Rebel", "type": "ORG"},
                                         {"id": "b", "start": 0, "end": 12, "text": "Rebel forces", "type": "ORG"}]},
               {"id": "d3", "mentions": [{"id": "a", "start": 25, "end": 32, "text": "capital", "type": "GPE",
                                          "entity": "x", "level": "NOM"}]}]
    fast = predictions.load_predictions(records, gold_docs, taxonomy=TAXONOMY)
    assert trusted_mentions(records, {d["id"]: d for d in gold_docs}, TAXONOMY).tolist() == [True, False, False, True]
    monkeypatch.setattr(predictions, "read_mentions", lambda r, g, t, **_: bulk.BulkMentions(np.zeros(len(r), dtype=bool)))
    slow = predictions.load_predictions(records, gold_docs, taxonomy=TAXONOMY)
    assert fast.documents == slow.documents
    assert [str(p) for p in fast.warnings] == [str(p) for p in slow.warnings] and fast.warning_counts == slow.warning_counts


def test_scoring_reuses_the_mention_lists_bulk_read_and_gets_the_same_report(monkeypatch: pytest.MonkeyPatch) -> None:
    from damascus_ie import score
    from damascus_ie.harness.metrics import entities

    gold_docs = [{"id": f"d{i}", "text": TEXT, "boilerplate": [], "events": [], "attributions": [],
                  "mentions": [{"id": "g", "start": 0, "end": 12, "text": "Rebel forces", "type": "ORG", "level": "NOM",
                                "entity": "rebels"}]} for i in range(3)]
    records = [{"id": "d2", "mentions": [{"id": "a", "start": 0, "end": 12, "text": "Rebel forces", "type": "ORG",
                                          "entity": "x", "score": 0.5}]},  # unknown mention keys are ignored
               {"id": "d0", "mentions": [{"id": "a", "start": 0, "end": 5, "text": "Rebel", "type": "PER",
                                          "level": "NAM"}]}]  # d1 has no record
    loaded = predictions.load_predictions(records, gold_docs, taxonomy=TAXONOMY)
    assert loaded.mention_lists is not None and len(loaded.mention_lists) == 3
    reused = entities.mention_table(loaded.documents, TAXONOMY, lists=loaded.mention_lists)
    read = entities.mention_table(loaded.documents, TAXONOMY)
    for name in ("doc", "start", "end", "type", "entity", "level"):
        assert getattr(reused, name).tolist() == getattr(read, name).tolist(), name
    fast = score(records, gold_docs, bootstrap=0).to_dict()
    monkeypatch.setattr(predictions, "read_mentions", lambda r, g, t, **_: bulk.BulkMentions(np.zeros(len(r), bool)))
    assert predictions.load_predictions(records, gold_docs, taxonomy=TAXONOMY).mention_lists is None
    assert score(records, gold_docs, bootstrap=0).to_dict() == fast


def test_the_gold_texts_joined_once_clear_the_same_documents_as_joining_them_per_call() -> None:
    from damascus_ie.harness.metrics.positions import joined_texts

    texts = [TEXT, "“Quiet” " + TEXT, TEXT.upper()]  # the middle one is not ASCII: its records take the checker
    gold = {f"d{i}": {"id": f"d{i}", "text": t, "boilerplate": []} for i, t in enumerate(texts)}
    span = {"id": "a", "start": 0, "end": 5, "type": "ORG"}
    records = [{"id": "d2", "mentions": [{**span, "text": "REBEL"}]}, {"id": "d1", "mentions": [{**span, "text": "“Quie"}]},
               {"id": "d0", "mentions": [{**span, "text": "Rebel"}]}, {"id": "d0", "mentions": [{**span, "text": "Rebal"}]}]
    joined = bulk.GoldTexts(joined_texts(texts), {f"d{i}": i for i in range(3)})
    once = bulk.read_mentions(records, gold, TAXONOMY, texts=joined).trusted.tolist()
    assert once == trusted_mentions(records, gold, TAXONOMY).tolist() == [True, False, True, False]
