"""`labelstudio pull`: every submitted annotation back as gold records, each checked as the release checks it.

Valid annotations go to the project's pull file (one per project, written
atomically, so an interrupted pull leaves the previous file and the dataset as
they were); invalid ones are listed with every problem per task, annotator and
region, and imported nowhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from damascus_ie.core.io import atomic_write_text, attach_texts, read_json
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import LAYERS, Document, normalise
from damascus_ie.core.validation import validate_corpus
from damascus_ie.labelstudio.checks import contribution_problems, problem_key
from damascus_ie.labelstudio.config import label_sets
from damascus_ie.labelstudio.convert import Annotator, Origin, results_to_document


@dataclass(frozen=True)
class Pulled:
    task: int
    annotation: int
    annotator: str
    ground_truth: bool
    document: Document
    named: bool = True  # the annotator chose a name (the CHANGELOG credits it); else `annotator` is their e-mail

    @property
    def origin(self) -> Origin:
        return Origin(self.task, self.annotator, self.annotation)


@dataclass
class PullResult:
    pulled: list[Pulled] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0

    def summary(self) -> str:
        rejected = len({(p.file, p.document) for p in self.problems})
        return (f"{len(self.pulled)} annotation(s) valid, {rejected} rejected with {len(self.problems)} problem(s), "
                f"{self.skipped} skipped/cancelled ignored")


def _user_id(user: Any) -> Any:
    """An export names a user by id, or by an object holding it."""
    return user.get("id") if isinstance(user, dict) else user


def _annotator(annotators: dict[int, Annotator], user: Any) -> Annotator:
    return annotators.get(user) or Annotator(None, f"user-{user}")


def convert_export(tasks: list[dict[str, Any]], annotators: dict[int, Annotator], texts: dict[str, str],
                   gold: list[Document] | None = None) -> PullResult:
    """Pure: a JSON export -> valid documents and problems. `texts` are the seeds, to catch an edited task text;
    `gold` the current gold, against which every annotation gets the release's corpus checks."""
    out = PullResult()
    gold = gold or []
    sets = label_sets()
    taxonomy = sets.taxonomy
    baseline = {problem_key(p) for p in validate_corpus(gold, "gold", taxonomy)}
    gold_ids = {d["id"]: frozenset(str(r.get("id")) for layer in LAYERS for r in d.get(layer) or []) for d in gold}
    for task in tasks:
        data = task.get("data") or {}
        doc_id = str(data.get("doc_id"))
        for annotation in task.get("annotations") or []:
            if annotation.get("was_cancelled"):
                out.skipped += 1
                continue
            user = _user_id(annotation.get("completed_by"))
            who = _annotator(annotators, user)
            origin = Origin(task.get("id", "?"), who.label, annotation.get("id"))
            if texts.get(doc_id) != data.get("text"):
                reason = "no seed with this document id" if doc_id not in texts else "task text differs from the seed"
                out.problems.append(Problem(str(origin), doc_id, None, "data", reason))
                continue
            editor = _user_id(annotation.get("updated_by"))
            if editor is not None and editor != user:
                out.problems.append(Problem(str(origin), doc_id, None, "updated_by", (
                    f"last saved by {_annotator(annotators, editor).label}, not its "
                    "author: Label Studio lets anyone update anyone's annotation, so an edited one counts for no one."
                    " The author re-submits their own; the editor makes their own copy (see CONTRIBUTING.md)")))
                continue
            translated = results_to_document(data, annotation.get("result"), origin, sets,
                                             gold_ids.get(doc_id, frozenset()))
            problems = contribution_problems(translated, str(origin), gold, taxonomy, baseline)
            if problems:
                out.problems += problems
            else:
                out.pulled.append(Pulled(int(task["id"]), int(annotation["id"]), origin.annotator,
                                         bool(annotation.get("ground_truth")), normalise(translated.document),
                                         who.name is not None))
    return out


def pull_file_text(result: PullResult, project: str) -> str:
    rows = [{"task": p.task, "annotation": p.annotation, "annotator": p.annotator, "named": p.named,
             "ground_truth": p.ground_truth, "document": {k: v for k, v in p.document.items() if k != "text"}}
            for p in result.pulled]
    body = {"project": project, "annotations": rows, "problems": [str(p) for p in result.problems]}
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def write_pull(path: Path, result: PullResult, project: str) -> None:
    """Atomically; a file holding another project's pull is refused, never overwritten."""
    if path.exists():
        try:
            previous = json.loads(path.read_text(encoding="utf-8")).get("project")
        except (ValueError, AttributeError):
            previous = None
        if previous is not None and previous != project:
            raise InvalidInput([Problem(str(path), None, None, "project", f"holds the pull of project {previous!r}, "
                                        f"not {project!r}: pass --output for another file")])
    atomic_write_text(path, pull_file_text(result, project))


def read_pull(path: Path, texts: dict[str, str]) -> list[Pulled]:
    """The valid annotations of a pull file, with their seed texts attached again."""
    raw = read_json(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("annotations"), list):
        raise InvalidInput([Problem(str(path), None, None, "annotations", "not a pull file")])
    rows = raw["annotations"]
    docs = attach_texts([row["document"] for row in rows], texts, str(path))
    return [Pulled(row["task"], row["annotation"], row["annotator"], bool(row.get("ground_truth")), doc,
                   bool(row.get("named", True)))
            for row, doc in zip(rows, docs, strict=True)]
