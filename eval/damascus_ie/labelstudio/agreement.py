"""Agreement between annotators of the same tasks: pairwise per-layer F1 from the harness, plus Cohen's kappa.

F1 treats one annotator as gold and the other as predictions, through the same
scorer that ranks extractors, so agreement and leaderboard numbers mean the same
thing. Kappa asks the complementary question: where both marked the same span,
did they give it the same type?
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

from damascus_ie.core.records import LAYERS, Document, Layer
from damascus_ie.harness.agreement import kappa, matched_types
from damascus_ie.harness.scoring import score
from damascus_ie.labelstudio.pull import Pulled


@dataclass(frozen=True)
class PairAgreement:
    document: str
    annotator_a: str
    annotator_b: str
    layer: Layer
    f1: float
    matched: int
    kappa: float | None

    def row(self) -> str:
        kappa = "n/a" if self.kappa is None else f"{self.kappa:.3f}"
        return (f"{self.document}  {self.annotator_a} vs {self.annotator_b}  {self.layer:<12} F1 {self.f1:.3f}  "
                f"matched spans {self.matched}  kappa {kappa}")


def layer_f1(a: Document, b: Document) -> dict[str, float]:
    """Per-layer F1 of b against a, from the harness's scorer."""
    report = score([b], gold=[a], bootstrap=0)  # point values only: intervals over one document mean nothing
    return {layer: float(report.layer_f1(layer)) for layer in LAYERS}


def pairwise_agreement(pulled: list[Pulled]) -> list[PairAgreement]:
    """Every pair of annotators on every document both annotated, per layer."""
    by_doc: dict[str, dict[str, Document]] = defaultdict(dict)
    for row in pulled:
        by_doc[row.document["id"]][row.annotator] = row.document
    rows = []
    for doc_id, docs in sorted(by_doc.items()):
        for name_a, name_b in itertools.combinations(sorted(docs), 2):
            f1 = layer_f1(docs[name_a], docs[name_b])
            for layer in LAYERS:
                types_a, types_b = matched_types(docs[name_a], docs[name_b], layer)
                rows.append(PairAgreement(doc_id, name_a, name_b, layer, f1[layer], len(types_a),
                                          kappa(types_a, types_b)))
    return rows
