"""Sentence and token starts of many documents in one sorted array, searched in bulk.

Sentences are the bootstrap's resampling units; tokens are what the
token-overlap attribution scores count; head match reads a mention's last token
back from its end (`last_tokens`). Both follow damascus_ie.core.sentences (the one definition, used by
the `ner` config and the rules baseline), computed here from code-point arrays
instead of per-match Python objects: a 100,000-document gold has 17M tokens.
A property test pins that both give the same boundaries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from damascus_ie.harness.metrics.matching import IntArray

ClassArray = npt.NDArray[np.uint8]
CodePoints = npt.NDArray[np.unsignedinteger[Any]]  # uint8 for ASCII text, uint32 otherwise

SPACE, WORD, OTHER = 0, 1, 2  # str.isspace(); \w (str.isalnum() or "_"); anything else: a one-character token
_CHUNK_CHARS = 500_000  # texts are classified in chunks of about this many code points (a chunk's arrays stay in cache)
_SENTENCE_PUNCT = np.array([ord(c) for c in ".!?"], dtype=np.uint32)
_CLOSING_QUOTES = np.array([ord(c) for c in "”\"’'"], dtype=np.uint32)
_OPENING = np.array([ord(c) for c in "“\"‘'ABCDEFGHIJKLMNOPQRSTUVWXYZ"], dtype=np.uint32)


def _classify(code_points: IntArray) -> ClassArray:
    """Character class of each distinct code point, as Python's `re` sees \\w and \\s."""
    chars = [chr(c) for c in code_points.tolist()]
    out: ClassArray = np.array([SPACE if c.isspace() else WORD if c.isalnum() or c == "_" else OTHER for c in chars], np.uint8)
    return out


_ASCII_CLASSES = _classify(np.arange(128))


def ascii_classes() -> ClassArray:
    """SPACE, WORD or OTHER for each ASCII code point (index = code point)."""
    return _ASCII_CLASSES


def _classes(code_points: CodePoints) -> ClassArray:
    if code_points.dtype == np.uint8:
        ascii_only: ClassArray = np.take(_ASCII_CLASSES, code_points)
        return ascii_only
    ascii_ = code_points < 128
    out = np.empty(code_points.size, np.uint8)
    out[ascii_] = _ASCII_CLASSES[code_points[ascii_]]
    rest = code_points[~ascii_]
    if rest.size:
        distinct, position = np.unique(rest, return_inverse=True)
        out[~ascii_] = _classify(distinct)[position]
    return out


def _code_points(text: str) -> CodePoints:
    """The text's code points: one byte each when it is ASCII (most news text), four otherwise."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), np.uint8)
    return np.frombuffer(text.encode("utf-32-le"), np.uint32)


def _chunks(texts: Sequence[str]) -> Iterator[tuple[int, IntArray, CodePoints]]:
    """(first document, its documents' start positions, code points) per chunk; documents joined by "\\n"."""
    first = 0
    while first < len(texts):
        stop, size = first, 0
        while stop < len(texts) and (size < _CHUNK_CHARS or stop == first):
            size += len(texts[stop]) + 1
            stop += 1
        points = _code_points("\n".join(texts[first:stop]) + "\n")
        lengths = np.fromiter(map(len, texts[first:stop]), np.int64, stop - first)
        yield first, np.r_[0, np.cumsum(lengths + 1)[:-1]], points
        first = stop


def _first_non_space(classes: ClassArray, positions: IntArray) -> IntArray:
    """For each position, the first position at or after it that is not white space (len(classes) if none)."""
    out = positions.copy()
    active = np.flatnonzero(out < classes.size)
    while active.size:
        active = active[classes[out[active]] == SPACE]
        out[active] += 1
        active = active[out[active] < classes.size]
    return out


def _sentence_starts(points: CodePoints, classes: ClassArray) -> IntArray:
    """Positions where core.sentences.sentence_spans starts a sentence (line starts and after . ! ?)."""
    size = points.size
    line_starts = _first_non_space(classes, np.r_[0, np.flatnonzero(points == 10) + 1])
    punct = np.flatnonzero(np.isin(points, _SENTENCE_PUNCT))
    after = punct + 1
    after = after[after < size]
    after += np.isin(points[after], _CLOSING_QUOTES) & (after + 1 < size)
    after = after[classes[after] == SPACE]
    boundary = _first_non_space(classes, after)
    boundary = boundary[boundary < size]
    boundary = boundary[np.isin(points[boundary], _OPENING)]
    starts = np.concatenate([line_starts, boundary])
    out: IntArray = np.unique(starts[starts < size])
    return out


def _token_starts(classes: ClassArray) -> IntArray:
    """Starts of the tokens \\w+ | [^\\w\\s] (the separators between documents are white space)."""
    word = classes == WORD
    begins = classes == OTHER
    begins[1:] |= word[1:] & ~word[:-1]
    begins[0] |= word[0]
    return np.flatnonzero(begins)


class OffsetIndex:
    """Boundary starts per document; `unit` finds the boundary an offset falls in, `count` the starts in a span."""

    def __init__(self, keys: IntArray, width: int, n_docs: int):
        """`keys`: document * `width` + start of every unit, sorted (`_key_width` gives `width`)."""
        self.width = width
        self.keys = keys
        self.first_unit: IntArray = np.searchsorted(keys, np.arange(n_docs, dtype=np.int64) * width)

    @cached_property
    def doc_of_unit(self) -> IntArray:
        """The document of each unit (the bootstrap's strata); built only when asked for."""
        return np.repeat(np.arange(self.first_unit.size, dtype=np.int64), np.diff(self.first_unit, append=self.keys.size))

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


def _key_width(texts: Sequence[str]) -> int:
    """The factor that keeps document * width + offset in document order: more than any offset in any text."""
    return max(max(map(len, texts), default=0), 1) + 1


def _keys(first: int, doc_starts: IntArray, positions: IntArray, width: int) -> IntArray:
    """Sorted positions in a chunk as keys: each document's count found by one search per document, not per position."""
    per_doc = np.diff(np.searchsorted(positions, doc_starts), append=positions.size)
    shift = np.arange(first, first + doc_starts.size, dtype=np.int64) * width - doc_starts
    out: IntArray = positions + np.repeat(shift, per_doc)
    return out


def sentence_index(texts: Sequence[str]) -> OffsetIndex:
    """One unit per sentence; a document without sentences still gets one unit at offset 0."""
    width = _key_width(texts)
    keys: list[IntArray] = [np.arange(len(texts), dtype=np.int64) * width]
    for first, doc_starts, points in _chunks(texts):
        keys.append(_keys(first, doc_starts, _sentence_starts(points, _classes(points)), width))
    return OffsetIndex(np.unique(np.concatenate(keys)), width, len(texts))


def token_index(texts: Sequence[str]) -> OffsetIndex:
    width = _key_width(texts)
    keys: list[IntArray] = [np.zeros(0, np.int64)]
    for first, doc_starts, points in _chunks(texts):
        keys.append(_keys(first, doc_starts, _token_starts(_classes(points)), width))
    return OffsetIndex(np.concatenate(keys), width, len(texts))


@dataclass(frozen=True)
class JoinedTexts:
    """Every document's code points end to end (uint8 when all are ASCII), to read a few characters per span.

    Head match needs the last token of each mention only: reading back from its end costs the length of
    that token, where a token index classifies and indexes every character of every text.
    """

    points: CodePoints
    doc_start: IntArray
    length: IntArray


def joined_texts(texts: Sequence[str]) -> JoinedTexts:
    points = _code_points("".join(texts))
    length = np.fromiter(map(len, texts), np.int64, len(texts))
    return JoinedTexts(points, np.r_[0, np.cumsum(length)][:-1], length)


def last_tokens(texts: JoinedTexts, doc: npt.ArrayLike, start: npt.ArrayLike,
                end: npt.ArrayLike) -> tuple[IntArray, IntArray]:
    """[start, end) of each span's last token, core.sentences.token_spans(text, start, end)[-1]; the span itself
    when it has none (white space only, or past the text: an ungrounded span's place in the grounding tail)."""
    doc, start, end = (np.asarray(a, dtype=np.int64) for a in (doc, start, end))
    base = texts.doc_start[doc] if doc.size else doc

    def classes(rows: IntArray, at: IntArray) -> ClassArray:
        return _classes(texts.points[base[rows] + at])

    last = np.minimum(end, texts.length[doc] if doc.size else end) - 1  # the last character, back past white space
    rows = np.flatnonzero(last >= start)
    while rows.size:
        rows = rows[classes(rows, last[rows]) == SPACE]
        last[rows] -= 1
        rows = rows[last[rows] >= start[rows]]
    found = last >= start
    first = last.copy()  # a word token runs back while the characters before it are word characters
    rows = np.flatnonzero(found)
    rows = rows[classes(rows, last[rows]) == WORD]
    while rows.size:
        rows = rows[first[rows] - 1 >= start[rows]]
        rows = rows[classes(rows, first[rows] - 1) == WORD]
        first[rows] -= 1
    return np.where(found, first, start), np.where(found, last + 1, end)
