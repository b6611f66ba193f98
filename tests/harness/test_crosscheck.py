"""Same numbers as the reference scorers where they overlap: nervaluate 1.2.1, seqeval (strict IOB2), corefeval."""

from __future__ import annotations

import random

import numpy as np
import pytest
from corefeval import Document, Scorer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator
from scipy.optimize import linear_sum_assignment
from seqeval.metrics import classification_report, f1_score
from seqeval.scheme import IOB2

from damascus_ie import score
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.harness.metrics import entities
from damascus_ie.harness.metrics.coref import clusters_score

TYPES = list(load_taxonomy().entity_types)
NERVALUATE_SCHEMES = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}
COUNTS = ("correct", "incorrect", "partial", "missed", "spurious")


# What a prediction does with one gold span (unambiguous_documents): shrinks towards "missed".
PREDICTION_KINDS = ("missed", "exact", "other type", "shifted", "spurious")


@st.composite
def unambiguous_documents(draw: st.DrawFn) -> tuple[list[dict], list[dict]]:
    """Gold spans apart from each other; each prediction overlaps at most one gold span and no other prediction.

    On such inputs greedy and optimal matching agree, so nervaluate's counts are the reference.
    """
    gold, pred = [], []
    position = 0
    for _ in range(draw(st.integers(0, 12))):
        position += draw(st.integers(3, 8))
        length = draw(st.integers(1, 6))
        start, end, kind = position, position + length, draw(st.sampled_from(TYPES[:4]))
        gold.append({"start": start, "end": end, "type": kind})
        other = draw(st.sampled_from(TYPES[:4]))
        what = draw(st.sampled_from(PREDICTION_KINDS))
        if what == "exact":
            pred.append({"start": start, "end": end, "type": kind})
        elif what == "other type":
            pred.append({"start": start, "end": end, "type": other})
        elif what == "shifted":
            shift_start = max(start - 1, position - 2) if draw(st.booleans()) else start + (length > 1)
            pred.append({"start": shift_start, "end": end + draw(st.integers(0, 1)),
                         "type": draw(st.sampled_from([kind, other]))})
        elif what == "spurious":
            pred.append({"start": end + 1, "end": end + 2, "type": kind})  # touching nothing
        position = end + 2
    return gold, draw(st.permutations(pred))


def nervaluate_format(mentions: list[dict]) -> list[dict]:
    return [{"label": m["type"], "start": m["start"], "end": m["end"] - 1} for m in mentions]


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unambiguous_documents())
def test_counts_equal_nervaluate_on_unambiguous_inputs(document: tuple[list[dict], list[dict]]) -> None:
    """Every count, overall and per type, for every scheme; a failure shrinks to the smallest document."""
    gold, pred = document
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


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(unambiguous_documents(), min_size=1, max_size=60))
def test_corpus_f1_equals_nervaluate_on_unambiguous_inputs(documents: list[tuple[list[dict], list[dict]]]) -> None:
    gold_all = [{"mentions": g} for g, _ in documents]
    pred_all = [{"mentions": p} for _, p in documents]
    ours = entities.evaluate(gold_all, pred_all)
    theirs = Evaluator([nervaluate_format(d["mentions"]) for d in gold_all],
                       [nervaluate_format(d["mentions"]) for d in pred_all], tags=TYPES, loader="dict").evaluate()
    for scheme, their_scheme in NERVALUATE_SCHEMES.items():
        reference = theirs["overall"][their_scheme]
        if reference.possible and reference.actual:  # empty sides: nervaluate says 0, the harness's convention 1 or 0
            assert ours["overall"][scheme]["f1"] == pytest.approx(reference.f1)


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


def as_mentions(spans: list[tuple[int, int, str]]) -> list[dict]:
    return [{"start": start, "end": start + length, "type": kind} for start, length, kind in spans]


def span_lists(last_start: int, n_types: int, max_size: int) -> st.SearchStrategy[list[tuple[int, int, str]]]:
    """(start, length, type) triples: spans that nest, cross and repeat."""
    return st.lists(st.tuples(st.integers(0, last_start), st.integers(1, 6), st.sampled_from(TYPES[:n_types])),
                    max_size=max_size)


WIDE_SPANS = span_lists(15, 2, 7)


def evaluated(gold: list[dict], pred: list[dict], dense: bool) -> dict:
    """entities.evaluate on one document; `dense`: through the interval sweeps, as a document too dense to list
    its overlap edges is (entities.match with every document taken as dense)."""
    if not dense:
        return entities.evaluate([{"mentions": gold}], [{"mentions": pred}])
    g, p = entities.mention_table([{"mentions": gold}]), entities.mention_table([{"mentions": pred}])
    return entities.scheme_counts(g, p, entities.match(g, p, dense_edges=-1))


@pytest.mark.parametrize("dense", [False, True], ids=["edges", "sweeps"])
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(WIDE_SPANS, WIDE_SPANS)
def test_partial_credit_equals_brute_force_optimum_on_nested_and_crossing_inputs(
        dense: bool, gold_spans: list[tuple[int, int, str]], pred_spans: list[tuple[int, int, str]]) -> None:
    gold, pred = as_mentions(gold_spans), as_mentions(pred_spans)
    row = evaluated(gold, pred, dense)["overall"]["partial"]
    assert row["correct"] + 0.5 * row["partial"] == pytest.approx(brute_force_partial_credit(gold, pred))


def brute_force_counts(gold: list[dict], pred: list[dict], scheme: str) -> tuple[int, int, int, int]:
    """(COR, INC or PAR, MIS, SPU) of the best one-to-one pairing by enumeration: most correct pairs, then most pairs."""
    def overlap(g: dict, p: dict) -> bool:
        return g["start"] < p["end"] and p["start"] < g["end"]

    def correct(g: dict, p: dict) -> bool:
        same_bounds = (g["start"], g["end"]) == (p["start"], p["end"])
        return {"strict": same_bounds and g["type"] == p["type"], "exact": same_bounds, "partial": same_bounds,
                "type": g["type"] == p["type"]}[scheme]

    def best(index: int, used: frozenset) -> tuple[int, int]:
        if index == len(gold):
            return 0, 0
        options = [best(index + 1, used)]
        for j, p in enumerate(pred):
            if j not in used and overlap(gold[index], p):
                cor, paired = best(index + 1, used | {j})
                options.append((cor + correct(gold[index], p), paired + 1))
        return max(options)

    cor, paired = best(0, frozenset())
    return cor, paired - cor, len(gold) - paired, len(pred) - paired


SPANS = span_lists(12, 3, 6)


@pytest.mark.parametrize("dense", [False, True], ids=["edges", "sweeps"])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SPANS, SPANS)
def test_every_scheme_equals_the_brute_force_optimum_on_nested_and_crossing_inputs(
        dense: bool, gold_spans: list[tuple[int, int, str]], pred_spans: list[tuple[int, int, str]]) -> None:
    """Overall and per type (gold and predictions filtered to the type first), all four schemes."""
    gold, pred = as_mentions(gold_spans), as_mentions(pred_spans)
    ours = evaluated(gold, pred, dense)
    for scheme in entities.SCHEMES:
        row = ours["overall"][scheme]
        middle = "partial" if scheme == "partial" else "incorrect"
        assert (row["correct"], row[middle], row["missed"], row["spurious"]) == brute_force_counts(gold, pred, scheme)
        for kind in {m["type"] for m in gold + pred}:
            typed = ours["per_type"][kind][scheme]
            expected = brute_force_counts([m for m in gold if m["type"] == kind],
                                          [m for m in pred if m["type"] == kind], scheme)
            assert (typed["correct"], typed[middle], typed["missed"], typed["spurious"]) == expected, kind


@pytest.mark.parametrize("dense", [False, True], ids=["edges", "sweeps"])
def test_type_scheme_pairs_the_exact_twin_not_the_span_it_barely_touches(dense: bool) -> None:
    """Issue 12's counter-example: gold PER[0,5), PER[4,8); predictions PER[4,8), ORG[0,2) -> COR 1, INC 1.

    Through the sweeps, the same-type sweep pairs PER[0,5) first and falls short: the document is matched exactly."""
    gold = as_mentions([(0, 5, "PER"), (4, 4, "PER")])
    pred = as_mentions([(4, 4, "PER"), (0, 2, "ORG")])
    for order in (pred, pred[::-1]):
        row = evaluated(gold, order, dense)["overall"]["type"]
        assert (row["correct"], row["incorrect"], row["missed"], row["spurious"]) == (1, 1, 0, 0)


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


def flat_sentence(rng: random.Random, longest: int, *, near_copy: float) -> tuple[int, list, list]:
    """A sentence length and its gold and predicted flat spans; with probability `near_copy` the prediction
    keeps each gold span with probability 0.8, so scores are not all near zero."""
    length = rng.randint(1, longest)
    gold, pred = flat_spans(rng, length), flat_spans(rng, length)
    if rng.random() < near_copy:
        pred = [s for s in gold if rng.random() < 0.8]
    return length, gold, pred


def test_strict_f1_equals_seqeval_strict_iob2_on_flat_spans() -> None:
    rng = random.Random(7)
    true_tags, pred_tags, gold_docs, pred_docs = [], [], [], []
    for _ in range(2000):
        length, gold, pred = flat_sentence(rng, 25, near_copy=0.5)
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


@st.composite
def partitions(draw: st.DrawFn, mentions: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Clusters of at least two mentions each (singleton-free)."""
    shuffled = draw(st.permutations(mentions))
    clusters, index = [], 0
    while len(shuffled) - index >= 2:
        size = draw(st.integers(2, max(2, min(5, len(shuffled) - index))))
        if len(shuffled) - index - size == 1:
            size += 1
        clusters.append(shuffled[index:index + size])
        index += size
    return clusters


@st.composite
def partition_pairs(draw: st.DrawFn) -> tuple[list[list[tuple[int, int]]], list[list[tuple[int, int]]]]:
    """A key and a response partition of the same mentions."""
    mentions = [(i, i) for i in range(draw(st.sampled_from([2, 4, 6, 9, 12, 20])))]
    return draw(partitions(mentions)), draw(partitions(mentions))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(partition_pairs())
def test_identity_metrics_equal_corefeval_on_singleton_free_inputs(
        pair: tuple[list[list[tuple[int, int]]], list[list[tuple[int, int]]]]) -> None:
    key, response = pair
    ours = clusters_score(key, response)
    scorer = Scorer()
    scorer.update(Document(predicted=[list(map(list, c)) for c in response], truth=[list(map(list, c)) for c in key]))
    for metric in scorer.all:
        precision, recall, f1 = metric.get_prf()
        name = {"muc": "muc", "b_cubed": "b3", "ceafe": "ceafe", "lea": "lea"}[metric.metric.__name__]
        assert (ours[name]["precision"], ours[name]["recall"], ours[name]["f1"]) == pytest.approx(
            (precision, recall, f1)), name


KEY_A = ["a", "bc", "def"]
A4_B3 = ((3 + 1 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7)
# The CoNLL-2012 reference scorer v8.01's own cases (test/CorefMetricTestConfig.pm and TestCases.README):
# key, response (a letter is a mention; "B" overlaps b, a second "b" repeats it), then (recall, precision)
# per metric where the reference pins them.
REFERENCE_CASES = {
    "A1": (KEY_A, ["a", "bc", "def"], {"muc": (1, 1), "b3": (1, 1), "ceafe": (1, 1)}),
    "A2": (KEY_A, ["a", "de"], {"muc": (1 / 3, 1), "b3": (7 / 18, 1), "ceafe": (0.6, 0.9)}),
    "A3": (KEY_A, ["a", "bcx", "defy", "z"], {"muc": (1, 3 / 5), "b3": (1, (4 + 7 / 12) / 9),
                                              "ceafe": (0.88571, 0.66429)}),
    "A4": (KEY_A, ["a", "bcx", "dy", "z"], {"muc": (1 / 3, 1 / 3), "b3": A4_B3, "ceafe": (0.73333, 0.55)}),
    "A5": (KEY_A, ["a", "bcxB", "dy", "z"], {"muc": (1 / 3, 1 / 4), "b3": ((3 + 1 / 3) / 6, 2.5 / 8),
                                             "ceafe": (0.68889, 0.51667)}),
    "A6": (KEY_A, ["a", "bcx", "dy", "Bz"], {"muc": (1 / 3, 1 / 4), "b3": (10 / 18, (1 + 4 / 3 + 1 / 2) / 8),
                                             "ceafe": (0.73333, 0.55)}),
    "A7": (KEY_A, ["a", "bcxb", "dy", "z"], {"muc": (1 / 3, 1 / 3), "b3": A4_B3, "ceafe": (0.73333, 0.55)}),
    "A8": (KEY_A, ["a", "bcx", "dy", "bz"], {"muc": (1 / 3, 1 / 3), "b3": A4_B3, "ceafe": (0.73333, 0.55)}),
    "A9": (KEY_A, ["a", "bcx", "dy", "b" * 10 + "z"], {"muc": (1 / 3, 1 / 3), "b3": A4_B3,
                                                      "ceafe": (0.73333, 0.55)}),
    "A10": (KEY_A, list("abcdef"), {"muc": (0, 0), "b3": (3 / 6, 1)}),
    "A11": (KEY_A, ["abcdef"], {"muc": (1, 3 / 5), "b3": (1, (1 / 6 + 2 * 2 / 6 + 3 * 3 / 6) / 6)}),
    "A12": (KEY_A, list("axycdez"), {"muc": (0, 0), "b3": ((1 + 1 / 2 + 2 / 3) / 6, 4 / 7)}),
    "A13": (KEY_A, ["axycdez"], {"muc": (1 / 3, 1 / 6),
                                 "b3": ((1 + 1 / 2 + 2 * 2 / 3) / 6, (1 / 7 + 1 / 7 + 2 * 2 / 7) / 7)}),
    "M1": (["abcdef"], ["abcdef"], {"muc": (1, 1), "b3": (1, 1), "ceafe": (1, 1)}),
    "M2": (["abcdef"], list("abcdef"), {"muc": (0, 0)}),
    "M5": (["abcdef"], list("abcxyz"), {"muc": (0, 0)}),
    "N1": (list("abcdef"), list("abcdef"), {"muc": (0, 0), "b3": (1, 1), "ceafe": (1, 1)}),
    "N2": (list("abcdef"), ["abcdef"], {"muc": (0, 0)}),
    "N4": (list("abcdef"), list("abcxyz"), {"muc": (0, 0)}),
}


@pytest.mark.parametrize("case", sorted(REFERENCE_CASES))
def test_identity_metrics_equal_the_reference_scorers_test_cases(case: str) -> None:
    """Includes MUC with no links on either side (N1: 0, not 1) and repeated response mentions (A7-A9: removed)."""
    key, response, expected = REFERENCE_CASES[case]
    ours = clusters_score([list(c) for c in key], [list(c) for c in response])
    for metric, (recall, precision) in expected.items():
        assert (ours[metric]["recall"], ours[metric]["precision"]) == pytest.approx((recall, precision), abs=1e-5)


def test_issue_cases_muc_without_links_and_a_repeated_mention() -> None:
    """Key {a} against an empty response scores MUC 0 (the reference); key {a} against {a, a} scores B3 1.0."""
    assert clusters_score([["a"]], [])["muc"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert clusters_score([["a"]], [["a"]])["muc"]["f1"] == 0.0
    assert clusters_score([["a"]], [["a", "a"]])["b3"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_ceafe_batched_assignment_equals_one_global_optimum() -> None:
    """Components solved in batches by shape (or one by one when large) give the optimum of the whole matrix."""
    rng = random.Random(5)
    for _ in range(60):
        n = rng.choice([5, 30, 200])
        mentions = list(range(n))
        key = [rng.randrange(max(1, n // rng.choice([2, 3, 8]))) for _ in mentions]
        response = [rng.randrange(max(1, n // rng.choice([2, 3, 8]))) for _ in mentions]
        kept = [m for m in mentions if rng.random() < 0.8]  # the rest are twinless on the response side
        ours = clusters_score([[m for m in mentions if key[m] == c] for c in set(key)],
                              [[m if m in kept else -1 - m for m in mentions if response[m] == c] for c in set(response)])
        k_ids, r_ids = sorted(set(key)), sorted(set(response))
        phi = np.zeros((len(k_ids), len(r_ids)))
        for a, ka in enumerate(k_ids):
            for b, rb in enumerate(r_ids):
                shared = sum(1 for m in kept if key[m] == ka and response[m] == rb)
                phi[a, b] = 2 * shared / (key.count(ka) + response.count(rb))
        rows, cols = linear_sum_assignment(phi, maximize=True)
        best = phi[rows, cols].sum()
        assert ours["ceafe"]["recall"] == pytest.approx(best / len(k_ids))
        assert ours["ceafe"]["precision"] == pytest.approx(best / len(r_ids))


def test_per_type_table_equals_seqeval_classification_report_on_flat_spans() -> None:
    """Precision, recall, F1 and support per type, micro, macro and weighted averages (seqeval strict, IOB2)."""
    rng = random.Random(3)
    true_tags, pred_tags, gold_docs, pred_docs = [], [], [], []
    for index in range(300):
        length, gold, pred = flat_sentence(rng, 12, near_copy=0.6)
        true_tags.append(iob2(length, gold))
        pred_tags.append(iob2(length, pred))
        text = " ".join(f"w{i}" for i in range(length))
        starts = [sum(len(f"w{j}") + 1 for j in range(i)) for i in range(length)]

        def mentions(spans: list[tuple[int, int, str]], starts: list[int] = starts) -> list[dict]:
            return [{"start": starts[s], "end": starts[e - 1] + len(f"w{e - 1}"), "type": t} for s, e, t in spans]

        gold_docs.append({"id": f"d{index}", "text": text, "boilerplate": [], "events": [], "attributions": [],
                          "mentions": [{**m, "id": f"m{k}", "level": "NAM", "entity": f"e{k}"}
                                       for k, m in enumerate(mentions(gold))]})
        pred_docs.append({"id": f"d{index}", "mentions": mentions(pred)})
    table = score(pred_docs, gold=gold_docs, layers=["entities"], bootstrap=0).classification_report("entities")
    reference = classification_report(true_tags, pred_tags, mode="strict", scheme=IOB2, output_dict=True)
    assert set(table["type"]) == set(reference)
    for row in table.to_dict("records"):
        expected = reference[row["type"]]
        assert (row["precision"], row["recall"], row["f1"], row["support"]) == pytest.approx(
            (expected["precision"], expected["recall"], expected["f1-score"], expected["support"])), row["type"]
