"""Inter-annotator agreement between the kept blind passes, measured with the harness's own scorer.

Pass B is scored as predictions against pass A as gold: F1 is symmetric, so
the order only swaps precision and recall. The same code ranks extractors, so
agreement and leaderboard numbers mean the same thing. Token-level
Krippendorff's alpha over attribution roles is added to compare with PolNeAR.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from sklearn.metrics import cohen_kappa_score

from damascus_ie.core.io import load_annotated
from damascus_ie.core.paths import PASSES_DIR
from damascus_ie.core.records import AnyRecord, Document, Layer
from damascus_ie.core.sentences import token_spans
from damascus_ie.core.tables import markdown_table
from damascus_ie.harness.scoring import score

# Published reference points (Newell et al. 2018, PolNeAR).
POLNEAR_ATTRIBUTION_AGREEMENT = 0.923
POLNEAR_TOKEN_ALPHA = 0.754
ATTRIBUTION_ROLES = ("cue", "source", "content")


SPAN_FIELD: dict[Layer, str | None] = {"mentions": None, "events": "trigger", "attributions": "cue"}


def typed_spans(doc: Document, layer: Layer) -> dict[tuple[int, int], str]:
    """(start, end) of each record's span (mention, trigger or cue) -> its type."""
    out = {}
    field = SPAN_FIELD[layer]
    for record in doc[layer]:
        span: AnyRecord = record if field is None else record[field]  # type: ignore[literal-required]
        out[(span["start"], span["end"])] = str(record["type"])
    return out


def matched_types(a: Document, b: Document, layer: Layer) -> tuple[list[str], list[str]]:
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


def pass_files(root: Path) -> list[Path]:
    return sorted((root / PASSES_DIR).glob("*.json"))


def nominal_alpha(coder_a: list[str], coder_b: list[str]) -> float:
    """Krippendorff's alpha for two coders, nominal labels, no missing values."""
    if len(coder_a) != len(coder_b) or not coder_a:
        raise ValueError("alpha needs two equally long, non-empty label sequences")
    values = Counter(coder_a) + Counter(coder_b)
    n = 2 * len(coder_a)
    observed = sum(a != b for a, b in zip(coder_a, coder_b, strict=True)) * 2 / n
    expected = (n * n - sum(c * c for c in values.values())) / (n * (n - 1))
    return 1.0 if expected == 0 else 1.0 - observed / expected


def attribution_token_labels(doc: Document) -> list[str]:
    """One label per token: cue, source or content of any attribution (in that priority), else O."""
    mentions = {m["id"]: m for m in doc["mentions"]}
    spans: dict[str, list[tuple[int, int]]] = {role: [] for role in ATTRIBUTION_ROLES}
    for attribution in doc["attributions"]:
        spans["cue"].append((attribution["cue"]["start"], attribution["cue"]["end"]))
        if (source_id := attribution.get("source")) is not None and source_id in mentions:
            source = mentions[source_id]
            spans["source"].append((source["start"], source["end"]))
        spans["content"] += [(c["start"], c["end"]) for c in attribution["content"]]
    labels = []
    for start, end in token_spans(doc["text"]):
        role = next((r for r in ATTRIBUTION_ROLES if any(s <= start and end <= e for s, e in spans[r])), "O")
        labels.append(role)
    return labels


def measure(pass_a: list[Document], pass_b: list[Document]) -> dict[str, Any]:
    """Every agreement figure the dataset card publishes, from two passes over the same documents."""
    report = score(pass_b, gold=pass_a, bootstrap=0)
    by_id = {d["id"]: d for d in pass_b}
    labels_a = [label for d in pass_a for label in attribution_token_labels(d)]
    labels_b = [label for d in pass_a for label in attribution_token_labels(by_id[d["id"]])]
    types_a, types_b = [], []
    for doc in pass_a:
        a, b = matched_types(doc, by_id[doc["id"]], "mentions")
        types_a += a
        types_b += b
    return {"headline": report.headline, "metrics": report.metrics,
            "attribution_token_alpha": nominal_alpha(labels_a, labels_b),
            "entity_type_kappa": kappa(types_a, types_b), "entity_type_pairs": len(types_a)}


def measure_passes(root: Path) -> tuple[list[str], dict[str, Any]] | None:
    paths = pass_files(root)
    if len(paths) < 2:
        return None
    first, second = (load_annotated(p, root) for p in paths[:2])
    return [p.stem for p in paths[:2]], measure(first, second)


def _f(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def agreement_markdown(names: list[str], figures: dict[str, Any]) -> str:
    h, m = figures["headline"], figures["metrics"]
    entity_types = m["entities"]["per_type"]
    rows = [
        ("entity mentions", "strict F1 / partial F1", f"{_f(h['entities.strict.f1'])} / {_f(h['entities.partial.f1'])}"),
        ("entity mention types", f"Cohen's kappa on {figures['entity_type_pairs']} same-span pairs",
         _f(figures["entity_type_kappa"])),
        ("entity clusters", "MUC / B3 / CEAF-e F1 (corpus level)", " / ".join(
            _f(m["entities"]["coref_corpus"][k]["f1"]) for k in ("muc", "b3", "ceafe"))),
        ("event triggers", "identification / classification F1", f"{_f(h['events.trigger_identification.f1'])} / "
                                                                   f"{_f(h['events.trigger_classification.f1'])}"),
        ("event arguments", "identification / classification F1", f"{_f(h['events.argument_identification.f1'])} / "
                                                                    f"{_f(h['events.argument_classification.f1'])}"),
        ("event clusters", "CoNLL F1 (corpus level)", _f(h["events.coref_corpus.conll_f1"])),
        ("attribution cue", "exact / token-overlap F1", f"{_f(h['attributions.cue.exact.f1'])} / "
                                                        f"{_f(h['attributions.cue.token.f1'])}"),
        ("attribution source", "exact / token-overlap / by-entity F1", f"{_f(h['attributions.source.exact.f1'])} / "
         f"{_f(h['attributions.source.token.f1'])} / {_f(h['attributions.source.entity.f1'])}"),
        ("attribution content", "exact / token-overlap F1", f"{_f(h['attributions.content.exact.f1'])} / "
                                                            f"{_f(h['attributions.content.token.f1'])}"),
        ("attribution type", "accuracy on matched attributions", _f(h["attributions.type.accuracy"])),
        ("attributions (full relation)", "F1: cue matched, content overlaps, source matches",
         _f(h["attributions.full.f1"])),
        ("attribution tokens", "Krippendorff's alpha (cue/source/content/none)", _f(figures["attribution_token_alpha"])),
    ]
    table = markdown_table(("layer", "measure", "agreement"), rows)
    per_type = markdown_table(("type", "strict F1", "partial F1"), [
        (t, _f(v["strict"].get("f1")), _f(v["partial"].get("f1"))) for t, v in entity_types.items()])
    full, alpha = h["attributions.full.f1"], figures["attribution_token_alpha"]
    comparison = (
        f"PolNeAR (Newell et al. 2018) reports attribution-level agreement of {POLNEAR_ATTRIBUTION_AGREEMENT:.1%} and "
        f"token-level Krippendorff's alpha of {POLNEAR_TOKEN_ALPHA}. Here the full-relation attribution F1 is "
        f"{full:.1%} ({'below' if full < POLNEAR_ATTRIBUTION_AGREEMENT else 'at or above'} PolNeAR) and the "
        f"token-level alpha is {alpha:.3f} ({'below' if alpha < POLNEAR_TOKEN_ALPHA else 'above'} PolNeAR); exact "
        f"content boundaries agree least ({h['attributions.content.exact.f1']:.3f}).")
    return f"""### Inter-annotator agreement (before adjudication)

Two independent blind passes of the full text (`dataset/annotator_passes/{names[0]}.json` as reference,
`{names[1]}.json` scored against it with the harness's own scorer: `damascus-ie agreement`). Computed, not typed:
this section is regenerated by `damascus-ie generate` from the kept passes.

{table}

Entity mentions per type:

{per_type}

{comparison}

**Read these numbers with care.** Both passes were made by independent instances of the same annotation model,
each from the specification and the text alone, without seeing the other. Annotators that share a model share
its biases, so this agreement is an upper bound on what two human annotators would reach, and it is not
directly comparable with PolNeAR's human agreement. Every disagreement was adjudicated into the gold; the
decision log in `dataset/GUIDELINES.md` gives the reason for each non-obvious call. Two documents are a small
sample: one disagreement moves an event-level figure by about 1.5 points."""


def agreement_section(root: Path) -> str:
    measured = measure_passes(root)
    if measured is None:
        return "Agreement: not measured (fewer than two kept annotation passes)."
    return agreement_markdown(*measured)
