"""`score()`: predictions and gold in, a `Report` out. The harness's public API.

    score(predictions, gold=None, *, layers=None, extractor=None, settings=None, bootstrap=1000, seed=0,
          lenient=False) -> Report
    compare(predictions_a, predictions_b, gold=None, *, layers=None, resamples=1000, seed=0) -> dict
    report.headline  {"entities.strict.f1": ..., "events.trigger_classification.f1": ...,
                      "attributions.full.f1": ..., "entities.coref.conll_f1": ...}  (see HEADLINE_ORDER)
    report.intervals {name: (low, high)}  95% bootstrap intervals
    report.per_type(layer) -> {type: F1}; report.per_type_table(layer) -> DataFrame; report.layer_f1(layer)
    report.to_dict() / to_json() / to_markdown() / to_csv() / render_table()
    metrics.entities.align(gold_doc, pred_doc) -> [(gold | None, pred | None, status)]

`predictions` is a JSONL path or a list of document dicts; `gold` is None (the
shipped gold, via io.load_gold), a list of documents with text (an annotator
pass, for agreement), or a path (.json annotation source or .jsonl documents).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pyarrow as pa

from damascus_ie import __version__
from damascus_ie.core.io import GOLD_SOURCE, load_annotated, load_annotation_source, load_gold, read_jsonl
from damascus_ie.core.paths import repo_root
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import AnyRecord, Layer
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy
from damascus_ie.core.validation import validate_document
from damascus_ie.harness.bulk import GoldTexts
from damascus_ie.harness.grounding import grounding_summary
from damascus_ie.harness.metrics import attributions, columns, coref, entities, events
from damascus_ie.harness.metrics.counts import R_DEN, Tally
from damascus_ie.harness.metrics.matching import pack
from damascus_ie.harness.metrics.positions import JoinedTexts, OffsetIndex, joined_texts, sentence_index, token_index
from damascus_ie.harness.predictions import LoadedPredictions, Predictions, load_predictions
from damascus_ie.harness.report import NAMES_HEADLINE, Report, ReportLayer, layer_name
from damascus_ie.harness.uncertainty import Statistic, bootstrap_intervals, paired_test, statistic_value

ALL_LAYERS: tuple[ReportLayer, ...] = get_args(ReportLayer)
RECORD_LAYER: dict[str, Layer] = {"entities": "mentions", "events": "events", "attributions": "attributions"}
Gold = str | Path | Sequence[AnyRecord] | None
# the mention fields read: the mention table's, and the id that event arguments and attribution sources refer to
_MENTION_LISTS = pa.list_(pa.struct([*entities.MENTION_FIELDS.value_type, ("id", pa.string())]))


def _mention_lists(docs: Sequence[AnyRecord]) -> pa.ListArray:
    """Every document's mentions read by Arrow once, for the mention table and for the ids events and attributions use."""
    return pa.array([d.get("mentions") or () for d in docs], type=_MENTION_LISTS)


@dataclass
class GoldCorpus:
    """The gold documents and what every scoring run derives from them once: sentences, tokens, tables.

    `prepare_gold` keeps the last few, so a leaderboard of N systems prepares its gold once.
    """

    version: str | None
    documents: list[AnyRecord]
    taxonomy: Taxonomy = field(default_factory=load_taxonomy)

    @cached_property
    def texts(self) -> list[str]:
        return [d["text"] for d in self.documents]

    @cached_property
    def sentences(self) -> OffsetIndex:
        return sentence_index(self.texts)

    @cached_property
    def tokens(self) -> OffsetIndex:
        return token_index(self.texts)

    @cached_property
    def joined(self) -> JoinedTexts:
        return joined_texts(self.texts)

    @cached_property
    def joined_by_id(self) -> GoldTexts:
        """The joined texts with each document's row, as loading predictions reads them."""
        return GoldTexts(self.joined, {d["id"]: row for row, d in enumerate(self.documents)})

    @cached_property
    def mention_lists(self) -> pa.ListArray:
        return _mention_lists(self.documents)

    @cached_property
    def mentions(self) -> entities.MentionTable:
        return entities.mention_table(self.documents, self.taxonomy, lists=self.mention_lists)

    @cached_property
    def names(self) -> tuple[entities.MentionTable, np.ndarray]:
        """The gold name (NAM) mentions and their rows in `mentions`."""
        return entities.names_only(self.mentions, unlevelled=False)

    @cached_property
    def mention_ids(self) -> columns.Columns:
        """What events and attributions refer to, read once for both."""
        return columns.mention_ids(self.documents, self.mention_lists)

    @cached_property
    def events(self) -> events.EventTable:
        return events.event_table(self.documents, self.taxonomy, self.mention_ids)

    @cached_property
    def attributions(self) -> attributions.AttributionTable:
        return attributions.attribution_table(self.documents, self.taxonomy, self.mention_ids)

    def units(self, resampled: bool = True) -> Units:
        """Where each record falls for resampling: its sentence, or one unit for all when nothing is resampled."""
        return self.sentences if resampled else ONE_UNIT


class _OneUnit:
    """Every record in unit 0: the tallies are totals only (no bootstrap asked for, no sentences needed)."""

    doc_of_unit = np.zeros(1, dtype=np.int64)

    def __len__(self) -> int:
        return 1

    def unit(self, doc: np.ndarray, offset: np.ndarray) -> np.ndarray:
        return np.zeros(np.shape(doc), dtype=np.int64)


ONE_UNIT = _OneUnit()
Units = OffsetIndex | _OneUnit


@dataclass
class PredictedCorpus:
    """One system's predictions aligned with a gold, and what several layers share (the mention matching)."""

    gold: GoldCorpus
    documents: Sequence[AnyRecord]
    mention_lists: pa.ListArray | None = None  # the documents' mention lists, when loading already read them

    @cached_property
    def read_mentions(self) -> pa.ListArray:
        """The mention lists loading read, or the documents' mentions read here once (as the gold's)."""
        return self.mention_lists if self.mention_lists is not None else _mention_lists(self.documents)

    @cached_property
    def mentions(self) -> entities.MentionTable:
        return entities.mention_table(self.documents, self.gold.taxonomy, lists=self.read_mentions)

    @cached_property
    def mention_ids(self) -> columns.Columns:
        return columns.mention_ids(self.documents, self.read_mentions)

    @cached_property
    def events(self) -> events.EventTable:
        return events.event_table(self.documents, self.gold.taxonomy, self.mention_ids)

    @cached_property
    def attributions(self) -> attributions.AttributionTable:
        return attributions.attribution_table(self.documents, self.gold.taxonomy, self.mention_ids)

    @cached_property
    def matching(self) -> entities.EntityMatching:
        return entities.match(self.gold.mentions, self.mentions)

    @cached_property
    def mention_to_gold(self) -> np.ndarray:
        """Predicted mention row -> the gold mention with the same boundaries, -1 for none."""
        return _alignment(len(self.mentions), self.matching.correct("exact"))


_PREPARED: dict[Any, tuple[Any, GoldCorpus]] = {}  # gold identity -> (the list it was built from, prepared gold)
_PREPARED_KEEP = 2


def prepare_gold(gold: Gold | GoldCorpus) -> GoldCorpus:
    """The prepared gold for `gold`, built once and reused while the same gold is scored again.

    Keyed by identity: the shipped gold and files by path, size and modification time; a list of
    documents by the list object (pass a new list after changing its documents).
    """
    if isinstance(gold, GoldCorpus):
        return gold
    if gold is None:
        key: Any = ("shipped", *_file_stamp(repo_root() / GOLD_SOURCE))
    elif isinstance(gold, str | Path):
        key = ("file", *_file_stamp(Path(gold)))
    else:
        key = ("list", id(gold), len(gold))
    hit = _PREPARED.get(key)
    if hit is not None and (key[0] != "list" or hit[0] is gold):
        return hit[1]
    corpus = resolve_gold(gold)
    _PREPARED[key] = (gold if key[0] == "list" else None, corpus)
    while len(_PREPARED) > _PREPARED_KEEP:
        _PREPARED.pop(next(iter(_PREPARED)))
    return corpus


def forget_prepared_gold() -> None:
    """Drop every prepared gold (a caller measuring memory, or one that changed a gold list in place)."""
    _PREPARED.clear()


def _file_stamp(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return str(path), -1, -1  # resolve_gold reports the problem
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


def resolve_gold(gold: Gold) -> GoldCorpus:
    """The shipped gold, a list of documents with text, or a file of them."""
    if gold is None:
        version, docs = load_gold()
        return GoldCorpus(version, list(docs))
    if isinstance(gold, str | Path):
        path = Path(gold)
        if path.suffix == ".jsonl":
            return GoldCorpus(None, _checked_gold(_with_text([row for _, row in read_jsonl(path)], str(path)),
                                                  str(path)))
        source_version, _ = load_annotation_source(path)
        return GoldCorpus(source_version if isinstance(source_version, str) else None,
                          _checked_gold(list(load_annotated(path)), str(path)))
    return GoldCorpus(None, _with_text(list(gold), "<gold>"))


def _checked_gold(docs: list[AnyRecord], file: str) -> list[AnyRecord]:
    """A gold file from the user is read like predictions: what cannot be interpreted is refused, not crashed on.

    (Gold given as a list, from code, is taken as it is: the shipped gold is validated in CI, and checking
    large programmatic corpora on every call would cost the speed `make bench` measures.)
    """
    taxonomy = load_taxonomy()
    problems = [p for doc in docs for p in validate_document(doc, file, taxonomy, gold=False) if p.severity == "error"]
    if problems:
        raise InvalidInput(problems)
    return docs


def _with_text(docs: Sequence[AnyRecord], file: str) -> list[AnyRecord]:
    problems = [Problem(file, str(d.get("id")) if isinstance(d, dict) else None, None, "text",
                        "gold documents need their text") for d in docs
                if not isinstance(d, dict) or not isinstance(d.get("text"), str) or not isinstance(d.get("id"), str)]
    if problems:
        raise InvalidInput(problems)
    seen: set[str] = set()
    for doc in docs:  # predictions are matched to gold documents by id: two with one id would share a prediction
        if doc["id"] in seen:
            problems.append(Problem(file, doc["id"], None, "id", "duplicate gold document id: predictions are "
                                    "matched to gold documents by id", hint="give each gold document its own id"))
        seen.add(doc["id"])
    if problems:
        raise InvalidInput(problems)
    return list(docs)


@dataclass
class LayerResult:
    metrics: dict[str, Any]
    statistics: dict[str, Statistic]
    per_type: list[dict[str, Any]]
    warnings: dict[str, int] = field(default_factory=dict)  # kind -> count, as Report.warning_counts


def _scores(tallies: dict[str, Tally]) -> dict[str, dict[str, float]]:
    return {name: item.scores() for name, item in tallies.items()}


@dataclass(frozen=True)
class IdentitySide:
    """One side of an identity layer: per row its identity id (None: takes no part), document and sentence."""

    ids: Sequence[str | None] | np.ndarray  # or coref.identity_codes (-1: none)
    doc: np.ndarray
    units: np.ndarray


def _coref(gold: IdentitySide, pred: IdentitySide, pred_span: np.ndarray | None, pred_to_gold: np.ndarray, n_units: int,
           prefix: str, names: tuple[str, str] = ("coref", "coref_corpus"),
           ) -> tuple[dict[str, Any], dict[str, Statistic], dict[str, int]]:
    """Within-document and corpus-level identity scores, their statistics, and the count of repeats removed.

    `pred_span` is one key per predicted row for its document and boundaries: a predicted mention with
    the boundaries of another and aligned to no gold mention is removed, as the CoNLL reference scorer
    removes repeats (coref.repeated); None keeps every row. `names` name the two levels.
    """
    metrics: dict[str, Any] = {}
    statistics: dict[str, Statistic] = {}
    gold_codes, pred_codes = coref.identity_codes(gold.ids), coref.identity_codes(pred.ids)  # once for both levels
    response_rows: np.ndarray = np.zeros(0, np.int64)
    for name, corpus in zip(names, (False, True), strict=True):
        parts, key_rows, response_rows = coref.identity_partitions(gold_codes, gold.doc, pred_codes, pred.doc,
                                                                   pred_to_gold, corpus, pred_span)
        tallies = coref.coref_tallies(parts, gold.units[key_rows], pred.units[response_rows], n_units)
        metrics[name] = coref.coref_scores(tallies)
        statistics[f"{prefix}.{name}.conll_f1"] = [tallies[m] for m in ("muc", "b3", "ceafe")]
    removed = int(np.count_nonzero(pred_codes >= 0)) - response_rows.size  # the same rows at both levels
    warnings = {f"{prefix}: repeated prediction left out of identity scoring": removed} if removed else {}
    return metrics, statistics, warnings


def _alignment(n_pred: int, pairs: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Predicted row -> gold row it is the same mention as, -1 for none."""
    pred_to_gold = np.full(n_pred, -1, dtype=np.int64)
    pred_to_gold[pairs[1]] = pairs[0]
    return pred_to_gold


def score_entities(pred: PredictedCorpus, units: Units) -> LayerResult:
    gold = pred.gold
    n_units = len(units)
    g, p, matching = gold.mentions, pred.mentions, pred.matching
    metrics = entities.scheme_counts(g, p, matching, gold.taxonomy)
    g_units, p_units = units.unit(g.doc, g.start), units.unit(p.doc, p.start)
    tallies = entities.scheme_tallies(g, p, matching, g_units, p_units, n_units)
    tallies["head"] = entities.head_tally(g, p, entities.head_pairs(g, p, gold.joined), g_units, p_units, n_units)
    metrics["head"] = tallies["head"].scores()
    statistics: dict[str, Statistic] = {f"entities.{name}.f1": [item] for name, item in tallies.items()}
    metrics["names"], names_strict = _names(gold, p, g_units, p_units, n_units)
    statistics = {**{"entities.strict.f1": statistics.pop("entities.strict.f1")},
                  NAMES_HEADLINE: [names_strict], **statistics}  # the names headline next to all levels
    coref_metrics, coref_statistics, warnings = _coref(
        IdentitySide(g.entity, g.doc, g_units), IdentitySide(p.entity, p.doc, p_units), pack(p.doc, p.start, p.end),
        pred.mention_to_gold, n_units, "entities")
    metrics.update(coref_metrics)
    statistics.update(coref_statistics)
    rows = [{"type": kind, "scheme": scheme, **values, "support": values["possible"]}
            for kind, schemes in metrics["per_type"].items() for scheme, values in schemes.items()]
    return LayerResult(metrics, statistics, rows, warnings)


def _names(gold: GoldCorpus, pred: entities.MentionTable, gold_units: np.ndarray, pred_units: np.ndarray,
           n_units: int) -> tuple[dict[str, Any], Tally]:
    """Names only (CoNLL-2003 style): every scheme on gold NAM mentions against predicted NAM or unlevelled ones."""
    g, g_rows = gold.names
    p, p_rows = entities.names_only(pred, unlevelled=True)
    matching = entities.match(g, p)
    metrics = entities.scores(entities.count(g, p, matching, gold.taxonomy, per_level=False), gold.taxonomy)
    strict = entities.scheme_tallies(g, p, matching, gold_units[g_rows], pred_units[p_rows], n_units)["strict"]
    return metrics, strict


def score_events(pred: PredictedCorpus, units: Units) -> LayerResult:
    gold = pred.gold
    n_units = len(units)
    g, p = gold.events, pred.events
    unit_of = {f"{side}_{table}": units.unit(t[table]["doc"], t[table]["start"])
               for side, t in (("gold", vars(g)), ("pred", vars(p))) for table in ("events", "arguments")}
    tallies = events.event_tallies(g, p, unit_of, n_units)
    metrics: dict[str, Any] = _scores(tallies)
    statistics: dict[str, Statistic] = {
        f"events.{name}.{'accuracy' if item.kind == 'accuracy' else 'f1'}": [item] for name, item in tallies.items()}
    pred_to_gold = _alignment(len(p.records), events.trigger_pairs(g, p))
    coref_metrics, coref_statistics, warnings = _coref(
        IdentitySide(g.identities, g.events["doc"], unit_of["gold_events"]),
        IdentitySide(p.identities, p.events["doc"], unit_of["pred_events"]),
        pack(p.events["doc"], p.events["start"], p.events["end"]), pred_to_gold, n_units, "events")
    metrics.update(coref_metrics)
    statistics.update(coref_statistics)
    per_type = events.per_type_tallies(g, p, unit_of, n_units, gold.taxonomy)
    rows = [{"type": kind, **item.scores(), "support": int(item.total()[R_DEN])} for kind, item in per_type.items()]
    return LayerResult(metrics, statistics, rows, warnings)


def score_attributions(pred: PredictedCorpus, units: Units) -> LayerResult:
    gold = pred.gold
    n_units = len(units)
    g, p = gold.attributions, pred.attributions
    g_mentions, p_mentions = gold.mentions, pred.mentions
    gold_entity, pred_entity = attributions.entity_codes(g_mentions.entity, pred.mention_to_gold)
    gold_side = attributions.MentionSide(g_mentions.start, g_mentions.end, gold_entity)
    pred_side = attributions.MentionSide(p_mentions.start, p_mentions.end, pred_entity)
    pairs = attributions.cue_pairs(g, p, gold_side, pred_side)
    g_units, p_units = units.unit(g.doc, g.cue_start), units.unit(p.doc, p.cue_start)
    tallies = attributions.attribution_tallies(g, p, gold_side, pred_side, gold.tokens, g_units, p_units, n_units,
                                               pairs)
    metrics: dict[str, Any] = _scores(tallies)
    statistics: dict[str, Statistic] = {
        f"attributions.{name}" + ("" if item.kind == "accuracy" else ".f1"): [item] for name, item in tallies.items()}
    # statement identity: attributions are the mentions, aligned by their cue pairs; not de-duplicated, as
    # two attributions may share a cue (the gold has such a pair)
    statement_metrics, statement_statistics, _ = _coref(
        IdentitySide(g.statement, g.doc, g_units), IdentitySide(p.statement, p.doc, p_units), None,
        _alignment(len(p), pairs), n_units, "attributions", ("statement", "statement_corpus"))
    metrics.update(statement_metrics)
    statistics.update(statement_statistics)
    return LayerResult(metrics, statistics, [])


SCORERS = {"entities": score_entities, "events": score_events, "attributions": score_attributions}


def _layers(layers: Sequence[str] | None) -> list[ReportLayer]:
    chosen = {layer_name(layer) for layer in (layers or ALL_LAYERS)}
    return [layer for layer in ALL_LAYERS if layer in chosen]


def evaluate_layers(gold: GoldCorpus, pred_docs: Sequence[AnyRecord], layers: Sequence[str],
                    resampled: bool = True, mention_lists: pa.ListArray | None = None) -> dict[str, LayerResult]:
    """Every chosen layer of one system; `resampled=False` keeps totals only (no per-sentence tallies)."""
    pred = PredictedCorpus(gold, pred_docs, mention_lists)
    units = gold.units(resampled)
    return {layer: SCORERS[layer](pred, units) for layer in layers}


def _headline(results: dict[str, LayerResult]) -> dict[str, Statistic]:
    return {name: statistic for result in results.values() for name, statistic in result.statistics.items()}


def _notes(gold: GoldCorpus, loaded: LoadedPredictions, resamples: int) -> list[str]:
    n_docs = len(gold.documents)
    notes = [f"Intervals: {resamples} bootstrap resamples of {len(gold.sentences)} sentences within {n_docs} "
             "documents (95% percentile)."]
    if n_docs < 10:
        notes.append(f"With only {n_docs} document(s) the intervals are wide and describe sentence-level "
                     "variation in these texts, not how a system would do on other news: read differences "
                     "inside them as noise.")
    if loaded.missing:
        notes.append(f"{len(loaded.missing)} gold document(s) had no prediction record and were scored as empty: "
                     + ", ".join(loaded.missing))
    return notes


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a corpus is scored, then restored as it was.

    Scoring allocates millions of small acyclic objects next to the millions of parsed records, and each
    automatic collection walks them all: a quarter of the time of `score()` on 20,000 documents
    (`make bench`). Nothing scoring builds is a cycle that needs collecting before it returns.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def score(predictions: Predictions, gold: Gold = None, *, layers: Sequence[str] | None = None,
          extractor: str | None = None, settings: dict[str, Any] | None = None, bootstrap: int = 1000,
          seed: int = 0, lenient: bool = False) -> Report:
    """Scores predictions against the gold; raises InvalidInput on malformed predictions unless `lenient`.

    Wrong but interpretable predictions (crossing spans, spans on white space, duplicates, ...) are scored
    and counted in `report.warnings` / `report.warning_counts`; predictions in boilerplate are not scored.
    """
    _check_resamples(bootstrap, "bootstrap", 0)
    with _no_cycle_collection():
        return _score(predictions, gold, layers=layers, extractor=extractor, settings=settings, bootstrap=bootstrap,
                      seed=seed, lenient=lenient)


def _score(predictions: Predictions, gold: Gold, *, layers: Sequence[str] | None, extractor: str | None,
           settings: dict[str, Any] | None, bootstrap: int, seed: int, lenient: bool) -> Report:
    corpus = prepare_gold(gold)
    chosen = _layers(layers)
    loaded = load_predictions(predictions, corpus.documents, lenient=lenient, taxonomy=corpus.taxonomy,
                              layers=[RECORD_LAYER[layer] for layer in chosen], texts=corpus.joined_by_id)
    results = evaluate_layers(corpus, loaded.documents, chosen, resampled=bootstrap > 0,
                              mention_lists=loaded.mention_lists)
    statistics = _headline(results)
    unit_doc = corpus.units(bootstrap > 0).doc_of_unit
    return Report(
        dataset_version=corpus.version,
        harness_version=__version__,
        extractor=extractor,
        settings=dict(settings or {}),
        documents=[d["id"] for d in corpus.documents],
        sentences=len(corpus.sentences),
        layers=chosen,
        headline={name: float(statistic_value(value)[0]) for name, value in statistics.items()},
        intervals=bootstrap_intervals(statistics, unit_doc, bootstrap, seed),
        metrics={layer: result.metrics for layer, result in results.items()},
        per_type_rows={layer: result.per_type for layer, result in results.items()},
        bootstrap={"resamples": bootstrap, "seed": seed, "unit": "sentence", "strata": "document", "level": 0.95},
        warnings=[str(problem) for problem in loaded.warnings] + [
            f"{kind}: {n} (same boundaries as another predicted mention, aligned to no gold mention; the CoNLL "
            "reference scorer removes repeats)" for result in results.values() for kind, n in result.warnings.items()],
        warning_counts={**loaded.warning_counts, **{kind: n for r in results.values() for kind, n in r.warnings.items()}},
        grounding=grounding_summary(loaded.grounded, loaded.span_totals),
        notes=_notes(corpus, loaded, bootstrap) + ([f"lenient: skipped {loaded.skipped} bad record(s)"]
                                                   if loaded.skipped else []),
    )


def _check_resamples(value: int, name: str, minimum: int) -> None:
    """A negative bootstrap, or a test without resamples (p = 1 everywhere), is a mistake, not a request."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InvalidInput([Problem("<arguments>", None, None, name, f"must be an integer >= {minimum}, got {value!r}")])


def compare(predictions_a: Predictions, predictions_b: Predictions, gold: Gold = None, *,
            layers: Sequence[str] | None = None, resamples: int = 1000, seed: int = 0,
            lenient: bool = False) -> dict[str, dict[str, float]]:
    """Paired approximate-randomization test of A against B on every headline metric."""
    _check_resamples(resamples, "resamples", 1)
    with _no_cycle_collection():
        corpus = prepare_gold(gold)
        chosen = _layers(layers)
        a, b = (load_predictions(predictions, corpus.documents, taxonomy=corpus.taxonomy, lenient=lenient,
                                 texts=corpus.joined_by_id) for predictions in (predictions_a, predictions_b))
        headline_a, headline_b = (_headline(evaluate_layers(corpus, loaded.documents, chosen,
                                                            mention_lists=loaded.mention_lists)) for loaded in (a, b))
        return paired_test(headline_a, headline_b, resamples, seed)
