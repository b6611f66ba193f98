"""Gold documents <-> Label Studio result items, both ways, as pure functions that only translate.

Region ids are the record ids, so a record keeps its id through a round trip; a
region drawn in the browser (a random Label Studio id) gets the next free
`m`/`v`/`a` number. A content span is its own region linked from the cue by a
`content` relation. Result items are parsed leniently (the browser adds keys
such as `origin`, `parentID`, `meta`). The translation reports only what it
cannot translate (a relation between the wrong kinds of region, two labels on
one region, a lost content span); whether the records are valid is the
validator's question (core.validation, asked once by pull.py), so each problem
is reported once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from damascus_ie.core.problems import Problem
from damascus_ie.core.records import EVENT_ATTRIBUTES, ID_PREFIX, LAYERS, AnyRecord, Attribution, Document, Event, Mention
from damascus_ie.labelstudio.config import (
    ATTRIBUTION,
    ATTRIBUTION_TYPE,
    CONTENT,
    CONTENT_LINK,
    CUE,
    IDENTITY,
    LEVEL,
    MENTION,
    NO_SOURCE,
    NO_SOURCE_CHOICE,
    TEXT,
    TIME,
    TRIGGER,
    VALUE,
    LabelSets,
    label_sets,
)

SPAN_TYPES = {"labels", "choices", "textarea"}
REGION_TEXTS = (IDENTITY, VALUE)


@dataclass(frozen=True)
class Origin:
    """Where a result came from: named in every problem."""

    task: int | str
    annotator: str
    annotation: int | str | None = None

    def __str__(self) -> str:
        made = f"annotation {self.annotation}" if self.annotation is not None else "result"
        return f"labelstudio task {self.task}, {made} by {self.annotator}"


@dataclass(frozen=True)
class Annotator:
    """A Label Studio user as the bridge names them."""

    name: str | None  # chosen by the contributor (First and Last name under Account & Settings); never an e-mail
    email: str  # for messages on this machine only: the dataset and its CHANGELOG never record it

    @property
    def label(self) -> str:
        return self.name or self.email


def chosen_name(first: str | None, last: str | None) -> str | None:
    """The name a contributor set for themselves, or None (an e-mail address typed as a name does not count)."""
    name = " ".join(part.strip() for part in (first or "", last or "") if part and part.strip())
    return name if name and "@" not in name else None


# ---------------------------------------------------------------- gold -> Label Studio

def _span_value(span: AnyRecord, text: str) -> dict[str, Any]:
    return {"start": span["start"], "end": span["end"], "text": text[span["start"]:span["end"]]}


def _item(region: str, control: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"id": region, "from_name": control, "to_name": TEXT, "type": kind, "value": value}


def _relation(source: str, target: str, label: str) -> dict[str, Any]:
    return {"from_id": source, "to_id": target, "type": "relation", "direction": "right", "labels": [label]}


def _region_items(region: str, span: AnyRecord, text: str, control: str, label: str,
                  choices: dict[str, str | None], texts: dict[str, str | None]) -> list[dict[str, Any]]:
    """A labelled span plus its per-region choices and text fields, all sharing the region id."""
    value = _span_value(span, text)
    items = [_item(region, control, "labels", {**value, "labels": [label]})]
    items += [_item(region, name, "choices", {**value, "choices": [choice]})
              for name, choice in choices.items() if choice is not None]
    items += [_item(region, name, "textarea", {**value, "text": [entry]})
              for name, entry in texts.items() if entry not in (None, "")]
    return items


def content_region(attribution_id: str, index: int) -> str:
    return f"{attribution_id}-content-{index}"


def document_to_results(doc: Document) -> list[dict[str, Any]]:
    """Every layer of one document as Label Studio result items (pre-annotations or an annotation)."""
    text = doc["text"]
    items: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    for mention in doc.get("mentions", []):
        items += _region_items(mention["id"], mention, text, MENTION, mention["type"], {LEVEL: mention.get("level")},
                               {IDENTITY: mention.get("entity"), VALUE: mention.get("value")})
    for event in doc.get("events", []):
        items += _region_items(event["id"], event["trigger"], text, TRIGGER, event["type"],
                               {a: event.get(a) for a in EVENT_ATTRIBUTES}, {IDENTITY: event.get("event")})
        relations += [_relation(event["id"], arg["mention"], arg["role"]) for arg in event.get("arguments", [])]
    for attribution in doc.get("attributions", []):
        aid = attribution["id"]
        no_source = NO_SOURCE_CHOICE if attribution.get("source") is None else None
        items += _region_items(aid, attribution["cue"], text, ATTRIBUTION, CUE,
                               {ATTRIBUTION_TYPE: attribution.get("type"), NO_SOURCE: no_source},
                               {IDENTITY: attribution.get("statement")})
        for index, span in enumerate(attribution.get("content", [])):
            items += _region_items(content_region(aid, index), span, text, ATTRIBUTION, CONTENT, {}, {})
            relations.append(_relation(aid, content_region(aid, index), CONTENT_LINK))
        relations += [_relation(aid, str(attribution.get(link)), link) for link in ("source", "addressee", "parent")
                      if attribution.get(link) is not None]
    return items + relations


def region_id_clashes(doc: Document) -> list[Problem]:
    """Region ids must be unique across layers, or the links of a pushed document would be ambiguous."""
    seen: dict[str, str] = {}
    problems = []
    ids = [(layer, r.get("id")) for layer in LAYERS for r in doc.get(layer, [])]
    ids += [("attributions", content_region(a["id"], i))
            for a in doc.get("attributions", []) for i in range(len(a.get("content", [])))]
    for layer, record_id in ids:
        if record_id in seen:
            problems.append(Problem("labelstudio push", doc["id"], str(record_id), "id",
                                    f"id used in both {seen[record_id]} and {layer}: regions need unique ids"))
        seen[record_id] = layer
    return problems


# ---------------------------------------------------------------- Label Studio -> gold

RECORD_PREFIX = {MENTION: ID_PREFIX["mentions"], TRIGGER: ID_PREFIX["events"], CUE: ID_PREFIX["attributions"]}  # by region kind
_OWN_ID = re.compile(r"^([a-z])(\d+)$")


@dataclass(frozen=True)
class RegionNote:
    """How a problem points at a region so an annotator finds it: text and offsets, and whether it was drawn anew."""

    start: Any
    end: Any
    text: Any
    drawn: bool = False

    def describe(self, record_id: str) -> str:
        new = " (new region)" if self.drawn else ""
        text = repr(self.text) if isinstance(self.text, str) else "(no text)"
        return f"{record_id}{new} {text} at [{self.start}, {self.end})"


@dataclass
class Translated:
    """One annotation as a gold document, what could not be translated, and where each region is."""

    document: Document
    problems: list[Problem]
    regions: dict[str, RegionNote]


@dataclass
class _Region:
    id: str
    start: Any = None
    end: Any = None
    text: Any = None
    control: str | None = None
    label: str | None = None
    choices: dict[str, list[str]] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)
    drawn: bool = False


@dataclass
class _Reader:
    """One annotation's result, read into records while collecting what cannot be translated."""

    doc_id: str
    text: str
    origin: Origin
    sets: LabelSets
    reserved: frozenset[str] = frozenset()
    problems: list[Problem] = field(default_factory=list)
    regions: dict[str, _Region] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    spans: dict[str, dict[str, Any]] = field(default_factory=dict)

    def report(self, region: str | None, field_name: str | None, reason: str) -> None:
        self.problems.append(Problem(str(self.origin), self.doc_id, region, field_name, reason))

    # lenient parse: collect regions and relations, ignoring keys we do not use
    def parse(self, result: Any) -> list[dict]:
        if not isinstance(result, list):
            self.report(None, "result", f"expected a list of result items, got {type(result).__name__}")
            return []
        relations = []
        for position, item in enumerate(result):
            if not isinstance(item, dict):
                self.report(None, f"result[{position}]", "expected an object")
            elif item.get("type") == "relation":
                relations.append(item)
            elif item.get("type") in SPAN_TYPES and isinstance(item.get("value"), dict) and item.get("id") is not None:
                self.add_item(item)
            else:
                self.report(str(item.get("id")), f"result[{position}]",
                            f"unsupported result item of type {item.get('type')!r} from {item.get('from_name')!r}")
        return relations

    def add_item(self, item: dict) -> None:
        region = self.regions.setdefault(str(item["id"]), _Region(str(item["id"])))
        value, control, kind = item["value"], item.get("from_name"), item["type"]
        for key in ("start", "end"):
            if getattr(region, key) is None:
                setattr(region, key, value.get(key))
            elif value.get(key) is not None and value.get(key) != getattr(region, key):
                self.report(region.id, key, f"{control} says {key} {value.get(key)!r}, the region says "
                                            f"{getattr(region, key)!r}")
        if kind == "labels":
            self.add_label(region, control, value)
        elif kind == "choices":
            region.choices[str(control)] = [str(c) for c in value.get("choices") or []]
        else:
            entries = value.get("text")
            entries = [entries] if isinstance(entries, str) else entries or []
            region.texts[str(control)] = [str(e).strip() for e in entries if str(e).strip()]

    def add_label(self, region: _Region, control: Any, value: dict) -> None:
        labels = value.get("labels") or []
        if region.control is not None:
            self.report(region.id, "labels", f"region labelled by both {region.control!r} and {control!r}: "
                                             "keep one label")
            self.dropped.add(region.id)
            return
        region.control, region.text = control, value.get("text")
        if str(control) not in self.sets.span_labels:
            self.report(region.id, "labels", f"unknown label control {control!r}")
        elif len(labels) != 1:
            self.report(region.id, "labels", f"expected exactly one label, got {labels!r}")
        elif control == ATTRIBUTION and labels[0] not in (CUE, CONTENT):
            self.report(region.id, "labels", f"unknown attribution label {labels[0]!r}; expected {CUE} or {CONTENT}")
        else:
            region.label = str(labels[0])  # an entity or event type the taxonomy lacks is the validator's to report
            return
        self.dropped.add(region.id)

    def kind(self, region_id: str) -> str | None:
        """mention / trigger / Cue / Content, or None for a missing or dropped region."""
        region = self.regions.get(region_id)
        if region is None or region.id in self.dropped or region.label is None:
            return None
        return region.label if region.control == ATTRIBUTION else region.control

    def renumber(self) -> None:
        """Regions drawn in the browser (random ids) become the next free m/v/a numbers, in text order."""
        taken: dict[str, int] = defaultdict(int)
        for record_id in (*self.reserved, *self.regions):
            found = _OWN_ID.match(record_id)
            if found:
                taken[found[1]] = max(taken[found[1]], int(found[2]))
        fresh = []
        for region in self.regions.values():
            prefix = RECORD_PREFIX.get(str(self.kind(region.id)))
            found = _OWN_ID.match(region.id)
            if prefix is not None and not (found and found[1] == prefix):
                fresh.append((prefix, region))
        for prefix, region in sorted(fresh, key=lambda pr: (_sort_key(pr[1].start), _sort_key(pr[1].end), pr[1].id)):
            taken[prefix] += 1
            self.renamed[region.id] = region.id = f"{prefix}{taken[prefix]}"
            region.drawn = True
        if self.renamed:
            self.regions = {region.id: region for region in self.regions.values()}
            self.dropped = {self.renamed.get(r, r) for r in self.dropped}

    def span(self, region: _Region) -> dict[str, Any]:
        """The region's offsets and text as Label Studio sent them: the validator checks them against the seed."""
        span: dict[str, Any] = {"start": region.start, "end": region.end}
        if isinstance(region.text, str):
            span["text"] = region.text
        elif isinstance(region.start, int) and isinstance(region.end, int):
            span["text"] = self.text[region.start:region.end]
        return span

    def choice(self, region: _Region, name: str) -> str | None:
        values = region.choices.get(name, [])
        if len(values) > 1:
            self.report(region.id, name, f"expected one choice, got {values!r}: keep one")
            return None
        return values[0] if values else None  # an unknown choice is the validator's to report

    def region_text(self, region: _Region, name: str) -> str | None:
        values = region.texts.get(name, [])
        if len(values) > 1:
            self.report(region.id, name, f"expected one entry, got {values!r}: keep one")
        return values[-1] if values else None

    def check_applicable(self, region: _Region, choices: tuple[str, ...], texts: tuple[str, ...]) -> None:
        for name in region.choices:
            if name not in choices:
                where = "this region" if name in self.sets.region_choices else "this config"
                self.report(region.id, name, f"choice control {name!r} does not apply to {where} ({region.label})")
        for name in region.texts:
            if name not in texts:
                self.report(region.id, name, f"text field {name!r} does not apply to this region ({region.label})")

    def read(self, result: Any) -> tuple[list[Mention], list[Event], list[Attribution]]:
        relations = self.parse(result)
        for region in self.regions.values():
            if region.control is None:
                self.report(region.id, "labels", "region has choices or text but no span label")
                self.dropped.add(region.id)
        self.renumber()
        mentions: list[Mention] = []
        events: list[Event] = []
        cues: list[_Region] = []
        for region in self.regions.values():
            if region.id in self.dropped:
                continue
            span = self.spans[region.id] = self.span(region)
            if region.control == MENTION:
                mentions.append(self.mention(region, span))
            elif region.control == TRIGGER:
                events.append(self.event(region, span))
            elif region.label == CUE:
                cues.append(region)
            else:
                self.check_applicable(region, (), ())
        links = self.links(relations)
        by_event = {e["id"]: e for e in events}
        for event_id, role, mention_id in links["role"]:
            by_event[event_id]["arguments"].append({"role": role, "mention": mention_id})
        attributions = [self.attribution(cue, links) for cue in cues]
        self.check_orphan_content(links)
        return mentions, events, attributions

    def mention(self, region: _Region, span: dict) -> Mention:
        self.check_applicable(region, (LEVEL,), (IDENTITY, VALUE) if region.label == TIME else (IDENTITY,))
        return {"id": region.id, **span, "type": region.label, "level": self.choice(region, LEVEL),  # type: ignore
                "entity": self.region_text(region, IDENTITY), "value": self.region_text(region, VALUE)}

    def event(self, region: _Region, span: dict) -> Event:
        self.check_applicable(region, EVENT_ATTRIBUTES, (IDENTITY,))
        event: dict[str, Any] = {"id": region.id, "type": region.label, "trigger": span, "arguments": []}
        event.update({attribute: self.choice(region, attribute) for attribute in EVENT_ATTRIBUTES})
        event["event"] = self.region_text(region, IDENTITY)
        return event  # type: ignore[return-value]

    def links(self, relations: list[dict]) -> dict[str, list[tuple[str, str, str]]]:
        """Relations sorted by meaning: (from, label, to) per link name; a link the records cannot hold is reported."""
        out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for relation in relations:
            parsed = self.relation(relation)
            if parsed is None:
                continue
            source, label, target = parsed
            source_kind, target_kind = self.kind(source), self.kind(target)
            if source_kind == TRIGGER and target_kind == MENTION and label in self.sets.taxonomy.roles:
                out["role"].append((source, label, target))  # whether the role fits the event type: the validator
                continue
            if source_kind == CUE and label in self.sets.attribution_links:
                expected = {"source": MENTION, "addressee": MENTION, "parent": CUE, CONTENT_LINK: CONTENT}[label]
                if target_kind == expected and target != source:
                    out[label].append((source, label, target))
                    continue
                reason = f"relation {label!r} from a cue must point to a {expected} region, not {target_kind}"
            else:
                reason = (f"relation not allowed by the taxonomy: {label!r} from a {source_kind} region to a "
                          f"{target_kind} region")
            self.report(source, f"relation {label}", f"{reason} (to {target}): delete it or draw it between the "
                                                     "right regions")
        return out

    def relation(self, relation: dict) -> tuple[str, str, str] | None:
        source, target = (self.renamed.get(str(relation.get(end)), str(relation.get(end))) for end in ("from_id", "to_id"))
        if relation.get("direction") == "left":
            source, target = target, source
        elif relation.get("direction") not in (None, "right"):
            self.report(source, "relation", f"direction {relation.get('direction')!r} is ambiguous: use one arrow")
            return None
        labels = relation.get("labels") or []
        label = labels[0] if len(labels) == 1 else None
        if label is None:
            self.report(source, "relation", f"relation to {target} needs exactly one label, got {labels!r}")
        elif label not in self.sets.relation_labels:
            self.report(source, f"relation {label}", f"unknown relation label {label!r} (to {target})")
            label = None
        missing = [end for end in (source, target) if end not in self.regions]
        for end in missing:
            self.report(source, "relation", f"dangling link: no region {end!r} in this annotation")
        if label is None or missing or {source, target} & self.dropped:
            return None  # a dropped region's own problem is already reported
        return source, label, target

    def attribution(self, cue: _Region, links: dict[str, list[tuple[str, str, str]]]) -> Attribution:
        self.check_applicable(cue, (ATTRIBUTION_TYPE, NO_SOURCE), (IDENTITY,))
        targets = {name: [t for s, _, t in links.get(name, []) if s == cue.id]
                   for name in ("source", "addressee", "parent", CONTENT_LINK)}
        for name in ("source", "addressee", "parent"):
            if len(targets[name]) > 1:
                self.report(cue.id, name, f"more than one {name} link: {', '.join(targets[name])}; keep one")
        no_source = self.choice(cue, NO_SOURCE) == NO_SOURCE_CHOICE
        if not targets["source"] and not no_source:
            self.report(cue.id, "source", f"attribution without source link: link the source mention, or choose "
                                          f"{NO_SOURCE_CHOICE!r} where the text names none")
        elif targets["source"] and no_source:
            self.report(cue.id, "source", f"has a source link and also {NO_SOURCE_CHOICE!r}: remove one")
        content = [self.spans[t] for t in targets[CONTENT_LINK]]
        first = {name: targets[name][0] if targets[name] else None for name in ("source", "addressee", "parent")}
        attribution: dict[str, Any] = {"id": cue.id, "type": self.choice(cue, ATTRIBUTION_TYPE), "cue": self.spans[cue.id],
                                       "source": first["source"], "content": content, "addressee": first["addressee"],
                                       "parent": first["parent"], "statement": self.region_text(cue, IDENTITY)}
        return attribution  # type: ignore[return-value]

    def check_orphan_content(self, links: dict[str, list[tuple[str, str, str]]]) -> None:
        linked = {t for _, _, t in links.get(CONTENT_LINK, [])}
        for region in self.regions.values():
            if self.kind(region.id) == CONTENT and region.id not in linked:
                self.report(region.id, "content", "content region not linked from any cue (add a 'content' relation)")

    def notes(self) -> dict[str, RegionNote]:
        return {r.id: RegionNote(r.start, r.end, r.text, r.drawn) for r in self.regions.values()}


def _sort_key(offset: Any) -> tuple[int, Any]:
    return (0, offset) if isinstance(offset, int) else (1, str(offset))


def results_to_document(data: dict[str, Any], result: Any, origin: Origin, sets: LabelSets | None = None,
                        reserved: frozenset[str] = frozenset()) -> Translated:
    """One annotation translated to a gold document; `reserved` are ids a drawn region must not take (the gold's)."""
    doc_id, text = str(data.get("doc_id")), data.get("text")
    if not isinstance(text, str):
        empty: Document = {"id": doc_id}  # type: ignore[typeddict-item]
        return Translated(empty, [Problem(str(origin), doc_id, None, "data.text", "task has no text")], {})
    reader = _Reader(doc_id, text, origin, sets or label_sets(), reserved)
    mentions, events, attributions = reader.read(result)
    doc: Document = {"id": doc_id, "text": text, "boilerplate": [list(p) for p in data.get("boilerplate") or []],
                     "mentions": mentions, "events": events, "attributions": attributions}
    return Translated(doc, reader.problems, reader.notes())
