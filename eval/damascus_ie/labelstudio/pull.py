"""`labelstudio pull`: every submitted annotation back as gold records, each checked strictly.

Valid annotations go to one pull file (written atomically, so an interrupted pull
leaves the previous file and the dataset as they were); invalid ones are listed
with every problem per task, annotator and region, and imported nowhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from damascus_ie.core.io import atomic_write_text, attach_texts, read_json
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import Document, normalise
from damascus_ie.labelstudio.convert import Origin, results_to_document


@dataclass(frozen=True)
class Pulled:
    task: int
    annotation: int
    annotator: str
    ground_truth: bool
    document: Document


@dataclass
class PullResult:
    pulled: list[Pulled] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0

    def summary(self) -> str:
        rejected = len({(p.file, p.document) for p in self.problems})
        return (f"{len(self.pulled)} annotation(s) valid, {rejected} rejected with {len(self.problems)} problem(s), "
                f"{self.skipped} skipped/cancelled ignored")


def convert_export(tasks: list[dict[str, Any]], annotators: dict[int, str], texts: dict[str, str]) -> PullResult:
    """Pure: a JSON export -> valid documents and problems. `texts` are the seeds, to catch an edited task text."""
    out = PullResult()
    for task in tasks:
        data = task.get("data") or {}
        doc_id = str(data.get("doc_id"))
        for annotation in task.get("annotations") or []:
            if annotation.get("was_cancelled"):
                out.skipped += 1
                continue
            completed_by = annotation.get("completed_by")
            user: Any = completed_by.get("id") if isinstance(completed_by, dict) else completed_by
            origin = Origin(task.get("id", "?"), annotators.get(user, f"user-{user}"), annotation.get("id"))
            if texts.get(doc_id) != data.get("text"):
                reason = "no seed with this document id" if doc_id not in texts else "task text differs from the seed"
                out.problems.append(Problem(str(origin), doc_id, None, "data", reason))
                continue
            doc, problems = results_to_document(data, annotation.get("result"), origin)
            if problems:
                out.problems += problems
            else:
                out.pulled.append(Pulled(int(task["id"]), int(annotation["id"]), origin.annotator,
                                         bool(annotation.get("ground_truth")), normalise(doc)))
    return out


def pull_file_text(result: PullResult, project: str) -> str:
    rows = [{"task": p.task, "annotation": p.annotation, "annotator": p.annotator, "ground_truth": p.ground_truth,
             "document": {k: v for k, v in p.document.items() if k != "text"}} for p in result.pulled]
    body = {"project": project, "annotations": rows, "problems": [str(p) for p in result.problems]}
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def write_pull(path: Path, result: PullResult, project: str) -> None:
    atomic_write_text(path, pull_file_text(result, project))


def read_pull(path: Path, texts: dict[str, str]) -> list[Pulled]:
    """The valid annotations of a pull file, with their seed texts attached again."""
    raw = read_json(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("annotations"), list):
        raise InvalidInput([Problem(str(path), None, None, "annotations", "not a pull file")])
    rows = raw["annotations"]
    docs = attach_texts([row["document"] for row in rows], texts, str(path))
    return [Pulled(row["task"], row["annotation"], row["annotator"], bool(row.get("ground_truth")), doc)
            for row, doc in zip(rows, docs, strict=True)]
