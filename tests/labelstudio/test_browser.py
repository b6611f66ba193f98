"""The contributor's path in the real web UI: headless Chromium against the real server, then `pull`.

An annotator logs in, opens a pushed task (pre-filled from the gold), relabels one mention, draws one new mention
by selecting its text, gives it a level and an identity, and submits. `pull` must return exactly those two
changes, every other record with its id. The screenshot of the labeling view with the new region selected is the
one in CONTRIBUTING.md (written to docs/ when DAMASCUS_IE_DOCS_SCREENSHOT=1).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from label_studio_sdk import LabelStudio

from damascus_ie import cli
from damascus_ie.core.io import load_gold
from damascus_ie.core.paths import pull_file
from damascus_ie.labelstudio.client import find_project
from damascus_ie.labelstudio.pull import read_pull
from damascus_ie.labelstudio.review import label_changes
from damascus_ie.labelstudio.server import Server

from .browser import CHROMIUM, Labeling, chromium
from .conftest import CREDENTIALS, SEED_000

pytestmark = [pytest.mark.labelstudio, pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make setup)")]
SCREENSHOT = Path("docs") / "labelstudio-labeling.png"


def test_relabel_and_draw_in_the_browser_then_pull_exactly_those_changes(
        ls: LabelStudio, ls_server: Server, ls_env: None, title: str, repo_copy: Path, repo_root: Path,
        seed_document: dict, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from .test_labelstudio import publish_fixture_gold

    publish_fixture_gold(repo_copy, seed_document)
    assert cli.main(["labelstudio", "push", "--project", title]) == 0
    project = find_project(ls, title)
    task = next(t for t in ls.tasks.list(project=project.id) if t.data["doc_id"] == SEED_000)
    source = next(m for m in seed_document["mentions"] if m["text"] == "a source")
    city = seed_document["text"].index("the city")

    started = time.monotonic()
    with chromium() as context:
        ui = Labeling(context, ls_server.url)
        ui.log_in(CREDENTIALS.username, CREDENTIALS.password)
        ui.open_task(project.id, task.id)
        assert CREDENTIALS.username.split("@")[0] + "@" in ui.visible_text()  # the task view tabs annotations by author
        ui.select_region(source["id"])  # relabel: a source PER -> ORG
        ui.click_label(0, "ORG")
        ui.deselect()
        ui.click_label(0, "GPE")  # draw: 'the city' as a GPE mention of damascus
        ui.select_text("the city")
        ui.select_region_with_text("city")
        ui.tick("NOM")
        ui.type_identity("damascus")
        ui.screenshot(tmp_path / SCREENSHOT.name)
        ui.submit()
    seconds = time.monotonic() - started
    if os.environ.get("DAMASCUS_IE_DOCS_SCREENSHOT"):
        shutil.copy2(tmp_path / SCREENSHOT.name, repo_root / SCREENSHOT)
    assert (tmp_path / SCREENSHOT.name).stat().st_size > 50_000

    capsys.readouterr()
    assert cli.main(["labelstudio", "pull", "--project", title]) == 0, capsys.readouterr()
    pulled = read_pull(repo_copy / pull_file(title), {d["id"]: d["text"] for d in load_gold(repo_copy)[1]})
    (mine,) = [p for p in pulled if p.document["id"] == SEED_000]
    new_id = f"m{len(seed_document['mentions']) + 1}"  # the next free number, not Label Studio's random id
    assert label_changes(seed_document, mine.document) == [
        f"{SEED_000}: mentions added: {new_id} GPE 'the city' [{city}, {city + 8})",
        f"{SEED_000}: mentions changed: {source['id']} 'a source' [{source['start']}, {source['end']}) "
        "(type 'PER' -> 'ORG')",
    ]
    added = next(m for m in mine.document["mentions"] if m["id"] == new_id)
    assert (added["level"], added["entity"]) == ("NOM", "damascus")
    print(f"browser session (log in, open, relabel, draw, submit): {seconds:.1f} s")


def test_a_second_annotator_joins_by_invite_and_gets_a_copy_of_her_own(
        ls: LabelStudio, ls_server: Server, ls_env: None, title: str, repo_copy: Path, seed_document: dict,
        capsys: pytest.CaptureFixture) -> None:
    """CONTRIBUTING.md's second annotator: invite link, her own name, Label All Tasks gives her a fresh copy of the
    pre-annotations (not the first annotator's work), she submits it, and pull keeps both annotations apart."""
    from .conftest import add_person
    from .test_labelstudio import accept_predictions, publish_fixture_gold

    publish_fixture_gold(repo_copy, seed_document)
    assert cli.main(["labelstudio", "push", "--project", title]) == 0
    project = find_project(ls, title)
    first = next(t for t in ls.tasks.list(project=project.id) if t.data["doc_id"] == SEED_000)
    accept_predictions(ls, project.id)  # the first annotator (the admin) has done every task
    add_person(ls, ls_server.url, f"bea-{title}", "Bea", "Second")

    with chromium() as context:
        ui = Labeling(context, ls_server.url)
        ui.log_in(f"bea-{title}@example.com", "annotator-pw-1")
        ui.open_stream(project.id)
        assert ui.region(seed_document["mentions"][0]["id"]).is_visible()  # pre-filled from the gold
        # nobody else's annotation on screen (the task view's tabs would show "admin@ex...le.com")
        assert CREDENTIALS.username.split("@")[0] + "@" not in ui.visible_text()
        ui.submit()

    capsys.readouterr()
    assert cli.main(["labelstudio", "pull", "--project", title]) == 0, capsys.readouterr()
    gold = {d["id"]: d for d in load_gold(repo_copy)[1]}
    pulled = read_pull(repo_copy / pull_file(title), {d: g["text"] for d, g in gold.items()})
    (hers,) = [p for p in pulled if p.annotator == "Bea Second"]  # one task from the stream, under her chosen name
    assert hers.named and label_changes(gold[hers.document["id"]], hers.document) == []  # the pre-annotations as-is
    assert sorted(p.annotator for p in pulled if p.task == hers.task) == ["Bea Second", CREDENTIALS.username]
    assert first.id in {p.task for p in pulled}
