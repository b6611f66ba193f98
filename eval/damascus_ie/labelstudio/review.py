"""Adjudication: accepted Label Studio annotations become the gold of a new dataset version.

Per document one annotation is accepted: one by an annotator named with
`--accept` (Label Studio Community has no ground-truth star in its UI; an
annotation flagged `ground_truth` through the API counts too), else the only one.
The diff speaks in spans and labels, and the CHANGELOG credits the name each
contributor chose, never an e-mail address. A dry run stages the whole release
(validation, rebuild, verification) and swaps nothing in, so it refuses exactly
what the release would, each problem pointing at the task and region.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import LAYERS, AnyRecord, Document, Layer, index_by_id, normalise
from damascus_ie.dataset.changelog import BumpLevel
from damascus_ie.dataset.versioning import publish_new_version
from damascus_ie.labelstudio.checks import in_context
from damascus_ie.labelstudio.pull import Pulled


def accepted_annotations(pulled: list[Pulled], accept: list[str] | str | None = None) -> dict[str, Pulled]:
    """One annotation per document, or a problem for every document where the choice is ambiguous."""
    names = [accept] if isinstance(accept, str) else list(accept or [])
    by_doc: dict[str, list[Pulled]] = defaultdict(list)
    for row in pulled:
        by_doc[row.document["id"]].append(row)
    chosen, problems = {}, []
    for doc_id, rows in sorted(by_doc.items()):
        candidates = ([r for r in rows if r.annotator in names] if names else
                      [r for r in rows if r.ground_truth] or (rows if len(rows) == 1 else []))
        if len(candidates) == 1:
            chosen[doc_id] = candidates[0]
        elif candidates or not names:
            who = ", ".join(f"{r.annotator} (annotation {r.annotation})" for r in candidates or rows)
            problems.append(Problem("labelstudio review", doc_id, None, "annotations",
                                    f"cannot choose among {who}: pass --accept NAME for the annotator whose work "
                                    "counts (repeat --accept for different documents)"))
    if problems:
        raise InvalidInput(problems)
    return chosen


def _span_text(span: Any) -> str:
    return f"'{span.get('text')}' [{span.get('start')}, {span.get('end')})"


def _where(layer: Layer, record: AnyRecord) -> str:
    if layer == "mentions":
        return _span_text(record)
    return _span_text(record.get("trigger") or record.get("cue") or {})


def _describe(layer: Layer, record: AnyRecord) -> str:
    return f"{record['id']} {record.get('type')} {_where(layer, record)}"


def _value(key: str, value: Any, names: dict[str, str]) -> str:
    """A field's value as a reader sees it: mention ids by their text, spans by text and offsets."""
    if key == "arguments":
        return "[" + ", ".join(f"{a['role']}={names.get(a['mention'], a['mention'])}" for a in value) + "]"
    if key in ("source", "addressee") and value is not None:
        return names.get(value, value)
    if key in ("trigger", "cue"):
        return _span_text(value)
    if key == "content":
        return "[" + ", ".join(_span_text(s) for s in value) + "]"
    return repr(value)


def label_changes(old: Document | None, new: Document) -> list[str]:
    """Human-readable lines: which records of which layer were added, removed or changed, in spans and labels."""
    lines = []
    old_norm = normalise(old) if old is not None else None
    new_norm = normalise(new)
    names_before = {m["id"]: f"'{m['text']}'" for m in (old_norm["mentions"] if old_norm is not None else [])}
    names_after = {m["id"]: f"'{m['text']}'" for m in new_norm["mentions"]}
    for layer in LAYERS:
        before: dict[str, AnyRecord] = index_by_id(old_norm[layer]) if old_norm is not None else {}
        after: dict[str, AnyRecord] = index_by_id(new_norm[layer])
        added = [_describe(layer, after[i]) for i in after if i not in before]
        removed = [_describe(layer, before[i]) for i in before if i not in after]
        changed = []
        for record_id in (i for i in after if i in before and after[i] != before[i]):
            old_record, new_record = before[record_id], after[record_id]
            fields = [f"{k} {_value(k, old_record.get(k), names_before)} -> {_value(k, new_record.get(k), names_after)}"
                      for k in new_record if k not in ("start", "end", "text") and new_record.get(k) != old_record.get(k)]
            if any(new_record.get(k) != old_record.get(k) for k in ("start", "end")):
                fields.insert(0, f"span {_where(layer, old_record)} -> {_where(layer, new_record)}")
            changed.append(f"{record_id} {_where(layer, old_record)} ({'; '.join(fields)})")
        for verb, items in (("added", added), ("removed", removed), ("changed", changed)):
            if items:
                lines.append(f"{new['id']}: {layer} {verb}: {', '.join(items)}")
    return lines


def merged_gold(gold: list[Document], accepted: dict[str, Pulled]) -> tuple[list[Document], list[str]]:
    """The gold with accepted documents swapped in, and the change lines crediting who contributed them."""
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


def unnamed_annotators(accepted: dict[str, Pulled]) -> list[Problem]:
    """The CHANGELOG credits the name a contributor chose; an account without one cannot be credited."""
    return [Problem(str(row.origin), doc_id, None, "annotator",
                    "this account has no name to credit in the CHANGELOG (which never records an e-mail address): "
                    "set First and Last name under Account & Settings in Label Studio, then pull again")
            for doc_id, row in sorted(accepted.items()) if not row.named]


def _in_review_context(problem: Problem, accepted: dict[str, Pulled]) -> Problem:
    row = accepted.get(str(problem.document))
    if row is None:
        return problem
    return in_context(problem, row.document, file=str(row.origin))


@dataclass(frozen=True)
class Review:
    version: str | None  # the published version; None on a dry run, with no changes, or when refused
    changes: list[str]
    problems: list[Problem]  # what the release refuses, each pointing at its task and region


def review(root: Path, gold: list[Document], pulled: list[Pulled], accept: list[str] | str | None = None,
           level: BumpLevel = "minor", dry_run: bool = False) -> Review:
    """Publishes only when something changed, every check of the release passed and this is not a dry run; a dry
    run runs every one of those checks as well."""
    accepted = accepted_annotations(pulled, accept)
    documents, changes = merged_gold(gold, accepted)
    if not changes:
        return Review(None, changes, [])
    old = {doc["id"]: doc for doc in gold}
    problems = unnamed_annotators({doc_id: row for doc_id, row in accepted.items()  # only those the CHANGELOG credits
                                   if label_changes(old.get(doc_id), row.document)})
    try:
        version: str | None = publish_new_version(root, documents, changes, level, dry_run=dry_run or bool(problems))
    except InvalidInput as error:
        return Review(None, changes, problems + [_in_review_context(p, accepted) for p in error.problems])
    return Review(None if dry_run or problems else version, changes, problems)
