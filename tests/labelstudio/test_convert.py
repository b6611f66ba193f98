"""The converter alone (no server): lenient parsing, and one precise problem for each thing Label Studio lets through."""

from __future__ import annotations

import copy

import pytest

from damascus_ie.core.records import LAYERS
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.labelstudio.config import NO_SOURCE, NO_SOURCE_CHOICE, labeling_config
from damascus_ie.labelstudio.convert import Origin, document_to_results, region_id_clashes, results_to_document

ORIGIN = Origin(task=7, annotator="ann@example.com", annotation=11)


def pulled(doc: dict, result: list[dict]) -> tuple[dict, list[str]]:
    data = {"doc_id": doc["id"], "text": doc["text"], "boilerplate": doc["boilerplate"]}
    back, problems = results_to_document(data, result, ORIGIN)
    return back, [f"{p.record} {p.field}: {p.reason}" for p in problems]


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
     ["a1 relation: dangling link: no region 'm404' in this annotation"]),
    (lambda r: r.remove(next(i for i in r if i.get("labels") == ["source"] and i.get("from_id") == "a1")),
     ["a1 source: attribution without source link: link the source mention, or choose "
      f"{NO_SOURCE_CHOICE!r} where the text names none"]),
    (lambda r: next(i for i in r if i.get("id") == "a4" and i["from_name"] == NO_SOURCE)["value"].update(choices=[]),
     ["a4 source: attribution without source link: link the source mention, or choose "
      f"{NO_SOURCE_CHOICE!r} where the text names none"]),
    (lambda r: r.append({"from_id": "a4", "to_id": "m8", "type": "relation", "labels": ["source"]}),
     [f"a4 source: has a source link and also {NO_SOURCE_CHOICE!r}"]),
    (lambda r: r.append({"from_id": "a1", "to_id": "v1", "type": "relation", "labels": ["source"]}),
     ["a1 relation source: relation 'source' from a cue must point to a mention region, not trigger (to v1)"]),
    (lambda r: r.append({"from_id": "m2", "to_id": "m3", "type": "relation", "labels": ["Artifact"]}),
     ["m2 relation Artifact: relation not allowed by the taxonomy: 'Artifact' from a mention region to a mention "
      "region (to m3)"]),
    (lambda r: r.append({"from_id": "v1", "to_id": "m3", "type": "relation", "labels": ["Artifact", "Time"]}),
     ["v1 relation: relation to m3 needs exactly one label, got ['Artifact', 'Time']"]),
    (lambda r: r.remove(next(i for i in r if i.get("labels") == ["content"] and i.get("from_id") == "a2")),
     ["a2-content-0 content: content region not linked from any cue (add a 'content' relation)",
      "a2 content: expected a non-empty list of spans"]),
    (lambda r: next(i for i in r if i.get("id") == "m1" and i["from_name"] == "level")["value"].update(
        choices=["NAME"]),
     ["m1 level: unknown choice 'NAME'; expected one of NAM, NOM, PRO",
      "m1 level: unknown value None; expected one of NAM, NOM, PRO"]),
    (lambda r: r.append({"id": "m3", "from_name": "polarity", "to_name": "text", "type": "choices",
                         "value": {"start": 24, "end": 32, "choices": ["NEGATIVE"]}}),
     ["m3 polarity: choice control 'polarity' does not apply to this region (GPE)"]),
    (lambda r: r.append({"id": "zz", "from_name": "level", "to_name": "text", "type": "choices",
                         "value": {"start": 0, "end": 1, "choices": ["NAM"]}}),
     ["zz labels: region has choices or text but no span label"]),
    (lambda r: r.append({"id": "r9", "from_name": "rating", "to_name": "text", "type": "rating", "value": {}}),
     ["r9 result[62]: unsupported result item of type 'rating' from 'rating'"]),
])
def test_each_problem_is_named_by_region_and_field(emoji_document: dict, edit, expected: list[str]) -> None:
    result = document_to_results(copy.deepcopy(emoji_document))
    edit(result)
    assert pulled(emoji_document, result)[1] == expected


def test_problems_name_task_annotator_and_document(emoji_document: dict) -> None:
    result = document_to_results(emoji_document)
    result[0]["value"]["labels"] = ["WEAPON"]
    (problem,) = results_to_document({"doc_id": "fixture_emoji", "text": emoji_document["text"]}, result, ORIGIN)[1]
    assert (problem.file, problem.document, problem.record, problem.field) == (
        "labelstudio task 7, annotation 11 by ann@example.com", "fixture_emoji", "m1", "labels")


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
