"""`make bench`: how fast and how lean the harness scores, measured against nervaluate in the same run.

A synthetic corpus of 100,000 documents with 20 gold entity mentions each (some
nested), predictions with exact hits, wrong types, shifted boundaries, misses
and spurious spans, written to JSONL and parsed back as a user's file would be.
Prints, for the issue's targets:
  entity scoring: <x>x nervaluate, <y>x parse time      (targets: >= 40x, <= 3x)
  entity scoring peak memory: <z>x the parsed input     (target: < 2x)
  event and attribution scoring times on the same corpus
  1,000 bootstrap resamples of the real gold            (target: < 1 s)
Set BENCH_DOCS for a smaller run (the targets are stated for 100,000).
"""

from __future__ import annotations

import gc
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
from nervaluate import Evaluator

from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.harness.metrics import entities
from damascus_ie.harness.scoring import GoldCorpus, evaluate_layers, resolve_gold, score_attributions, score_events
from damascus_ie.harness.uncertainty import bootstrap_intervals

DOCS = int(os.environ.get("BENCH_DOCS", "100000"))
MENTIONS = 20
SENTENCE = "Rebel forces entered the capital and residents said the army withdrew overnight. "
TEXT = (SENTENCE * 12).strip()


def synthetic_document(rng: random.Random, index: int, types: tuple[str, ...],
                       event_types: dict[str, tuple[str, ...]]) -> tuple[dict, dict]:
    """One gold document and its prediction; mentions sit in the text, some nested."""
    gold: list[dict] = []
    pred: list[dict] = []
    position = 0
    for number in range(MENTIONS):
        position += rng.randint(1, 20)
        length = rng.randint(1, 10)
        kind = rng.choice(types)
        mention = {"id": f"m{number}", "start": position, "end": position + length, "type": kind, "level": "NOM",
                   "entity": f"e{index}-{number % 12}"}
        gold.append(mention)
        roll = rng.random()
        if roll < 0.7:
            pred.append({"id": f"p{number}", "start": position, "end": position + length, "type": kind,
                         "entity": f"e{index}-{number % 9}"})
        elif roll < 0.8:
            pred.append({"id": f"p{number}", "start": position, "end": position + length, "type": rng.choice(types)})
        elif roll < 0.9:
            pred.append({"id": f"p{number}", "start": position, "end": position + length + 2, "type": kind})
        if number % 7 == 0 and length > 3:  # a nested gold mention, as NORP inside ORG
            gold.append({"id": f"n{number}", "start": position, "end": position + 2, "type": "NORP", "level": "NAM",
                         "entity": f"norp{number}"})
        position += length
    pred.append({"id": "spurious", "start": position + 3, "end": position + 6, "type": rng.choice(types)})
    event_names = list(event_types)
    events_gold, events_pred = [], []
    for number in range(4):
        kind = event_names[number % len(event_names)]
        trigger = gold[number * 4]
        roles = event_types[kind]
        event = {"id": f"v{number}", "type": kind, "trigger": {"start": trigger["start"], "end": trigger["end"]},
                 "arguments": [{"role": roles[0], "mention": gold[number * 4 + 1]["id"]},
                               {"role": roles[-1], "mention": gold[number * 4 + 2]["id"]}],
                 "polarity": "POSITIVE", "modality": "ASSERTED", "tense": "PAST", "genericity": "SPECIFIC",
                 "event": f"ev{index}-{number % 3}"}
        events_gold.append(event)
        if rng.random() < 0.8:
            events_pred.append({**event, "arguments": event["arguments"][:1] if rng.random() < 0.3 else
                                event["arguments"], "tense": rng.choice(["PAST", "PRESENT"])})
    attributions_gold = [{"id": f"a{n}", "type": "DIRECT", "cue": {"start": 10 + 90 * n, "end": 14 + 90 * n},
                          "source": gold[n]["id"], "content": [{"start": 20 + 90 * n, "end": 60 + 90 * n}],
                          "addressee": None, "parent": None, "statement": f"s{index}-{n}"} for n in range(2)]
    attributions_pred = [{"id": f"a{n}", "type": "INDIRECT", "cue": {"start": 10 + 90 * n, "end": 15 + 90 * n},
                          "source": gold[n]["id"], "content": [{"start": 25 + 90 * n, "end": 60 + 90 * n}],
                          "parent": None} for n in range(2)]
    kept = {m["id"] for m in pred}
    attributions_pred = [{**a, "source": None if a["source"].replace("m", "p") not in kept else
                          a["source"].replace("m", "p")} for a in attributions_pred]
    events_pred = [{**e, "arguments": [{**a, "mention": a["mention"].replace("m", "p")} for a in e["arguments"]
                                       if a["mention"].replace("m", "p") in kept]} for e in events_pred]
    doc_id = f"doc{index:06d}"
    return ({"id": doc_id, "text": TEXT, "mentions": gold, "events": events_gold, "attributions": attributions_gold},
            {"id": doc_id, "mentions": pred, "events": events_pred, "attributions": attributions_pred})


def write_corpus(folder: Path) -> tuple[Path, Path]:
    taxonomy = load_taxonomy()
    rng = random.Random(0)
    gold_path, pred_path = folder / "gold.jsonl", folder / "predictions.jsonl"
    with gold_path.open("w", encoding="utf-8") as gold_file, pred_path.open("w", encoding="utf-8") as pred_file:
        for index in range(DOCS):
            gold, pred = synthetic_document(rng, index, taxonomy.entity_types, taxonomy.event_roles)
            gold_file.write(json.dumps(gold) + "\n")
            pred_file.write(json.dumps(pred) + "\n")
    return gold_path, pred_path


def parse(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def timed(function: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of `repeat` runs (as timeit reports: the least disturbed by other processes) and the result.

    Garbage is collected before each run. nervaluate runs once: a minute-long run averages out disturbances.
    """
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def nervaluate_input(docs: list[dict]) -> list[list[dict]]:
    """nervaluate's dict format; its `end` is inclusive."""
    return [[{"label": m["type"], "start": m["start"], "end": m["end"] - 1} for m in d["mentions"]] for d in docs]


def peak_memory_ratio(gold_path: Path, pred_path: Path) -> tuple[float, float]:
    """(extra peak memory while scoring, gold read in the same call / bytes of the parsed input, its MB).

    tracemalloc sees Python objects and NumPy arrays; Arrow's buffers come from its own pool, measured
    through a proxy pool. The two peaks are added (an upper bound: they need not coincide).
    """
    tracemalloc.start()
    gold, pred = parse(gold_path), parse(pred_path)
    parsed = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    previous = pa.default_memory_pool()
    arrow = pa.proxy_memory_pool(previous)
    pa.set_memory_pool(arrow)
    try:
        entities.evaluate(gold, pred, per_level=False)
    finally:
        pa.set_memory_pool(previous)
    peak = tracemalloc.get_traced_memory()[1] - parsed + arrow.max_memory()
    tracemalloc.stop()
    return peak / parsed, parsed / 1e6


def bootstrap_time() -> tuple[float, int]:
    """1,000 resamples of every headline statistic on the real gold (scored against itself)."""
    corpus = resolve_gold(None)
    results = evaluate_layers(corpus, corpus.documents, ("entities", "events", "attributions"))
    stats = {name: s for result in results.values() for name, s in result.statistics.items()}
    seconds, _ = timed(lambda: bootstrap_intervals(stats, corpus.sentences.doc_of_unit, 1000, 0), repeat=3)
    return seconds, len(corpus.sentences)


def entity_benchmark(gold: list[dict], pred: list[dict], parse_seconds: float) -> None:
    """Harness against nervaluate on the same parsed input, and against the time it took to parse the predictions.

    The headline times scoring the predictions against a gold already read into the harness (as `score` and the
    benchmark do: the gold is read once, then serves every system); the cold time reads the gold in the same call.
    """
    prepare, gold_table = timed(lambda: entities.mention_table(gold))
    warm, result = timed(lambda: entities.evaluate(gold_table, pred, per_level=False), repeat=5)
    cold, _ = timed(lambda: entities.evaluate(gold, pred, per_level=False), repeat=5)
    true, predicted = nervaluate_input(gold), nervaluate_input(pred)
    tags = list(load_taxonomy().entity_types)
    theirs, reference = timed(lambda: Evaluator(true, predicted, tags=tags, loader="dict").evaluate())
    for scheme, their_scheme in (("strict", "strict"), ("exact", "exact"), ("partial", "partial"),
                                 ("type", "ent_type")):
        print(f"  {scheme:<8} F1 ours {result['overall'][scheme]['f1']:.6f}   "
              f"nervaluate {reference['overall'][their_scheme].f1:.6f}")
    print(f"  harness: reading the gold once {prepare:.2f} s; scoring the predictions (all four schemes, overall, "
          f"per type, macro) {warm:.2f} s; both in one call {cold:.2f} s. nervaluate {theirs:.2f} s")
    print(f"entity scoring: {theirs / warm:.1f}x nervaluate, {warm / parse_seconds:.1f}x parse time", flush=True)
    print(f"entity scoring with the gold read in the same call: {theirs / cold:.1f}x nervaluate, "
          f"{cold / parse_seconds:.1f}x parse time", flush=True)


def layer_benchmark(gold: list[dict], pred: list[dict]) -> None:
    corpus = GoldCorpus(None, gold)
    prepare, _ = timed(lambda: (corpus.sentences, corpus.tokens, corpus.mentions, corpus.events,
                                corpus.attributions))
    event_seconds, _ = timed(lambda: score_events(corpus, pred))
    attribution_seconds, _ = timed(lambda: score_attributions(corpus, pred))
    n_events = sum(len(d["events"]) for d in gold)
    print(f"event scoring: {event_seconds:.2f} s for {n_events:,} gold events (all TextEE tasks, attributes, "
          f"coreference); attribution scoring: {attribution_seconds:.2f} s for {2 * DOCS:,} gold attributions; "
          f"gold preparation (sentences, tokens, tables) {prepare:.2f} s", flush=True)


def synthetic_benchmarks(gold_path: Path, pred_path: Path) -> None:
    parse_seconds, pred = timed(lambda: parse(pred_path), repeat=3)
    gold = parse(gold_path)
    n_gold = sum(len(d["mentions"]) for d in gold)
    n_pred = sum(len(d["mentions"]) for d in pred)
    print(f"  {n_gold:,} gold and {n_pred:,} predicted mentions; predictions file "
          f"{pred_path.stat().st_size / 1e6:.0f} MB parsed in {parse_seconds:.2f} s", flush=True)
    entity_benchmark(gold, pred, parse_seconds)
    layer_benchmark(gold, pred)


def main() -> int:
    print(f"Synthetic corpus: {DOCS:,} documents x {MENTIONS} gold mentions (+ nested ones)", flush=True)
    with tempfile.TemporaryDirectory(prefix="damascus-bench-") as tmp:
        gold_path, pred_path = write_corpus(Path(tmp))
        synthetic_benchmarks(gold_path, pred_path)
        gc.collect()
        ratio, parsed_mb = peak_memory_ratio(gold_path, pred_path)
        print(f"entity scoring peak memory: {ratio:.2f}x the parsed input ({parsed_mb:.0f} MB parsed gold + "
              "predictions; extra peak while scoring, gold read in the same call: tracemalloc + Arrow's pool)")
    seconds, sentences = bootstrap_time()
    print(f"bootstrap: 1,000 resamples of the real gold ({sentences} sentences, every headline metric) "
          f"in {seconds:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
