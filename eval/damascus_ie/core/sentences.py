"""Sentence and token boundaries over raw text, as code-point offsets.

Dependency-free and deterministic, so the `ner` config, the bootstrap's
resampling units and the rules baseline all see the same sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’']?\s+(?=[“\"‘'A-Z])")
_TOKEN = re.compile(r"\w+|[^\w\s]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence: split at line breaks and at ., ! or ? followed by space and a capital or quote."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for boundary in _SENTENCE_END.finditer(line.group()):
            end = line.start() + boundary.start()
            spans.append((start, end))
            start = line.start() + boundary.end()
        spans.append((start, line.end()))
    return [strip_span(text, s, e) for s, e in spans if text[s:e].strip()]


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) shrunk past white space at either edge: no span may start or end on it (spec section 0)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def token_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Word runs and single punctuation marks: "Assad’s" -> "Assad", "’", "s"."""
    end = len(text) if end is None else end
    return [(m.start() + start, m.end() + start) for m in _TOKEN.finditer(text[start:end])]


def first_overlap(start: int, end: int, pieces: Iterable[Sequence[int]]) -> Sequence[int] | None:
    """The first [start, end) piece that shares a code point with [start, end): boilerplate tests ask this."""
    return next((piece for piece in pieces if start < piece[1] and piece[0] < end), None)
