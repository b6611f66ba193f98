"""Statement identity and relay chains on hand-computed examples (issue 12, section 1)."""

from __future__ import annotations

import pytest

from damascus_ie import score

TEXT = "Ann said one. Bob said two. Cat said six. Dan said ten. Eve said yes."


def attribution(number: int, statement: str | None = None, parent: int | None = None) -> dict:
    """The number-th "said" of TEXT (0-based) as an attribution whose content is the word after it."""
    cue = [i for i in range(len(TEXT)) if TEXT.startswith("said", i)][number]
    record = {"id": f"a{number}", "type": "DIRECT", "cue": {"start": cue, "end": cue + 4},
              "content": [{"start": cue + 5, "end": TEXT.index(".", cue)}], "source": None, "addressee": None,
              "parent": None if parent is None else f"a{parent}"}
    return record if statement is None else {**record, "statement": statement}


def gold_document(doc_id: str, attributions: list[dict]) -> dict:
    return {"id": doc_id, "text": TEXT, "boilerplate": [], "mentions": [], "events": [], "attributions": attributions}


def test_statement_clusters_within_documents_and_across_the_corpus() -> None:
    """Gold: d1 a0 s1, a1 s2, a2 s1; d2 a0 s1, a1 s3. Predicted (same cues): d1 x, x, y; d2 x, z.

    Within documents, key {a0 a2} {a1} | {a0} {a1}; response {a0 a1} {a2} | {a0} {a1}:
      MUC: the one key link is split, the one response link joins two keys: 0.
      B3: recall (1/2 + 1/2 + 1 + 1 + 1) / 5 = 0.8; precision the same by symmetry.
      CEAF-e: {a0 a2}-{a2} 2/3 and {a1}-{a0 a1} 2/3 beat {a0 a2}-{a0 a1} 1/2: (4/3 + 2) / 4 = 5/6 both ways.
    Across the corpus, key S1 {d1a0 d1a2 d2a0} S2 {d1a1} S3 {d2a1}; response X {d1a0 d1a1 d2a0} Y {d1a2} Z {d2a1}:
      MUC: recall (3 - 2) / 2, precision (3 - 2) / 2: 0.5.
      B3: (2/3 + 1/3 + 2/3 + 1 + 1) / 5 = 11/15 both ways.
      CEAF-e: S1-Y 1/2 + S2-X 1/2 + S3-Z 1 = 2 (beats S1-X 2/3 + S3-Z 1): 2/3 both ways.
    """
    gold = [gold_document("d1", [attribution(0, "s1"), attribution(1, "s2"), attribution(2, "s1")]),
            gold_document("d2", [attribution(0, "s1"), attribution(1, "s3")])]
    pred = [{"id": "d1", "attributions": [attribution(0, "x"), attribution(1, "x"), attribution(2, "y")]},
            {"id": "d2", "attributions": [attribution(0, "x"), attribution(1, "z")]}]
    report = score(pred, gold=gold, bootstrap=0)
    within, corpus = (report.metrics["attributions"][level] for level in ("statement", "statement_corpus"))
    assert within["muc"]["f1"] == 0.0
    assert (within["b3"]["recall"], within["b3"]["precision"]) == pytest.approx((0.8, 0.8))
    assert (within["ceafe"]["recall"], within["ceafe"]["precision"]) == pytest.approx((5 / 6, 5 / 6))
    assert (corpus["muc"]["recall"], corpus["muc"]["precision"]) == pytest.approx((0.5, 0.5))
    assert (corpus["b3"]["recall"], corpus["b3"]["precision"]) == pytest.approx((11 / 15, 11 / 15))
    assert (corpus["ceafe"]["recall"], corpus["ceafe"]["precision"]) == pytest.approx((2 / 3, 2 / 3))
    assert report.headline["attributions.statement.conll_f1"] == pytest.approx((0 + 0.8 + 5 / 6) / 3)
    assert report.headline["attributions.statement_corpus.conll_f1"] == pytest.approx((0.5 + 11 / 15 + 2 / 3) / 3)
    assert score(gold, gold=gold, bootstrap=0).headline["attributions.statement_corpus.conll_f1"] == 1.0


def test_statement_identity_follows_the_cue_pairing() -> None:
    """A prediction whose cue pairs with no gold cue is a twinless mention: it lowers precision only."""
    gold = [gold_document("d1", [attribution(0, "s1"), attribution(1, "s1")])]
    pred = [{"id": "d1", "attributions": [attribution(0, "s"), attribution(1, "s"), attribution(2, "s")]}]
    b3 = score(pred, gold=gold, bootstrap=0).metrics["attributions"]["statement"]["b3"]
    # response {a0 a1 a2}, a2 twinless: recall 1; precision (2/3 + 2/3 + 0) / 3 = 4/9
    assert (b3["recall"], b3["precision"]) == pytest.approx((1.0, 4 / 9))


def test_relay_chain_edges_and_whole_chains() -> None:
    """Gold chains a1 -> a0, a2 -> a1, a4 -> a2 and a3 alone; predicted a1 -> a0, a2 -> a0 (wrong), a3 -> a1
    (spurious), a4 -> a2 (right parent on a wrong chain).

    Edges: 2 of 4 predicted right, 2 of 3 gold found: P 1/2, R 2/3, F1 4/7.
    Parent accuracy over the 5 cue pairs: a0, a1, a4 right: 3/5. Chains: a0, a1 right (a4's runs through a2): 2/5.
    """
    gold = [gold_document("d1", [attribution(0, "s0"), attribution(1, "s1", parent=0), attribution(2, "s2", parent=1),
                                 attribution(3, "s3"), attribution(4, "s4", parent=2)])]
    pred = [{"id": "d1", "attributions": [attribution(0), attribution(1, parent=0), attribution(2, parent=0),
                                          attribution(3, parent=1), attribution(4, parent=2)]}]
    metrics = score(pred, gold=gold, bootstrap=0).metrics["attributions"]
    edge = metrics["parent.edge"]
    assert (edge["precision"], edge["recall"], edge["f1"]) == pytest.approx((1 / 2, 2 / 3, 4 / 7))
    assert metrics["parent.accuracy"]["accuracy"] == pytest.approx(3 / 5)
    assert metrics["chain.accuracy"]["accuracy"] == pytest.approx(2 / 5)
    perfect = score(gold, gold=gold, bootstrap=0).metrics["attributions"]
    assert perfect["parent.edge"]["f1"] == perfect["chain.accuracy"]["accuracy"] == 1.0


def test_an_unpaired_parent_breaks_the_edge_and_the_chain() -> None:
    """Gold a1 -> a0; the prediction misses a0's cue, so its a1 -> a2 edge cannot be right (a2 pairs with nothing)."""
    gold = [gold_document("d1", [attribution(0, "s0"), attribution(1, "s1", parent=0)])]
    pred = [{"id": "d1", "attributions": [attribution(1, parent=2), attribution(2)]}]
    metrics = score(pred, gold=gold, bootstrap=0).metrics["attributions"]
    assert metrics["parent.edge"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert metrics["chain.accuracy"]["accuracy"] == 0.0

def test_records_sharing_a_cue_pair_the_same_in_any_order() -> None:
    """Two records on one cue, alike but for their statement (the gold has such a pair): which gold record each
    prediction pairs with is decided by content (statement id, then the whole record), never by list position.
    Found by the order property: the corpus-level CoNLL F1 was 0.185 or 0.3 depending on the order."""
    def shared_cue(statement: str) -> dict:
        return {**attribution(0, statement), "id": f"b{statement}"}

    gold = [gold_document("d1", [attribution(0, "s1"), shared_cue("s2"), attribution(1, "s1")])]
    pred = [{"id": "d1", "attributions": [attribution(0, "p"), shared_cue("q"), attribution(1, "p")]}]
    reordered = [{"id": "d1", "attributions": pred[0]["attributions"][::-1]}]
    gold_reordered = [{**gold[0], "attributions": gold[0]["attributions"][::-1]}]
    first = score(pred, gold=gold, bootstrap=0)
    assert first.metrics["attributions"] == score(reordered, gold=gold, bootstrap=0).metrics["attributions"]
    assert first.metrics["attributions"] == score(reordered, gold=gold_reordered, bootstrap=0).metrics["attributions"]
    # s1 < s2 and p < q: the records pair s1-p, s2-q, which is the perfect pairing here
    assert first.headline["attributions.statement.conll_f1"] == pytest.approx(1.0)
