"""The bridge against a real Label Studio 1.23.2: round trip, precise rejection, agreement, review, atomic pull."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from label_studio_sdk import LabelStudio

from damascus_ie import cli
from damascus_ie.build import normalise
from damascus_ie.io import load_gold
from damascus_ie.labelstudio.client import annotator_names, export_tasks, find_project
from damascus_ie.labelstudio.convert import document_to_results
from damascus_ie.labelstudio.pull import PULL_FILE, convert_export, read_pull
from damascus_ie.labelstudio.push import pre_annotations, push

pytestmark = pytest.mark.labelstudio


def accept_predictions(ls: LabelStudio, project_id: int, user: int | None = None) -> None:
    """What an annotator does who submits the pre-annotations unchanged: an annotation equal to the prediction."""
    for task in ls.tasks.list(project=project_id):
        (prediction,) = ls.predictions.list(task=task.id)
        ls.annotations.create(id=task.id, result=prediction.result, **({"completed_by": user} if user else {}))


def test_push_export_pull_round_trip_is_exact_for_every_layer(ls: LabelStudio, title: str, emoji_document: dict,
                                                              seed_document: dict) -> None:
    docs = [emoji_document, seed_document]
    report = push(ls, docs, pre_annotations(docs, gold=True), "gold-test", title)
    assert (len(report.created), report.project_created) == (2, True)
    accept_predictions(ls, report.project_id)

    texts = {d["id"]: d["text"] for d in docs}
    result = convert_export(export_tasks(ls, report.project_id), annotator_names(ls), texts)

    assert result.problems == []
    assert sorted((p.document for p in result.pulled), key=lambda d: d["id"]) == \
        sorted((normalise(d) for d in docs), key=lambda d: d["id"])
    emoji = next(p.document for p in result.pulled if p.document["id"] == "fixture_emoji")
    assert emoji["mentions"][0]["start"] == 2  # code points: the emoji counts one, not two UTF-16 units


def test_push_twice_updates_in_place_without_duplicate_tasks(ls: LabelStudio, title: str, emoji_document: dict) -> None:
    docs = [emoji_document]
    first = push(ls, docs, pre_annotations(docs, gold=True), "gold-test", title)
    again = push(ls, docs, pre_annotations(docs, gold=True), "gold-test", title)
    changed = copy.deepcopy(emoji_document)
    changed["mentions"][2]["type"] = "LOC"
    third = push(ls, [changed], pre_annotations([changed], gold=True), "gold-test", title)

    assert (first.created, again.unchanged, third.updated) == (["fixture_emoji"],) * 3
    assert len(list(ls.tasks.list(project=first.project_id))) == 1
    (task,) = ls.tasks.list(project=first.project_id)
    (prediction,) = ls.predictions.list(task=task.id)
    assert prediction.result == document_to_results(changed)


def test_cli_push_and_pull_round_trip_the_real_gold(ls_env: None, repo_copy: Path, title: str) -> None:
    assert cli.main(["labelstudio", "push", "--project", title]) == 0
    assert cli.main(["labelstudio", "push", "--project", title]) == 0  # idempotent
    from damascus_ie.labelstudio.client import connect

    ls = connect()
    project = find_project(ls, title)
    assert len(list(ls.tasks.list(project=project.id))) == len(load_gold(repo_copy)[1])
    accept_predictions(ls, project.id)

    assert cli.main(["labelstudio", "pull", "--project", title]) == 0
    pulled = read_pull(repo_copy / PULL_FILE, {d["id"]: d["text"] for d in load_gold(repo_copy)[1]})
    assert sorted((normalise(p.document) for p in pulled), key=lambda d: d["id"]) == \
        [normalise(d) for d in load_gold(repo_copy)[1]]
    assert "LABEL_STUDIO" not in (repo_copy / PULL_FILE).read_text() and \
        "damascus-ie-test-token" not in (repo_copy / PULL_FILE).read_text()


def test_bad_annotation_is_reported_precisely_and_imported_nowhere(ls: LabelStudio, title: str, seed_document: dict,
                                                                   repo_copy: Path, ls_env: None,
                                                                   capsys: pytest.CaptureFixture) -> None:
    docs = [seed_document]
    report = push(ls, docs, pre_annotations(docs, gold=True), "gold-test", title)
    accept_predictions(ls, report.project_id)  # one valid annotation: must survive
    (task,) = ls.tasks.list(project=report.project_id)
    result = document_to_results(seed_document)
    for item in result:
        if item.get("id") == "m4" and item["from_name"] == "mention":
            item["value"]["labels"] = ["WEAPON"]  # unknown label
        if item.get("id") == "m6":
            item["value"]["start"] += 1  # shifted span: offsets one to the right, text unchanged
            item["value"]["end"] += 1
    result.append({"from_id": "v1", "to_id": "m5", "type": "relation", "direction": "right", "labels": ["Victor"]})
    bad = ls.annotations.create(id=task.id, result=result)

    assert cli.main(["labelstudio", "pull", "--project", title]) == 2
    raw = json.loads((repo_copy / PULL_FILE).read_text(encoding="utf-8"))
    where = f"labelstudio task {task.id}, annotation {bad.id} by admin@example.com, document {seed_document['id']}"
    start = seed_document["mentions"][5]["start"] + 1
    assert raw["problems"] == [
        f"{where}, record m4, field labels: unknown label 'WEAPON' for mention; "
        "expected one of PER, ORG, GPE, LOC, FAC, NORP, VEH, TIME",
        f"{where}, record m6, field span: span text mismatch: region text 'Bashar Assad' "
        f"but text[{start}:{start + 12}] is 'ashar Assad.'",
        f"{where}, record v1, field relation Victor: relation not allowed by the taxonomy: role 'Victor' for "
        "Movement:Transport (allowed: Agent, Artifact, Origin, Destination, Time) (to m5)",
    ]
    assert bad.id not in [row["annotation"] for row in raw["annotations"]]
    assert len(raw["annotations"]) == 1  # the valid annotation of the same task is kept
    assert "record m4, field labels: unknown label 'WEAPON'" in capsys.readouterr().out
