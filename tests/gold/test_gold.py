"""The shipped gold: valid, complete enough to be a benchmark, and no proper name left unlabelled without a reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from damascus_ie.core.io import load_annotated, load_gold
from damascus_ie.core.validation import validate_corpus
from damascus_ie.harness.agreement import pass_files

# Capitalised runs, allowing the lower-case particles of Arabic and English names ("Hayat Tahrir al-Sham",
# "Mohammed bin Abdulrahman Al Thani", "Syrian Observatory for Human Rights").
CAPITALISED = re.compile(r"[A-Z][\w’'-]*(?:\s+(?:(?:al|bin|of|for|the|and)\s+)?[A-Z][\w’'-]*)*")
# Capitalised only because they open a sentence or a heading: never names.
SENTENCE_INITIAL = {
    "The", "This", "As", "While", "Many", "Meanwhile", "However", "Hours", "Footage", "Where", "There", "It", "Intense",
    "Rebels", "Special", "Clashes", "Speculations", "Militarily", "Long", "Doha",
}


@pytest.fixture(scope="module")
def gold() -> tuple[str, list[dict]]:
    return load_gold()


def test_gold_is_valid(gold):
    _, docs = gold
    assert validate_corpus(docs, "annotations/gold.json") == []


def test_gold_is_a_released_version(gold):
    version, _ = gold
    assert int(version.split(".")[0]) >= 1


def test_gold_is_exhaustive_enough(gold):
    _, docs = gold
    mentions = sum(len(d["mentions"]) for d in docs)
    events = sum(len(d["events"]) for d in docs)
    arguments = sum(len(e["arguments"]) for d in docs for e in d["events"])
    attributions = sum(len(d["attributions"]) for d in docs)
    assert mentions > 230 and events > 45 and arguments > 100 and attributions > 28


def _opens_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" “\"‘\u00a0")
    return not before or before[-1] in ".!?\n"


def _uncovered_capitalised(doc: dict) -> list[tuple[int, int, str]]:
    text, spans = doc["text"], [(m["start"], m["end"]) for m in doc["mentions"]]
    found = []
    for match in CAPITALISED.finditer(text):
        if any(b0 < match.end() and match.start() < b1 for b0, b1 in doc["boilerplate"]):
            continue
        for word in re.finditer(r"[A-Z][\w’'-]*", match.group()):
            start, end = match.start() + word.start(), match.start() + word.end()
            if word.group() in SENTENCE_INITIAL and _opens_sentence(text, start):
                continue
            if not any(s <= start and end <= e for s, e in spans):
                found.append((start, end, word.group()))
    return found


def test_every_capitalised_name_is_labelled_or_reviewed(gold, repo_root: Path):
    reviewed = json.loads((repo_root / "dataset/reviewed_exceptions.json").read_text(encoding="utf-8"))
    covered_by_review = {(r["document"], s) for r in reviewed for s in range(r["start"], r["end"])}
    _, docs = gold
    missing = [(d["id"], start, word) for d in docs for start, _, word in _uncovered_capitalised(d)
               if (d["id"], start) not in covered_by_review]
    assert missing == [], "capitalised words in no gold mention and not in dataset/reviewed_exceptions.json"


def test_reviewed_exceptions_point_at_the_text_and_give_reasons(gold, repo_root: Path):
    reviewed = json.loads((repo_root / "dataset/reviewed_exceptions.json").read_text(encoding="utf-8"))
    texts = {d["id"]: d["text"] for d in gold[1]}
    for record in reviewed:
        assert texts[record["document"]][record["start"]:record["end"]] == record["text"], record
        assert len(record["reason"].strip()) > 10, record


def test_annotator_passes_are_kept_and_valid(repo_root: Path):
    passes = pass_files(repo_root)
    assert len(passes) >= 2
    for path in passes:
        assert validate_corpus(load_annotated(path, repo_root), str(path)) == []
