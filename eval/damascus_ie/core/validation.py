"""Checks a document record against the spec and the taxonomy, reporting every problem.

Shared by gold validation, prediction loading (`strict_ids=False`) and the
Label Studio bridge, so all three refuse the same things for the same reasons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from damascus_ie.core.problems import Problem
from damascus_ie.core.records import EVENT_ATTRIBUTES
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy


class _Checker:
    def __init__(self, file: str, doc: dict, taxonomy: Taxonomy, gold: bool, line: int | None):
        self.file, self.doc, self.taxonomy, self.gold, self.line = file, doc, taxonomy, gold, line
        self.doc_id = str(doc.get("id")) if isinstance(doc, dict) else None
        self.text = doc.get("text") if isinstance(doc, dict) else None
        self.problems: list[Problem] = []
        raw_boilerplate = doc.get("boilerplate") if isinstance(doc, dict) else None
        self.boilerplate = [tuple(p) for p in raw_boilerplate or [] if isinstance(p, list | tuple) and len(p) == 2]

    def report(self, record: str | None, field: str | None, reason: str) -> None:
        self.problems.append(Problem(self.file, self.doc_id, record, field, reason, self.line))

    def check_span(self, record: str, field: str, span: Any) -> bool:
        if not isinstance(span, dict):
            self.report(record, field, f"expected a span object, got {type(span).__name__}")
            return False
        start, end = span.get("start"), span.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
            self.report(record, field, f"start and end must be integers, got {start!r} and {end!r}")
            return False
        if not 0 <= start < end:
            self.report(record, field, f"bad offsets [{start}, {end}): need 0 <= start < end")
            return False
        if self.text is None:
            return True
        if end > len(self.text):
            self.report(record, field, f"end {end} is past the end of the text ({len(self.text)} code points)")
            return False
        actual = self.text[start:end]
        if "text" in span and span["text"] != actual:
            self.report(record, field, f"span text {span['text']!r} != text[{start}:{end}] {actual!r}")
            return False
        elif "text" not in span and self.gold:
            self.report(record, f"{field}.text", "missing")
        if actual != actual.strip():
            self.report(record, field, f"span [{start}, {end}) {actual!r} starts or ends on white space")
        for b_start, b_end in self.boilerplate:
            if start < b_end and b_start < end:
                self.report(record, field, f"span [{start}, {end}) lies in boilerplate [{b_start}, {b_end}), which is not annotated")
        return True

    def check_label(self, record: str, field: str, value: Any, allowed: Iterable[str], required: bool = True) -> None:
        if value is None and not required:
            return
        allowed = tuple(allowed)
        if value not in allowed:
            self.report(record, field, f"unknown value {value!r}; expected one of {', '.join(allowed)}")

    def check_ids(self, layer: str, records: list) -> None:
        seen: set[str] = set()
        for index, record in enumerate(records):
            record_id = record.get("id") if isinstance(record, dict) else None
            if record_id is None:
                if self.gold:
                    self.report(f"{layer}[{index}]", "id", "missing")
                continue
            if record_id in seen:
                self.report(str(record_id), "id", f"duplicate id in {layer}")
            seen.add(record_id)

    def layer(self, name: str) -> list:
        value = self.doc.get(name, [])
        if value is None:
            value = []
        if not isinstance(value, list):
            self.report(None, name, f"expected a list, got {type(value).__name__}")
            return []
        bad = [i for i, r in enumerate(value) if not isinstance(r, dict)]
        for i in bad:
            self.report(f"{name}[{i}]", None, "expected an object")
        return [r for r in value if isinstance(r, dict)]

    def run(self) -> list[Problem]:
        if not isinstance(self.doc, dict):
            self.report(None, None, f"expected a document object, got {type(self.doc).__name__}")
            return self.problems
        if not isinstance(self.doc.get("id"), str):
            self.report(None, "id", "document id missing or not a string")
        if self.text is not None and not isinstance(self.text, str):
            self.report(None, "text", "must be a string")
            self.text = None
        mentions = self.layer("mentions")
        events = self.layer("events")
        attributions = self.layer("attributions")
        for layer, records in (("mentions", mentions), ("events", events), ("attributions", attributions)):
            self.check_ids(layer, records)
        mention_ids = {m.get("id") for m in mentions} - {None}  # a missing reference never finds a record without id
        self.check_boilerplate()
        self.check_mentions(mentions)
        self.check_events(events, mention_ids)
        self.check_attributions(attributions, mention_ids)
        return self.problems

    def check_boilerplate(self) -> None:
        for index, pair in enumerate(self.doc.get("boilerplate") or []):
            ok = isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(x, int) for x in pair)
            if not ok or not 0 <= pair[0] < pair[1] <= (len(self.text) if self.text is not None else pair[1]):
                self.report(None, f"boilerplate[{index}]", f"expected [start, end) inside the text, got {pair!r}")

    def check_mentions(self, mentions: list[dict]) -> None:
        tax = self.taxonomy
        spans: list[tuple[int, int, str]] = []
        for index, mention in enumerate(mentions):
            rid = str(mention.get("id", f"mentions[{index}]"))
            if self.check_span(rid, "span", mention):
                spans.append((mention["start"], mention["end"], rid))
            self.check_label(rid, "type", mention.get("type"), tax.entity_types)
            self.check_label(rid, "level", mention.get("level"), tax.mention_levels, required=self.gold)
            entity = mention.get("entity")
            if mention.get("type") == "TIME":
                if entity is not None:
                    self.report(rid, "entity", "TIME mentions carry no entity id")
            elif self.gold and not (isinstance(entity, str) and entity):
                self.report(rid, "entity", "missing corpus-level entity id")
            elif entity is not None and not isinstance(entity, str):
                self.report(rid, "entity", f"must be a string, got {entity!r}")
            if mention.get("value") is not None and mention.get("type") != "TIME":
                self.report(rid, "value", "only TIME mentions carry a value")
        for (s1, e1, r1), (s2, e2, r2) in _crossing_pairs(spans):
            self.report(r2, "span", f"[{s2}, {e2}) crosses mention {r1} [{s1}, {e1}): spans may nest but not cross")

    def check_events(self, events: list[dict], mention_ids: set) -> None:
        tax = self.taxonomy
        for index, event in enumerate(events):
            rid = str(event.get("id", f"events[{index}]"))
            event_type = event.get("type")
            self.check_label(rid, "type", event_type, tax.event_types)
            self.check_span(rid, "trigger", event.get("trigger"))
            arguments = event.get("arguments") or []
            if not isinstance(arguments, list):
                self.report(rid, "arguments", "expected a list")
                arguments = []
            for position, argument in enumerate(arguments):
                field = f"arguments[{position}]"
                if not isinstance(argument, dict):
                    self.report(rid, field, "expected an object")
                    continue
                role = argument.get("role")
                if role not in tax.roles:
                    self.report(rid, f"{field}.role", f"unknown role {role!r}")
                elif event_type in tax.event_roles and role not in tax.event_roles[event_type]:
                    allowed = ", ".join(tax.event_roles[event_type])
                    self.report(rid, f"{field}.role", f"role {role!r} not allowed for {event_type} (allowed: {allowed})")
                if argument.get("mention") not in mention_ids:
                    self.report(rid, f"{field}.mention", f"dangling reference {argument.get('mention')!r}: no such mention")
            for attribute in EVENT_ATTRIBUTES:
                self.check_label(rid, attribute, event.get(attribute), tax.event_attributes[attribute], required=self.gold)
            if self.gold and not (isinstance(event.get("event"), str) and event.get("event")):
                self.report(rid, "event", "missing corpus-level event id")

    def check_attributions(self, attributions: list[dict], mention_ids: set) -> None:
        tax = self.taxonomy
        attribution_ids = {a.get("id") for a in attributions} - {None}
        for index, attribution in enumerate(attributions):
            rid = str(attribution.get("id", f"attributions[{index}]"))
            self.check_label(rid, "type", attribution.get("type"), tax.attribution_types, required=self.gold)
            self.check_span(rid, "cue", attribution.get("cue"))
            content = attribution.get("content")
            if not isinstance(content, list) or (self.gold and not content):
                self.report(rid, "content", "expected a non-empty list of spans")
                content = []
            for position, span in enumerate(content):
                self.check_span(rid, f"content[{position}]", span)
            for link in ("source", "addressee"):
                target = attribution.get(link)
                if target is not None and target not in mention_ids:
                    self.report(rid, link, f"dangling reference {target!r}: no such mention")
            parent = attribution.get("parent")
            if parent is not None and (parent not in attribution_ids or parent == attribution.get("id")):
                self.report(rid, "parent", f"dangling reference {parent!r}: no such other attribution")
            if self.gold and not (isinstance(attribution.get("statement"), str) and attribution.get("statement")):
                self.report(rid, "statement", "missing corpus-level statement id")
        self.check_parent_cycles(attributions)

    def check_parent_cycles(self, attributions: list[dict]) -> None:
        parent_of = {a.get("id"): a.get("parent") for a in attributions}
        for start in parent_of:
            seen, node = set(), start
            while node is not None and node in parent_of:
                if node in seen:
                    self.report(str(start), "parent", "relay chain forms a cycle")
                    break
                seen.add(node)
                node = parent_of[node]


def _crossing_pairs(spans: list[tuple[int, int, str]]) -> Iterator[tuple[tuple[int, int, str], tuple[int, int, str]]]:
    """Pairs that overlap without one containing the other, via a sort and a stack of open spans."""
    ordered = sorted(spans, key=lambda s: (s[0], -s[1]))
    open_spans: list[tuple[int, int, str]] = []
    for span in ordered:
        open_spans = [o for o in open_spans if o[1] > span[0]]
        for other in open_spans:
            if span[1] > other[1]:
                yield other, span
        open_spans.append(span)


def validate_document(doc: Any, file: str, taxonomy: Taxonomy | None = None, gold: bool = True,
                      line: int | None = None) -> list[Problem]:
    return _Checker(file, doc, taxonomy or load_taxonomy(), gold, line).run()


def validate_corpus(docs: list[dict], file: str, taxonomy: Taxonomy | None = None) -> list[Problem]:
    """Per-document checks plus identity consistency across documents."""
    taxonomy = taxonomy or load_taxonomy()
    problems: list[Problem] = []
    seen_docs: set[str] = set()
    for doc in docs:
        problems += validate_document(doc, file, taxonomy)
        if isinstance(doc, dict):
            if doc.get("id") in seen_docs:
                problems.append(Problem(file, str(doc.get("id")), None, "id", "duplicate document id"))
            seen_docs.add(doc.get("id"))
    problems += _identity_problems(docs, file, taxonomy)
    return problems


def _identity_problems(docs: list[dict], file: str, taxonomy: Taxonomy) -> list[Problem]:
    """An identity id names one thing: an entity id keeps one type (or a compatible pair); an event id one type."""
    problems: list[Problem] = []
    checks = (("mentions", "entity", "type", "entity"), ("events", "event", "type", "event"))
    for layer, id_field, kind_field, noun in checks:
        kinds: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
        for doc in docs:
            if not isinstance(doc, dict):
                continue
            for record in doc.get(layer) or []:
                known = taxonomy.entity_types if layer == "mentions" else taxonomy.event_types
                if not isinstance(record, dict) or not record.get(id_field) or record.get(kind_field) not in known:
                    continue  # an unknown type is reported on its own record
                kinds[record[id_field]].setdefault(record.get(kind_field), (str(doc.get("id")), str(record.get("id"))))
        for identity, by_kind in sorted(kinds.items()):
            compatible = layer == "mentions" and taxonomy.types_compatible(set(by_kind))
            if len(by_kind) > 1 and not compatible:
                where = "; ".join(f"{k} at {d}/{r}" for k, (d, r) in sorted(by_kind.items(), key=str))
                doc_id, record_id = next(iter(by_kind.values()))
                problems.append(Problem(file, doc_id, record_id, id_field,
                                        f"{noun} id {identity!r} is used with different types: {where}"))
    return problems
