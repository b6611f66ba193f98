"""Adjudication: accepted Label Studio annotations become the gold of a new dataset version.

Per document one annotation is accepted: the chosen annotator's, else the one
starred as ground truth in Label Studio, else the only one. The CHANGELOG entry
lists every added, removed and changed label per document, so a release says
what moved.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import LAYERS, AnyRecord, Document, Layer, index_by_id, normalise
from damascus_ie.dataset.versioning import publish_new_version
from damascus_ie.labelstudio.pull import Pulled

LABEL_FIELDS: dict[Layer, str] = {"mentions": "type", "events": "type", "attributions": "type"}


def accepted_annotations(pulled: list[Pulled], accept: str | None = None) -> dict[str, Pulled]:
    """One annotation per document, or a problem for every document where the choice is ambiguous."""
    by_doc: dict[str, list[Pulled]] = defaultdict(list)
    for row in pulled:
        by_doc[row.document["id"]].append(row)
    chosen, problems = {}, []
    for doc_id, rows in sorted(by_doc.items()):
        candidates = ([r for r in rows if r.annotator == accept] if accept else
                      [r for r in rows if r.ground_truth] or (rows if len(rows) == 1 else []))
        if len(candidates) == 1:
            chosen[doc_id] = candidates[0]
        elif candidates or not accept:
            who = ", ".join(f"{r.annotator} (annotation {r.annotation})" for r in candidates or rows)
            problems.append(Problem("labelstudio review", doc_id, None, "annotations",
                                    f"cannot choose among {who}: star one as ground truth in Label Studio or "
                                    f"pass --accept ANNOTATOR"))
    if problems:
        raise InvalidInput(problems)
    return chosen


def _describe(layer: Layer, record: AnyRecord) -> str:
    span = record.get("trigger") or record.get("cue") or record
    return f"{record['id']} {record.get(LABEL_FIELDS[layer])} '{span.get('text')}'"


def label_changes(old: Document | None, new: Document) -> list[str]:
    """Human-readable lines: which records of which layer were added, removed or changed (and which fields)."""
    lines = []
    old_norm = normalise(old) if old is not None else None
    new_norm = normalise(new)
    for layer in LAYERS:
        before: dict[str, AnyRecord] = index_by_id(old_norm[layer]) if old_norm is not None else {}
        after: dict[str, AnyRecord] = index_by_id(new_norm[layer])
        added = [_describe(layer, after[i]) for i in after if i not in before]
        removed = [_describe(layer, before[i]) for i in before if i not in after]
        changed = []
        for record_id in (i for i in after if i in before and after[i] != before[i]):
            fields = [f"{k} {before[record_id].get(k)!r} -> {after[record_id].get(k)!r}"
                      for k in after[record_id] if after[record_id].get(k) != before[record_id].get(k)]
            changed.append(f"{record_id} ({'; '.join(fields)})")
        for verb, items in (("added", added), ("removed", removed), ("changed", changed)):
            if items:
                lines.append(f"{new['id']}: {layer} {verb}: {', '.join(items)}")
    return lines


def merged_gold(gold: list[Document], accepted: dict[str, Pulled]) -> tuple[list[Document], list[str]]:
    """The gold with accepted documents swapped in, and the change lines naming who contributed them."""
    by_id = {doc["id"]: doc for doc in gold}
    changes = []
    for doc_id, row in sorted(accepted.items()):
        lines = label_changes(by_id.get(doc_id), row.document)
        if lines:
            changes.append(f"{doc_id}: from Label Studio task {row.task}, annotation {row.annotation} by "
                           f"{row.annotator}")
            changes += lines
        by_id[doc_id] = row.document
    return [by_id[doc_id] for doc_id in sorted(by_id)], changes


def review(root: Path, gold: list[Document], pulled: list[Pulled], accept: str | None = None,
           level: str = "minor", dry_run: bool = False) -> tuple[str | None, list[str]]:
    """(new version or None, change lines); publishes only when something changed and this is not a dry run."""
    documents, changes = merged_gold(gold, accepted_annotations(pulled, accept))
    if not changes or dry_run:
        return None, changes
    return publish_new_version(root, documents, changes, level), changes
