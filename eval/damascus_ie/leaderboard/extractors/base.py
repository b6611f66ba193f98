"""The extractor protocol and a builder that keeps every prediction record valid by construction.

An extractor is anything with a `name`, a `settings` dict (recorded in its
report, so a leaderboard row says how it was run), optionally a
`tuned_on_test_texts` flag (shown on its row), and `extract(document)`: one
input document (`id`, `text`, `boilerplate`) in, one predictions record out,
in the spec's JSON shape. The builder gives the shipped extractors one place
that trims spans, skips boilerplate, refuses crossing mentions and numbers ids,
so none of them can emit a record that `validate_document(gold=False)` rejects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from damascus_ie.core.records import LAYERS, Span
from damascus_ie.core.sentences import strip_span
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy

Prediction = dict[str, Any]
OPENING_QUOTES = "“‘\""
CLOSING_QUOTES = "”’\""


@runtime_checkable
class Extractor(Protocol):
    name: str

    @property
    def settings(self) -> dict[str, Any]: ...  # an attribute or a property

    def extract(self, document: dict[str, Any]) -> Prediction: ...


def tuned_on_test_texts(extractor: Any) -> bool | None:
    """Whether the extractor was developed with the test documents in view (its optional `tuned_on_test_texts`
    attribute): True for word lists written reading them, False for off-the-shelf systems, None when unknown."""
    flag = getattr(extractor, "tuned_on_test_texts", None)
    return flag if isinstance(flag, bool) else None


def input_view(document: Mapping[str, Any]) -> dict[str, Any]:
    """What an extractor may see of a gold document: its id, text and boilerplate, never its layers.

    A fresh copy each time, so an extractor that mutates its input changes neither the gold nor the next
    extractor's input.
    """
    return {"id": document["id"], "text": document["text"],
            "boilerplate": [list(pair) for pair in document.get("boilerplate") or []]}


def empty_prediction(document_id: str) -> Prediction:
    return {"id": document_id, **{layer: [] for layer in LAYERS}}


def entity_key(entity_type: str, name: str) -> str:
    """A corpus-level entity id from a name: same type and last word -> same entity ("Bashar al-Assad", "Assad")."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    return f"{entity_type}:{(words[-1] if words else name).lower()}"


def quote_kind(text: str, spans: Sequence[Mapping[str, int]]) -> str:
    """DIRECT when every span sits inside quotation marks, INDIRECT with no quotation mark at all, else MIXED."""
    def quoted(span: Mapping[str, int]) -> bool:
        before, after = text[:span["start"]].rstrip()[-1:], text[span["end"]:].lstrip()[:1]
        return bool(before) and bool(after) and before in OPENING_QUOTES and after in CLOSING_QUOTES + ",."
    if all(quoted(s) for s in spans):
        return "DIRECT"
    if any(mark in text[s["start"]:s["end"]] for s in spans for mark in "“”‘\""):  # ’ is also an apostrophe
        return "MIXED"
    return "INDIRECT"


@dataclass
class PredictionBuilder:
    """Accumulates one document's predictions; every add returns the new (or existing) record id, or None if refused."""

    document: dict[str, Any]
    taxonomy: Taxonomy = field(default_factory=load_taxonomy)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    attributions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.document["text"]

    def span(self, start: int, end: int) -> Span | None:
        start, end = strip_span(self.text, start, end)
        if start >= end or self.in_boilerplate(start, end):
            return None
        return {"start": start, "end": end, "text": self.text[start:end]}

    def in_boilerplate(self, start: int, end: int) -> bool:
        return any(start < b_end and b_start < end for b_start, b_end in self.document.get("boilerplate") or [])

    def mention_at(self, start: int, end: int) -> dict[str, Any] | None:
        return next((m for m in self.mentions if m["start"] == start and m["end"] == end), None)

    def crosses(self, start: int, end: int) -> bool:
        return any(m["start"] < start < m["end"] < end or start < m["start"] < end < m["end"] for m in self.mentions)

    def mention(self, start: int, end: int, entity_type: str, level: str, entity: str | None = None) -> str | None:
        """Adds a mention unless its type is unknown or it crosses one already kept; same span -> same id."""
        span = self.span(start, end)
        if span is None or entity_type not in self.taxonomy.entity_types or level not in self.taxonomy.mention_levels:
            return None
        existing = self.mention_at(span["start"], span["end"])
        if existing is not None:
            return existing["id"]
        if self.crosses(span["start"], span["end"]):
            return None
        record: dict[str, Any] = {"id": f"m{len(self.mentions) + 1}", **span, "type": entity_type, "level": level,
                  "entity": None if entity_type == "TIME" else entity}
        self.mentions.append(record)
        return record["id"]

    def event(self, event_type: str, trigger: tuple[int, int], arguments: list[tuple[str, str]],
              **attributes: str) -> str | None:
        """Adds an event; roles the taxonomy does not allow for the type, and repeated arguments, are dropped."""
        span = self.span(*trigger)
        if span is None or event_type not in self.taxonomy.event_roles:
            return None
        if any(e["trigger"]["start"] == span["start"] and e["type"] == event_type for e in self.events):
            return None
        allowed = self.taxonomy.event_roles[event_type]
        kept = list(dict.fromkeys((role, mention) for role, mention in arguments if role in allowed and mention))
        record: dict[str, Any] = {"id": f"v{len(self.events) + 1}", "type": event_type, "trigger": span,
                  "arguments": [{"role": role, "mention": mention} for role, mention in kept], **attributes}
        self.events.append(record)
        return record["id"]

    def attribution(self, kind: str, cue: tuple[int, int], content: list[tuple[int, int]], source: str | None = None,
                    addressee: str | None = None) -> str | None:
        """Adds an attribution; a second one with the same cue joins the first, so rules never double count a cue."""
        cue_span = self.span(*cue)
        spans = [s for s in (self.span(*c) for c in content) if s is not None]
        if cue_span is None or not spans or kind not in self.taxonomy.attribution_types:
            return None
        same_cue = next((a for a in self.attributions if a["cue"]["start"] == cue_span["start"]), None)
        if same_cue is not None:  # one cue, several quotes: one attribution whose content has several spans
            added = [s for s in spans if not any(s["start"] < o["end"] and o["start"] < s["end"]
                                                 for o in same_cue["content"])]
            same_cue["content"] = sorted(same_cue["content"] + added, key=lambda s: s["start"])
            if added and same_cue["type"] != kind:
                same_cue["type"] = "MIXED"
            same_cue["source"] = same_cue["source"] or source
            return same_cue["id"]
        record: dict[str, Any] = {"id": f"a{len(self.attributions) + 1}", "type": kind, "cue": cue_span, "source": source,
                  "content": spans, "addressee": addressee, "parent": None}
        self.attributions.append(record)
        return record["id"]

    def link_relays(self) -> None:
        """Sets `parent` where a cue lies inside another attribution's content (relays: "X said ..., AP reported")."""
        for child in self.attributions:
            start = child["cue"]["start"]
            parents = [a for a in self.attributions if a is not child and _covers(a, start)
                       and not _covers(child, a["cue"]["start"])]
            if parents:  # the innermost relay is the direct parent
                child["parent"] = min(parents, key=lambda a: sum(s["end"] - s["start"] for s in a["content"]))["id"]

    def record(self) -> Prediction:
        return {"id": self.document["id"], "mentions": self.mentions, "events": self.events,
                "attributions": self.attributions}


def _covers(attribution: dict[str, Any], offset: int) -> bool:
    return any(span["start"] <= offset < span["end"] for span in attribution["content"])
