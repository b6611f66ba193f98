"""The converter alone (no server): lenient parsing, and one precise problem for each thing Label Studio lets through."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from damascus_ie.core.io import load_gold
from damascus_ie.core.records import LAYERS
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.labelstudio.checks import contribution_problems
from damascus_ie.labelstudio.config import NO_SOURCE, NO_SOURCE_CHOICE, labeling_config
from damascus_ie.labelstudio.convert import Origin, document_to_results, region_id_clashes, results_to_document

ORIGIN = Origin(task=7, annotator="Ann Example", annotation=11)


def problems_of(doc: dict, result: list[dict], gold: list[dict] | None = None) -> tuple[dict, list]:
    """Translate, then check as pull does (against `gold`, default none)."""
    data = {"doc_id": doc["id"], "text": doc["text"], "boilerplate": doc["boilerplate"]}
    gold = gold or []
    reserved = frozenset(r["id"] for g in gold if g["id"] == doc["id"] for layer in LAYERS for r in g[layer])
    translated = results_to_document(data, result, ORIGIN, reserved=reserved)
    return translated.document, contribution_problems(translated, str(ORIGIN), gold, load_taxonomy())


def pulled(doc: dict, result: list[dict]) -> tuple[dict, list[str]]:
    back, problems = problems_of(doc, result)
    return back, [f"{p.record} {p.field}: {p.reason}" + (f" (hint: {p.hint})" if p.hint else "") for p in problems]


def test_every_layer_survives_the_conversion_both_ways(emoji_document: dict) -> None:
    back, problems = pulled(emoji_document, document_to_results(emoji_document))
    assert problems == []
    assert {layer: back[layer] for layer in LAYERS} == {layer: emoji_document[layer] for layer in LAYERS}


def test_browser_keys_and_left_arrows_are_accepted(emoji_document: dict) -> None:
    result = document_to_results(emoji_document)
    for item in result:
        item.update({"origin": "manual", "meta": {"text": ["note"]}, "readonly": False, "score": 0.5})
        if item["type"] == "relation" and item["labels"] == ["Destination"]:
            item.update({"from_id": item["to_id"], "to_id": item["from_id"], "direction": "left"})
    back, problems = pulled(emoji_document, result)
    assert problems == []
    assert back["events"] == emoji_document["events"]


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda r: r.append({"from_id": "a1", "to_id": "m404", "type": "relation", "direction": "right",
                         "labels": ["addressee"]}),
     ["a1 'told' at [53, 57) relation: dangling link: no region 'm404' in this annotation"]),
    (lambda r: r.remove(next(i for i in r if i.get("labels") == ["source"] and i.get("from_id") == "a1")),
     ["a1 'told' at [53, 57) source: attribution without source link: link the source mention, or choose "
      f"{NO_SOURCE_CHOICE!r} where the text names none"]),
    (lambda r: next(i for i in r if i.get("id") == "a4" and i["from_name"] == NO_SOURCE)["value"].update(choices=[]),
     ["a4 'It is said' at [119, 129) source: attribution without source link: link the source mention, or choose "
      f"{NO_SOURCE_CHOICE!r} where the text names none"]),
    (lambda r: r.append({"from_id": "a4", "to_id": "m8", "type": "relation", "labels": ["source"]}),
     [f"a4 'It is said' at [119, 129) source: has a source link and also {NO_SOURCE_CHOICE!r}: remove one"]),
    (lambda r: r.append({"from_id": "a1", "to_id": "v1", "type": "relation", "labels": ["source"]}),
     ["a1 'told' at [53, 57) relation source: relation 'source' from a cue must point to a mention region, not "
      "trigger (to v1): delete it or draw it between the right regions"]),
    (lambda r: r.append({"from_id": "m2", "to_id": "m3", "type": "relation", "labels": ["Artifact"]}),
     ["m2 'Syrian rebels' at [2, 15) relation Artifact: relation not allowed by the taxonomy: 'Artifact' from a "
      "mention region to a mention region (to m3): delete it or draw it between the right regions"]),
    (lambda r: r.append({"from_id": "v1", "to_id": "m3", "type": "relation", "labels": ["Artifact", "Time"]}),
     ["v1 'entered' at [16, 23) relation: relation to m3 needs exactly one label, got ['Artifact', 'Time']"]),
    (lambda r: r.append({"from_id": "v1", "to_id": "m5", "type": "relation", "labels": ["Victor"]}),
     ["v1 'entered' at [16, 23) arguments[3].role: role 'Victor' not allowed for Movement:Transport (allowed: "
      "Agent, Artifact, Origin, Destination, Time) (hint: in Label Studio, relabel or delete this relation from the "
      "trigger)"]),
    (lambda r: r.remove(next(i for i in r if i.get("labels") == ["content"] and i.get("from_id") == "a2")),
     ["a2-content-0 'The regime has fallen' at [64, 85) content: content region not linked from any cue (add a "
      "'content' relation)",
      "a2 'said' at [99, 103) content: expected a non-empty list of spans (hint: in Label Studio, redraw the content "
      "region, or link it from the cue with a 'content' relation)"]),
    (lambda r: next(i for i in r if i.get("id") == "m1" and i["from_name"] == "level")["value"].update(
        choices=["NAME"]),
     ["m1 'Syrian' at [2, 8) level: unknown value 'NAME'; expected one of NAM, NOM, PRO (hint: did you mean "
      # once: the translation passes the choice on, the validator refuses it
      "'NAM'?; in Label Studio, select the region and choose its level)"]),
    (lambda r: r.append({"id": "m3", "from_name": "polarity", "to_name": "text", "type": "choices",
                         "value": {"start": 24, "end": 32, "choices": ["NEGATIVE"]}}),
     ["m3 'Damascus' at [24, 32) polarity: choice control 'polarity' does not apply to this region (GPE)"]),
    (lambda r: r.append({"id": "zz", "from_name": "level", "to_name": "text", "type": "choices",
                         "value": {"start": 0, "end": 1, "choices": ["NAM"]}}),
     ["zz (no text) at [0, 1) labels: region has choices or text but no span label"]),
    (lambda r: r.append({"id": "r9", "from_name": "rating", "to_name": "text", "type": "rating", "value": {}}),
     ["r9 result[62]: unsupported result item of type 'rating' from 'rating'"]),
    (lambda r: [i["value"].update(start=i["value"]["start"] + 1, end=i["value"]["end"] + 1) for i in r
                if i.get("id") == "m6"],
     ["m6 'CNN' at [59, 62) span: span text 'CNN' != text[59:62] 'NN.' (hint: 'CNN' occurs at [58, 61); in "
      # once: the validator's span check, not a second one in the translation
      "Label Studio, redraw the region over the right characters)"]),
])
def test_each_problem_is_reported_once_by_region_text_offsets_and_field(emoji_document: dict, edit,
                                                                         expected: list[str]) -> None:
    result = document_to_results(copy.deepcopy(emoji_document))
    edit(result)
    assert pulled(emoji_document, result)[1] == expected


def test_problems_name_task_annotator_and_document(emoji_document: dict) -> None:
    result = document_to_results(emoji_document)
    result[0]["value"]["labels"] = ["WEAPON"]
    (problem,) = problems_of(emoji_document, result)[1]
    assert (problem.file, problem.document, problem.record, problem.field) == (
        "labelstudio task 7, annotation 11 by Ann Example", "fixture_emoji", "m1 'Syrian' at [2, 8)", "type")
    assert (problem.reason, problem.hint) == ("unknown value 'WEAPON'; expected one of PER, ORG, GPE, LOC, FAC, NORP, "
                                              "VEH, TIME", "in Label Studio, select the region and pick the right "
                                              "entity label")


def test_a_corpus_level_identity_problem_is_caught_at_pull_on_the_edited_region(repo_root: Path) -> None:
    """The release's identity check, run on the gold with the annotation swapped in, names the relabelled region."""
    _, gold = load_gold(repo_root)
    doc = copy.deepcopy(gold[0])
    damascus = [m for m in doc["mentions"] if m["entity"] == "damascus"]
    edited = damascus[-1]
    edited["type"] = "LOC"
    (problem,) = problems_of(doc, document_to_results(doc), gold)[1]
    assert (problem.file, problem.document, problem.field) == (str(ORIGIN), doc["id"], "entity")
    assert problem.record == f"{edited['id']} 'Damascus' at [{edited['start']}, {edited['end']})"
    assert problem.reason.startswith("entity id 'damascus' is LOC here but GPE at ")
    assert problem.reason.endswith("give this mention the type GPE or another entity id")
    assert problem.hint == "in Label Studio, select the region and fix its identity box"


def test_regions_drawn_in_the_browser_get_the_next_free_project_ids(emoji_document: dict) -> None:
    t = emoji_document["text"]
    result = document_to_results(emoji_document)
    start = t.index("regime")
    drawn = {"start": start, "end": start + 6, "text": "regime"}
    result += [  # as the browser sends them: random ids, extra keys
        {"id": "V0ZVc9RK3D", "from_name": "mention", "to_name": "text", "type": "labels", "origin": "manual",
         "value": {**drawn, "labels": ["ORG"]}},
        {"id": "V0ZVc9RK3D", "from_name": "level", "to_name": "text", "type": "choices",
         "value": {**drawn, "choices": ["NOM"]}},
        {"id": "V0ZVc9RK3D", "from_name": "identity", "to_name": "text", "type": "textarea",
         "value": {**drawn, "text": ["assad-regime"]}},
        {"id": "v2hZYW65h-", "from_name": "trigger", "to_name": "text", "type": "labels", "origin": "manual",
         "value": {"start": t.index("fallen"), "end": t.index("fallen") + 6, "text": "fallen",
                   "labels": ["Conflict:Attack"]}},
        {"from_id": "v2hZYW65h-", "to_id": "V0ZVc9RK3D", "type": "relation", "direction": "right",
         "labels": ["Target"]}]
    data = {"doc_id": emoji_document["id"], "text": t, "boilerplate": []}
    translated = results_to_document(data, result, ORIGIN, reserved=frozenset({"m1", "m11", "v1", "a4"}))
    mention = next(m for m in translated.document["mentions"] if m["text"] == "regime")
    event = next(e for e in translated.document["events"] if e["trigger"]["text"] == "fallen")
    assert (mention["id"], mention["entity"], event["id"]) == ("m12", "assad-regime", "v2")  # m11 reserved by the gold
    assert event["arguments"] == [{"role": "Target", "mention": "m12"}]
    assert translated.regions["m12"].describe("m12") == f"m12 (new region) 'regime' at [{start}, {start + 6})"
    assert {m["id"] for m in translated.document["mentions"]} == {f"m{i}" for i in (*range(1, 10), 12)}


def test_region_ids_must_be_unique_across_layers(emoji_document: dict) -> None:
    emoji_document["events"][0]["id"] = "m1"
    assert [p.reason for p in region_id_clashes(emoji_document)] == [
        "id used in both mentions and events: regions need unique ids"]


def test_config_offers_every_taxonomy_label_and_nothing_else() -> None:
    tax = load_taxonomy()
    config = labeling_config()
    for value in (*tax.entity_types, *tax.event_types, *tax.roles, *tax.mention_levels, *tax.attribution_types,
                  *(v for values in tax.event_attributes.values() for v in values), *tax.attribution_links):
        assert f'value="{value}"' in config
    assert config.count("<Label ") == len(tax.entity_types) + len(tax.event_types) + 2
