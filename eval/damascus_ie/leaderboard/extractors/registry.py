"""Turns an extractor name into an extractor: five ways in, one protocol out.

  spacy, spacy-untuned, rules,    the built-ins
  oracle, empty
  llm, llm:<model>, llm:k=v,...   a model behind any OpenAI-compatible endpoint (extractors/llm.py)
  NAME                            an entry point in the `damascus_ie.extractors` group
  module:attribute                a Python object with `extract(document)` (an instance, or a class/factory
                                  called without arguments); modules are also found in the current directory
  cmd:<shell command>             any program, started once: one document JSON per line on stdin, one
                                  predictions record per line on stdout (mode="per-document": one process
                                  per document, the document on stdin, the record on stdout)
  file:<predictions.jsonl>        precomputed predictions, one record per line (a sidecar
                                  <predictions>.meta.json may give name, settings, tuned_on_test_texts)

Only the built-in oracle is handed the gold, by name; every other extractor
sees only each document's input view. Every failure is an `InvalidInput`
naming the extractor, the document and the reason, so the CLI prints it
instead of a traceback.
"""

from __future__ import annotations

import contextlib
import glob
import inspect
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from damascus_ie.core.io import read_json, read_jsonl, write_json
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import Document
from damascus_ie.leaderboard.extractors.base import Extractor, Prediction

if TYPE_CHECKING:
    from importlib.metadata import EntryPoints

ENTRY_POINT_GROUP = "damascus_ie.extractors"
BUILTINS: dict[str, str] = {
    "spacy": "damascus_ie.leaderboard.extractors.spacy_extractor:SpacyExtractor",
    "spacy-untuned": "damascus_ie.leaderboard.extractors.spacy_untuned:UntunedSpacyExtractor",
    "rules": "damascus_ie.leaderboard.extractors.rules:RulesExtractor",
    "oracle": "damascus_ie.leaderboard.extractors.anchors:OracleExtractor",
    "empty": "damascus_ie.leaderboard.extractors.anchors:EmptyExtractor",
}
DEFAULT_EXTRACTORS: tuple[str, ...] = ("spacy", "spacy-untuned", "rules", "oracle", "empty")
COMMAND_TIMEOUT = 120.0


def _fail(where: str, reason: str, document: str | None = None, hint: str | None = None) -> InvalidInput:
    return InvalidInput([Problem(where, document, None, None, reason, hint=hint)])


CommandMode = Literal["stream", "per-document"]


def _end_group(process: subprocess.Popen) -> None:
    """Ends the command and everything it started (its process group): no `sleep` grandchild survives."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class CommandExtractor:
    """Any program. Streaming (default): started once, one document per line in, one record per line out.

    `mode="per-document"` starts it once per document (document JSON on stdin, one record on stdout). A
    document taking longer than `timeout` seconds ends the command's whole process group.
    """

    def __init__(self, command: str, timeout: float = COMMAND_TIMEOUT, mode: CommandMode = "stream") -> None:
        self.command, self.timeout, self.mode = command, timeout, mode
        self.name = f"cmd:{command}"
        self.settings: dict[str, Any] = {"command": command, "timeout_s": timeout, "mode": mode}
        self._process: subprocess.Popen | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: list[str] = []
        self._stderr_reader = threading.Thread()

    def extract(self, document: dict[str, Any]) -> Prediction:
        if self.mode == "per-document":
            return self._extract_once(document)
        return self._extract_streaming(document)

    def _start(self, stdin: int = subprocess.PIPE) -> subprocess.Popen:
        try:
            return subprocess.Popen(self.command, shell=True, stdin=stdin, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
                                    start_new_session=True)
        except OSError as error:
            raise _fail(self.name, f"cannot start: {error}") from None

    def _extract_once(self, document: dict[str, Any]) -> Prediction:
        doc_id = document["id"]
        process = self._start()
        try:
            out, err = process.communicate(json.dumps(document, ensure_ascii=False), timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _end_group(process)
            raise _fail(self.name, f"timed out after {self.timeout:g} s", doc_id) from None
        except BrokenPipeError:
            out, err = process.communicate()
        if process.returncode != 0:
            detail = err.strip().splitlines()[-1:] or ["no stderr"]
            raise _fail(self.name, f"exited with status {process.returncode}: {detail[0]}", doc_id)
        try:
            record = json.loads(out)
        except json.JSONDecodeError as error:
            raise _fail(self.name, f"stdout is not a JSON predictions record: {error}", doc_id) from None
        return _checked_record(record, doc_id, self.name)

    def _extract_streaming(self, document: dict[str, Any]) -> Prediction:
        doc_id = document["id"]
        if self._process is None:
            self._process = self._start()
            threading.Thread(target=_pump, args=(self._process.stdout, self._lines), daemon=True).start()
            self._stderr_reader = threading.Thread(target=self._stderr.extend, args=(self._process.stderr,),
                                                   daemon=True)
            self._stderr_reader.start()
        process = self._process
        try:
            assert process.stdin is not None
            process.stdin.write(json.dumps(document, ensure_ascii=False) + "\n")
            process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # it exited; the read below says how
        try:
            line = self._lines.get(timeout=self.timeout)
        except queue.Empty:
            self.close()
            raise _fail(self.name, f"timed out after {self.timeout:g} s waiting for one line of output", doc_id,
                        hint="a streaming command must flush stdout after each line (sed -u, python -u); one that "
                        "reads all of stdin before answering needs --cmd-mode per-document") from None
        if line is None:
            code = process.wait()
            self._stderr_reader.join(timeout=2)
            detail = "".join(self._stderr).strip().splitlines()[-1:] or ["no stderr"]
            self._process = None
            raise _fail(self.name, f"exited with status {code} before answering: {detail[0]}", doc_id)
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            self.close()
            raise _fail(self.name, f"output line is not a JSON predictions record: {error}", doc_id) from None
        return _checked_record(record, doc_id, self.name)

    def close(self) -> None:
        """Ends the streaming process (stdin closed first, so a well-behaved command exits on its own)."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=2)
        except (subprocess.TimeoutExpired, OSError):
            pass
        _end_group(process)
        self._lines = queue.Queue()


def _pump(stream: Any, lines: queue.Queue[str | None]) -> None:
    """Output lines into a queue, then None at end of stream, so a read can wait with a timeout."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def sidecar_path(path: Path) -> Path:
    """`preds.jsonl` -> `preds.meta.json`: where a predictions file says how it was made."""
    return path.with_name(path.name.removesuffix(".jsonl") + ".meta.json")


def write_sidecar(path: Path, extractor: Extractor) -> Path:
    """Writes `<name>.meta.json` beside a predictions file: how they were made, for `file:` to read back."""
    flag = getattr(extractor, "tuned_on_test_texts", None)
    meta: dict[str, Any] = {"name": extractor.name,
                            "settings": {k: v for k, v in dict(extractor.settings).items() if k != "file"}}
    if isinstance(flag, bool):
        meta["tuned_on_test_texts"] = flag
    sidecar = sidecar_path(path)
    write_json(sidecar, meta)
    return sidecar


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

    def unknown_documents(self, ids: set[str]) -> list[Problem]:
        """Records for documents that are not in the split: refused, as `score` refuses them."""
        return [Problem(str(self.path), doc_id, None, "id", "unknown document id: not in the test split", line)
                for doc_id, (line, _) in self._records.items() if doc_id not in ids]

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


class _Adapted:
    """Any object with `extract(document)`, given the protocol's `name` (its class name) and `settings` ({})."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.name = str(getattr(target, "name", None) or type(target).__name__)
        settings = getattr(target, "settings", None)
        self.settings: dict[str, Any] = dict(settings) if isinstance(settings, dict) else {}

    def extract(self, document: dict[str, Any]) -> Prediction:
        return self.target.extract(document)


def _instantiate(target: Any, spec: str, gold: list[Document] | None) -> Extractor:
    """An instance is used as is; a class or factory is called without arguments (the oracle alone gets the gold)."""
    if inspect.isclass(target) or (callable(target) and not callable(getattr(target, "extract", None))):
        try:
            factory: Callable[..., Any] = target
            target = factory(gold=gold) if spec == "oracle" and spec in BUILTINS else factory()
        except InvalidInput:
            raise
        except Exception as error:
            raise _fail(spec, f"constructing the extractor failed: {type(error).__name__}: {error}") from None
    if not callable(getattr(target, "extract", None)):
        raise _fail(spec, "not an extractor: needs a method `extract(document)` returning a predictions record")
    if not isinstance(target, Extractor):
        return _Adapted(target)
    return target


def _load(target: str, spec: str) -> Any:
    module, _, attribute = target.partition(":")
    if not module or not attribute:
        raise _fail(spec, "expected module:attribute, e.g. my_extractor:MyExtractor")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.append(os.getcwd())  # `module:attribute` finds a module in the current directory, as `python -m` does
    try:
        value: Any = import_module(module)
    except ImportError as error:
        raise _fail(spec, f"cannot import module {module!r}: {error}") from None
    except Exception as error:
        raise _fail(spec, f"importing module {module!r} failed: {type(error).__name__}: {error}") from None
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise _fail(spec, f"module {module!r} has no attribute {attribute!r}")
        value = getattr(value, part)
    return value


def _plugins(name: str | None = None) -> EntryPoints:
    """Installed extractor entry points (only `name` if given); importlib.metadata is imported here, not at start-up."""
    from importlib.metadata import entry_points

    group = entry_points(group=ENTRY_POINT_GROUP)
    return group if name is None else group.select(name=name)


def expand_names(specs: list[str]) -> list[str]:
    """`file:` specs with a wildcard become one spec per matching file, in name order: `file:out/benchmark/
    predictions/*.jsonl` re-scores a whole leaderboard from its saved predictions (and anyone's file beside them)."""
    expanded: list[str] = []
    for spec in specs:
        pattern = spec[5:] if spec.startswith("file:") else ""
        matches = sorted(glob.glob(pattern)) if pattern and glob.has_magic(pattern) else []
        expanded += [f"file:{match}" for match in matches] or [spec]
    return expanded


def available() -> list[str]:
    """Names accepted without a prefix: built-ins, then installed entry points."""
    return [*BUILTINS, "llm", *sorted(ep.name for ep in _plugins() if ep.name not in BUILTINS)]


def needs_gold(spec: str) -> bool:
    """Only the built-in oracle is given the gold."""
    return spec == "oracle"


def resolve(spec: str, gold: list[Document] | None = None, *, timeout: float = COMMAND_TIMEOUT,
            cmd_mode: CommandMode = "stream", llm_options: Mapping[str, str | None] | None = None) -> Extractor:
    """The extractor a name stands for (see the module docstring); `gold` goes to the built-in oracle only.

    `llm_options` (the CLI's `--llm-*` flags) configure `llm` on top of its spec and $DAMASCUS_IE_LLM_*.
    """
    if spec == "llm" or spec.startswith("llm:"):
        from damascus_ie.leaderboard.extractors.llm import from_spec  # its HTTP and threading only when asked for
        return from_spec(spec[4:], llm_options)
    if spec.startswith("cmd:"):
        if not spec[4:].strip():
            raise _fail(spec, "empty command")
        return CommandExtractor(spec[4:], timeout=timeout, mode=cmd_mode)
    if spec.startswith("file:"):
        if not spec[5:].strip():
            raise _fail(spec, "empty file name")
        return FileExtractor(Path(spec[5:]))
    if spec in BUILTINS:
        return _instantiate(_load(BUILTINS[spec], spec), spec, gold)
    plugin = next(iter(_plugins(name=spec)), None)
    if plugin is not None:
        return _instantiate(plugin.load(), spec, gold)
    if ":" in spec:
        return _instantiate(_load(spec, spec), spec, gold)
    raise _fail(spec, f"unknown extractor; use one of {', '.join(available())}, module:attribute, cmd:<command> "
                      "or file:<predictions.jsonl>")
