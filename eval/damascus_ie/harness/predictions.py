"""Loading predictions: one JSONL record per document, validated against the gold they will be scored on.

Each record is checked with `validation.validate_document(gold=False)` against
the gold text of its document (offsets in range and matching the text, known
types and roles, no dangling references), plus what only the harness can see:
unknown document ids, a `text` that differs from the gold text, and documents
given twice. Every problem is reported with file, line, document, field and
reason. By default any problem refuses the file; `lenient=True` skips the bad
records and returns the problems as warnings. Gold documents without a record
are scored as empty predictions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from damascus_ie.core.io import parse_jsonl
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import LAYERS
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy
from damascus_ie.core.validation import validate_document

Predictions = str | Path | Sequence[dict]


@dataclass
class LoadedPredictions:
    """Predicted documents aligned with the gold list (empty where none was given) and what was skipped."""

    documents: list[dict]
    warnings: list[Problem] = field(default_factory=list)
    skipped: int = 0
    missing: list[str] = field(default_factory=list)


def check_record(record: Any, file: str, line: int | None, gold_texts: dict[str, str], seen: set[str],
                 taxonomy: Taxonomy) -> list[Problem]:
    """Every problem of one predicted document, checked against its gold text."""
    if not isinstance(record, dict):
        return [Problem(file, None, None, None, f"expected a document object, got {type(record).__name__}", line)]
    doc_id = record.get("id")
    if not isinstance(doc_id, str):
        return [Problem(file, None, None, "id", "document id missing or not a string", line)]
    if doc_id not in gold_texts:
        return [Problem(file, doc_id, None, "id", "unknown document id: not in the gold", line)]
    problems = []
    if doc_id in seen:
        problems.append(Problem(file, doc_id, None, "id", "duplicate document: this id was given on an earlier line",
                                line))
    seen.add(doc_id)
    if "text" in record and record["text"] != gold_texts[doc_id]:
        return [*problems, Problem(file, doc_id, None, "text", "does not match the gold text of this document", line)]
    return problems + validate_document({**record, "text": gold_texts[doc_id]}, file, taxonomy, gold=False, line=line)


def load_predictions(source: Predictions, gold_docs: Sequence[dict], *, lenient: bool = False,
                     taxonomy: Taxonomy | None = None) -> LoadedPredictions:
    """Validated predictions aligned with `gold_docs`; raises InvalidInput unless `lenient`."""
    taxonomy = taxonomy or load_taxonomy()
    if isinstance(source, str | Path):
        file = str(source)
        rows, problems = parse_jsonl(Path(source))
    else:
        file = "<predictions>"
        rows, problems = list(enumerate(source, start=1)), []
    gold_texts = {d["id"]: d["text"] for d in gold_docs}
    seen: set[str] = set()
    accepted: dict[str, dict] = {}
    skipped = len(problems)
    for line, record in _numbered(rows, file):
        found = check_record(record, file, line, gold_texts, seen, taxonomy)
        if found:
            problems += found
            skipped += 1
        else:
            accepted[record["id"]] = record
    if problems and not lenient:
        raise InvalidInput(problems)
    missing = [d["id"] for d in gold_docs if d["id"] not in accepted]
    documents = [accepted.get(d["id"]) or {"id": d["id"], **{layer: [] for layer in LAYERS}} for d in gold_docs]
    return LoadedPredictions(documents, problems, skipped, missing)


def _numbered(rows: Iterable[tuple[int, Any]], file: str) -> Iterable[tuple[int | None, Any]]:
    """Line numbers for files; list input has record positions, not lines, so none is claimed."""
    for number, record in rows:
        yield (number if file != "<predictions>" else None), record
