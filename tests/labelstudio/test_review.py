"""Review without a server: the dry run is the release minus the swap, the CHANGELOG credits chosen names only,
and each project's pull has its own file."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from damascus_ie import cli
from damascus_ie.core.io import atomic_write_text, load_gold
from damascus_ie.core.paths import pull_file
from damascus_ie.core.problems import InvalidInput
from damascus_ie.labelstudio.convert import chosen_name
from damascus_ie.labelstudio.pull import Pulled, PullResult, pull_file_text, write_pull


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for folder in ("annotations", "dataset")
            for p in sorted((root / folder).rglob("*")) if p.is_file()}


def write_pulled(root: Path, rows: list[Pulled], project: str = "Damascus-IE") -> None:
    atomic_write_text(root / pull_file(project), pull_file_text(PullResult(pulled=rows), project))


def relabelled(doc: dict, entity: str, new_type: str) -> tuple[dict, dict]:
    """The document with the last mention of `entity` retyped: (document, that mention)."""
    doc = copy.deepcopy(doc)
    mention = [m for m in doc["mentions"] if m["entity"] == entity][-1]
    mention["type"] = new_type
    return doc, mention


def test_dry_run_refuses_what_the_release_refuses_naming_task_annotator_and_region(
        repo_copy: Path, capsys: pytest.CaptureFixture) -> None:
    """A pull file checked against an older gold (or edited by hand) still meets every release check at the dry run."""
    _, gold = load_gold(repo_copy)
    doc, mention = relabelled(gold[0], "damascus", "LOC")
    write_pulled(repo_copy, [Pulled(12, 40, "Ann Example", False, doc)])
    before = tree_bytes(repo_copy)
    assert cli.main(["labelstudio", "review", "--dry-run"]) == 2
    out = capsys.readouterr().out
    assert f"mentions changed: {mention['id']} 'Damascus' [{mention['start']}, {mention['end']}) (type 'GPE' -> 'LOC')" in out
    assert (f"labelstudio task 12, annotation 40 by Ann Example, document {doc['id']}, record {mention['id']} "
            f"'Damascus' at [{mention['start']}, {mention['end']}), field entity: entity id 'damascus' is LOC here but "
            "GPE at ") in out
    assert "give this mention the type GPE or another entity id" in out and "annotations/gold.json" not in out
    assert tree_bytes(repo_copy) == before
    assert cli.main(["labelstudio", "review"]) == 2  # and the release itself refuses the same
    assert tree_bytes(repo_copy) == before


def test_dry_run_passes_only_what_the_release_then_publishes(repo_copy: Path, capsys: pytest.CaptureFixture) -> None:
    _, gold = load_gold(repo_copy)
    doc = copy.deepcopy(gold[0])
    doc["mentions"][0]["level"] = "NOM" if doc["mentions"][0]["level"] != "NOM" else "NAM"
    write_pulled(repo_copy, [Pulled(12, 40, "Ann Example", False, doc)])
    before = tree_bytes(repo_copy)
    assert cli.main(["labelstudio", "review", "--dry-run"]) == 0
    assert "every check of the release passed; nothing written" in capsys.readouterr().out
    assert tree_bytes(repo_copy) == before
    assert cli.main(["labelstudio", "review"]) == 0
    assert tree_bytes(repo_copy) != before


def test_changelog_credits_the_chosen_name_and_refuses_an_account_without_one(
        repo_copy: Path, capsys: pytest.CaptureFixture) -> None:
    _, gold = load_gold(repo_copy)
    doc = copy.deepcopy(gold[0])
    doc["mentions"][0]["level"] = "NOM" if doc["mentions"][0]["level"] != "NOM" else "NAM"
    write_pulled(repo_copy, [Pulled(12, 40, "ann@example.com", False, doc, named=False)])
    before = tree_bytes(repo_copy)
    assert cli.main(["labelstudio", "review"]) == 2
    out = capsys.readouterr().out
    assert "this account has no name to credit in the CHANGELOG" in out and "Account & Settings" in out
    assert tree_bytes(repo_copy) == before

    write_pulled(repo_copy, [Pulled(12, 40, "Ann Example", False, doc)])
    assert cli.main(["labelstudio", "review", "--accept", "Ann Example"]) == 0
    newest = (repo_copy / "dataset" / "CHANGELOG.md").read_text(encoding="utf-8").split("\n## ")[1]
    assert "annotation 40 by Ann Example" in newest and "@" not in newest


@pytest.mark.parametrize(("first", "last", "name"), [
    ("Ann", "Example", "Ann Example"), (" Ann ", "", "Ann"), ("", "", None), (None, None, None),
    ("ann@example.com", "", None),  # an e-mail address typed as a name is not a name
])
def test_a_chosen_name_is_first_and_last_name_and_never_an_address(first, last, name) -> None:
    assert chosen_name(first, last) == name


def test_each_project_pulls_to_its_own_file_and_never_overwrites_another(tmp_path: Path) -> None:
    assert pull_file("Damascus-IE") != pull_file("Damascus-IE correction spacy")
    path = tmp_path / pull_file("Damascus-IE")
    write_pull(path, PullResult(), "Damascus-IE")
    write_pull(path, PullResult(), "Damascus-IE")  # the same project again: replaced
    with pytest.raises(InvalidInput, match="holds the pull of project 'Damascus-IE'"):
        write_pull(path, PullResult(), "damascus ie")  # another title with the same file name
