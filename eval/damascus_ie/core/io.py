"""Reading and writing the project's files: seeds, annotation sources, JSONL.

Every reader turns malformed input into `InvalidInput` naming the file and line;
every writer is atomic (temp file + rename), so an interrupted run leaves the
previous file intact.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from damascus_ie.core.paths import repo_root
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import LAYERS, Document

GOLD_SOURCE = Path("annotations") / "gold.json"
MANIFEST = Path("seeds") / "manifest.json"


def read_seed_text(path: Path) -> str:
    """Seed bytes decoded exactly: no newline translation, no stripping."""
    return path.read_bytes().decode("utf-8")


def seed_texts(root: Path | None = None) -> dict[str, str]:
    seeds = (root or repo_root()) / "seeds"
    return {p.stem: read_seed_text(p) for p in sorted(seeds.glob("*.txt"))}


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput([Problem(str(path), None, None, None, "file not found")]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", None)
        raise InvalidInput([Problem(str(path), None, None, None, f"malformed JSON: {error}", line)]) from None


def parse_jsonl(path: Path) -> tuple[list[tuple[int, Any]], list[Problem]]:
    """(line, value) per non-blank line and a problem per malformed line, so a lenient caller can go on."""
    rows: list[tuple[int, Any]] = []
    problems: list[Problem] = []
    try:
        handle = path.open(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        raise InvalidInput([Problem(str(path), None, None, None, "file not found")]) from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    rows.append((number, json.loads(line)))
                except json.JSONDecodeError as error:
                    problems.append(Problem(str(path), None, None, None, f"malformed JSON: {error.msg}", number))
        except UnicodeDecodeError as error:
            raise InvalidInput([Problem(str(path), None, None, None, f"not UTF-8: {error}")]) from None
    return rows, problems


def read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, value) per non-blank line; all malformed lines reported together."""
    rows, problems = parse_jsonl(path)
    if problems:
        raise InvalidInput(problems)
    yield from rows


def load_annotation_source(path: Path) -> tuple[str | None, list[dict]]:
    """An annotation file (gold source or annotator pass): its version and its documents, text not included."""
    raw = read_json(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("documents"), list):
        raise InvalidInput([Problem(str(path), None, None, "documents", "expected an object with a 'documents' list")])
    return raw.get("version"), raw["documents"]


def seed_boilerplate(root: Path | None = None) -> dict[str, list[list[int]]]:
    """Boilerplate spans per document, from the seed manifest (their one home)."""
    return {r["id"]: r["boilerplate"] for r in read_json((root or repo_root()) / MANIFEST)}


def attach_texts(docs: list[dict], texts: dict[str, str], file: str,
                 boilerplate: dict[str, list[list[int]]] | None = None) -> list[Document]:
    """Joins annotation layers with their seed text, refusing documents that have no seed."""
    problems = [Problem(file, str(d.get("id")), None, "id", "no seed file for this document id")
                for d in docs if d.get("id") not in texts]
    if problems:
        raise InvalidInput(problems)
    boilerplate = boilerplate or {}
    out: list[Document] = []
    for doc in docs:
        spans = boilerplate.get(doc["id"], doc.get("boilerplate", []))
        full = {"id": doc["id"], "text": texts[doc["id"]], "boilerplate": spans}
        full.update({layer: doc.get(layer, []) for layer in LAYERS})
        out.append(full)  # type: ignore[arg-type]
    return out


def load_annotated(path: Path, root: Path | None = None) -> list[Document]:
    _, docs = load_annotation_source(path)
    return attach_texts(docs, seed_texts(root), str(path), seed_boilerplate(root))


def load_gold(root: Path | None = None) -> tuple[str, list[Document]]:
    """The gold source joined with the seeds: (dataset version, documents)."""
    root = root or repo_root()
    version, docs = load_annotation_source(root / GOLD_SOURCE)
    if not isinstance(version, str):
        raise InvalidInput([Problem(str(root / GOLD_SOURCE), None, None, "version", "missing dataset version")])
    return version, attach_texts(docs, seed_texts(root), str(root / GOLD_SOURCE), seed_boilerplate(root))


def dumps_canonical(value: Any) -> str:
    """One stable serialisation, so equal data gives equal bytes and equal hashes."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def jsonl_text(rows: Iterable[Any]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def write_jsonl(path: Path, rows: Iterable[Any]) -> None:
    atomic_write_text(path, jsonl_text(rows))


def write_json(path: Path, value: Any) -> None:
    atomic_write_text(path, json.dumps(value, ensure_ascii=False, indent=2) + "\n")
