"""The array-built sentence and token boundaries equal core.sentences' regex definitions, on any text."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from damascus_ie.core.sentences import sentence_spans, token_spans
from damascus_ie.harness.metrics import positions

# the characters the rules look at, plus letters, digits, other scripts and white space of several kinds
ALPHABET = st.sampled_from([*list("aZ9_ .!?\n\t\r”\"’'“‘,-"), "é", "Ж", "\xa0", "\u2003", "٣", "😀", "\x1c"])
TEXTS = st.lists(st.text(ALPHABET, max_size=40), min_size=1, max_size=6)


def _starts(index: positions.OffsetIndex, n_docs: int) -> list[list[int]]:
    offsets = index.keys - index.doc_of_unit * index.width
    return [offsets[index.doc_of_unit == d].tolist() for d in range(n_docs)]


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_sentence_starts_equal_the_regex_definition(texts: list[str]) -> None:
    expected = [sorted({0, *[s for s, _ in sentence_spans(t)]}) for t in texts]
    assert _starts(positions.sentence_index(texts), len(texts)) == expected


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_tokens_equal_the_regex_definition(texts: list[str]) -> None:
    index = positions.token_index(texts)
    assert _starts(index, len(texts)) == [[s for s, _ in token_spans(t)] for t in texts]


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.data())
def test_last_token_of_a_span_equals_tokenising_the_span(texts: list[str], data: st.DataObject) -> None:
    doc = data.draw(st.integers(0, len(texts) - 1))
    text = texts[doc]
    start = data.draw(st.integers(0, len(text) + 3))  # past the text: an ungrounded span's place in the tail
    end = data.draw(st.integers(start, len(text) + 6))
    tokens = token_spans(text, start, min(end, len(text))) if start < len(text) else []
    expected = tokens[-1] if tokens else (start, end)
    got = positions.last_tokens(positions.joined_texts(texts), np.array([doc]), np.array([start]), np.array([end]))
    assert (int(got[0][0]), int(got[1][0])) == expected


def test_documents_are_chunked_without_changing_boundaries(monkeypatch) -> None:
    texts = ["Rebels said. Troops left.\nThen “Quiet.” Done", "", "One two. Three"] * 5
    whole = positions.sentence_index(texts).keys.tolist(), positions.token_index(texts).keys.tolist()
    monkeypatch.setattr(positions, "_CHUNK_CHARS", 10)
    assert (positions.sentence_index(texts).keys.tolist(), positions.token_index(texts).keys.tolist()) == whole
