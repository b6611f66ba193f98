"""The leaderboard's sanity anchors: `oracle` answers with the gold itself, `empty` with nothing.

Any scorer must give the oracle 1.0 and the empty extractor 0.0 on every
layer with gold records; a leaderboard where they do not is broken, not hard.
"""

from __future__ import annotations

import copy
from typing import Any

from damascus_ie.core.io import load_gold
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import LAYERS, Document
from damascus_ie.leaderboard.extractors.base import Prediction, empty_prediction


class OracleExtractor:
    """Holds the answer key; without one it reads the gold source of the checkout (annotations/gold.json)."""

    name = "oracle"
    tuned_on_test_texts = True  # it answers with the gold itself

    def __init__(self, gold: list[Document] | None = None) -> None:
        version, documents = (None, gold) if gold is not None else load_gold()
        self._gold = {d["id"]: d for d in documents}
        self.settings: dict[str, Any] = {"gold_version": version} if version else {}

    def extract(self, document: dict[str, Any]) -> Prediction:
        gold = self._gold.get(document["id"])
        if gold is None:
            raise InvalidInput([Problem("oracle", document["id"], None, "id", "no gold document with this id")])
        return {"id": gold["id"], **{layer: copy.deepcopy(gold.get(layer) or []) for layer in LAYERS}}


class EmptyExtractor:
    name = "empty"
    tuned_on_test_texts = False

    def __init__(self) -> None:
        self.settings: dict[str, Any] = {}

    def extract(self, document: dict[str, Any]) -> Prediction:
        return empty_prediction(document["id"])
