"""Small hand-made gold on the real seed texts (every layer filled), and a scratch repository built from it.

Exact-number tests score against this fixture, never against the real gold,
which changes as annotation goes on.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from damascus_ie.core.io import load_gold
from damascus_ie.core.records import Document
from damascus_ie.dataset.versioning import publish_new_version

from ..conftest import copy_checkout, locate, mention

FIRST, SECOND = "000_245b1950fae37238", "003_3ff54efe2cf3befa"


def fixture_documents(root: Path) -> list[Document]:
    shipped = {doc["id"]: doc for doc in load_gold(root)[1]}  # text and boilerplate only; the layers are ours
    one, two = shipped[FIRST]["text"], shipped[SECOND]["text"]
    attributes = {"polarity": "POSITIVE", "modality": "ASSERTED", "tense": "PAST", "genericity": "SPECIFIC"}
    first = {
        "id": FIRST, "text": one, "boilerplate": shipped[FIRST]["boilerplate"],
        "mentions": [mention(one, "m1", "Syrian", "NORP", "NAM", "syria"),
                     mention(one, "m2", "Syrian rebel forces", "ORG", "NOM", "rebels"),
                     mention(one, "m3", "Damascus", "GPE", "NAM", "damascus"),
                     mention(one, "m4", "a source", "PER", "NOM", "source-cnn"),
                     mention(one, "m5", "CNN", "ORG", "NAM", "cnn")],
        "events": [{"id": "v1", "type": "Movement:Transport", "trigger": locate(one, "reached"),
                    "arguments": [{"role": "Artifact", "mention": "m2"}, {"role": "Destination", "mention": "m3"}],
                    **attributes, "event": "rebels-reach-damascus"}],
        "attributions": [{"id": "a1", "type": "DIRECT", "cue": locate(one, "told"), "source": "m4",
                          "content": [locate(one, "Militarily, Damascus has fallen")], "addressee": "m5",
                          "parent": None, "statement": "damascus-has-fallen"}],
    }
    second = {
        "id": SECOND, "text": two, "boilerplate": shipped[SECOND]["boilerplate"],
        "mentions": [mention(two, "m1", "Syrian", "NORP", "NAM", "syria"),
                     mention(two, "m2", "Damascus", "GPE", "NAM", "damascus"),
                     mention(two, "m3", "CNN", "ORG", "NAM", "cnn"),
                     mention(two, "m4", "a source", "PER", "NOM", "source-cnn")],
        "events": [{"id": "v1", "type": "Movement:Transport", "trigger": locate(two, "enter"),
                    "arguments": [{"role": "Destination", "mention": "m2"}], **attributes,
                    "event": "rebels-reach-damascus"}],
        "attributions": [{"id": "a1", "type": "DIRECT", "cue": locate(two, "quoted"), "source": "m4",
                          "content": [locate(two, "Militarily, Damascus has fallen")], "addressee": None,
                          "parent": None, "statement": "damascus-has-fallen"}],
    }
    return [first, second]  # type: ignore[list-item]


@pytest.fixture
def gold_documents(repo_root: Path) -> list[Document]:
    return fixture_documents(repo_root)


@pytest.fixture
def bench_repo(tmp_path: Path) -> Path:
    """A copy of the checkout whose dataset/ is built from the fixture gold by the real versioning code."""
    root = copy_checkout(tmp_path / "repo", ignore=shutil.ignore_patterns("annotator_passes"))
    publish_new_version(root, fixture_documents(root), ["Fixture gold for the extractor tests."],
                        today=datetime.date(2026, 1, 1))
    return root
