"""Loading predictions: one JSONL record per document, validated against the gold they will be scored on.

Each record is checked with `validation.check_document(gold=False)` against the
gold text and boilerplate of its document, plus what only the harness can see:
unknown document ids, a `text` that differs from the gold text, documents given
twice, an empty file. Problems come in two kinds (see core/problems.py):

- errors (the input cannot be interpreted) refuse the file; with `lenient=True`
  only the malformed record (a mention, event or attribution; the whole
  document only when the document itself is malformed) is dropped;
- warnings (wrong but interpretable: crossing spans, spans on white space,
  duplicates, spans without text, records without ids) are scored as they are
  and counted in the report. Predictions inside boilerplate are warnings too,
  and left out of scoring, because boilerplate is not annotated.

Spans given as text without offsets are grounded first (`grounding.py`): the
checks then see offsets everywhere, against the document's text plus the tail
that holds ungrounded spans, and the outcomes are kept for the report. A span
that cannot be grounded at all (no text, a bad hint, an untyped filler) is an
error of its record.

Gold documents without a record are scored as empty predictions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from damascus_ie.core.io import parse_jsonl
from damascus_ie.core.problems import InvalidInput, Problem, ProblemLog
from damascus_ie.core.records import LAYERS, AnyRecord, Layer
from damascus_ie.core.sentences import first_overlap
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy
from damascus_ie.core.validation import Checked, check_document
from damascus_ie.harness.bulk import GoldTexts, read_mentions
from damascus_ie.harness.grounding import GroundedSpan, count_spans, ground_document, needs_grounding

Predictions = str | Path | Sequence[AnyRecord]


@dataclass
class LoadedPredictions:
    """Predicted documents aligned with the gold list (empty where none was given), warnings and what was dropped."""

    documents: list[dict]
    warnings: list[Problem] = field(default_factory=list)
    skipped: int = 0
    missing: list[str] = field(default_factory=list)
    warning_counts: dict[str, int] = field(default_factory=dict)
    grounded: list[GroundedSpan] = field(default_factory=list)
    span_totals: dict[str, int] = field(default_factory=dict)
    # `documents`' mention lists as harness.bulk read them, when every predicted document's mentions were
    # cleared and kept as given (scoring then reads no mention twice); None otherwise
    mention_lists: pa.ListArray | None = None


@dataclass
class CheckedRecord:
    """A record's problems, the record to score (grounded: offsets everywhere) and its grounding outcomes."""

    checked: Checked
    record: Any
    spans: list[GroundedSpan] = field(default_factory=list)


def check_record(record: Any, file: str, line: int | None, gold_docs: Mapping[str, AnyRecord], seen: set[str],
                 taxonomy: Taxonomy, mentions_trusted: bool = False) -> CheckedRecord:
    """One predicted document grounded, then every problem of it checked against its gold text and boilerplate.

    `mentions_trusted`: harness.bulk cleared this record's mentions, which skip the per-record checks.
    """
    def document_error(doc_id: str | None, field_name: str | None, reason: str,
                       hint: str | None = None) -> CheckedRecord:
        return CheckedRecord(Checked([Problem(file, doc_id, None, field_name, reason, line, hint=hint)],
                                     document_error=True), record)

    if not isinstance(record, dict):
        return document_error(None, None, f"expected a document object, got {type(record).__name__}")
    doc_id = record.get("id")
    if not isinstance(doc_id, str):
        hint = "each line is one document: {\"id\": ..., \"mentions\": [...], ...}" if doc_id is None else None
        return document_error(None, "id", "document id missing or not a string", hint)
    if doc_id not in gold_docs:
        known = ", ".join(sorted(gold_docs)[:3]) + (", ..." if len(gold_docs) > 3 else "")
        return document_error(doc_id, "id", "unknown document id: not in the gold", f"the gold has {known}")
    problems = []
    if doc_id in seen:
        problems.append(Problem(file, doc_id, None, "id", "duplicate document: this id was given on an earlier line",
                                line))
    seen.add(doc_id)
    gold = gold_docs[doc_id]
    if "text" in record and record["text"] != gold["text"]:
        hint = None
        if isinstance(record["text"], str) and record["text"].replace("\r\n", "\n") == gold["text"]:
            hint = "the text has CRLF line ends; the gold has LF (\\n)"
        problems.append(Problem(file, doc_id, None, "text", "does not match the gold text of this document", line,
                                hint=hint))
    if problems:
        return CheckedRecord(Checked(problems, document_error=True), record)
    if mentions_trusted and _only_mentions(record):  # harness.bulk cleared the mentions: nothing else to check
        return CheckedRecord(Checked([]), record)
    boilerplate = gold.get("boilerplate") or []
    checked = check_document({**record, "text": gold["text"], "boilerplate": boilerplate}, file, taxonomy,
                             gold=False, line=line, trusted=frozenset({"mentions"}) if mentions_trusted else frozenset())
    scored, spans, failed = record, [], []
    # A text-anchored span has no offsets, so it fails the checks: only then is the record looked at again
    # (records with offsets pay nothing for grounding), grounded, and checked as grounded.
    if any(p.severity == "error" for p in checked.problems) and needs_grounding(record):
        grounding = ground_document(record, gold["text"], boilerplate=boilerplate, file=file, line=line)
        scored, spans, failed = grounding.record, grounding.spans, grounding.problems
        checked = check_document({**scored, "text": grounding.text, "boilerplate": boilerplate}, file, taxonomy,
                                 gold=False, line=line)
    if failed:  # a span that could not be grounded is an error of its record, said once
        said = {(p.record, _head(p.field)) for _, _, p in failed}
        checked.problems[:] = [p for _, _, p in failed] + [p for p in checked.problems
                                                           if (p.record, _head(p.field)) not in said]
        for layer, index, _ in failed:
            checked.bad[layer].add(index)
    if "boilerplate" in record and record["boilerplate"] != boilerplate:
        checked.problems.append(Problem(file, doc_id, None, "boilerplate", "ignored: the boilerplate comes from the "
                                        "gold", line, "warning", kind="boilerplate ignored"))
    return CheckedRecord(checked, scored, spans)


_MENTIONS_ONLY_KEYS = frozenset({"id", "text", "mentions", "events", "attributions"})


def _only_mentions(record: dict) -> bool:
    """Mentions and nothing else the checker would look at: no other key, events and attributions absent or []."""
    return ("mentions" in record and record.keys() <= _MENTIONS_ONLY_KEYS
            and record.get("events", []) == [] and record.get("attributions", []) == [])


def _head(field_name: str | None) -> str:
    return (field_name or "").split(".")[0]


def load_predictions(source: Predictions, gold_docs: Sequence[AnyRecord], *, lenient: bool = False,
                     taxonomy: Taxonomy | None = None, layers: Iterable[Layer] | None = None,
                     texts: GoldTexts | None = None) -> LoadedPredictions:
    """Validated predictions aligned with `gold_docs`; raises InvalidInput on errors unless `lenient`.

    `layers`: the record layers to be scored (None: all). Only those are read and checked; mentions always
    are, as events and attributions refer to them. `texts`: the gold texts joined once (a prepared gold's).
    """
    taxonomy = taxonomy or load_taxonomy()
    unread = frozenset(LAYERS) - {"mentions", *(LAYERS if layers is None else layers)}
    if isinstance(source, str | Path):
        file = "<stdin>" if str(source) == "-" else str(source)
        rows, parse_problems = parse_jsonl(Path(source))
        if not rows and not parse_problems:
            raise InvalidInput([Problem(file, None, None, None, "no prediction records: the input is empty or blank",
                                        hint="one JSON object per line, one line per document")])
    else:
        file = "<predictions>"
        rows, parse_problems = list(enumerate(source, start=1)), []
    gold_by_id = {d["id"]: d for d in gold_docs}
    seen: set[str] = set()
    accepted: dict[str, dict] = {}
    errors, warnings = ProblemLog(parse_problems), ProblemLog()
    skipped = len(parse_problems)
    grounded: list[GroundedSpan] = []
    totals: dict[str, int] = {}
    if unread:
        rows = [(line, {**record, **{k: [] for k in unread if k in record}} if isinstance(record, dict) else record)
                for line, record in rows]
    bulk = read_mentions([record for _, record in rows], gold_by_id, taxonomy, texts=texts)
    trusted: list[bool] = bulk.trusted.tolist()
    accepted_position: dict[str, int] = {}
    as_read = bulk.lists is not None  # every accepted document's mentions are the cleared ones, as given
    for position, (line, record) in enumerate(_numbered(rows, file)):
        result = check_record(record, file, line, gold_by_id, seen, taxonomy, trusted[position])
        checked = result.checked
        for problem in checked.problems:
            (errors if problem.severity == "error" else warnings).add(problem)
        if checked.document_error:
            skipped += 1
            continue
        bad = checked.bad
        skipped += sum(len(positions) for positions in bad.values())
        accepted[record["id"]] = _without(result.record, bad)
        accepted_position[record["id"]] = position
        as_read = as_read and trusted[position] and result.record.get("mentions") is record.get("mentions")
        grounded += [s for s in result.spans if s.index not in bad.get(s.layer, ())]
        count_spans(_without(record, bad), totals)
    if errors and not lenient:
        raise InvalidInput(errors)
    warnings.merge(errors)  # lenient: what was dropped is reported with the warnings
    documents: list[dict[str, Any]] = []
    for gold in gold_docs:
        record = accepted.get(gold["id"])
        if record is None:
            documents.append({"id": gold["id"], **{layer: [] for layer in LAYERS}})
        else:
            documents.append(scorable(record, gold.get("boilerplate") or []))
    missing = [d["id"] for d in gold_docs if d["id"] not in accepted]
    mention_lists = None
    if as_read and bulk.lists is not None and bulk.position is not None:  # a gold document without a record: null
        order = [accepted_position.get(gold["id"]) for gold in gold_docs]
        mention_lists = bulk.lists.take(pa.array([None if i is None else int(bulk.position[i]) for i in order],
                                                 pa.int64()))
    return LoadedPredictions(documents, list(warnings), skipped, missing, dict(warnings.counts), grounded, totals,
                             mention_lists)


def _without(record: dict, bad: dict[str, set[int]]) -> dict:
    """The record without its malformed mentions, events and attributions (lenient mode)."""
    if not any(bad.values()):
        return record
    out = dict(record)
    for layer in LAYERS:
        if bad.get(layer) and isinstance(record.get(layer), list):
            out[layer] = [r for i, r in enumerate(record[layer]) if i not in bad[layer]]
        elif bad.get(layer):  # the layer itself is malformed (not a list): dropped, the document kept
            out[layer] = []
    return out


def _in_boilerplate(span: Any, boilerplate: list) -> bool:
    return isinstance(span, dict) and bool(boilerplate) and first_overlap(span["start"], span["end"], boilerplate) is not None


def in_boilerplate(record: dict, boilerplate: list) -> list[tuple[Layer, dict]]:
    """(layer, record) of the predictions that lie in boilerplate, which scoring leaves out."""
    return [*(("mentions", m) for m in record.get("mentions") or [] if _in_boilerplate(m, boilerplate)),
            *(("events", e) for e in record.get("events") or [] if _in_boilerplate(e.get("trigger"), boilerplate)),
            *(("attributions", a) for a in record.get("attributions") or []
              if _in_boilerplate(a.get("cue"), boilerplate))]


def with_texts(record: dict, text: str) -> dict:
    """A copy whose spans all carry their `text` (optional in predictions), read off the document text."""
    def span(value: Any) -> Any:
        if isinstance(value, dict) and "text" not in value and isinstance(value.get("start"), int) \
                and isinstance(value.get("end"), int):
            return {**value, "text": text[value["start"]:value["end"]]}
        return value

    return {**record,
            "mentions": [span(m) for m in record.get("mentions") or []],
            "events": [{**e, "trigger": span(e.get("trigger"))} for e in record.get("events") or []],
            "attributions": [{**a, "cue": span(a.get("cue")), "content": [span(c) for c in a.get("content") or []]}
                             for a in record.get("attributions") or []]}


def scorable(record: dict, boilerplate: list) -> dict:
    """What the metrics read: layers as lists, nothing inside boilerplate, no reference to a record left out."""
    mentions = ([m for m in record.get("mentions") or [] if not _in_boilerplate(m, boilerplate)] if boilerplate
                else list(record.get("mentions") or []))
    has_links = bool(record.get("events") or record.get("attributions"))
    mention_ids = {m.get("id") for m in mentions if isinstance(m.get("id"), str)} if has_links else set()
    events = []
    for event in record.get("events") or []:
        if _in_boilerplate(event.get("trigger"), boilerplate):
            continue
        arguments = [a for a in event.get("arguments") or [] if a.get("mention") in mention_ids]
        events.append({**event, "arguments": arguments})
    attributions = []
    for attribution in record.get("attributions") or []:
        content = [s for s in attribution.get("content") or [] if not _in_boilerplate(s, boilerplate)]
        if content and not _in_boilerplate(attribution.get("cue"), boilerplate):
            attributions.append({**attribution, "content": content})
    attribution_ids = {a.get("id") for a in attributions if isinstance(a.get("id"), str)}
    for index, attribution in enumerate(attributions):
        links = {link: attribution.get(link) if attribution.get(link) in mention_ids else None
                 for link in ("source", "addressee")}
        links["parent"] = attribution.get("parent") if attribution.get("parent") in attribution_ids else None
        attributions[index] = {**attribution, **links}
    return {**record, "mentions": mentions, "events": events, "attributions": attributions}


def _numbered(rows: Iterable[tuple[int, Any]], file: str) -> Iterable[tuple[int | None, Any]]:
    """Line numbers for files; list input has record positions, not lines, so none is claimed."""
    for number, record in rows:
        yield (number if file != "<predictions>" else None), record
