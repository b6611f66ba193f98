"""`make bench`: how fast and how lean the public `damascus_ie.score()` is, against nervaluate 1.2.1 in the same run.

A synthetic corpus of 100,000 documents with 20 gold entity mentions each (some
nested), 4 events and 2 attributions, and predictions with exact hits, wrong
types, a boundary one token too long, misses and a spurious span. Every span
lies on token boundaries, so the predictions pass validation; they are written
to JSONL and parsed back as a user's file would be. Every line times
`damascus_ie.score()` itself (validation, gold preparation, every metric), with
the gold read in the same call unless the line says otherwise:
  score(): <x>x nervaluate                          entities, bootstrap off     (target >= 40x)
  default bootstrap adds <y> s (<z>x the scoring)                               (target <= 1x)
  reading alone: what reading every mention dict once costs: the ceiling of any scorer of these lists
  peak memory <m>x the parsed input                                             (target < 2x)
  dense overlaps: 5,000 x 5,000 spans in one document, nested and crossing      (target < 5 s, < 1 GB)
  gold preparation for events and attributions                                  (target < 5 s)
`--quick` runs a small corpus (a smoke test; the speed claims come from the full run).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
from nervaluate import Evaluator

from damascus_ie import score
from damascus_ie.core.problems import InvalidInput
from damascus_ie.core.sentences import token_spans
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.harness.metrics.entities import MENTION_FIELDS
from damascus_ie.harness.scoring import GoldCorpus, evaluate_layers, forget_prepared_gold, resolve_gold
from damascus_ie.harness.uncertainty import bootstrap_intervals

MENTIONS = 20
SENTENCE = "Rebel forces entered the capital and residents said the army withdrew overnight. "
TEXT = (SENTENCE * 12).strip()
WORDS = [span for span in token_spans(TEXT) if TEXT[span[0]].isalnum()]


def _span(first: int, last: int) -> dict:
    """Words first..last (inclusive) as a span with its text."""
    start, end = WORDS[first][0], WORDS[last][1]
    return {"start": start, "end": end, "text": TEXT[start:end]}


def synthetic_document(rng: random.Random, index: int, types: tuple[str, ...],
                       event_roles: dict[str, tuple[str, ...]]) -> tuple[dict, dict]:
    """One gold document and its prediction: spans on word boundaries, predictions never crossing each other."""
    gold: list[dict] = []
    pred: list[dict] = []
    word = 0
    for number in range(MENTIONS):
        word += rng.randint(1, 3)
        length = rng.randint(1, 3)
        kind = rng.choice(types)
        span = _span(word, word + length - 1)
        entity = None if kind == "TIME" else f"e{index}-{number % 12}"
        gold.append({"id": f"m{number}", **span, "type": kind, "level": "NOM", "entity": entity})
        roll = rng.random()
        if roll < 0.7:
            pred.append({"id": f"p{number}", **span, "type": kind,
                         "entity": None if kind == "TIME" else f"e{index}-{number % 9}"})
        elif roll < 0.8:
            pred.append({"id": f"p{number}", **span, "type": rng.choice(types)})
        elif roll < 0.9:  # one word too long: never reaches the next mention, which starts a word later at least
            pred.append({"id": f"p{number}", **_span(word, word + length), "type": kind})
        if number % 7 == 0 and length > 1:  # a nested gold mention, as NORP inside ORG
            gold.append({"id": f"n{number}", **_span(word, word), "type": "NORP", "level": "NAM",
                         "entity": f"norp{number}"})
        word += length
    pred.append({"id": "spurious", **_span(word + 1, word + 2), "type": rng.choice(types)})
    kept = {m["id"] for m in pred}
    event_names = list(event_roles)
    events_gold, events_pred = [], []
    for number in range(4):
        kind = event_names[number % len(event_names)]
        trigger, roles = gold[number * 4], event_roles[kind]
        event = {"id": f"v{number}", "type": kind, "trigger": {k: trigger[k] for k in ("start", "end", "text")},
                 "arguments": [{"role": roles[0], "mention": gold[number * 4 + 1]["id"]},
                               {"role": roles[-1], "mention": gold[number * 4 + 2]["id"]}],
                 "polarity": "POSITIVE", "modality": "ASSERTED", "tense": "PAST", "genericity": "SPECIFIC",
                 "event": f"ev{index}-{number % 3}"}
        events_gold.append(event)
        if rng.random() < 0.8:
            arguments = [{**a, "mention": a["mention"].replace("m", "p")} for a in event["arguments"]]
            arguments = [a for a in arguments if a["mention"] in kept]
            events_pred.append({**event, "arguments": arguments[:1] if rng.random() < 0.3 else arguments,
                                "tense": rng.choice(["PAST", "PRESENT"])})
    attributions_gold, attributions_pred = [], []
    for number in range(2):
        cue = 7 + 12 * number  # "said" in the first two sentences; content: the words after it
        source = gold[number]["id"]
        attributions_gold.append({"id": f"a{number}", "type": "INDIRECT", "cue": _span(cue, cue),
                                  "source": source, "content": [_span(cue + 1, cue + 4)], "addressee": None,
                                  "parent": None, "statement": f"s{index}-{number}"})
        predicted_source = source.replace("m", "p")
        attributions_pred.append({"id": f"a{number}", "type": "DIRECT", "cue": _span(cue, cue),
                                  "source": predicted_source if predicted_source in kept else None,
                                  "content": [_span(cue + 2, cue + 4)], "parent": None})
    doc_id = f"doc{index:06d}"
    return ({"id": doc_id, "text": TEXT, "mentions": gold, "events": events_gold, "attributions": attributions_gold},
            {"id": doc_id, "mentions": pred, "events": events_pred, "attributions": attributions_pred})


def write_corpus(folder: Path, docs: int) -> tuple[Path, Path]:
    taxonomy = load_taxonomy()
    rng = random.Random(0)
    gold_path, pred_path = folder / "gold.jsonl", folder / "predictions.jsonl"
    with gold_path.open("w", encoding="utf-8") as gold_file, pred_path.open("w", encoding="utf-8") as pred_file:
        for index in range(docs):
            gold, pred = synthetic_document(rng, index, taxonomy.entity_types, taxonomy.event_roles)
            gold_file.write(json.dumps(gold) + "\n")
            pred_file.write(json.dumps(pred) + "\n")
    return gold_path, pred_path


def parse(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def timed(function: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of `repeat` runs (as timeit reports: the least disturbed by other processes) and the result."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


_POOLS: list[Any] = []  # proxy pools outlive the buffers they handed out (a prepared gold may keep some)


def peak_memory(function: Callable[[], Any]) -> tuple[float, Any]:
    """Extra peak bytes while `function` runs: tracemalloc (Python, NumPy) plus Arrow's pool (an upper bound)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    previous = pa.default_memory_pool()
    arrow = pa.proxy_memory_pool(previous)
    _POOLS.append(arrow)
    pa.set_memory_pool(arrow)
    try:
        result = function()
    finally:
        forget_prepared_gold()  # nothing built from the proxy pool outlives the measurement
        gc.collect()
        pa.set_memory_pool(previous)
    peak = tracemalloc.get_traced_memory()[1] - before + arrow.max_memory()
    tracemalloc.stop()
    return peak, result


def parsed_bytes(path: Path) -> tuple[int, list[dict]]:
    gc.collect()
    tracemalloc.start()
    docs = parse(path)
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return size, docs


# the least a scorer reads of a mention, by the fastest reader of Python dicts here
_BARE = pa.list_(pa.struct([("start", pa.int32()), ("end", pa.int32()), ("type", pa.string())]))


def nervaluate_input(docs: list[dict]) -> list[list[dict]]:
    """nervaluate's dict format; its `end` is inclusive."""
    return [[{"label": m["type"], "start": m["start"], "end": m["end"] - 1} for m in d["mentions"]] for d in docs]


def entity_lines(gold: list[dict], pred: list[dict], repeat: int) -> None:
    """score() entities-only, with a fresh gold list each call (so it is read and prepared in that call)."""
    cold, report = timed(lambda: score(pred, list(gold), layers=["entities"], bootstrap=0), repeat=repeat)
    true, predicted = nervaluate_input(gold), nervaluate_input(pred)
    tags = list(load_taxonomy().entity_types)
    theirs, reference = timed(lambda: Evaluator(true, predicted, tags=tags, loader="dict").evaluate(), repeat=repeat)
    for scheme, their_scheme in (("strict", "strict"), ("exact", "exact"), ("partial", "partial"),
                                 ("type", "ent_type")):
        ours = report.metrics["entities"]["overall"][scheme]["f1"]
        print(f"  {scheme:<8} F1 score() {ours:.6f}   nervaluate {reference['overall'][their_scheme].f1:.6f}")
    warm_gold = list(gold)
    score(pred, warm_gold, layers=["entities"], bootstrap=0)  # prepares this gold once
    warm, _ = timed(lambda: score(pred, warm_gold, layers=["entities"], bootstrap=0), repeat=repeat)
    booted, _ = timed(lambda: score(pred, list(gold), layers=["entities"]), repeat=max(1, repeat - 1))
    print(f"  nervaluate {theirs:.2f} s; score(layers=['entities'], bootstrap=0) {cold:.2f} s with the gold read "
          f"in the call, {warm:.2f} s with a gold prepared by an earlier call; default bootstrap {booted:.2f} s",
          flush=True)
    print(f"score(): {theirs / cold:.1f}x nervaluate (entities, validation on, gold read in the same call, "
          f"bootstrap off; {theirs / warm:.1f}x with the gold prepared once)", flush=True)
    print(f"score() default bootstrap (1,000 resamples): adds {booted - cold:.2f} s, "
          f"{(booted - cold) / cold:.2f}x the scoring time", flush=True)
    gc.disable()  # as score() runs: the reads alone, without the cycle collector walking the records
    try:
        bare, _ = timed(lambda: [pa.array([d["mentions"] for d in side], type=_BARE) for side in (gold, pred)],
                        repeat=repeat)
        needed, _ = timed(lambda: (pa.array([d["mentions"] for d in gold], type=MENTION_FIELDS),
                                   pa.array([d["mentions"] for d in pred])), repeat=repeat)
    finally:
        gc.enable()
    print(f"reading alone: pyarrow.array over every gold and predicted mention dict takes {bare:.2f} s for "
          f"start, end and type ({theirs / bare:.0f}x nervaluate at most for any scorer of these lists), "
          f"{needed:.2f} s for what score() must read ({theirs / needed:.0f}x at most: the gold's scored fields, "
          "the predictions' every field with its JSON type, as validation tells 1 from 1.0)", flush=True)


def all_layer_lines(gold_path: Path, pred_path: Path, gold: list[dict], pred: list[dict]) -> None:
    every, report = timed(lambda: score(pred, list(gold)))
    from_files, _ = timed(lambda: score(pred_path, gold_path))
    print(f"score() every layer, default bootstrap: {every:.2f} s from parsed lists, {from_files:.2f} s from the "
          f"two JSONL files (parsing included); headline entities.strict.f1 {report.headline['entities.strict.f1']:.4f}, "
          f"events.trigger_classification.f1 {report.headline['events.trigger_classification.f1']:.4f}, "
          f"attributions.full.f1 {report.headline['attributions.full.f1']:.4f}", flush=True)


def memory_lines(gold_path: Path, pred_path: Path) -> None:
    gold_bytes, gold = parsed_bytes(gold_path)
    pred_bytes, pred = parsed_bytes(pred_path)
    parsed = gold_bytes + pred_bytes
    entities_peak, _ = peak_memory(lambda: score(pred, list(gold), layers=["entities"], bootstrap=0))
    every_peak, _ = peak_memory(lambda: score(pred, list(gold)))
    print(f"score() peak memory: {entities_peak / parsed:.2f}x the parsed input (entities, bootstrap off), "
          f"{every_peak / parsed:.2f}x (every layer, default bootstrap); parsed gold + predictions "
          f"{parsed / 1e6:.0f} MB; extra peak while scoring: tracemalloc + Arrow's pool", flush=True)


def dense_document(n: int, crossing: bool) -> tuple[list[dict], list[dict]]:
    """One document whose n gold and n predicted spans all overlap each other: nested, or each crossing the next."""
    words = [f"w{i}" for i in range(2 * n + 2)]
    text = " ".join(words)
    starts = [0]
    for word in words[:-1]:
        starts.append(starts[-1] + len(word) + 1)
    ends = [s + len(w) for s, w in zip(starts, words, strict=True)]
    if crossing:  # span i covers words i .. n + i: every pair overlaps, and no span contains another
        gold_spans = [(starts[i], ends[n + i]) for i in range(n)]
        pred_spans = [(starts[i + 1], ends[n + i + 1]) for i in range(n)]
    else:  # span i covers words i .. 2n + 1 - i: each inside the previous
        gold_spans = [(starts[i], ends[2 * n + 1 - i]) for i in range(n)]
        pred_spans = [(starts[i], ends[2 * n - i]) for i in range(n)]
    types = ("PER", "ORG")

    def mentions(spans: list[tuple[int, int]], prefix: str) -> list[dict]:
        return [{"id": f"{prefix}{i}", "start": s, "end": e, "text": text[s:e], "type": types[i % 2], "level": "NOM",
                 "entity": f"{prefix}e{i % 50}"} for i, (s, e) in enumerate(spans)]

    gold = [{"id": "dense", "text": text, "mentions": mentions(gold_spans, "g"), "events": [], "attributions": []}]
    return gold, [{"id": "dense", "mentions": mentions(pred_spans, "p")}]


def dense_child(kind: str, n: int) -> None:
    """In a fresh process (so its peak resident memory is this call's): time score() on one dense document."""
    gold, pred = dense_document(n, kind == "crossing")
    started = time.perf_counter()
    try:
        report = score(pred, gold)
        outcome = {"strict": report.headline["entities.strict.f1"], "warnings": len(report.warnings)}
    except InvalidInput as error:
        outcome = {"refused": len(error.problems)}
    seconds = time.perf_counter() - started
    peak = _peak_resident_bytes()
    print(json.dumps({"seconds": seconds, "peak": peak, **outcome}))


def _peak_resident_bytes() -> int:
    """This process's peak resident memory (VmHWM: reset by exec, unlike ru_maxrss, which a child inherits)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # not Linux: KiB on Linux, bytes on macOS


def dense_lines(n: int) -> None:
    for kind in ("nested", "crossing"):
        child = subprocess.run([sys.executable, __file__, "--dense-child", kind, str(n)], capture_output=True,
                               text=True, check=False)
        if child.returncode:
            print(f"dense overlaps ({kind}): failed: {child.stderr.strip().splitlines()[-1:]}", flush=True)
            continue
        result = json.loads(child.stdout.strip().splitlines()[-1])
        if "refused" in result:
            print(f"dense overlaps ({kind}): refused by validation ({result['refused']:,} problems)", flush=True)
            continue
        print(f"dense overlaps ({kind}): {n:,} gold and {n:,} predicted spans in one document, all overlapping "
              f"each other: score() {result['seconds']:.2f} s, peak resident memory {result['peak'] / 1e9:.2f} GB "
              f"(the whole process; every layer, default bootstrap; strict F1 {result['strict']:.3f}, "
              f"{result['warnings']} warnings listed)", flush=True)


def preparation_line(gold: list[dict]) -> None:
    corpus = GoldCorpus(None, gold)
    events_s, _ = timed(lambda: corpus.events)
    tokens_s, _ = timed(lambda: corpus.tokens)
    attributions_s, _ = timed(lambda: (corpus.mentions, corpus.attributions))
    sentences_s, _ = timed(lambda: corpus.sentences)
    n_events = sum(len(d["events"]) for d in gold)
    n_attributions = sum(len(d["attributions"]) for d in gold)
    print(f"gold preparation: events {events_s:.2f} s ({n_events:,}), attributions {attributions_s + tokens_s:.2f} s "
          f"({n_attributions:,}, with the token index {tokens_s:.2f} s), sentences {sentences_s:.2f} s; "
          f"{len(gold):,} documents", flush=True)


def real_gold_bootstrap() -> None:
    corpus = resolve_gold(None)
    results = evaluate_layers(corpus, corpus.documents, ("entities", "events", "attributions"))
    stats = {name: s for result in results.values() for name, s in result.statistics.items()}
    seconds, _ = timed(lambda: bootstrap_intervals(stats, corpus.sentences.doc_of_unit, 1000, 0), repeat=3)
    print(f"bootstrap: 1,000 resamples of the real gold ({len(corpus.sentences)} sentences, every headline metric) "
          f"in {seconds:.3f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run (2,000 documents, 300 dense spans)")
    parser.add_argument("--docs", type=int, help="documents in the synthetic corpus (default 100,000)")
    parser.add_argument("--dense-child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dense_child:
        dense_child(args.dense_child[0], int(args.dense_child[1]))
        return 0
    docs = args.docs or (2_000 if args.quick else 100_000)
    dense = 300 if args.quick else 5_000
    repeat = 1 if args.quick else 2
    print(f"Synthetic corpus: {docs:,} documents x {MENTIONS} gold mentions (+ nested ones), 4 events, "
          "2 attributions", flush=True)
    with tempfile.TemporaryDirectory(prefix="damascus-bench-") as tmp:
        gold_path, pred_path = write_corpus(Path(tmp), docs)
        parse_seconds, pred = timed(lambda: parse(pred_path))
        gold = parse(gold_path)
        n_gold = sum(len(d["mentions"]) for d in gold)
        n_pred = sum(len(d["mentions"]) for d in pred)
        print(f"  {n_gold:,} gold and {n_pred:,} predicted mentions; predictions file "
              f"{pred_path.stat().st_size / 1e6:.0f} MB parsed by json in {parse_seconds:.2f} s", flush=True)
        entity_lines(gold, pred, repeat)
        all_layer_lines(gold_path, pred_path, gold, pred)
        preparation_line(gold)
        del gold, pred
        gc.collect()
        memory_lines(gold_path, pred_path)
    dense_lines(dense)
    real_gold_bootstrap()
    return 0


if __name__ == "__main__":
    sys.exit(main())
