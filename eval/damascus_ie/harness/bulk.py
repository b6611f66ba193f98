"""Which predicted documents' mentions are certainly clean, decided for all documents at once.

Checking 2M mention records one by one in Python (`validation.check_document`)
costs far more than scoring them. This module reads the mention fields of
every document in one Arrow pass and clears a document's mentions when every
rule the checker applies to predicted mentions visibly holds: an object with a
string id unique in its document, integer offsets 0 <= start < end <= len(text),
a `text` equal to text[start:end] that neither starts nor ends on white space, a
known type, a known level or none, a string entity id or none (none for TIME), a
value only on TIME, no span in boilerplate, and no two spans overlapping at all
(so none duplicate or cross another). A cleared document's mentions skip the
per-record checks (they would find nothing); any other document goes through
them and gets their exact messages. Conservative by construction: overlapping
(nested) spans, spans without `text`, and texts with non-ASCII characters
(whose code-point offsets are not byte offsets) are left to the checker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from damascus_ie.core.records import AnyRecord
from damascus_ie.core.taxonomy import Taxonomy
from damascus_ie.harness.metrics.coref import sorted_codes
from damascus_ie.harness.metrics.matching import BoolArray, IntArray, overlap_pairs
from damascus_ie.harness.metrics.positions import SPACE, CodePoints, JoinedTexts, ascii_classes, joined_texts

# a part Arrow cannot read, or reads with an unexpected field type, is halved until the documents that cause it stand
# alone (and are left to the checker): one bad document does not cost the others the fast path
_SMALLEST_PART = 1
_REQUIRED_STRINGS = ("id", "type", "text")
_OPTIONAL_STRINGS = ("level", "entity", "value")


@dataclass(frozen=True)
class BulkMentions:
    """Which records' mentions were cleared, and the mention lists as Arrow read them, for scoring to reuse.

    `lists[position[i]]` is record i's mention list when `position[i] >= 0`; `lists` is None unless every
    record Arrow could read was read in one part (a part was split, or no record was read).
    """

    trusted: BoolArray
    lists: pa.ListArray | None = None
    position: IntArray | None = None


@dataclass(frozen=True)
class GoldTexts:
    """The gold texts joined once (positions.joined_texts) and each document's row in them, by id."""

    joined: JoinedTexts
    row: Mapping[str, int]


def trusted_mentions(records: Sequence[Any], gold_by_id: Mapping[str, AnyRecord], taxonomy: Taxonomy) -> BoolArray:
    """Per record: True when its mentions are certainly free of errors and warnings (see the module docstring)."""
    return read_mentions(records, gold_by_id, taxonomy).trusted


def read_mentions(records: Sequence[Any], gold_by_id: Mapping[str, AnyRecord], taxonomy: Taxonomy, *,
                  texts: GoldTexts | None = None) -> BulkMentions:
    """The bulk check of every record's mentions, keeping what Arrow read (see `BulkMentions`).

    `texts`: the gold texts already joined (a prepared gold keeps them); else the records' texts are joined here.
    """
    out = np.zeros(len(records), dtype=bool)
    rows = [i for i, r in enumerate(records)
            if isinstance(r, dict) and isinstance(r.get("id"), str) and r["id"] in gold_by_id
            and isinstance(r.get("mentions", []), list) and gold_by_id[r["id"]]["text"].isascii()]
    if texts is None:
        ids = [records[i]["id"] for i in rows]
        texts = GoldTexts(joined_texts([gold_by_id[i]["text"] for i in ids]), {i: n for n, i in enumerate(ids)})
    lists = _check_part(records, rows, gold_by_id, taxonomy, out, texts)
    if lists is None:
        return BulkMentions(out)
    position = np.full(len(records), -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    return BulkMentions(out, lists, position)


def _check_part(records: Sequence[Any], rows: list[int], gold_by_id: Mapping[str, AnyRecord], taxonomy: Taxonomy,
                out: BoolArray, texts: GoldTexts) -> pa.ListArray | None:
    """Clears the part's documents in `out`; the part's mention lists when it was read whole, else None."""
    if not rows:
        return None
    try:
        lists = pa.array([records[i].get("mentions") or [] for i in rows])
        at = np.fromiter((texts.row[records[i]["id"]] for i in rows), np.int64, len(rows))
        clean = _clean_documents(lists, [gold_by_id[records[i]["id"]] for i in rows], taxonomy,
                                 (texts.joined.points, texts.joined.doc_start[at], texts.joined.length[at]))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError, TypeError, ValueError):
        clean = None
    if clean is not None:
        out[np.asarray(rows, dtype=np.int64)[clean]] = True
        return lists
    if len(rows) > _SMALLEST_PART:
        middle = len(rows) // 2
        _check_part(records, rows[:middle], gold_by_id, taxonomy, out, texts)
        _check_part(records, rows[middle:], gold_by_id, taxonomy, out, texts)
    return None


def _clean_documents(lists: pa.Array, docs: list[AnyRecord], taxonomy: Taxonomy,
                     texts: tuple[CodePoints, IntArray, IntArray]) -> BoolArray | None:
    """Per document of `lists` (its mention lists, as Arrow inferred them): whether every rule holds.

    `texts`: the joined gold code points and, per document of `lists`, where its text starts there and its length.

    None when a field has a type no clean mention has (a float offset, a number as text, ...): the part is split.
    """
    n_docs = len(docs)
    if pa.types.is_null(lists.type.value_type):  # no document has a mention
        return np.ones(n_docs, dtype=bool)
    if not pa.types.is_struct(lists.type.value_type):
        return None
    mentions = lists.flatten()
    names = set(lists.type.value_type.names)
    if mentions.null_count or not {"start", "end", *_REQUIRED_STRINGS} <= names:
        return None
    columns = {name: mentions.field(name) for name in names}
    if not all(pa.types.is_int64(columns[n].type) for n in ("start", "end")) or not all(
            pa.types.is_string(columns[n].type) for n in _REQUIRED_STRINGS) or not all(
            pa.types.is_string(columns[n].type) or pa.types.is_null(columns[n].type)
            for n in _OPTIONAL_STRINGS if n in columns):
        return None
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(lists.offsets.to_numpy()))
    bad = np.zeros(mentions.__len__(), dtype=bool)
    for name in ("start", "end", *_REQUIRED_STRINGS):
        bad |= columns[name].is_null().to_numpy(zero_copy_only=False)
    start = columns["start"].fill_null(0).to_numpy()
    end = columns["end"].fill_null(0).to_numpy()
    points, base, lengths = texts
    bad |= (start < 0) | (start >= end) | (end > lengths[doc])
    bad |= _labels_wrong(columns, taxonomy)
    flagged = np.zeros(n_docs, dtype=bool)
    flagged[doc[bad]] = True
    flagged |= _ids_repeat(columns["id"], doc, n_docs)
    flagged |= _spans_overlap(doc, start, end, n_docs)
    flagged |= _in_boilerplate(doc, start, end, docs)
    # the text comparison reads every span's characters: only for documents nothing else flagged
    rest = ~flagged[doc]
    if rest.any():
        every = bool(rest.all())
        span_texts = columns["text"] if every else columns["text"].filter(pa.array(rest))
        kept = slice(None) if every else rest
        wrong = _text_wrong(span_texts, start[kept], end[kept], doc[kept], points, base)
        flagged[doc[kept][wrong]] = True
    return ~flagged


def _labels_wrong(columns: dict[str, pa.Array], taxonomy: Taxonomy) -> BoolArray:
    """Unknown type or level; an entity id on TIME; a value on anything but TIME."""
    type_code = pc.index_in(columns["type"], value_set=pa.array(taxonomy.entity_types, pa.string()))
    wrong = type_code.is_null().to_numpy(zero_copy_only=False)
    if "level" in columns:
        level = columns["level"].cast(pa.string())
        unknown = pc.and_(level.is_valid(), pc.index_in(level, value_set=pa.array(taxonomy.mention_levels)).is_null())
        wrong |= unknown.to_numpy(zero_copy_only=False)
    time = pc.equal(columns["type"], "TIME").fill_null(False).to_numpy(zero_copy_only=False)
    for name, allowed_on_time in (("entity", False), ("value", True)):
        if name in columns:
            present = columns[name].is_valid().to_numpy(zero_copy_only=False)
            wrong |= present & (time != allowed_on_time)
    return wrong


def _text_wrong(text: pa.Array, start: IntArray, end: IntArray, doc: IntArray, gold: CodePoints,
                base: IntArray) -> BoolArray:
    """The span's `text` differs from text[start:end], or the span starts or ends on white space (ASCII texts).

    `gold`: the joined gold code points, `base`: where each document's text starts in them.
    """
    if text.offset:
        text = pa.concat_arrays([text])  # a zero-offset copy, so its buffers start at row 0
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32, count=len(text) + 1)
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8) if text.buffers()[2] is not None else np.zeros(0, np.uint8)
    own = np.diff(offsets).astype(np.int64)
    wrong = (own != end - start) | text.is_null().to_numpy(zero_copy_only=False)
    # the span texts lie back to back in `data`: byte k of span m should equal gold byte k + shift[m]
    shift = base[doc] + start - offsets[:-1]
    low, high = int(offsets[0]), int(offsets[-1])
    if high > low:
        position = np.arange(low, high, dtype=np.int64)
        expected = np.clip(position + np.repeat(np.where(wrong, 0, shift), own), 0, max(gold.size - 1, 0))
        differs = np.flatnonzero(gold[expected] != data[low:high]) + low
        wrong[np.searchsorted(offsets, differs, side="right") - 1] = True
    first = gold[np.minimum(base[doc] + start, max(gold.size - 1, 0))] if gold.size else np.zeros(0, np.uint8)
    last = gold[np.minimum(base[doc] + np.maximum(end - 1, 0), max(gold.size - 1, 0))] if gold.size else first
    classes = ascii_classes()
    wrong |= (classes[first] == SPACE) | (classes[last] == SPACE) if gold.size else False
    return wrong


def _ids_repeat(ids: pa.Array, doc: IntArray, n_docs: int) -> BoolArray:
    codes = sorted_codes(ids)
    key = doc * (int(codes.max(initial=0)) + 1) + codes
    ordered = np.sort(key)
    repeat = ordered[1:] == ordered[:-1]
    flagged = np.zeros(n_docs, dtype=bool)
    flagged[ordered[1:][repeat] // (int(codes.max(initial=0)) + 1)] = True
    return flagged


def _spans_overlap(doc: IntArray, start: IntArray, end: IntArray, n_docs: int) -> BoolArray:
    """Documents where two mentions overlap: then some span overlaps the next one by start (adjacent check)."""
    key = doc * (int(end.max(initial=0)) + 1) + start
    if key.size > 1 and not bool(np.all(key[1:] >= key[:-1])):  # predictions usually come in document order
        order = np.argsort(key, kind="stable")
        doc, start, end = doc[order], start[order], end[order]
    d, s, e = doc, start, end
    hit = (d[1:] == d[:-1]) & (s[1:] < e[:-1])
    flagged = np.zeros(n_docs, dtype=bool)
    flagged[d[1:][hit]] = True
    return flagged


def _in_boilerplate(doc: IntArray, start: IntArray, end: IntArray, docs: list[AnyRecord]) -> BoolArray:
    pieces = [(number, pair[0], pair[1]) for number, d in enumerate(docs) for pair in d.get("boilerplate") or []]
    flagged = np.zeros(len(docs), dtype=bool)
    if pieces:
        table = np.array(pieces, dtype=np.int64)
        _, rows = overlap_pairs(table[:, 0], table[:, 1], table[:, 2], doc, start, end)
        flagged[doc[rows]] = True
    return flagged
