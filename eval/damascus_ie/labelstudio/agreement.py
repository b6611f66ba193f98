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

from sklearn.metrics import cohen_kappa_score

from damascus_ie.labelstudio.pull import Pulled
from damascus_ie.records import LAYERS, Document

SPAN_FIELD = {"mentions": None, "events": "trigger", "attributions": "cue"}


@dataclass(frozen=True)
class PairAgreement:
    document: str
    annotator_a: str
    annotator_b: str
    layer: str
    f1: float
    matched: int
    kappa: float | None

    def row(self) -> str:
        kappa = "n/a" if self.kappa is None else f"{self.kappa:.3f}"
        return (f"{self.document}  {self.annotator_a} vs {self.annotator_b}  {self.layer:<12} F1 {self.f1:.3f}  "
                f"matched spans {self.matched}  kappa {kappa}")


def typed_spans(doc: Document, layer: str) -> dict[tuple[int, int], str]:
    """(start, end) of each record's span (mention, trigger or cue) -> its type."""
    out = {}
    for record in doc[layer]:
        span = record if SPAN_FIELD[layer] is None else record[SPAN_FIELD[layer]]
        out[(span["start"], span["end"])] = str(record["type"])
    return out


def matched_types(a: Document, b: Document, layer: str) -> tuple[list[str], list[str]]:
    """The two annotators' types on the spans both of them marked, in span order."""
    spans_a, spans_b = typed_spans(a, layer), typed_spans(b, layer)
    shared = sorted(spans_a.keys() & spans_b.keys())
    return [spans_a[s] for s in shared], [spans_b[s] for s in shared]


def kappa(types_a: list[str], types_b: list[str]) -> float | None:
    """Cohen's kappa; None without matched spans; 1.0 when both used one identical type throughout (sklearn: nan)."""
    if not types_a:
        return None
    if types_a == types_b:
        return 1.0
    return float(cohen_kappa_score(types_a, types_b, replace_undefined_by=0.0))


def layer_f1(a: Document, b: Document) -> dict[str, float]:
    """Per-layer F1 of b against a, from the harness's scorer."""
    from damascus_ie import score

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
