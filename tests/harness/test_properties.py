"""Properties that must hold for any input (hypothesis): perfect self-score, order freedom, symmetry, bounds."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tracemalloc
from collections.abc import Sequence
from typing import TypeVar
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from damascus_ie import score
from damascus_ie.core.records import EVENT_ATTRIBUTES, LAYERS
from damascus_ie.core.sentences import token_spans
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.harness.metrics import entities

TAXONOMY = load_taxonomy()
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
T = TypeVar("T")

# Inputs are built by hypothesis strategies (not from a drawn seed), so a failure shrinks to a small corpus:
# fewer documents, shorter texts, fewer records, earlier choices.


def text_of(n_words: int) -> str:
    words = []
    for index in range(n_words):
        word = f"w{index}"
        if index % 6 == 5:
            word += "."
        elif index % 6 == 0:
            word = word.upper()
        words.append(word)
    return " ".join(words)


TEXTS = st.integers(4, 30).map(text_of)


def candidate_spans(text: str) -> list[tuple[int, int]]:
    """Single words and aligned word pairs: any subset nests or stays apart, never crosses."""
    words = [s for s in token_spans(text) if text[s[0]:s[1]].isalnum()]
    pairs = [(words[i][0], words[i + 1][1]) for i in range(0, len(words) - 1, 2)]
    return words + pairs


def subset(draw: st.DrawFn, items: Sequence[T], max_size: int | None = None) -> list[T]:
    """Distinct items in drawn order (shrinks towards none, then towards the first items)."""
    if not items:
        return []
    chosen = draw(st.lists(st.integers(0, len(items) - 1), unique=True, max_size=max_size))
    return [items[i] for i in chosen]


@st.composite
def documents(draw: st.DrawFn, doc_id: str, text: str) -> dict:
    """One annotation of `text`: mentions that nest but never cross, events on single words, attributions."""
    spans = candidate_spans(text)
    mentions = []
    for number, (start, end) in enumerate(subset(draw, spans)):
        kind = draw(st.sampled_from(TAXONOMY.entity_types))
        mentions.append({"id": f"m{number}", "start": start, "end": end, "text": text[start:end], "type": kind,
                         "level": draw(st.sampled_from(TAXONOMY.mention_levels)),
                         "entity": None if kind == "TIME" else f"e{draw(st.integers(0, 4))}"})
    words = [s for s in spans if text[s[0]:s[1]].count(" ") == 0]
    events = []
    # distinct triggers, as in the gold: repeated predicted triggers are removed from identity scoring
    for number, (start, end) in enumerate(subset(draw, words, 4)):
        kind = draw(st.sampled_from(TAXONOMY.event_types))
        arguments = [{"role": draw(st.sampled_from(TAXONOMY.event_roles[kind])), "mention": m["id"]}
                     for m in subset(draw, mentions, 2)]
        events.append({"id": f"v{number}", "type": kind, "trigger": {"start": start, "end": end},
                       "arguments": arguments, "event": f"ev{draw(st.integers(0, 2))}",
                       **{a: draw(st.sampled_from(TAXONOMY.event_attributes[a])) for a in EVENT_ATTRIBUTES}})
    attributions: list[dict] = []
    for number in range(draw(st.integers(0, 3))):
        cue = draw(st.sampled_from(words))
        content = draw(st.sampled_from(spans))
        attributions.append({
            "id": f"a{number}", "type": draw(st.sampled_from(TAXONOMY.attribution_types)),
            "cue": {"start": cue[0], "end": cue[1]},
            "source": draw(st.sampled_from([None, *[m["id"] for m in mentions]])),
            "content": [{"start": content[0], "end": content[1]}], "addressee": None,
            "parent": draw(st.sampled_from([None, *[a["id"] for a in attributions]])), "statement": f"s{number}"})
    return {"id": doc_id, "text": text, "boilerplate": [], "mentions": mentions, "events": events,
            "attributions": attributions}


@st.composite
def corpus_pairs(draw: st.DrawFn, min_documents: int = 1, max_documents: int = 3) -> tuple[list[dict], list[dict]]:
    """Two independent annotations of the same texts (so they overlap, nest and disagree)."""
    texts = draw(st.lists(TEXTS, min_size=min_documents, max_size=max_documents))
    a = [draw(documents(f"d{i}", t)) for i, t in enumerate(texts)]
    b = [draw(documents(f"d{i}", t)) for i, t in enumerate(texts)]
    return a, b


SWAPPABLE = ("strict", "exact", "partial", "type", "head")


@SETTINGS
@given(corpus_pairs())
def test_gold_scored_against_itself_is_one_everywhere(pair: tuple[list[dict], list[dict]]) -> None:
    """Except CoNLL F1 where the gold has no coreference link: MUC scores 0 there, as the reference does."""
    gold, _ = pair
    report = score(gold, gold=gold, bootstrap=20)
    expected = {name: 1.0 if has_links(gold, name) else 2 / 3 for name in report.headline if "conll_f1" in name}
    assert report.headline and all(value == pytest.approx(expected.get(name, 1.0))
                                   for name, value in report.headline.items()), report.headline


IDENTITY = {"entities": ("mentions", "entity"), "events": ("events", "event"), "attributions": ("attributions", "statement")}


def has_links(docs: list[dict], headline: str) -> bool:
    """Whether some identity cluster of the headline's layer and level has two members."""
    layer, level = headline.split(".")[:2]
    records, field = IDENTITY[layer]
    keys = [(None if level.endswith("corpus") else d["id"], r[field]) for d in docs for r in d[records]
            if r.get(field) is not None]
    return len(set(keys)) < len(keys)


@SETTINGS
@given(corpus_pairs(), st.data())
def test_scores_do_not_depend_on_the_order_of_predictions(pair: tuple[list[dict], list[dict]],
                                                          data: st.DataObject) -> None:
    gold, pred = pair
    shuffled = [{**d, **{layer: data.draw(st.permutations(d[layer])) for layer in LAYERS}} for d in pred]
    shuffled = data.draw(st.permutations(shuffled))
    first, second = score(pred, gold=gold, bootstrap=0), score(shuffled, gold=gold, bootstrap=0)
    assert first.headline == pytest.approx(second.headline)
    assert first.metrics["entities"]["overall"] == second.metrics["entities"]["overall"]


@SETTINGS
@given(corpus_pairs(), st.data())
def test_dense_documents_score_as_their_listed_edges_do_in_any_order(pair: tuple[list[dict], list[dict]],
                                                                      data: st.DataObject) -> None:
    """Every document taken as dense (interval sweeps, no edge list): the scheme counts overall, per type and
    macro that the listed edges give, and every entity score the same whatever the order of the predictions."""
    gold, pred = pair
    shuffled = data.draw(st.permutations([{**d, "mentions": data.draw(st.permutations(d["mentions"]))} for d in pred]))
    listed = score(pred, gold=gold, bootstrap=0).metrics["entities"]
    with patch.object(entities, "DENSE_EDGES", -1):
        swept = score(pred, gold=gold, bootstrap=0)
        reordered = score(shuffled, gold=gold, bootstrap=0)
    assert {k: swept.metrics["entities"][k] for k in ("overall", "per_type", "macro")} == {
        k: listed[k] for k in ("overall", "per_type", "macro")}
    assert leaves(swept.metrics["entities"]) == pytest.approx(leaves(reordered.metrics["entities"]))
    assert swept.headline == pytest.approx(reordered.headline)


def leaves(tree: dict, prefix: str = "") -> dict[str, float]:
    """A nested dict of numbers as one flat dict (pytest.approx compares flat ones): CEAF-e sums its similarities
    in the order of the predicted clusters, so a reordering can move the last bit, on either matching path."""
    out: dict[str, float] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(leaves(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def test_a_dense_document_is_matched_without_listing_its_overlaps() -> None:
    """800 nested gold and 800 nested predicted mentions, 640,000 overlapping pairs (past DENSE_EDGES): the
    counts the listed edges give, in a small part of their memory."""
    n, kinds = 800, TAXONOMY.entity_types[:3]

    def table(shift: int) -> entities.MentionTable:
        return entities.mention_table([{"mentions": [{"start": i, "end": 2 * n - shift - i, "type": kinds[i * 7 % 3]}
                                                     for i in range(n)]}])

    gold, pred = table(0), table(1)
    peaks, counts = [], []
    for dense_edges in (None, 10**12):
        tracemalloc.start()
        matching = entities.match(gold, pred, dense_edges=dense_edges)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        counts.append(entities.scheme_counts(gold, pred, matching, TAXONOMY, per_level=False))
    assert counts[0] == counts[1]
    assert peaks[0] * 10 < peaks[1], peaks


LAYERED_DOCUMENT = """
import json, sys
import numpy as np
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.harness.metrics import entities
kinds, rng = load_taxonomy().entity_types[:3], np.random.default_rng(0)
def table():
    starts = rng.integers(0, 2400, 600).tolist()
    return entities.mention_table([{"mentions": [{"start": s, "end": s + int(rng.integers(1, 180)),
                                                  "type": kinds[int(rng.integers(0, 3))]} for s in starts]}])
gold, pred = table(), table()
counts = {}
for name, dense_edges in (("listed", 10**12), ("swept", -1)):
    counts[name] = entities.count(gold, pred, entities.match(gold, pred, dense_edges=dense_edges),
                                  load_taxonomy(), per_level=False).correct.tolist()
print(json.dumps(counts))
"""


def test_a_layered_document_is_matched_in_seconds_on_both_paths() -> None:
    """600 random spans a side (nested and crossing, 39,000 candidate pairs, under DENSE_EDGES): scipy's
    maximum_bipartite_matching took over five minutes on its listed edges (scipy/scipy#26147: its Hopcroft-Karp
    search is exponential on layered graphs); the maximum flow takes a fraction of a second. Run in a child
    process, so a regression fails at the timeout instead of hanging the suite; both paths give the same counts."""
    child = subprocess.run([sys.executable, "-c", LAYERED_DOCUMENT], capture_output=True, text=True, timeout=120,
                           check=True)
    counts = json.loads(child.stdout)
    assert counts["listed"] == counts["swept"]


def test_mentions_alike_but_for_their_level_pair_the_same_in_any_order() -> None:
    """Two predicted mentions on one span, type and entity, one PRO and one NAM, against one gold NAM: per-level
    scores followed list position before ties were broken by the whole record (the tie on events is scored as
    multisets, so it never depended on order)."""
    text = "Ann met Bob."
    gold = [{"id": "d", "text": text, "boilerplate": [], "events": [], "attributions": [], "mentions": [
        {"id": "g0", "start": 0, "end": 3, "text": "Ann", "type": "PER", "level": "NAM", "entity": "e1"}]}]
    pred = [{"id": "d", "mentions": [{"id": f"p{i}", "start": 0, "end": 3, "text": "Ann", "type": "PER", "level": level,
                                      "entity": "e1"} for i, level in enumerate(("PRO", "NAM"))]}]
    reordered = [{"id": "d", "mentions": pred[0]["mentions"][::-1]}]
    assert (score(pred, gold=gold, bootstrap=0).metrics["entities"]
            == score(reordered, gold=gold, bootstrap=0).metrics["entities"])


@SETTINGS
@given(corpus_pairs())
def test_swapping_gold_and_predictions_swaps_precision_and_recall(pair: tuple[list[dict], list[dict]]) -> None:
    a, b = pair
    forward, backward = score(b, gold=a, bootstrap=0).metrics, score(a, gold=b, bootstrap=0).metrics

    def swapped(x: dict, y: dict) -> None:
        assert (x["precision"], x["recall"], x["f1"]) == pytest.approx((y["recall"], y["precision"], y["f1"]))

    for scheme in SWAPPABLE:
        swapped(forward["entities"]["overall"][scheme] if scheme != "head" else forward["entities"]["head"],
                backward["entities"]["overall"][scheme] if scheme != "head" else backward["entities"]["head"])
    for layer, levels in (("entities", ("coref", "coref_corpus")), ("events", ("coref", "coref_corpus")),
                          ("attributions", ("statement", "statement_corpus"))):
        for level in levels:
            for metric in ("muc", "b3", "ceafe", "lea"):
                swapped(forward[layer][level][metric], backward[layer][level][metric])
    for task in ("trigger_identification", "trigger_classification", "argument_identification",
                 "argument_classification", "argument_identification_attached", "argument_classification_attached"):
        swapped(forward["events"][task], backward["events"][task])
    swapped(forward["attributions"]["cue.exact"], backward["attributions"]["cue.exact"])
    swapped(forward["attributions"]["parent.edge"], backward["attributions"]["parent.edge"])


@SETTINGS
@given(corpus_pairs(), st.integers(0, 6))
def test_every_value_lies_in_the_unit_interval(pair: tuple[list[dict], list[dict]], seed: int) -> None:
    gold, pred = pair
    report = score(pred, gold=gold, bootstrap=30, seed=seed)
    for name, value in report.headline.items():
        assert 0.0 <= value <= 1.0, name
        low, high = report.intervals[name]
        assert 0.0 <= low <= high <= 1.0, name


@SETTINGS
@given(corpus_pairs())
def test_empty_predictions_give_recall_zero_without_crashing(pair: tuple[list[dict], list[dict]]) -> None:
    gold, _ = pair
    report = score([{"id": d["id"]} for d in gold], gold=gold, bootstrap=10)
    metrics = report.metrics
    if any(d["mentions"] for d in gold):
        assert all(metrics["entities"]["overall"][s]["recall"] == 0.0 for s in ("strict", "exact", "partial", "type"))
        assert report.headline["entities.strict.f1"] == 0.0
    if any(d["events"] for d in gold):
        assert metrics["events"]["trigger_identification"]["recall"] == 0.0
        assert report.headline["events.attributes.tense.accuracy"] == 0.0
    if any(d["attributions"] for d in gold):
        assert metrics["attributions"]["full"]["recall"] == 0.0


@SETTINGS
@given(corpus_pairs(2, 12))
def test_scoring_in_parts_equals_scoring_whole(pair: tuple[list[dict], list[dict]]) -> None:
    """`evaluate` scores big corpora in parts of whole documents and sums the counts; same numbers."""
    gold, pred = pair
    whole = entities.evaluate(gold, pred)
    with patch.object(entities, "PART_MENTIONS", 3):
        assume(len(entities._document_parts(pred)) > 1)
        assert entities.evaluate(gold, pred) == whole
        assert entities.evaluate(entities.mention_table(gold), pred) == whole


def test_parts_are_whole_documents_in_order_of_about_the_part_size() -> None:
    docs = [{"mentions": [{}] * size} for size in (6, 0, 1, 4, 4, 0, 9)]
    with patch.object(entities, "PART_MENTIONS", 6):
        parts = entities._document_parts(docs)
    assert parts == [(0, 1), (1, 5), (5, 7)]
    assert entities._document_parts([]) == [(0, 0)]
    assert entities._document_parts(docs[:1]) == [(0, 1)]


def referenced_ids(doc: dict) -> set[str]:
    """Mention and attribution ids something points to (arguments, sources, addressees, parents)."""
    pointers = [a["mention"] for e in doc["events"] for a in e["arguments"]]
    pointers += [a.get(link) for a in doc["attributions"] for link in ("source", "addressee", "parent")]
    return {p for p in pointers if p is not None}


def with_ids(doc: dict, actions: st.DataObject) -> dict:
    """A copy where each unreferenced id is kept, removed or renamed, as hypothesis draws (and shrinks to keep)."""
    out = copy.deepcopy(doc)
    referenced = referenced_ids(doc)
    for layer in LAYERS:
        for record in out[layer]:
            if record["id"] in referenced:
                continue
            action = actions.draw(st.sampled_from(("keep", "remove", "rename")))
            if action == "remove":
                del record["id"]
            elif action == "rename":
                record["id"] = f"renamed-{record['id']}"
    return out


@SETTINGS
@given(corpus_pairs(), st.data())
def test_scores_do_not_depend_on_unreferenced_ids(pair: tuple[list[dict], list[dict]], actions: st.DataObject) -> None:
    """Issue 11 defect 1: a missing id is no id, so records without one never match each other.

    Two variants of the same predictions with unreferenced ids independently kept, removed or renamed
    (so one variant gives ids the other lacks) score the same on every metric.
    """
    gold, pred = pair
    first = score([with_ids(d, actions) for d in pred], gold=gold, bootstrap=0)
    second = score([with_ids(d, actions) for d in pred], gold=gold, bootstrap=0)
    assert first.headline == second.headline
    assert first.metrics == second.metrics


def test_a_null_source_earns_no_credit_from_a_mention_without_id() -> None:
    """The case behind defect 1: sources null on both sides, and a predicted mention without an id."""
    text = "Ann said yes. Bob said no."
    cue, content = {"start": 4, "end": 8}, [{"start": 9, "end": 12}]
    gold = [{"id": "d", "text": text, "boilerplate": [], "events": [],
             "mentions": [{"id": "m0", "start": 0, "end": 3, "text": "Ann", "type": "PER", "level": "NAM",
                           "entity": "ann"}],
             "attributions": [{"id": "a0", "type": "DIRECT", "cue": cue, "source": None, "content": content,
                               "addressee": None, "parent": None, "statement": "s0"}]}]
    pred = [{"id": "d", "mentions": [{"start": 0, "end": 3, "type": "PER"}],
             "attributions": [{"cue": cue, "source": None, "content": content, "type": "DIRECT", "parent": None}]}]
    metrics = score(pred, gold=gold, bootstrap=0).metrics["attributions"]
    assert metrics["source.exact"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}  # nothing to find, none found
    assert metrics["full"]["f1"] == 1.0
    assert metrics["parent.accuracy"]["accuracy"] == 1.0
