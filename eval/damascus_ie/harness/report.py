"""The scoring result and its renderings: rich table, JSON (schemas/report.schema.json), Markdown and CSV.

A Report holds plain data (nested dicts of numbers), so every rendering reads
the same values and the JSON round-trips. Flat headline names look like
"entities.strict.f1"; `intervals` holds their 95% bootstrap intervals.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from damascus_ie.core.tables import markdown_table
from damascus_ie.harness.grounding import OUTCOMES

# /2: warning_counts, grounding, entities.names and per-type support became required (a /1 report lacks them)
REPORT_FORMAT = "damascus-ie-report/2"
ReportLayer = Literal["entities", "events", "attributions"]  # how reports name the record layers
LAYER_NAMES: dict[str, ReportLayer] = {"mentions": "entities", "entities": "entities", "events": "events",
                                       "attributions": "attributions"}
LAYER_HEADLINE: dict[ReportLayer, str] = {"entities": "entities.strict.f1",
                                          "events": "events.trigger_classification.f1",
                                          "attributions": "attributions.full.f1"}
NAMES_HEADLINE = "entities.names.strict.f1"  # names (NAM) only, CoNLL-2003's comparison, beside the all-levels F1


# Per-type tables (classification_report): the layer's overall score the "micro avg" row reads, and its name.
REPORT_MICRO: dict[str, tuple[str, ...]] = {"entities": ("overall", "strict"), "events": ("trigger_classification",)}
REPORT_SCORE: dict[str, str] = {"entities": "strict", "events": "trigger classification"}


def layer_name(layer: str) -> ReportLayer:
    """Accepts the record-layer names (mentions, events, attributions) and the report's (entities, ...)."""
    try:
        return LAYER_NAMES[layer]
    except KeyError:
        raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join(LAYER_NAMES)}") from None


@dataclass
class Report:
    """Everything one scoring run found: headline numbers, their intervals, full metrics and per-type tables."""

    dataset_version: str | None
    harness_version: str
    extractor: str | None
    settings: dict[str, Any]
    documents: list[str]
    sentences: int
    layers: list[ReportLayer]
    headline: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    metrics: dict[str, Any]
    per_type_rows: dict[str, list[dict[str, Any]]]
    bootstrap: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warning_counts: dict[str, int] = field(default_factory=dict)
    grounding: dict[str, dict[str, Any]] = field(default_factory=dict)
    tuned_on_test_texts: bool | None = None
    predictions_sha256: str | None = None

    def layer_f1(self, layer: str) -> float:
        """The layer's main F1: strict mentions, trigger classification, full attribution relations."""
        return self.headline[LAYER_HEADLINE[layer_name(layer)]]

    def per_type_table(self, layer: str) -> pd.DataFrame:
        """All per-type numbers of a layer, one row per type (and scheme for entities)."""
        return pd.DataFrame(self.per_type_rows.get(layer_name(layer), []))

    def per_type(self, layer: str) -> dict[str, float]:
        """Type -> the layer's main F1 (entities: strict; events: trigger classification)."""
        rows = self.per_type_rows.get(layer_name(layer), [])
        return {row["type"]: row["f1"] for row in rows if row.get("scheme", "strict") == "strict"}

    def classification_report(self, layer: str) -> pd.DataFrame:
        """seqeval's classification_report: precision, recall, F1 and support (gold count) per type of the layer's
        main score (entities: strict; events: trigger classification), then micro, macro and weighted averages."""
        layer = layer_name(layer)
        rows = [row for row in self.per_type_rows.get(layer, []) if row.get("scheme", "strict") == "strict"]
        columns = ["type", "precision", "recall", "f1", "support"]
        if not rows or layer not in REPORT_MICRO:
            return pd.DataFrame(columns=columns)
        frame = pd.DataFrame(rows)
        frame["support"] = frame["support"] if "support" in frame else frame.get("possible", 0)
        frame = frame[columns]
        micro = self.metrics.get(layer, {})
        for key in REPORT_MICRO[layer]:
            micro = micro.get(key, {})
        support = int(frame["support"].sum())
        weights = frame["support"] / support if support else frame["support"] * 0
        averages = [
            {"type": "micro avg", **{k: micro.get(k, math.nan) for k in ("precision", "recall", "f1")}},
            {"type": "macro avg", **{k: float(frame[k].mean()) for k in ("precision", "recall", "f1")}},
            {"type": "weighted avg", **{k: float((frame[k] * weights).sum()) for k in ("precision", "recall", "f1")}},
        ]
        return pd.concat([frame, pd.DataFrame([{**row, "support": support} for row in averages])], ignore_index=True)

    def headline_frame(self) -> pd.DataFrame:
        rows = []
        for name, value in self.headline.items():
            low, high = self.intervals.get(name, (math.nan, math.nan))
            rows.append({"metric": name, "value": value, "low": low, "high": high})
        return pd.DataFrame(rows, columns=["metric", "value", "low", "high"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "dataset_version": self.dataset_version,
            "harness_version": self.harness_version,
            "extractor": self.extractor,
            "settings": self.settings,
            "documents": self.documents,
            "sentences": self.sentences,
            "layers": self.layers,
            "headline": self.headline,
            "intervals": {name: list(bounds) for name, bounds in self.intervals.items()},
            "bootstrap": self.bootstrap,
            "metrics": self.metrics,
            "per_type": self.per_type_rows,
            "grounding": self.grounding,
            "tuned_on_test_texts": self.tuned_on_test_texts,
            "predictions_sha256": self.predictions_sha256,
            "warnings": self.warnings,
            "warning_counts": self.warning_counts,
            "notes": self.notes,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, default=_plain) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(data["dataset_version"], data["harness_version"], data["extractor"], data["settings"],
                   data["documents"], data["sentences"], data["layers"], data["headline"],
                   {k: (v[0], v[1]) for k, v in data["intervals"].items()}, data["metrics"], data["per_type"],
                   data["bootstrap"], data.get("warnings", []), data.get("notes", []),
                   data.get("warning_counts", {}), data.get("grounding", {}),
                   data.get("tuned_on_test_texts"), data.get("predictions_sha256"))

    def grounding_frame(self) -> pd.DataFrame:
        """Per layer: spans given with offsets and as text, and each grounding outcome's count and rate."""
        rows = []
        for layer in self.layers:
            summary = self.grounding.get(layer)
            if not summary or not summary["text_anchored"]:
                continue
            row: dict[str, Any] = {"layer": layer, "offsets": summary["offsets"], "text": summary["text_anchored"]}
            for outcome in OUTCOMES:
                rate = summary["rates"][outcome]
                row[outcome] = f"{summary['counts'][outcome]} ({rate:.1%})"
            rows.append(row)
        return pd.DataFrame(rows, columns=["layer", "offsets", "text", *OUTCOMES])

    def to_markdown(self) -> str:
        lines = [f"# Damascus-IE scores: {self.extractor or 'predictions'}", "",
                 f"Dataset {self.dataset_version or 'custom gold'}, harness {self.harness_version}, "
                 f"{len(self.documents)} documents, {self.sentences} sentences.", "",
                 frame_markdown(self.headline_frame())]
        grounding = self.grounding_frame()
        if not grounding.empty:
            lines += ["", "## grounding of text-anchored spans", "", frame_markdown(grounding)]
        for layer in self.layers:
            table = self.per_type_table(layer)
            if not table.empty:
                lines += ["", f"## {layer} per type", "", frame_markdown(table)]
        lines += ["", *[f"> {note}" for note in self.notes]]
        if self.warning_counts:
            lines += ["", "## Warnings", "", self.warnings_summary(), ""]
        lines += [f"- warning: {w}" for w in self.warnings]
        return "\n".join(lines).rstrip() + "\n"

    def to_csv(self) -> str:
        buffer = io.StringIO()
        self.headline_frame().to_csv(buffer, index=False, float_format="%.6f")
        return buffer.getvalue()

    def render_table(self, width: int = 110) -> str:
        """The rich terminal table, as text (colour codes only when the console is a terminal)."""
        from rich.console import Console
        from rich.markup import escape  # names and warnings are user text: "[/x]" must print, not parse
        from rich.table import Table

        table = Table(title=escape(f"Damascus-IE {self.dataset_version or 'custom gold'}: "
                                   f"{self.extractor or 'predictions'}"))
        for column, justify in (("metric", "left"), ("value", "right"), ("95% interval", "right")):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for name, value in self.headline.items():
            low, high = self.intervals.get(name, (math.nan, math.nan))
            interval = "" if math.isnan(low) else f"[{low:.3f}, {high:.3f}]"
            table.add_row(name, f"{value:.3f}", interval)
        console = Console(width=width, record=True, file=io.StringIO())
        console.print(table)
        for layer in self.layers:
            report = self.classification_report(layer)
            if report.empty:
                continue
            per_type = Table(title=f"{layer} per type ({REPORT_SCORE[layer]})")
            for column in report.columns:
                per_type.add_column(str(column), justify="left" if column == "type" else "right")
            for row in report.itertuples(index=False):
                per_type.add_row(escape(str(row.type)), f"{row.precision:.3f}", f"{row.recall:.3f}", f"{row.f1:.3f}",
                                 str(int(row.support)))
            console.print(per_type)
        grounding = self.grounding_frame()
        if not grounding.empty:
            spans = Table(title="grounding of text-anchored spans (count, rate over the layer's text spans)")
            for column in grounding.columns:
                spans.add_column(str(column), justify="left" if column == "layer" else "right")
            for row in grounding.itertuples(index=False):
                spans.add_row(*map(str, row))
            console.print(spans)
        for note in self.notes:
            console.print(note, soft_wrap=True, markup=False)
        if self.warning_counts:
            console.print(self.warnings_summary(), soft_wrap=True, markup=False)
        for warning in self.warnings:
            console.print(f"warning: {warning}", soft_wrap=True, markup=False)
        return console.export_text()

    def warnings_summary(self) -> str:
        """One line: how many of each kind of warning (scored as they are; the first few are listed)."""
        total = sum(self.warning_counts.values())
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.warning_counts.items(), key=lambda kv: -kv[1]))
        return f"warnings: {total} ({kinds}); scored as they are, except predictions in boilerplate, which are not"

    def render(self, fmt: str) -> str:
        renderers = {"table": self.render_table, "json": self.to_json, "markdown": self.to_markdown,
                     "csv": self.to_csv}
        return renderers[fmt]()


def frame_markdown(frame: pd.DataFrame) -> str:
    """A DataFrame as the project's one Markdown table (core.tables)."""
    return markdown_table(list(frame.columns), frame.itertuples(index=False))


def _plain(value: Any) -> Any:
    """numpy scalars and tuples in JSON."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
