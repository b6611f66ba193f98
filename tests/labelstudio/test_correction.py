"""Correction mode's alignment (no server): predictions speak the gold's record and identity ids where spans match."""

from __future__ import annotations

import copy

from damascus_ie.labelstudio.correction import align_to_gold
from damascus_ie.labelstudio.review import label_changes


def predicted_from(gold: dict) -> dict:
    """What an extractor returns for the seed document: its own numbering and entity ids, no event ids, one
    mention retyped, one missed, one extra."""
    t = gold["text"]
    mentions = [{**m, "id": f"m{i + 1}", "entity": f"nom:{gold['id']}:{m['start']}"}
                for i, m in enumerate(reversed(gold["mentions"][1:]))]  # first gold mention missed, order reversed
    mentions[0]["type"] = "LOC"
    extra_start = t.index("rebel")
    mentions.append({"id": "m99", "start": extra_start, "end": extra_start + 5, "text": "rebel", "type": "ORG",
                     "level": "NOM", "entity": "nom:x"})
    by_span = {(m["start"], m["end"]): m["id"] for m in mentions}
    events = [{**e, "id": f"v{i + 7}", "event": None,
               "arguments": [{"role": a["role"], "mention": by_span[next((g["start"], g["end"]) for g in gold["mentions"]
                                                                          if g["id"] == a["mention"])]}
                             for a in e["arguments"] if a["mention"] != gold["mentions"][0]["id"]]}
              for i, e in enumerate(gold["events"])]
    return {"id": gold["id"], "text": t, "mentions": mentions, "events": events, "attributions": []}


def test_predictions_take_the_gold_ids_where_spans_match(seed_document: dict) -> None:
    aligned = align_to_gold(predicted_from(seed_document), seed_document)
    gold_by_span = {(m["start"], m["end"]): m for m in seed_document["mentions"]}
    for mention in aligned["mentions"]:
        gold = gold_by_span.get((mention["start"], mention["end"]))
        if gold is None:
            assert (mention["id"], mention["entity"]) == ("m9", "nom:x")  # next free number after the gold's m8
        else:
            assert (mention["id"], mention["entity"]) == (gold["id"], gold["entity"])
    (event,) = aligned["events"]
    gold_event = seed_document["events"][0]
    assert (event["id"], event["event"]) == (gold_event["id"], gold_event["event"])  # id filled from the gold
    assert event["arguments"] == [a for a in gold_event["arguments"] if a["mention"] != "m1"]


def test_the_diff_of_an_aligned_prediction_lists_only_real_differences_in_spans_and_labels(seed_document: dict) -> None:
    aligned = align_to_gold(predicted_from(copy.deepcopy(seed_document)), seed_document)
    lines = label_changes(seed_document, {**aligned, "boilerplate": seed_document["boilerplate"],
                                          "attributions": seed_document["attributions"]})
    last = seed_document["mentions"][-1]
    rebel = next(m for m in aligned["mentions"] if m["id"] == "m9")
    first = seed_document["mentions"][0]
    assert lines == [
        f"{seed_document['id']}: mentions added: m9 ORG 'rebel' [{rebel['start']}, {rebel['end']})",
        f"{seed_document['id']}: mentions removed: m1 NORP 'Syrian' [{first['start']}, {first['end']})",
        f"{seed_document['id']}: mentions changed: {last['id']} '{last['text']}' [{last['start']}, {last['end']}) "
        f"(type '{last['type']}' -> 'LOC')",
    ]  # the event kept its id, identity and arguments: no line for it
