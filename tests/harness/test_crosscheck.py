"""Same numbers as the reference scorers where they overlap: nervaluate 1.2.1, seqeval (strict IOB2), corefeval."""

from __future__ import annotations

import random

import numpy as np
import pytest
from corefeval import Document, Scorer
from nervaluate import Evaluator
from scipy.optimize import linear_sum_assignment
from seqeval.metrics import f1_score
from seqeval.scheme import IOB2

from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.harness.metrics import entities
from damascus_ie.harness.metrics.coref import clusters_score

TYPES = list(load_taxonomy().entity_types)
NERVALUATE_SCHEMES = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}
COUNTS = ("correct", "incorrect", "partial", "missed", "spurious")


def unambiguous_document(rng: random.Random) -> tuple[list[dict], list[dict]]:
    """Gold spans apart from each other; each prediction overlaps at most one gold span and no other prediction.

    On such inputs greedy and optimal matching agree, so nervaluate's counts are the reference.
    """
    gold, pred = [], []
    position = 0
    for _ in range(rng.randint(0, 12)):
        position += rng.randint(3, 8)
        length = rng.randint(1, 6)
        start, end, kind = position, position + length, rng.choice(TYPES[:4])
        gold.append({"start": start, "end": end, "type": kind})
        roll = rng.random()
        other = rng.choice(TYPES[:4])
        if roll < 0.35:
            pred.append({"start": start, "end": end, "type": kind})
        elif roll < 0.5:
            pred.append({"start": start, "end": end, "type": other})
        elif roll < 0.75:
            shift_start = max(start - 1, position - 2) if rng.random() < 0.5 else start + (length > 1)
            pred.append({"start": shift_start, "end": end + rng.randint(0, 1), "type": rng.choice([kind, other])})
        elif roll < 0.85:
            pred.append({"start": end + 1, "end": end + 2, "type": kind})  # spurious, touching nothing
        position = end + 2
    rng.shuffle(pred)
    return gold, pred


def nervaluate_format(mentions: list[dict]) -> list[dict]:
    return [{"label": m["type"], "start": m["start"], "end": m["end"] - 1} for m in mentions]


def test_counts_equal_nervaluate_on_thousands_of_random_inputs() -> None:
    rng = random.Random(20)
    documents = [unambiguous_document(rng) for _ in range(2500)]
    checked = 0
    for gold, pred in documents:
        ours = entities.evaluate([{"mentions": gold}], [{"mentions": pred}])
        theirs = Evaluator([nervaluate_format(gold)], [nervaluate_format(pred)], tags=TYPES, loader="dict").evaluate()
        for scheme, their_scheme in NERVALUATE_SCHEMES.items():
            reference = theirs["overall"][their_scheme]
            assert tuple(ours["overall"][scheme][c] for c in COUNTS) == (
                reference.correct, reference.incorrect, reference.partial, reference.missed, reference.spurious)
            if reference.possible and reference.actual:
                assert ours["overall"][scheme]["f1"] == pytest.approx(reference.f1)
            for kind, by_scheme in theirs["entities"].items():
                their_counts = by_scheme[their_scheme]
                ours_row = ours["per_type"][kind][scheme]
                assert tuple(ours_row[c] for c in COUNTS) == (their_counts.correct, their_counts.incorrect,
                                                              their_counts.partial, their_counts.missed,
                                                              their_counts.spurious)
        checked += 1
    assert checked == 2500
    gold_all = [{"mentions": g} for g, _ in documents]
    pred_all = [{"mentions": p} for _, p in documents]
    ours = entities.evaluate(gold_all, pred_all)
    theirs = Evaluator([nervaluate_format(d["mentions"]) for d in gold_all],
                       [nervaluate_format(d["mentions"]) for d in pred_all], tags=TYPES, loader="dict").evaluate()
    for scheme, their_scheme in NERVALUATE_SCHEMES.items():
        assert ours["overall"][scheme]["f1"] == pytest.approx(theirs["overall"][their_scheme].f1)


def test_matching_is_optimal_and_order_free_where_nervaluate_is_greedy() -> None:
    """The scorers note's example: gold [0,4] (inclusive) with predictions [0,2], [0,4] in either order."""
    gold = [{"start": 0, "end": 5, "type": "PER"}]
    short, full = {"start": 0, "end": 3, "type": "PER"}, {"start": 0, "end": 5, "type": "PER"}
    greedy = [Evaluator([nervaluate_format(gold)], [nervaluate_format(order)], tags=TYPES, loader="dict")
              .evaluate()["overall"]["strict"].f1 for order in ([short, full], [full, short])]
    assert greedy[0] == 0.0 and greedy[1] == pytest.approx(2 / 3)
    ours = [entities.evaluate([{"mentions": gold}], [{"mentions": order}])["overall"]["strict"]["f1"]
            for order in ([short, full], [full, short])]
    assert ours == [pytest.approx(2 / 3)] * 2


def brute_force_partial_credit(gold: list[dict], pred: list[dict]) -> float:
    """max(COR + 0.5 PAR) over one-to-one matchings, by linear_sum_assignment on a dense matrix."""
    weights = np.zeros((len(gold), len(pred)))
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            if g["start"] < p["end"] and p["start"] < g["end"]:
                weights[i, j] = 1.0 if (g["start"], g["end"]) == (p["start"], p["end"]) else 0.5
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return float(weights[rows, cols].sum())


def test_partial_credit_equals_brute_force_optimum_on_nested_and_crossing_inputs() -> None:
    rng = random.Random(5)
    for _ in range(400):
        def spans(n: int) -> list[dict]:
            out = []
            for _ in range(n):
                start = rng.randint(0, 15)
                out.append({"start": start, "end": start + rng.randint(1, 6), "type": rng.choice(TYPES[:2])})
            return out

        gold, pred = spans(rng.randint(0, 7)), spans(rng.randint(0, 7))
        row = entities.evaluate([{"mentions": gold}], [{"mentions": pred}])["overall"]["partial"]
        assert row["correct"] + 0.5 * row["partial"] == pytest.approx(brute_force_partial_credit(gold, pred))


def iob2(length: int, spans: list[tuple[int, int, str]]) -> list[str]:
    tags = ["O"] * length
    for start, end, kind in spans:
        tags[start] = f"B-{kind}"
        for position in range(start + 1, end):
            tags[position] = f"I-{kind}"
    return tags


def flat_spans(rng: random.Random, length: int) -> list[tuple[int, int, str]]:
    spans, position = [], 0
    while position < length:
        position += rng.randint(0, 3)
        end = min(position + rng.randint(1, 4), length)
        if position < end:
            spans.append((position, end, rng.choice(TYPES[:3])))
        position = end
    return spans


def test_strict_f1_equals_seqeval_strict_iob2_on_flat_spans() -> None:
    rng = random.Random(7)
    true_tags, pred_tags, gold_docs, pred_docs = [], [], [], []
    for _ in range(2000):
        length = rng.randint(1, 25)
        gold, pred = flat_spans(rng, length), flat_spans(rng, length)
        if rng.random() < 0.5:  # a near copy, so scores are not all near zero
            pred = [s for s in gold if rng.random() < 0.8]
        true_tags.append(iob2(length, gold))
        pred_tags.append(iob2(length, pred))
        gold_docs.append({"mentions": [{"start": s, "end": e, "type": t} for s, e, t in gold]})
        pred_docs.append({"mentions": [{"start": s, "end": e, "type": t} for s, e, t in pred]})
    ours = entities.evaluate(gold_docs, pred_docs)["overall"]["strict"]["f1"]
    assert 0.3 < ours < 0.95
    assert ours == pytest.approx(f1_score(true_tags, pred_tags, mode="strict", scheme=IOB2))
    for index in range(0, 2000, 10):  # and per sentence
        single = entities.evaluate([gold_docs[index]], [pred_docs[index]])["overall"]["strict"]
        if single["possible"] and single["actual"]:
            reference = f1_score([true_tags[index]], [pred_tags[index]], mode="strict", scheme=IOB2)
            assert single["f1"] == pytest.approx(reference)


def test_identity_metrics_equal_the_worked_examples() -> None:
    """Pradhan et al. 2014 (and Moosavi and Strube 2016 for LEA): key {a,b,c},{d,e,f,g}; response {a,b},{c,d},{f,g,h,i}."""
    scores = clusters_score([list("abc"), list("defg")], [list("ab"), list("cd"), list("fghi")])
    assert (scores["muc"]["recall"], scores["muc"]["precision"]) == pytest.approx((0.4, 0.4))
    assert (scores["b3"]["recall"], scores["b3"]["precision"]) == pytest.approx((35 / 84, 0.5))
    assert (scores["ceafe"]["recall"], scores["ceafe"]["precision"]) == pytest.approx((0.65, 1.3 / 3))
    assert (scores["lea"]["recall"], scores["lea"]["precision"]) == pytest.approx(((1 + 4 / 6) / 7, (2 + 4 / 6) / 8))
    f1 = [scores[m]["f1"] for m in ("muc", "b3", "ceafe")]
    assert scores["conll_f1"] == pytest.approx(sum(f1) / 3)


def random_partition(rng: random.Random, mentions: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Clusters of at least two mentions each (singleton-free)."""
    shuffled = mentions[:]
    rng.shuffle(shuffled)
    clusters, index = [], 0
    while len(shuffled) - index >= 2:
        size = rng.randint(2, max(2, min(5, len(shuffled) - index)))
        if len(shuffled) - index - size == 1:
            size += 1
        clusters.append(shuffled[index:index + size])
        index += size
    return clusters


def test_identity_metrics_equal_corefeval_on_singleton_free_inputs() -> None:
    rng = random.Random(11)
    for _ in range(500):
        mentions = [(i, i) for i in range(rng.choice([2, 4, 6, 9, 12, 20]))]
        key, response = random_partition(rng, mentions), random_partition(rng, mentions)
        ours = clusters_score(key, response)
        scorer = Scorer()
        scorer.update(Document(predicted=[list(map(list, c)) for c in response], truth=[list(map(list, c))
                                                                                       for c in key]))
        for metric in scorer.all:
            precision, recall, f1 = metric.get_prf()
            name = {"muc": "muc", "b_cubed": "b3", "ceafe": "ceafe", "lea": "lea"}[metric.metric.__name__]
            assert (ours[name]["precision"], ours[name]["recall"], ours[name]["f1"]) == pytest.approx(
                (precision, recall, f1)), name
