"""The bridge against a real Label Studio 1.23.2: round trip, precise rejection, agreement, review, atomic pull."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import pytest
from label_studio_sdk import LabelStudio

from damascus_ie import cli
from damascus_ie.core.io import load_gold
from damascus_ie.core.paths import pull_file
from damascus_ie.dataset.build import normalise
from damascus_ie.labelstudio.client import annotator_names, export_tasks, find_project
from damascus_ie.labelstudio.convert import document_to_results
from damascus_ie.labelstudio.pull import convert_export, read_pull
from damascus_ie.labelstudio.push import pre_annotations, push
from damascus_ie.labelstudio.server import Server

from .conftest import add_person

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
    result = convert_export(export_tasks(ls, report.project_id), annotator_names(ls), texts, docs)

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
    pulled = read_pull(repo_copy / pull_file(title), {d["id"]: d["text"] for d in load_gold(repo_copy)[1]})
    assert sorted((normalise(p.document) for p in pulled), key=lambda d: d["id"]) == \
        [normalise(d) for d in load_gold(repo_copy)[1]]
    assert "LABEL_STUDIO" not in (repo_copy / pull_file(title)).read_text() and \
        "damascus-ie-test-token" not in (repo_copy / pull_file(title)).read_text()


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
    raw = json.loads((repo_copy / pull_file(title)).read_text(encoding="utf-8"))
    where = f"labelstudio task {task.id}, annotation {bad.id} by admin@example.com, document {seed_document['id']}"
    m4, m6 = seed_document["mentions"][3], seed_document["mentions"][5]
    start = m6["start"] + 1
    assert raw["problems"] == [
        f"{where}, record m4 'Homs' at [{m4['start']}, {m4['end']}), field type: unknown value 'WEAPON'; expected "
        "one of PER, ORG, GPE, LOC, FAC, NORP, VEH, TIME (hint: in Label Studio, select the region and pick the right "
        "entity label)",
        f"{where}, record m6 'Bashar Assad' at [{start}, {start + 12}), field span: span text 'Bashar Assad' != "
        f"text[{start}:{start + 12}] 'ashar Assad.' (hint: 'Bashar Assad' occurs at [{start - 1}, {start + 11}); in Label "
        "Studio, redraw the region over the right characters)",
        f"{where}, record v1 'reached' at [{seed_document['events'][0]['trigger']['start']}, "
        f"{seed_document['events'][0]['trigger']['end']}), field arguments[2].role: role 'Victor' not allowed for "
        "Movement:Transport (allowed: Agent, Artifact, Origin, Destination, Time) (hint: in Label Studio, relabel or "
        "delete this relation from the trigger)",
    ]
    assert bad.id not in [row["annotation"] for row in raw["annotations"]]
    assert len(raw["annotations"]) == 1  # the valid annotation of the same task is kept
    assert "field type: unknown value 'WEAPON'" in capsys.readouterr().out


def tree_bytes(root: Path, *folders: str) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for folder in folders for p in sorted((root / folder).rglob("*"))
            if p.is_file()}


def publish_fixture_gold(root: Path, seed_document: dict) -> list[dict]:
    """The repo copy's gold with the labelled seed document, so review has something to change."""
    from damascus_ie.dataset.versioning import publish_new_version

    docs = [seed_document if d["id"] == seed_document["id"] else d for d in load_gold(root)[1]]
    publish_new_version(root, docs, ["test fixture gold"], "minor")
    return docs


def test_two_annotators_agreement_and_review_publish_a_new_version(
        ls: LabelStudio, ls_server: Server, ls_env: None, title: str, repo_copy: Path, seed_document: dict,
        capsys: pytest.CaptureFixture) -> None:
    from damascus_ie.labelstudio.agreement import pairwise_agreement

    publish_fixture_gold(repo_copy, seed_document)
    version_before = load_gold(repo_copy)[0]
    assert cli.main(["labelstudio", "push", "--project", title]) == 0
    project = find_project(ls, title)
    accept_predictions(ls, project.id)  # annotator A (admin) accepts the gold
    _, b = add_person(ls, ls_server.url, f"b-{title}", "Bea", "Annotator")  # B logs in as herself
    changed = copy.deepcopy(seed_document)
    changed["mentions"][4]["type"] = "LOC"  # B: Aleppo is a LOC
    task = next(t for t in ls.tasks.list(project=project.id) if t.data["doc_id"] == seed_document["id"])
    b.api("POST", f"/api/tasks/{task.id}/annotations/", {"result": document_to_results(changed)})

    assert cli.main(["labelstudio", "pull", "--project", title]) == 0
    rows = {(r.document, r.layer): r for r in pairwise_agreement(read_pull(repo_copy / pull_file(title), {
        d["id"]: d["text"] for d in load_gold(repo_copy)[1]}))}
    mentions = rows[(seed_document["id"], "mentions")]
    # 8 mentions, same spans, one type differs: F1 7/8; kappa (7/8 - 15/64) / (1 - 15/64) = 41/49
    assert (mentions.matched, mentions.f1, mentions.kappa) == (8, pytest.approx(7 / 8), pytest.approx(41 / 49))
    assert (rows[(seed_document["id"], "events")].f1, rows[(seed_document["id"], "events")].kappa) == (1.0, 1.0)

    capsys.readouterr()
    assert cli.main(["labelstudio", "review", "--project", title, "--accept", "Bea Annotator"]) == 0
    version_after, gold_after = load_gold(repo_copy)
    changelog = (repo_copy / "dataset" / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = changelog.split("\n## ")[1]
    assert version_after != version_before and newest.startswith(version_after)
    aleppo = seed_document["mentions"][4]
    assert (f"{seed_document['id']}: mentions changed: m5 'Aleppo' [{aleppo['start']}, {aleppo['end']}) "
            "(type 'GPE' -> 'LOC')") in newest
    assert "by Bea Annotator" in newest and "@" not in newest  # the name she chose, never her e-mail address
    assert next(d for d in gold_after if d["id"] == seed_document["id"])["mentions"][4]["type"] == "LOC"


def test_interrupted_pull_or_review_leaves_the_dataset_untouched(
        ls: LabelStudio, ls_env: None, title: str, repo_copy: Path, seed_document: dict,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import damascus_ie.core.io
    import damascus_ie.dataset.versioning

    publish_fixture_gold(repo_copy, seed_document)
    assert cli.main(["labelstudio", "push", "--project", title]) == 0
    assert cli.main(["labelstudio", "pull", "--project", title]) == 0  # nothing annotated yet: an empty pull file
    project = find_project(ls, title)
    accept_predictions(ls, project.id)
    before = tree_bytes(repo_copy, "annotations", "dataset", "out")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt("interrupted mid-write")

    with monkeypatch.context() as patch:
        patch.setattr(damascus_ie.core.io.os, "replace", interrupted)  # the temp file is written, the rename never happens
        assert cli.main(["labelstudio", "pull", "--project", title]) == 130  # Ctrl-C's exit status, no traceback
    assert tree_bytes(repo_copy, "annotations", "dataset", "out") == before

    assert cli.main(["labelstudio", "pull", "--project", title]) == 0
    pulled = json.loads((repo_copy / pull_file(title)).read_text(encoding="utf-8"))
    pulled["annotations"][0]["document"]["mentions"][4]["type"] = "LOC"
    pulled["annotations"][0]["named"] = True
    (repo_copy / pull_file(title)).write_text(json.dumps(pulled), encoding="utf-8")
    after_pull = tree_bytes(repo_copy, "annotations", "dataset", "out")
    real_write = damascus_ie.dataset.versioning.write_dataset

    def write_then_fail(root: Path) -> None:
        real_write(root)
        raise KeyboardInterrupt("interrupted after the rebuild")

    monkeypatch.setattr(damascus_ie.dataset.versioning, "write_dataset", write_then_fail)
    assert cli.main(["labelstudio", "review", "--project", title]) == 130
    assert tree_bytes(repo_copy, "annotations", "dataset", "out") == after_pull


def test_correction_mode_gets_its_own_project_that_pre_fills_with_gold_ids(ls: LabelStudio, ls_env: None,
                                                                           repo_copy: Path) -> None:
    from damascus_ie.labelstudio.client import correction_title
    from damascus_ie.labelstudio.push import correction_documents

    _, gold = load_gold(repo_copy)
    assert cli.main(["labelstudio", "push", "--from-extractor", "rules"]) == 0
    assert cli.main(["labelstudio", "push", "--from-extractor", "rules"]) == 0  # idempotent
    project = find_project(ls, correction_title("rules"))
    assert (project.model_version, project.show_collab_predictions) == ("extractor-rules", True)  # pre-fills
    expected = pre_annotations(correction_documents("rules", gold), gold=False)
    tasks = list(ls.tasks.list(project=project.id))
    assert sorted(t.data["doc_id"] for t in tasks) == sorted(expected)
    for task in tasks:
        (prediction,) = ls.predictions.list(task=task.id)
        assert prediction.result == expected[task.data["doc_id"]]
        assert any(item.get("from_name") == "mention" for item in prediction.result)
    assert find_project(ls, "Damascus-IE") is None or find_project(ls, "Damascus-IE").id != project.id


def test_an_annotation_saved_by_someone_else_counts_for_no_one(ls: LabelStudio, ls_server: Server, ls_env: None,
                                                               title: str, repo_copy: Path, seed_document: dict,
                                                               capsys: pytest.CaptureFixture) -> None:
    """Label Studio Community lets anyone press Update on anyone's annotation; pull refuses the edited one."""
    publish_fixture_gold(repo_copy, seed_document)
    assert cli.main(["labelstudio", "push", "--project", title]) == 0
    project = find_project(ls, title)
    (task,) = [t for t in ls.tasks.list(project=project.id) if t.data["doc_id"] == seed_document["id"]]
    _, cem = add_person(ls, ls_server.url, f"c-{title}", "Cem", "Second")
    mine = cem.api("POST", f"/api/tasks/{task.id}/annotations/", {"result": document_to_results(seed_document)})
    assert cli.main(["labelstudio", "pull", "--project", title]) == 0  # his own: valid

    ls.annotations.update(id=mine["id"], result=document_to_results(seed_document))  # the admin presses Update
    capsys.readouterr()
    assert cli.main(["labelstudio", "pull", "--project", title]) == 2
    out = capsys.readouterr().out
    assert f"annotation {mine['id']} by Cem Second" in out and "last saved by admin@example.com, not its author" in out
    assert read_pull(repo_copy / pull_file(title), {seed_document["id"]: seed_document["text"]}) == []


def test_pulling_a_second_project_keeps_the_first_pull(ls: LabelStudio, ls_env: None, repo_copy: Path,
                                                       seed_document: dict) -> None:
    docs = [seed_document]
    titles = [f"first-{uuid.uuid4().hex[:6]}", f"second-{uuid.uuid4().hex[:6]}"]
    for title in titles:
        report = push(ls, docs, pre_annotations(docs, gold=True), "gold-test", title)
        accept_predictions(ls, report.project_id)
        assert cli.main(["labelstudio", "pull", "--project", title]) == 0
    first, second = (json.loads((repo_copy / pull_file(t)).read_text(encoding="utf-8")) for t in titles)
    assert (first["project"], second["project"]) == tuple(titles)
    assert len(first["annotations"]) == len(second["annotations"]) == 1
