"""Every way in resolves to the same protocol, and every failure names extractor, document and reason."""

from __future__ import annotations

import json
import stat
import textwrap
import time
from pathlib import Path

import pytest

from damascus_ie.core.problems import InvalidInput
from damascus_ie.leaderboard.extractors.base import Extractor, input_view
from damascus_ie.leaderboard.extractors.registry import BUILTINS, CommandExtractor, resolve

DOC = {"id": "d1", "text": "Rebels entered Damascus.", "boilerplate": []}


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtins_follow_the_protocol(name: str, gold_documents: list) -> None:
    extractor = resolve(name, gold=gold_documents)
    assert isinstance(extractor, Extractor)
    assert extractor.name == name
    assert isinstance(extractor.settings, dict)


def test_oracle_answers_with_the_gold_layers_and_empty_with_nothing(gold_documents: list) -> None:
    gold = gold_documents[0]
    oracle = resolve("oracle", gold=gold_documents).extract(input_view(gold))
    assert oracle == {"id": gold["id"], "mentions": gold["mentions"], "events": gold["events"],
                      "attributions": gold["attributions"]}
    assert resolve("empty").extract(input_view(gold)) == {"id": gold["id"], "mentions": [], "events": [],
                                                          "attributions": []}


def test_extractors_never_see_the_gold_layers(gold_documents: list) -> None:
    assert set(input_view(gold_documents[0])) == {"id", "text", "boilerplate"}


def _plugin_module(path: Path) -> None:
    path.joinpath("my_plugin.py").write_text(textwrap.dedent("""
        class Upper:
            name = "upper"
            def __init__(self):
                self.settings = {"case": "upper"}
            def extract(self, document):
                return {"id": document["id"], "mentions": [], "events": [], "attributions": []}
        INSTANCE = Upper()
        class Plain:
            name = "plain"
            settings = {}
            def extract(self, document):
                return {"id": document["id"]}
        def make():
            return Plain()
        NOT_AN_EXTRACTOR = object()
    """), encoding="utf-8")


def test_module_attribute_accepts_a_class_a_factory_or_an_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _plugin_module(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert resolve("my_plugin:Upper").settings == {"case": "upper"}
    assert resolve("my_plugin:INSTANCE").extract(DOC)["id"] == "d1"
    assert resolve("my_plugin:Plain").extract(DOC) == {"id": "d1"}  # class attributes alone do not make an instance
    assert resolve("my_plugin:make").name == "plain"
    with pytest.raises(InvalidInput, match="not an extractor"):
        resolve("my_plugin:NOT_AN_EXTRACTOR")
    with pytest.raises(InvalidInput, match="no attribute"):
        resolve("my_plugin:Missing")
    with pytest.raises(InvalidInput, match="cannot import"):
        resolve("no_such_module_here:X")


def test_entry_point_group_is_searched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _plugin_module(tmp_path)
    dist = tmp_path / "my_plugin-1.0.dist-info"
    dist.mkdir()
    dist.joinpath("METADATA").write_text("Metadata-Version: 2.1\nName: my-plugin\nVersion: 1.0\n", encoding="utf-8")
    dist.joinpath("entry_points.txt").write_text("[damascus_ie.extractors]\nshouty = my_plugin:Upper\n",
                                                  encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert resolve("shouty").name == "upper"


def test_unknown_name_lists_the_choices() -> None:
    with pytest.raises(InvalidInput, match="unknown extractor; use one of spacy, spacy-untuned, rules, oracle, empty"):
        resolve("nonsense")


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "extractor.sh"
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@pytest.mark.parametrize(("body", "reason"), [
    ("echo broken >&2; exit 3\n", "exited with status 3: broken"),
    ("echo '{not json'\n", "stdout is not a JSON predictions record"),
    ("echo '[1, 2]'\n", "expected a predictions record object, got list"),
    ("echo '{\"id\": \"other\"}'\n", "answered for document 'other'"),
])
def test_command_failures_name_command_document_and_reason(tmp_path: Path, body: str, reason: str) -> None:
    command = _script(tmp_path, "cat >/dev/null\n" + body)
    with pytest.raises(InvalidInput) as raised:
        resolve(f"cmd:{command}", cmd_mode="per-document").extract(DOC)
    problem = raised.value.problems[0]
    assert problem.file == f"cmd:{command}"
    assert problem.document == "d1"
    assert reason in problem.reason


@pytest.mark.parametrize(("body", "reason"), [
    ("read -r line; echo broken >&2; exit 3\n", "exited with status 3 before answering: broken"),
    ("while read -r line; do echo '{not json'; done\n", "output line is not a JSON predictions record"),
    ("while read -r line; do echo '[1, 2]'; done\n", "expected a predictions record object, got list"),
])
def test_streaming_command_failures_name_command_document_and_reason(tmp_path: Path, body: str,
                                                                     reason: str) -> None:
    extractor = resolve(f"cmd:{_script(tmp_path, body)}")
    with pytest.raises(InvalidInput) as raised:
        extractor.extract(DOC)
    extractor.close()
    assert raised.value.problems[0].document == "d1" and reason in raised.value.problems[0].reason


@pytest.mark.parametrize("mode", ["stream", "per-document"])
def test_command_timeout_is_reported_and_ends_the_process_group(tmp_path: Path, mode: str) -> None:
    marker = tmp_path / "grandchild.pid"
    extractor = CommandExtractor(f"sleep 30 & echo $! > {marker}; wait", timeout=0.5, mode=mode)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"timed out after 0\.5 s"):
        extractor.extract(DOC)
    pid = int(marker.read_text())
    time.sleep(0.2)
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower() \
        or " Z " in Path(f"/proc/{pid}/stat").read_text()


def test_streaming_command_runs_once_for_all_documents(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    command = _script(tmp_path, f'echo started >> {starts}\n'
                      'sed -u -n \'s/.*"id": "\\([^"]*\\)".*/{"id": "\\1", "mentions": []}/p\'\n')
    extractor = resolve(f"cmd:{command}")
    assert [extractor.extract({**DOC, "id": f"d{i}"})["id"] for i in range(3)] == ["d0", "d1", "d2"]
    extractor.close()
    assert starts.read_text().count("started") == 1


def test_command_receives_the_document_on_stdin(tmp_path: Path) -> None:
    command = _script(tmp_path, 'sed -n \'s/.*"id": "\\([^"]*\\)".*/{"id": "\\1", "mentions": []}/p\'\n')
    assert resolve(f"cmd:{command}", cmd_mode="per-document").extract(DOC) == {"id": "d1", "mentions": []}


def test_precomputed_file(tmp_path: Path) -> None:
    path = tmp_path / "preds.jsonl"
    path.write_text(json.dumps({"id": "d1", "mentions": []}) + "\n", encoding="utf-8")
    extractor = resolve(f"file:{path}")
    assert extractor.extract(DOC) == {"id": "d1", "mentions": []}
    with pytest.raises(InvalidInput, match="no predictions for this document"):
        extractor.extract({**DOC, "id": "d2"})
    path.write_text('{"id": "d1"}\n{"id": "d1"}\n{oops\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="malformed JSON") as raised:
        resolve(f"file:{path}")
    assert raised.value.problems[0].line == 3


def test_the_readme_extractor_example_runs_from_the_current_directory(repo_root: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's ten-line extractor, saved in the cwd, is found by module:attribute and named by its class."""
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    code = readme.split("# my_extractor.py, in the current directory")[1].split("```")[0].split("\n", 1)[1]
    (tmp_path / "my_readme_extractor.py").write_text(code, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    extractor = resolve("my_readme_extractor:Capitals")
    assert extractor.name == "Capitals" and extractor.settings == {}
    record = extractor.extract(input_view(DOC))
    assert [m["start"] for m in record["mentions"]] == [0, 15]  # "Rebels", "Damascus"
