"""Reading and writing the project's files: seeds, annotation sources, JSONL.

Every reader turns malformed input into `InvalidInput` naming the file and line;
every writer is atomic (temp file + rename), so an interrupted run leaves the
previous file intact.
"""

from __future__ import annotations

import json
import os
import sys
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


def _not_readable(path: Path, error: OSError) -> InvalidInput:
    if isinstance(error, FileNotFoundError):
        reason = "file not found"
    elif isinstance(error, IsADirectoryError):
        reason = "is a directory, not a file"
    elif isinstance(error, PermissionError):
        reason = "permission denied"
    else:
        reason = f"cannot read: {error.strerror or error}"
    return InvalidInput([Problem(str(path), None, None, None, reason)])


def loads(text: str) -> Any:
    """json.loads with the failures of hostile input (deep nesting, huge numbers) as ValueError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply to read") from None
    except json.JSONDecodeError:
        raise
    except ValueError as error:  # e.g. an integer beyond Python's 4,300-digit conversion limit
        raise ValueError(f"unreadable value: {str(error).split(';')[0]}") from None


def _json_reason(error: ValueError) -> str:
    return f"malformed JSON: {error.msg}" if isinstance(error, json.JSONDecodeError) else str(error)


def read_json(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise _not_readable(path, error) from None
    except UnicodeDecodeError as error:
        raise InvalidInput([Problem(str(path), None, None, None, f"not UTF-8 text: {error.reason} at byte "
                                    f"{error.start}")]) from None
    try:
        return loads(text)
    except ValueError as error:
        line = getattr(error, "lineno", None)
        raise InvalidInput([Problem(str(path), None, None, None, _json_reason(error), line)]) from None


def parse_lines(lines: Iterable[str], file: str) -> tuple[list[tuple[int, Any]], list[Problem]]:
    """(line, value) per non-blank line and a problem per malformed line, so a lenient caller can go on."""
    rows: list[tuple[int, Any]] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append((number, loads(line)))
        except ValueError as error:
            hint = None
            if number == 1 and line.lstrip().startswith("["):
                hint = "one JSON object per line (JSONL), not one JSON array"
            elif line.lstrip().startswith(("{'", "{ '")):
                hint = "JSON needs double quotes"
            problems.append(Problem(file, None, None, None, _json_reason(error), number, hint=hint))
    return rows, problems


def parse_jsonl(path: Path) -> tuple[list[tuple[int, Any]], list[Problem]]:
    """parse_lines over a file (`-`: standard input), refusing one that cannot be read or is not UTF-8."""
    if str(path) == "-":
        try:
            return parse_lines(sys.stdin, "<stdin>")
        except UnicodeDecodeError as error:
            raise InvalidInput([Problem("<stdin>", None, None, None, f"not UTF-8 text: {error.reason}")]) from None
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise _not_readable(path, error) from None
    with handle:
        try:
            return parse_lines(handle, str(path))
        except UnicodeDecodeError as error:
            utf16 = error.object[:2] in (b"\xff\xfe", b"\xfe\xff")
            hint = "it looks like UTF-16: save it as UTF-8" if utf16 else "save the file as UTF-8"
            raise InvalidInput([Problem(str(path), None, None, None, f"not UTF-8 text: {error.reason}",
                                        hint=hint)]) from None
        except OSError as error:
            raise _not_readable(path, error) from None


def read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, value) per non-blank line; all malformed lines reported together."""
    rows, problems = parse_jsonl(path)
    if problems:
        raise InvalidInput(problems)
    yield from rows


def load_annotation_source(path: Path) -> tuple[str | None, list[dict[str, Any]]]:
    """An annotation file (gold source or annotator pass): its version and its documents, text not included."""
    raw = read_json(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("documents"), list):
        raise InvalidInput([Problem(str(path), None, None, "documents", "expected an object with a 'documents' list")])
    return raw.get("version"), raw["documents"]


def seed_boilerplate(root: Path | None = None) -> dict[str, list[list[int]]]:
    """Boilerplate spans per document, from the seed manifest (their one home)."""
    return {r["id"]: r["boilerplate"] for r in read_json((root or repo_root()) / MANIFEST)}


def attach_texts(docs: list[dict[str, Any]], texts: dict[str, str], file: str,
                 boilerplate: dict[str, list[list[int]]] | None = None) -> list[Document]:
    """Joins annotation layers with their seed text, refusing documents that have no seed."""
    problems = [Problem(file, None, f"documents[{i}]", None, f"expected a document object, got {type(d).__name__}")
                for i, d in enumerate(docs) if not isinstance(d, dict)]
    problems += [Problem(file, str(d.get("id"))[:60], None, "id", "no seed file for this document id")
                 for d in docs if isinstance(d, dict) and (not isinstance(d.get("id"), str) or d["id"] not in texts)]
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


def umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Temp file + rename, with the permissions a plain open() would give (0666 less the umask), not mkstemp's 0600."""
    if path.is_dir():
        raise InvalidInput([Problem(str(path), None, None, None, "is a directory; give a file name to write")])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InvalidInput([Problem(str(path), None, None, None, "cannot create the folder: a file is in the "
                                    "way")]) from None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def canonical_jsonl(rows: Iterable[Any]) -> str:
    """One canonical JSON record per line: what a predictions file's sha256 is taken over, byte for byte."""
    return "".join(dumps_canonical(row) + "\n" for row in rows)


def jsonl_text(rows: Iterable[Any]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def write_jsonl(path: Path, rows: Iterable[Any]) -> None:
    atomic_write_text(path, jsonl_text(rows))


def write_json(path: Path, value: Any) -> None:
    atomic_write_text(path, json.dumps(value, ensure_ascii=False, indent=2) + "\n")
