"""The Arrow-read event and attribution tables equal their per-record definitions, references resolved by id per document."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from damascus_ie.core.records import EVENT_ATTRIBUTES
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.harness import scoring
from damascus_ie.harness.metrics import attributions, columns, coref, events

TAXONOMY = load_taxonomy()
IDS = st.sampled_from(["m1", "m2", "m3", "a1", "a2"])  # few, so ids repeat within and across documents
SPAN = st.builds(lambda start, length: {"start": start, "end": start + length}, st.integers(0, 50), st.integers(1, 5))


def _mention(data: st.DataObject) -> dict[str, Any]:
    return {"id": data.draw(st.one_of(st.none(), IDS)), **data.draw(SPAN), "type": "PER"}


def _document(data: st.DataObject) -> dict[str, Any]:
    mentions = [_mention(data) for _ in range(data.draw(st.integers(0, 4)))]
    known = [m["id"] for m in mentions if m["id"] is not None]
    doc_events = []
    for _ in range(data.draw(st.integers(0, 3)) if known else 0):
        kind = data.draw(st.sampled_from(sorted(TAXONOMY.event_roles)))
        event: dict[str, Any] = {"type": kind, "trigger": data.draw(SPAN),
                                 "event": data.draw(st.one_of(st.none(), st.sampled_from(["x", "y"])))}
        for attribute in EVENT_ATTRIBUTES:  # a value, none, or one the taxonomy does not know (coded -1)
            value = data.draw(st.one_of(st.none(), st.sampled_from([*TAXONOMY.event_attributes[attribute], "ODD"])))
            if value is not None:
                event[attribute] = value
        event["arguments"] = data.draw(st.one_of(st.none(), st.lists(st.builds(
            lambda role, mention: {"role": role, "mention": mention},
            st.sampled_from(TAXONOMY.event_roles[kind]), st.sampled_from(known)), max_size=3)))
        doc_events.append(event)
    doc_attributions = [{"id": data.draw(st.one_of(st.none(), IDS)), "cue": data.draw(SPAN),
                         "type": data.draw(st.one_of(st.none(), st.sampled_from([*TAXONOMY.attribution_types, "ODD"]))),
                         "source": data.draw(st.one_of(st.none(), IDS)), "parent": data.draw(st.one_of(st.none(), IDS)),
                         "statement": data.draw(st.one_of(st.none(), st.sampled_from(["s", "t"]))),
                         "content": data.draw(st.one_of(st.none(), st.lists(SPAN, max_size=2)))}
                        for _ in range(data.draw(st.integers(0, 3)))]
    return {"mentions": mentions, "events": doc_events, "attributions": doc_attributions}


def _by_id(records: list[dict[str, Any]], first: int = 0) -> dict[str, int]:
    return {r["id"]: first + i for i, r in enumerate(records) if r.get("id") is not None}  # the last of a repeated id


def _expected_events(docs: list[dict[str, Any]]) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    values = {a: {v: i for i, v in enumerate(vs)} for a, vs in TAXONOMY.event_attributes.items()}
    rows, arguments = [], []
    for d, doc in enumerate(docs):
        mentions = {m["id"]: m for m in doc["mentions"] if m["id"] is not None}
        for event in doc["events"]:
            trigger, kind = event["trigger"], TAXONOMY.event_types.index(event["type"])
            rows.append((d, trigger["start"], trigger["end"], kind, *(values[a].get(event.get(a), -1)
                                                                   for a in EVENT_ATTRIBUTES)))
            arguments += [(d, trigger["start"], trigger["end"], kind, mentions[a["mention"]]["start"],
                           mentions[a["mention"]]["end"], TAXONOMY.roles.index(a["role"]))
                          for a in event["arguments"] or ()]
    return rows, arguments


def _rows(table: dict[str, np.ndarray], names: tuple[str, ...]) -> list[tuple[int, ...]]:
    return list(zip(*(table[name].tolist() for name in names), strict=True)) if table["doc"].size else []


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_event_table_equals_the_per_record_definition(data: st.DataObject) -> None:
    docs = [_document(data) for _ in range(data.draw(st.integers(0, 4)))]
    table = events.event_table(docs, TAXONOMY)
    rows, arguments = _expected_events(docs)
    assert _rows(table.events, ("doc", "start", "end", "type", *EVENT_ATTRIBUTES)) == rows
    assert _rows(table.arguments, ("doc", "start", "end", "type", "arg_start", "arg_end", "role")) == arguments
    flat = [e for doc in docs for e in doc["events"]]
    assert table.records == flat
    assert table.identities.tolist() == coref.identity_codes([e.get("event") for e in flat]).tolist()


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_attribution_table_equals_the_per_record_definition(data: st.DataObject) -> None:
    docs = [_document(data) for _ in range(data.draw(st.integers(0, 4)))]
    table = attributions.attribution_table(docs, TAXONOMY)
    rows, content, flat = [], [], []
    mention_offset = 0
    for d, doc in enumerate(docs):
        mention_row, own_row = _by_id(doc["mentions"], mention_offset), _by_id(doc["attributions"], len(flat))
        mention_offset += len(doc["mentions"])
        for a in doc["attributions"]:
            kind = TAXONOMY.attribution_types.index(a["type"]) if a["type"] in TAXONOMY.attribution_types else -1
            rows.append((d, a["cue"]["start"], a["cue"]["end"], kind, mention_row.get(a["source"], -1),
                         own_row.get(a["parent"], -1)))
            content += [(len(flat), s["start"], s["end"]) for s in a["content"] or ()]
            flat.append(a)
    got = list(zip(*(getattr(table, f).tolist() for f in ("doc", "cue_start", "cue_end", "type", "source", "parent")),
                   strict=True))
    assert got == rows
    assert list(zip(table.content_row.tolist(), table.content_start.tolist(), table.content_end.tolist(),
                    strict=True)) == content
    assert table.records == flat
    assert table.statement.tolist() == coref.identity_codes([a["statement"] for a in flat]).tolist()


def test_references_resolve_within_their_document_the_last_of_a_repeated_id() -> None:
    docs = [{"mentions": [{"id": "m1", "start": 0, "end": 1}, {"id": "m2", "start": 2, "end": 3},
                          {"id": "m1", "start": 4, "end": 5}, {"id": None, "start": 6, "end": 7}]},
            {"mentions": [{"id": "m3", "start": 0, "end": 1}]}, {}]
    mentions = columns.mention_ids(docs)
    ids = pa.array(["m1", "m2", None, "m3", "m3", "m1", "zz"], pa.string())
    doc = np.array([0, 0, 0, 0, 1, 1, 0])
    assert mentions.rows_of(doc, ids).tolist() == [2, 1, -1, -1, 4, -1, -1]


def test_a_missing_reference_or_field_is_a_key_error() -> None:
    doc = {"mentions": [{"id": "m1", "start": 0, "end": 1, "type": "PER"}],
           "events": [{"type": "Conflict:Attack", "trigger": {"start": 0, "end": 1},
                       "arguments": [{"role": "Attacker", "mention": "m9"}]}]}
    for bad, named in ((doc, "m9"), ({**doc, "events": [{"type": "Conflict:Attack", "arguments": []}]}, "trigger.start"),
                       ({**doc, "events": [{"type": "NOPE", "trigger": {"start": 0, "end": 1}}]}, "NOPE")):
        try:
            events.event_table([bad], TAXONOMY)
        except KeyError as error:
            assert error.args == (named,)
        else:
            raise AssertionError(f"no KeyError for {named}")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(st.sampled_from("ab\0é"), max_size=3))))
def test_identity_codes_number_distinct_ids_in_sorted_order(ids: list[str | None]) -> None:
    distinct = sorted({i for i in ids if i is not None})
    assert coref.identity_codes(ids).tolist() == [-1 if i is None else distinct.index(i) for i in ids]


def test_prepared_tables_read_the_mentions_once_and_equal_the_standalone_builders() -> None:
    corpus = scoring.resolve_gold(None)  # the shipped gold: its mention lists serve the mention table and the ids
    alone_events, alone_attributions = events.event_table(corpus.documents), attributions.attribution_table(
        corpus.documents)
    for name in ("events", "arguments"):
        got, expected = getattr(corpus.events, name), getattr(alone_events, name)
        assert got.keys() == expected.keys() and all(np.array_equal(got[k], expected[k]) for k in got)
    assert corpus.events.arguments["doc"].size and corpus.attributions.source.max() >= 0
    for name in ("doc", "cue_start", "cue_end", "type", "source", "parent", "content_row", "content_start",
                 "content_end", "statement"):
        assert np.array_equal(getattr(corpus.attributions, name), getattr(alone_attributions, name)), name
    predicted = scoring.PredictedCorpus(corpus, corpus.documents)
    assert np.array_equal(predicted.attributions.source, corpus.attributions.source)
    assert len(predicted.mentions) == len(corpus.mentions)
