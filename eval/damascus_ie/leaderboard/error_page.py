"""One self-contained HTML page per extractor showing where it fails, document by document.

Each document is shown twice, side by side: the gold text with gold records
highlighted by how the extractor did on them (true positive, wrong type, wrong
boundary, false negative), and the same text with the predictions highlighted
(true positive, wrong type, wrong boundary, false positive). Events list their
arguments, attributions their source, cue and content. Filters by layer, type
and status are inline JavaScript (also settable from the URL: `#layer=events&
status=fn,fp&type=GPE`); styles are inline CSS; nothing is fetched.

Statuses come from the harness's own alignments (`damascus_ie.leaderboard.alignment`), so
the totals the page shows are the counts in the extractor's JSON report.
"""

from __future__ import annotations

import html
import itertools
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from damascus_ie.core.io import atomic_write_text
from damascus_ie.core.records import LAYERS, Document, Layer, index_by_id
from damascus_ie.harness.grounding import GroundedSpan, ground_document, needs_grounding
from damascus_ie.harness.metrics.entities import Status
from damascus_ie.harness.predictions import in_boilerplate, scorable, with_texts
from damascus_ie.harness.report import LAYER_HEADLINE, layer_name
from damascus_ie.leaderboard.alignment import Aligned, Item, Side, align_document

PageStatus = Status | Literal["ignored"]
STATUS_LABELS: dict[PageStatus, str] = {
    "tp": "true positive", "wrong_type": "wrong type", "partial": "wrong boundary", "fn": "false negative",
    "fp": "false positive", "ignored": "in boilerplate (not scored)"}


@dataclass(frozen=True)
class Mark:
    """One highlighted span on one side of a document."""

    key: str
    start: int
    end: int
    layer: Layer
    kind: str
    status: PageStatus
    title: str


def render_text(text: str, marks: list[Mark]) -> str:
    """The text with every mark as a <mark> element; a mark crossing another is split, keeping its data-id."""
    bounds = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    order = {m.key: (m.start, -m.end, m.key) for m in marks}
    out: list[str] = []
    stack: list[Mark] = []
    for left, right in itertools.pairwise(bounds):
        active = sorted((m for m in marks if m.start <= left and right <= m.end), key=lambda m: order[m.key])
        keep = 0
        while keep < min(len(stack), len(active)) and stack[keep].key == active[keep].key:
            keep += 1
        out.append("</mark>" * (len(stack) - keep))
        out.extend(_open(m) for m in active[keep:])
        stack = active
        out.append(html.escape(text[left:right]))
    out.append("</mark>" * len(stack))
    return "".join(out)


def _open(mark: Mark) -> str:
    return (f'<mark class="st-{mark.status}" data-id="{html.escape(mark.key)}" data-layer="{mark.layer}" '
            f'data-type="{html.escape(mark.kind)}" data-status="{mark.status}" title="{html.escape(mark.title)}">')


def _key(aligned: Aligned, item: Item) -> str:
    """Unique on the page: record ids repeat across documents and sides."""
    return f"{aligned.document}:{item.side}:{item.layer}:{item.record_id}"


def _marks(aligned: Aligned, side: Side, length: int) -> list[Mark]:
    """Highlights inside the text; an ungrounded span (placed after the text) is listed on its own instead."""
    marks = []
    for item in aligned.items:
        if item.side == side:
            for start, end in item.spans:
                if end > length:
                    continue
                marks.append(Mark(_key(aligned, item), start, end, item.layer, item.kind,
                                  item.status, f"{item.kind} · {STATUS_LABELS[item.status]} · {item.detail}"))
    return marks


def _rows(aligned: Aligned, layer: str, text: str, mentions: dict[str, dict[str, dict]]) -> str:
    """Table rows for the events or attributions of one document, gold first then predicted."""
    rows = []
    for item in (i for i in aligned.items if i.layer == layer):
        record = item.record
        names = mentions[item.side]
        if layer == "events":
            cells = [record["trigger"]["text"], ", ".join(
                f"{a['role']}: {names.get(a['mention'], {}).get('text', a['mention'])}" for a in record["arguments"])]
        else:
            cells = [names.get(record.get("source") or "", {}).get("text", "—"), record["cue"]["text"],
                     " … ".join(s.get("text") or text[s["start"]:s["end"]] for s in record["content"])]
        body = "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
        rows.append(f'<tr data-layer="{layer}" data-type="{html.escape(item.kind)}" data-status="{item.status}" '
                    f'data-id="{html.escape(_key(aligned, item))}"><td>{item.side}</td>'
                    f'<td class="st-{item.status}">{STATUS_LABELS[item.status]}</td>'
                    f"<td>{html.escape(item.kind)}</td>{body}</tr>")
    return "".join(rows)


def _ignored_marks(document: str, ignored: list[tuple[Layer, dict]]) -> list[Mark]:
    """Predictions in boilerplate, greyed: shown so nothing is hidden, but not scored."""
    marks = []
    for index, (layer, record) in enumerate(ignored):
        span = record.get("trigger") or record.get("cue") or record
        marks.append(Mark(f"{document}:pred:{layer}:ignored{index}", span["start"], span["end"], layer,
                          str(record.get("type") or "?"), "ignored", f"{record.get('type')} · in boilerplate, not scored"))
    return marks


def document_section(gold: Document, prediction: dict[str, Any], aligned: Aligned,
                     ignored: list[tuple[Layer, dict]] | None = None) -> str:
    text = gold["text"]
    mentions = {"gold": index_by_id(gold["mentions"]), "pred": index_by_id(prediction.get("mentions") or [])}
    events = _rows(aligned, "events", text, mentions)
    attributions = _rows(aligned, "attributions", text, mentions)
    return f"""
<section class="doc" data-doc="{html.escape(gold['id'])}">
<h2>{html.escape(gold['id'])}</h2>
<div class="sides">
<div class="side"><h3>gold</h3><div class="text">{render_text(text, _marks(aligned, "gold", len(text)))}</div></div>
<div class="side"><h3>predicted</h3><div class="text">{render_text(text, _marks(aligned, "pred", len(text))
                                                                       + _ignored_marks(gold["id"], ignored or []))}</div></div>
</div>
<h3>Events</h3>
<table class="records"><tr><th>side</th><th>status</th><th>type</th><th>trigger</th><th>arguments</th></tr>{events}</table>
<h3>Attributions</h3>
<table class="records"><tr><th>side</th><th>status</th><th>type</th><th>source</th><th>cue</th><th>content</th></tr>
{attributions}</table>
</section>"""


def summary_counts(alignments: Iterable[Aligned]) -> dict[str, dict[str, int]]:
    """Layer -> status -> number of records (gold records for tp/fn/type/boundary, predicted ones for fp)."""
    counts: dict[str, Counter[str]] = {layer: Counter() for layer in LAYERS}
    for aligned in alignments:
        for item in aligned.items:
            if item.side == "gold" or item.status == "fp":
                counts[item.layer][item.status] += 1
    return {layer: {status: counts[layer][status] for status in STATUS_LABELS} for layer in LAYERS}


def _summary_table(counts: dict[str, dict[str, int]], report: Any | None) -> str:
    """Status counts per layer, next to the layer's headline F1 from the JSON report they reproduce."""
    head = "".join(f'<th class="st-{s}">{label}</th>' for s, label in STATUS_LABELS.items())
    rows = []
    for layer, by_status in counts.items():
        cells = "".join(f'<td data-layer="{layer}" data-status="{s}">{n}</td>' for s, n in by_status.items())
        if report is not None:
            name = LAYER_HEADLINE[layer_name(layer)]
            cells += f'<td data-layer="{layer}" data-metric="{name}">{name} = {report.headline[name]:.3f}</td>'
        rows.append(f"<tr><th>{layer}</th>{cells}</tr>")
    extra = "<th>report</th>" if report is not None else ""
    return f'<table id="summary"><tr><th>layer</th>{head}{extra}</tr>{"".join(rows)}</table>'


def _filters(kinds: list[str]) -> str:
    layers = "".join(f'<label><input type="checkbox" class="f-layer" value="{x}" checked> {x}</label>' for x in LAYERS)
    statuses = "".join(f'<label class="st-{s}"><input type="checkbox" class="f-status" value="{s}" checked> '
                       f"{label}</label>" for s, label in STATUS_LABELS.items())
    options = "".join(f'<option value="{html.escape(k)}">{html.escape(k)}</option>' for k in kinds)
    return (f'<div id="filters"><span>layer:</span>{layers}<span>status:</span>{statuses}'
            f'<label>type: <select id="f-type"><option value="">all</option>{options}</select></label></div>')


STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{margin:.2em 0}.sides{display:flex;gap:1.5em}.side{flex:1;min-width:0}
.text{white-space:pre-wrap;line-height:1.9;border:1px solid #ddd;padding:.6em;font-size:14px}
mark{padding:1px 0;border-bottom:3px solid transparent;background:none}
.st-tp{background:#c8f0c8;border-color:#2a9d2a}.st-fp{background:#ffd0d0;border-color:#d03030}
.st-fn{background:#ffe8b0;border-color:#d09000}.st-wrong_type{background:#d8d0ff;border-color:#6040d0}
.st-partial{background:#c8e8ff;border-color:#2080c0}.st-ignored{background:#e4e4e4;border-color:#999;color:#777}
mark.off{background:none!important;border-color:transparent!important}
tr.off{display:none}table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:2px 6px;
font-size:13px;text-align:left;vertical-align:top}#filters{margin:.8em 0}#filters label{margin-right:.8em}
"""

SCRIPT = """
function applyFilters(){
  const layers=new Set([...document.querySelectorAll('.f-layer:checked')].map(e=>e.value));
  const statuses=new Set([...document.querySelectorAll('.f-status:checked')].map(e=>e.value));
  const kind=document.getElementById('f-type').value;
  document.querySelectorAll('mark[data-layer], tr[data-layer]').forEach(e=>{
    const on=layers.has(e.dataset.layer)&&statuses.has(e.dataset.status)&&(!kind||e.dataset.type===kind);
    e.classList.toggle('off',!on);
  });
}
function filtersFromHash(){  // e.g. #layer=events&status=fn,fp&type=GPE: a filtered view one can link to
  const wanted=new URLSearchParams(location.hash.slice(1));
  for(const [name,selector] of [['layer','.f-layer'],['status','.f-status']]){
    if(wanted.has(name)){const keep=wanted.get(name).split(',');
      document.querySelectorAll(selector).forEach(e=>{e.checked=keep.includes(e.value);});}
  }
  if(wanted.has('type')){document.getElementById('f-type').value=wanted.get('type');}
  applyFilters();
}
document.querySelectorAll('#filters input, #filters select').forEach(e=>e.addEventListener('change',applyFilters));
window.addEventListener('hashchange',filtersFromHash);
filtersFromHash();
"""


def grounded(doc: Document, prediction: dict[str, Any]) -> tuple[dict[str, Any], list[GroundedSpan]]:
    """The prediction as the harness scores it (text-anchored spans grounded) and its ungrounded spans."""
    if not needs_grounding(prediction):
        return prediction, []
    grounding = ground_document(prediction, doc["text"], boilerplate=doc.get("boilerplate") or [])
    return grounding.record, grounding.ungrounded


def ungrounded_section(ungrounded: list[tuple[str, GroundedSpan]]) -> str:
    """The spans given as text that occur nowhere in their document, one row each."""
    if not ungrounded:
        return '<section id="ungrounded"><h2>Ungrounded spans</h2><p>None: every text-anchored span was found.</p>' \
               "</section>"
    rows = "".join(f'<tr data-doc="{html.escape(doc_id)}" data-layer="{span.layer}"><td>{html.escape(doc_id)}</td>'
                   f"<td>{span.layer}</td><td>{html.escape(span.record)}</td><td>{html.escape(span.field)}</td>"
                   f"<td>{html.escape(span.text)}</td></tr>" for doc_id, span in ungrounded)
    return (f'<section id="ungrounded"><h2>Ungrounded spans ({len(ungrounded)})</h2>'
            "<p>Given as text, found nowhere in the document (hallucinations): each is scored as a false positive "
            "and is not highlighted below.</p><table><tr><th>document</th><th>layer</th><th>record</th>"
            f"<th>field</th><th>text</th></tr>{rows}</table></section>")


def error_page(name: str, gold: list[Document], predictions: list[dict[str, Any]], report: Any | None = None) -> str:
    """The page; `report` (the harness's Report for these predictions) adds its headline F1 per layer."""
    version = (report.dataset_version if report is not None else None) or "(custom gold)"
    by_id = {p["id"]: p for p in predictions if isinstance(p, dict)}
    pairs, ungrounded, ignored = [], [], []
    for doc in gold:
        prediction, missing = grounded(doc, by_id.get(doc["id"], {"id": doc["id"]}))
        prediction = with_texts(prediction, doc["text"])
        ignored.append(in_boilerplate(prediction, doc.get("boilerplate") or []))
        pairs.append((doc, scorable(prediction, doc.get("boilerplate") or [])))
        ungrounded += [(doc["id"], span) for span in missing]
    alignments = [align_document(doc, prediction) for doc, prediction in pairs]
    counts = summary_counts(alignments)
    for records in ignored:
        for layer, _ in records:
            counts[layer]["ignored"] += 1
    kinds = sorted({item.kind for aligned in alignments for item in aligned.items})
    sections = "".join(document_section(doc, prediction, aligned, skipped)
                       for (doc, prediction), aligned, skipped in zip(pairs, alignments, ignored, strict=True))
    data = html.escape(json.dumps(counts, sort_keys=True))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Damascus-IE errors: {html.escape(name)}</title>
<style>{STYLE}</style></head>
<body data-extractor="{html.escape(name)}" data-counts="{data}">
<h1>Error analysis: {html.escape(name)}</h1>
<p>Dataset {html.escape(version)}. Gold on the left, predictions on the right; hover a highlight for details.</p>
{_summary_table(counts, report)}
{ungrounded_section(ungrounded)}
{_filters(kinds)}
{sections}
<script>{SCRIPT}</script>
</body></html>
"""


def write_error_page(path: Path, name: str, gold: list[Document], predictions: list[dict[str, Any]],
                     report: Any | None = None) -> None:
    atomic_write_text(path, error_page(name, gold, predictions, report))
