"""What a contribution must pass, asked at `pull` and again at `review --dry-run`: the release's own checks.

The translation (convert.py) reports only what it cannot translate; the records
are then checked once, by the validator the release uses (core.validation,
corpus-level identity checks included), on the gold with this annotation's
document swapped in. Every problem is then said in Label Studio's terms: which
task and annotator, the region's text and offsets, and what to change there.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from damascus_ie.core.problems import Problem
from damascus_ie.core.records import EVENT_ATTRIBUTES, LAYERS, AnyRecord, Document
from damascus_ie.core.taxonomy import Taxonomy
from damascus_ie.core.validation import validate_corpus
from damascus_ie.labelstudio.convert import RegionNote, Translated

# (layer, field as the validator names it) -> what to do in Label Studio
HINTS: dict[tuple[str, str], str] = {
    ("mentions", "type"): "in Label Studio, select the region and pick the right entity label",
    ("mentions", "level"): "in Label Studio, select the region and choose its level",
    ("mentions", "entity"): "in Label Studio, select the region and fix its identity box",
    ("mentions", "value"): "in Label Studio, select the region and fix or clear its value box",
    ("mentions", "span"): "in Label Studio, redraw the region over the right characters",
    ("events", "type"): "in Label Studio, select the trigger and pick the right event label",
    ("events", "trigger"): "in Label Studio, redraw the trigger over the right word",
    ("events", "arguments"): "in Label Studio, relabel or delete this relation from the trigger",
    ("events", "event"): "in Label Studio, select the trigger and fix its identity box",
    **{("events", attribute): f"in Label Studio, select the trigger and choose its {attribute}" for attribute in EVENT_ATTRIBUTES},
    ("attributions", "type"): "in Label Studio, select the cue and choose its attribution type",
    ("attributions", "cue"): "in Label Studio, redraw the cue region",
    ("attributions", "content"): "in Label Studio, redraw the content region, or link it from the cue with a 'content' relation",
    ("attributions", "source"): "in Label Studio, fix the 'source' relation from the cue",
    ("attributions", "addressee"): "in Label Studio, fix the 'addressee' relation from the cue",
    ("attributions", "parent"): "in Label Studio, fix the 'parent' relation from the cue",
    ("attributions", "statement"): "in Label Studio, select the cue and fix its identity box",
}
_FIELD_ROOT = re.compile(r"^[a-z]+")
_CONTENT = re.compile(r"^content\[(\d+)\]")


def problem_key(problem: Problem) -> tuple[Any, ...]:
    return problem.document, problem.record, problem.field, problem.reason


def _record(doc: Document, record_id: str | None) -> tuple[str, AnyRecord] | None:
    for layer in LAYERS:
        for record in doc.get(layer) or []:
            if record.get("id") == record_id:
                return layer, record
    return None


def _span_of(record: AnyRecord, field: str | None) -> AnyRecord:
    """The span a problem is about: the content span it names, else the trigger, the cue, or the mention."""
    found = _CONTENT.match(field or "")
    content = record.get("content") or []
    if found and int(found[1]) < len(content) and isinstance(content[int(found[1])], dict):
        return content[int(found[1])]
    for key in ("trigger", "cue"):
        if isinstance(record.get(key), dict):
            return record[key]
    return record


def in_context(problem: Problem, doc: Document, notes: dict[str, RegionNote] | None = None,
               file: str | None = None, hint: bool = True) -> Problem:
    """The problem pointing at its region by text and offsets, with what to change in Label Studio (for the
    validator's problems: the translation's already say it)."""
    notes = notes or {}
    found = _record(doc, problem.record) if problem.document == doc.get("id") else None
    record, hint_text = problem.record, problem.hint
    if found is not None:
        layer, body = found
        span = _span_of(body, problem.field)
        drawn = notes[problem.record].drawn if problem.record in notes else False
        record = RegionNote(span.get("start"), span.get("end"), span.get("text"), drawn).describe(str(problem.record))
        advice = HINTS.get((layer, (_FIELD_ROOT.match(problem.field or "") or [""])[0]))
        if hint and advice:
            hint_text = "; ".join(filter(None, (problem.hint, advice)))
    elif problem.record in notes and problem.document == doc.get("id"):
        record = notes[problem.record].describe(problem.record)
    return replace(problem, file=file or problem.file, record=record, hint=hint_text)


def contribution_problems(translated: Translated, file: str, gold: list[Document], taxonomy: Taxonomy,
                          baseline: set[tuple[Any, ...]] | None = None) -> list[Problem]:
    """Every problem of one annotation: the translation's, then the release validator's on the gold with this
    document swapped in (placed last, so an identity's standing type is the gold's), minus the gold's own."""
    doc = translated.document
    if translated.problems and "text" not in doc:
        return translated.problems
    corpus = [d for d in gold if d["id"] != doc["id"]] + [doc]
    baseline = baseline if baseline is not None else {problem_key(p) for p in validate_corpus(gold, file, taxonomy)}
    found = [p for p in validate_corpus(corpus, file, taxonomy) if problem_key(p) not in baseline]
    by_id = {d["id"]: d for d in corpus}
    return ([in_context(p, doc, translated.regions, hint=False) for p in translated.problems]
            + [in_context(p, by_id.get(str(p.document), doc), translated.regions if p.document == doc["id"] else None)
               for p in found])
