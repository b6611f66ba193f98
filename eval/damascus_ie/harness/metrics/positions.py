"""Sentence and token starts of many documents in one sorted array, searched in bulk.

Sentences are the bootstrap's resampling units; tokens are what the
token-overlap attribution scores count. Both come from damascus_ie.core.sentences,
so every layer sees the same boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from damascus_ie.core.sentences import sentence_spans, token_spans
from damascus_ie.harness.metrics.matching import IntArray


class OffsetIndex:
    """Boundary starts per document; `unit` finds the boundary an offset falls in, `count` the starts in a span."""

    def __init__(self, starts_per_doc: Sequence[Sequence[int]], width: int):
        self.width = max(int(width), 1) + 1
        counts = np.fromiter(map(len, starts_per_doc), np.int64, len(starts_per_doc))
        doc = np.repeat(np.arange(len(starts_per_doc), dtype=np.int64), counts)
        flat = np.fromiter((s for starts in starts_per_doc for s in starts), np.int64, int(counts.sum()))
        self.keys = doc * self.width + flat
        self.doc_of_unit = doc
        self.first_unit = np.r_[0, np.cumsum(counts)][:-1]

    def __len__(self) -> int:
        return int(self.keys.size)

    def unit(self, doc: npt.ArrayLike, offset: npt.ArrayLike) -> IntArray:
        """Index of the last boundary at or before `offset` in `doc` (the document's first one if none).

        Offsets past the longest text (an ungrounded span's place in the grounding tail) fall in the
        document's last unit, never in the next document's.
        """
        clipped = np.minimum(np.asarray(offset), self.width - 1)
        position: IntArray = np.searchsorted(self.keys, np.asarray(doc) * self.width + clipped, side="right") - 1
        return np.maximum(position, self.first_unit[np.asarray(doc)]) if position.size else position

    def count(self, doc: npt.ArrayLike, start: npt.ArrayLike, end: npt.ArrayLike) -> IntArray:
        """How many boundaries start inside [start, end); 0 for empty or inverted spans and past the text."""
        base = np.asarray(doc) * self.width
        first = np.minimum(np.asarray(start), self.width - 1)
        last = np.minimum(np.maximum(np.asarray(end), first), self.width - 1)
        low: IntArray = np.searchsorted(self.keys, base + first, side="left")
        high: IntArray = np.searchsorted(self.keys, base + last, side="left")
        return high - low


def sentence_index(texts: Sequence[str]) -> OffsetIndex:
    """One unit per sentence; a document without sentences still gets one unit at offset 0."""
    starts = [[s for s, _ in sentence_spans(text)] or [0] for text in texts]
    return OffsetIndex([sorted({0, *doc}) for doc in starts], max(map(len, texts), default=0))


def token_index(texts: Sequence[str]) -> OffsetIndex:
    return OffsetIndex([[s for s, _ in token_spans(text)] for text in texts], max(map(len, texts), default=0))
