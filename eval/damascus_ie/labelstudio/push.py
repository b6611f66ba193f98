"""`labelstudio push`: one task per document, with gold (review mode) or an extractor's output (correction mode)
as pre-annotations. Tasks are keyed by document id, so a re-run updates in place and never duplicates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from damascus_ie.core.problems import InvalidInput
from damascus_ie.core.records import ID_PREFIX, LAYERS, AnyRecord, Document
from damascus_ie.core.validation import validate_document
from damascus_ie.labelstudio.client import ensure_project
from damascus_ie.labelstudio.config import labeling_config
from damascus_ie.labelstudio.convert import document_to_results, region_id_clashes
from damascus_ie.labelstudio.correction import align_to_gold

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio


@dataclass
class PushReport:
    project_id: int
    project_created: bool
    model_version: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"project {self.project_id} ({'created' if self.project_created else 'existing'}), "
                f"pre-annotations {self.model_version}: {len(self.created)} task(s) created, "
                f"{len(self.updated)} updated, {len(self.unchanged)} unchanged")


def task_data(doc: Document) -> dict[str, Any]:
    return {"doc_id": doc["id"], "text": doc["text"], "boilerplate": [list(p) for p in doc.get("boilerplate", [])]}


def with_record_ids(doc: AnyRecord) -> Document:
    """Predictions may omit ids of unreferenced records; regions need one, so number the missing ones."""
    out = dict(doc)
    for layer in LAYERS:
        taken = {r.get("id") for r in doc.get(layer) or []}
        records = []
        for index, record in enumerate(doc.get(layer) or [], start=1):
            if record.get("id") is None:
                candidate = f"{ID_PREFIX[layer]}{index}"
                while candidate in taken:
                    candidate += "_"
                taken.add(candidate)
                record = {**record, "id": candidate}
            records.append(record)
        out[layer] = records
    return out  # type: ignore[return-value]


def correction_documents(extractor_name: str, gold: list[Document]) -> list[Document]:
    """An extractor's predictions for every gold document, aligned to the gold's ids where spans match."""
    from damascus_ie.leaderboard.extractors.base import input_view
    from damascus_ie.leaderboard.extractors.registry import resolve

    extractor = resolve(extractor_name, gold=gold)
    return [with_record_ids(align_to_gold({**extractor.extract(input_view(doc)), "id": doc["id"], "text": doc["text"]},
                                          doc)) for doc in gold]


def pre_annotations(docs: list[Document], gold: bool) -> dict[str, list[dict[str, Any]]]:
    """Result items per document id, after the same strict checks as everything else (gold or predictions mode)."""
    problems = []
    for doc in docs:
        problems += validate_document(doc, "labelstudio push", gold=gold) + region_id_clashes(doc)
    if problems:
        raise InvalidInput(problems)
    return {doc["id"]: document_to_results(doc) for doc in docs}


def push(ls: LabelStudio, docs: list[Document], results: dict[str, list[dict[str, Any]]], model_version: str,
         title: str) -> PushReport:
    project_id, created = ensure_project(ls, title, labeling_config(), model_version)
    report = PushReport(project_id, created, model_version)
    existing: dict[str, Any] = {}
    listed: Any
    for listed in ls.tasks.list(project=project_id):
        existing.setdefault(str((listed.data or {}).get("doc_id")), listed)
    new_tasks = []
    for doc in docs:
        task = existing.get(doc["id"])
        if task is None:
            new_tasks.append({"data": task_data(doc),
                              "predictions": [{"model_version": model_version, "result": results[doc["id"]]}]})
            report.created.append(doc["id"])
            continue
        changed = _sync_task(ls, task, task_data(doc), results[doc["id"]], model_version)
        (report.updated if changed else report.unchanged).append(doc["id"])
    if new_tasks:
        # the SDK types `request` as its pydantic models; it sends plain task dicts as they are
        ls.projects.import_tasks(id=project_id, request=new_tasks, return_task_ids=True)  # type: ignore[arg-type]
    return report


def _sync_task(ls: LabelStudio, task: Any, data: dict[str, Any], result: list[dict[str, Any]],
               model_version: str) -> bool:
    """Brings one existing task up to date; annotations are never touched. Returns whether anything changed."""
    changed = False
    if task.data != data:
        ls.tasks.update(id=str(task.id), data=data)
        changed = True
    same_version = [p for p in ls.predictions.list(task=task.id) if p.model_version == model_version]
    if len(same_version) == 1 and same_version[0].result == result:
        return changed
    for prediction in same_version:
        ls.predictions.delete(id=prediction.id)
    ls.predictions.create(task=task.id, result=result, model_version=model_version)
    return True
