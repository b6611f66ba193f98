"""Turns an extractor name into an extractor: five ways in, one protocol out.

  spacy, rules, oracle, empty     the built-ins
  NAME                            an entry point in the `damascus_ie.extractors` group
  module:attribute                a Python object (an instance, or a class/factory called without arguments)
  cmd:<shell command>             any program: document JSON on stdin, predictions record on stdout
  file:<predictions.jsonl>        precomputed predictions, one record per line (a sidecar
                                  <predictions>.meta.json may give name, settings, tuned_on_test_texts)

Every failure is an `InvalidInput` naming the extractor, the document and the
reason, so the CLI prints it instead of a traceback.
"""

from __future__ import annotations

import inspect
import json
import subprocess
from collections.abc import Callable
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from damascus_ie.core.io import read_json, read_jsonl
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import Document
from damascus_ie.leaderboard.extractors.base import Extractor, Prediction

ENTRY_POINT_GROUP = "damascus_ie.extractors"
BUILTINS: dict[str, str] = {
    "spacy": "damascus_ie.leaderboard.extractors.spacy_extractor:SpacyExtractor",
    "rules": "damascus_ie.leaderboard.extractors.rules:RulesExtractor",
    "oracle": "damascus_ie.leaderboard.extractors.anchors:OracleExtractor",
    "empty": "damascus_ie.leaderboard.extractors.anchors:EmptyExtractor",
}
DEFAULT_EXTRACTORS: tuple[str, ...] = ("spacy", "rules", "oracle", "empty")
COMMAND_TIMEOUT = 120.0


def _fail(where: str, reason: str, document: str | None = None) -> InvalidInput:
    return InvalidInput([Problem(where, document, None, None, reason)])


class CommandExtractor:
    """Runs a shell command once per document; it reads the document JSON on stdin, writes one record on stdout."""

    def __init__(self, command: str, timeout: float = COMMAND_TIMEOUT) -> None:
        self.command, self.timeout = command, timeout
        self.name = f"cmd:{command}"
        self.settings: dict[str, Any] = {"command": command, "timeout_s": timeout}

    def extract(self, document: dict[str, Any]) -> Prediction:
        doc_id = document["id"]
        try:
            done = subprocess.run(self.command, shell=True, input=json.dumps(document, ensure_ascii=False),
                                  capture_output=True, text=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise _fail(self.name, f"timed out after {self.timeout:g} s", doc_id) from None
        if done.returncode != 0:
            detail = done.stderr.strip().splitlines()[-1:] or ["no stderr"]
            raise _fail(self.name, f"exited with status {done.returncode}: {detail[0]}", doc_id)
        try:
            record = json.loads(done.stdout)
        except json.JSONDecodeError as error:
            raise _fail(self.name, f"stdout is not a JSON predictions record: {error}", doc_id) from None
        return _checked_record(record, doc_id, self.name)


def sidecar_path(path: Path) -> Path:
    """`preds.jsonl` -> `preds.meta.json`: where a predictions file says how it was made."""
    return path.with_name(path.name.removesuffix(".jsonl") + ".meta.json")


def read_sidecar(path: Path) -> dict[str, Any]:
    """The sidecar's `name`, `settings` and `tuned_on_test_texts`, checked; {} when there is none."""
    sidecar = sidecar_path(path)
    if not sidecar.exists():
        return {}
    data = read_json(sidecar)
    expected = {"name": str, "settings": dict, "tuned_on_test_texts": bool}
    problems = [Problem(str(sidecar), None, None, None, "expected a JSON object with name, settings and "
                        "tuned_on_test_texts")] if not isinstance(data, dict) else []
    for key, value in (data.items() if isinstance(data, dict) else ()):
        if key not in expected:
            problems.append(Problem(str(sidecar), None, None, key, f"unknown key; expected {', '.join(expected)}"))
        elif not isinstance(value, expected[key]) or (isinstance(value, str) and not value.strip()):
            problems.append(Problem(str(sidecar), None, None, key,
                                    f"expected a {'non-empty ' if key == 'name' else ''}{expected[key].__name__}, "
                                    f"got {value!r}"))
    if problems:
        raise InvalidInput(problems)
    return data


class FileExtractor:
    """Precomputed predictions: a JSONL file of records, looked up by document id.

    A sidecar `<name>.meta.json` next to the file may say how they were made: `name` (the row's name),
    `settings` and `tuned_on_test_texts` (whether the system was developed with the test texts in view).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        meta = read_sidecar(path)
        self.name = meta.get("name", f"file:{path}")
        self.settings: dict[str, Any] = {**meta.get("settings", {}), "file": str(path)}
        self.tuned_on_test_texts: bool | None = meta.get("tuned_on_test_texts")
        self._records: dict[str, tuple[int, Any]] = {}
        problems = []
        for line, record in read_jsonl(path):
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                problems.append(Problem(str(path), None, None, "id", "expected a record with a string id", line))
            elif record["id"] in self._records:
                problems.append(Problem(str(path), record["id"], None, "id", "duplicate document id", line))
            else:
                self._records[record["id"]] = (line, record)
        if problems:
            raise InvalidInput(problems)

    def extract(self, document: dict[str, Any]) -> Prediction:
        if document["id"] not in self._records:
            raise InvalidInput([Problem(str(self.path), document["id"], None, "id",
                                        "no predictions for this document")])
        return self._records[document["id"]][1]


def _checked_record(record: Any, doc_id: str, where: str) -> Prediction:
    if not isinstance(record, dict):
        raise _fail(where, f"expected a predictions record object, got {type(record).__name__}", doc_id)
    record.setdefault("id", doc_id)
    if record["id"] != doc_id:
        raise _fail(where, f"answered for document {record['id']!r}", doc_id)
    return record


def _instantiate(target: Any, spec: str, gold: list[Document] | None) -> Extractor:
    """An instance is used as is; a class or factory is called, with the gold if it asks for it (the oracle)."""
    if inspect.isclass(target) or (callable(target) and not isinstance(target, Extractor)):
        factory: Callable[..., Any] = target
        wants_gold = "gold" in inspect.signature(factory).parameters
        target = factory(gold=gold) if wants_gold else factory()
    if not isinstance(target, Extractor):
        raise _fail(spec, "not an extractor: needs `name`, `settings` and `extract(document)`")
    return target


def _load(target: str, spec: str) -> Any:
    module, _, attribute = target.partition(":")
    try:
        value: Any = import_module(module)
    except ImportError as error:
        raise _fail(spec, f"cannot import module {module!r}: {error}") from None
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise _fail(spec, f"module {module!r} has no attribute {attribute!r}")
        value = getattr(value, part)
    return value


def available() -> list[str]:
    """Names accepted without a prefix: built-ins, then installed entry points."""
    return [*BUILTINS, *sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name not in BUILTINS)]


def resolve(spec: str, gold: list[Document] | None = None) -> Extractor:
    """The extractor a name stands for (see the module docstring); `gold` is handed to extractors that take it."""
    if spec.startswith("cmd:"):
        if not spec[4:].strip():
            raise _fail(spec, "empty command")
        return CommandExtractor(spec[4:])
    if spec.startswith("file:"):
        return FileExtractor(Path(spec[5:]))
    if spec in BUILTINS:
        return _instantiate(_load(BUILTINS[spec], spec), spec, gold)
    plugin = next(iter(entry_points(group=ENTRY_POINT_GROUP, name=spec)), None)
    if plugin is not None:
        return _instantiate(plugin.load(), spec, gold)
    if ":" in spec:
        return _instantiate(_load(spec, spec), spec, gold)
    raise _fail(spec, f"unknown extractor; use one of {', '.join(available())}, module:attribute, cmd:<command> "
                      "or file:<predictions.jsonl>")
