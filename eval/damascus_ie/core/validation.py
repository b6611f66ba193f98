"""Checks a document record against the spec and the taxonomy, reporting every problem.

Shared by gold validation, prediction loading (`gold=False`) and the Label
Studio bridge, so all three refuse the same things for the same reasons. The
presence, type, label set and reference target of every record field follow
core.fields (`check_fields`); what is written here by hand is structural: span
offsets against the text, duplicates, crossing mentions, roles per event type,
the TIME rules, relay cycles and identity across documents. Gold
is strict: every problem is an error. For predictions, what is wrong but
interpretable (a span crossing another, on white space, in boilerplate, a
duplicate, a span without `text`, a record without an id) is a warning: it is
scored as what it is. Errors carry a hint where the cause is a common one.
"""

from __future__ import annotations

import bisect
import difflib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from damascus_ie.core.fields import LAYER_RECORDS, RECORD_FIELDS, Field, Layer, RecordFields, label_values
from damascus_ie.core.problems import Problem, Severity
from damascus_ie.core.records import LAYERS
from damascus_ie.core.sentences import first_overlap
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy

DOCUMENT_KEYS = frozenset({"id", "text", "boilerplate", *LAYERS})
LAYER_ALIASES: dict[str, str] = {
    "entities": "mentions", "entity_mentions": "mentions", "ner": "mentions", "spans": "mentions",
    "mention": "mentions", "event": "events", "event_mentions": "events", "attribution": "attributions",
    "quotes": "attributions", "quotations": "attributions", "relations": "attributions",
}


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _id_of(record: dict[str, Any]) -> str | None:
    value = record.get("id")
    return value if isinstance(value, str) else None


def layer_hint(key: str) -> str | None:
    """`entities` -> "did you mean `mentions`?"; None when the key is not close to a layer name."""
    target = LAYER_ALIASES.get(key.lower()) or next(iter(difflib.get_close_matches(key, LAYERS, 1, 0.75)), None)
    return f"did you mean `{target}`?" if target else None


def offset_hint(text: str, start: int, end: int, expected: str | None) -> str | None:
    """Why offsets miss: UTF-8 byte offsets, CRLF line ends, or the span text sits elsewhere."""
    if expected is None:
        data = text.encode("utf-8")
        if end <= len(data) and end > len(text):
            return "the offsets fit the UTF-8 bytes, not the text: offsets count code points (Python str indices)"
        return None
    data = text.encode("utf-8")
    if data[start:end].decode("utf-8", errors="replace") == expected:
        return "these look like UTF-8 byte offsets: offsets count code points (Python str indices)"
    crlf = text.replace("\n", "\r\n")
    if crlf[start:end] == expected:
        return "these offsets fit the text with CRLF line ends: the text has LF (\\n) line ends"
    if expected.replace("\r\n", "\n") == text[start:end]:
        return "the span text has CRLF line ends: the text has LF (\\n) line ends"
    found = text.find(expected)
    if found >= 0:
        return f"{expected!r} occurs at [{found}, {found + len(expected)})"
    return None


WHOLE_LAYER = -1  # in Checked.bad: the layer itself is malformed
SHOWN_PLACES = 3  # identity problems name this many of the records that disagree, then count the rest


@dataclass
class Checked:
    """A document's problems and which records (layer -> positions) have errors, for a lenient caller."""

    problems: list[Problem]
    bad: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    document_error: bool = False


class _Checker:
    def __init__(self, file: str, doc: Any, taxonomy: Taxonomy, gold: bool, line: int | None,
                 record_fields: RecordFields = RECORD_FIELDS, trusted: frozenset[str] = frozenset()):
        self.file, self.doc, self.taxonomy, self.gold, self.line = file, doc, taxonomy, gold, line
        self.trusted = trusted
        self.record_fields = record_fields
        self.ids: dict[str, set[str]] = {}  # layer -> the string ids its records carry, for references
        doc_id = doc.get("id") if isinstance(doc, dict) else None
        self.doc_id = doc_id if isinstance(doc_id, str) else (None if doc_id is None else repr(doc_id)[:60])
        self.text = doc.get("text") if isinstance(doc, dict) else None
        self.checked = Checked([])
        self.where: tuple[str, int] | None = None
        raw = doc.get("boilerplate") if isinstance(doc, dict) else None
        self.boilerplate = [tuple(p) for p in raw if isinstance(p, list | tuple) and len(p) == 2
                            and all(_is_int(x) for x in p)] if isinstance(raw, list) else []

    @property
    def problems(self) -> list[Problem]:
        return self.checked.problems

    def report(self, record: str | None, field: str | None, reason: str, hint: str | None = None,
               kind: str | None = None) -> None:
        """An error: the record (or, outside one, the document) cannot be interpreted."""
        self.problems.append(Problem(self.file, self.doc_id, record, field, reason, self.line, "error", hint, kind))
        if self.where is not None:
            self.checked.bad[self.where[0]].add(self.where[1])
        else:
            self.checked.document_error = True

    def warn(self, record: str | None, field: str | None, reason: str, kind: str, hint: str | None = None) -> None:
        """Wrong but interpretable in a prediction (scored as it is); an error in the gold."""
        severity: Severity = "error" if self.gold else "warning"
        if self.gold:
            self.report(record, field, reason, hint, kind)
        else:
            self.problems.append(Problem(self.file, self.doc_id, record, field, reason, self.line, severity, hint,
                                         kind))

    def check_span(self, record: str, field: str, span: Any) -> bool:
        if not isinstance(span, dict):
            self.report(record, field, f"expected a span object, got {type(span).__name__}")
            return False
        start, end = span.get("start"), span.get("end")
        if not _is_int(start) or not _is_int(end):
            hint = None
            if isinstance(start, float | str) or isinstance(end, float | str):
                hint = "offsets are integer code point indices, e.g. {\"start\": 0, \"end\": 6}"
            elif start is None and end is None and ("begin" in span or "offset" in span or "span" in span):
                hint = "a span is {\"start\": ..., \"end\": ...}"
            self.report(record, field, f"start and end must be integers, got {_short(start)} and {_short(end)}",
                        hint)
            return False
        if not 0 <= start < end:
            self.report(record, field, f"bad offsets [{start}, {end}): need 0 <= start < end")
            return False
        if self.text is None:
            return True
        if end > len(self.text):
            self.report(record, field, f"end {end} is past the end of the text ({len(self.text)} code points)",
                        offset_hint(self.text, start, end, span.get("text") if isinstance(span.get("text"), str)
                                    else None))
            return False
        actual = self.text[start:end]
        if "text" in span and span["text"] != actual:
            given = span["text"]
            hint = offset_hint(self.text, start, end, given) if isinstance(given, str) else None
            self.report(record, field, f"span text {_short(given)} != text[{start}:{end}] {actual!r}", hint)
            return False
        elif "text" not in span:
            if self.field("span", "text").required(self.gold):
                self.report(record, f"{field}.text", "missing")
            else:
                self.warn(record, field, "span without `text`: scored by its offsets", "span without text")
        if actual != actual.strip():
            self.warn(record, field, f"span [{start}, {end}) {actual!r} starts or ends on white space",
                      "span on white space")
        if (piece := first_overlap(start, end, self.boilerplate)) is not None:
            self.warn(record, field, f"span [{start}, {end}) lies in boilerplate [{piece[0]}, {piece[1]}), which is "
                      "not annotated" + ("" if self.gold else ": ignored in scoring"), "span in boilerplate")
        return True

    def check_label(self, record: str, field: str, value: Any, allowed: Iterable[str], required: bool = True,
                    source: dict[str, Any] | None = None, aliases: tuple[str, ...] = ()) -> bool:
        if value is None and not required:
            return True
        allowed = tuple(allowed)
        if value in allowed if isinstance(value, str) else False:
            return True
        hint = None
        if value is None and source is not None:
            alias = next((k for k in aliases if k in source), None)
            hint = f"the key is `{field}`, not `{alias}`" if alias else None
        elif isinstance(value, str):
            folded = {a.lower(): a for a in allowed}
            close = folded.get(value.lower()) or next(iter(difflib.get_close_matches(value, allowed, 1, 0.6)), None)
            hint = f"did you mean {close!r}?" if close else None
        shown = ", ".join(allowed) if len(allowed) <= 12 else ", ".join(allowed[:12]) + ", ..."
        self.report(record, field, f"unknown value {_short(value)}; expected one of {shown}", hint)
        return False

    def field(self, record: str, name: str) -> Field:
        return next(f for f in self.record_fields[record] if f.name == name)

    def check_fields(self, rid: str, layer: str, record_name: str, record: dict[str, Any], prefix: str = "",
                     skip: tuple[str, ...] = ()) -> set[str]:
        """Presence, type, label and reference of each field core.fields describes; returns those found unusable."""
        return {f.name for f in self.record_fields[record_name]
                if f.name not in skip and not self.check_field(rid, layer, f, record, prefix + f.name)}

    def check_field(self, rid: str, layer: str, field: Field, record: dict[str, Any], name: str) -> bool:
        """One field by its kind. A missing field reads as null, which an optional one may be."""
        value = record if field.inline else record.get(field.name)
        required = field.required(self.gold)
        if field.kind == "id":
            return True  # presence, type and uniqueness: check_ids, per layer
        if field.kind == "label" and field.labels:
            return self.check_label(rid, name, value, label_values(self.taxonomy, field.labels), required, record,
                                    field.aliases)
        if field.kind == "reference" and field.target:
            if value is None and (field.nullable or not required):
                return True
            own = field.target == layer  # a relay names another attribution, never itself
            targets = self.ids[field.target] - ({record["id"]} if own and _id_of(record) else set())
            if isinstance(value, str) and value in targets:
                return True
            self.report(rid, name, f"dangling reference {_short(value)}: no such {'other ' * own}"
                        f"{LAYER_RECORDS[field.target]}")
            return False
        if field.kind == "identity" and self.gold and not (isinstance(value, str) and value):
            self.report(rid, name, f"missing corpus-level {field.name} id")
            return False
        if value is None and not required:
            if field.kind in ("spans", "records") and field.name in record:
                self.warn(rid, name, f"`{field.name}: null` read as []", f"null {field.name}")
            return True
        if value is None and field.kind in ("records", "string", "offset", "identity"):
            if field.name not in record:
                self.report(rid, name, "missing")
                return False
            if field.kind == "records":
                self.report(rid, name, "expected a list, got null")
                return False
            if field.nullable:
                return True
        if field.kind == "span":
            return self.check_span(rid, name, value)
        if field.kind == "spans":
            if not isinstance(value, list) or (field.non_empty and not value):
                self.report(rid, name, f"expected a {'non-empty ' * field.non_empty}list of spans")
                return False
            return all([self.check_span(rid, f"{name}[{i}]", span) for i, span in enumerate(value)])
        if field.kind == "records" and field.record:
            return self.check_records(rid, layer, field.record, value, name)
        if field.kind == "offset" and not _is_int(value):
            self.report(rid, name, f"must be an integer, got {_short(value)}")
            return False
        if field.kind != "offset" and not isinstance(value, str):
            self.report(rid, name, f"must be a string, got {_short(value)}")
            return False
        return True

    def check_records(self, rid: str, layer: str, record_name: str, value: Any, name: str) -> bool:
        if not isinstance(value, list):
            self.report(rid, name, f"expected a list, got {type(value).__name__}")
            return False
        ok = True
        for position, item in enumerate(value):
            if not isinstance(item, dict):
                self.report(rid, f"{name}[{position}]", "expected an object")
                ok = False
            elif self.check_fields(rid, layer, record_name, item, prefix=f"{name}[{position}]."):
                ok = False
        return ok

    def check_ids(self, layer: Layer, records: list[tuple[int, dict[str, Any]]]) -> None:
        seen: set[str] = set()
        for index, record in records:
            self.where = (layer, index)
            record_id = record.get("id")
            if record_id is None:
                if self.field(LAYER_RECORDS[layer], "id").required(self.gold):
                    self.report(f"{layer}[{index}]", "id", "missing")
                else:
                    self.warn(f"{layer}[{index}]", "id", "record without an id: scored, but nothing can refer to it",
                              "record without id")
            elif not isinstance(record_id, str):
                self.report(f"{layer}[{index}]", "id", f"must be a string, got {type(record_id).__name__}",
                            "ids are strings such as \"m1\"")
            elif record_id in seen:
                self.report(record_id, "id", f"duplicate id in {layer}")
            else:
                seen.add(record_id)
        self.where = None

    def layer(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        """(position, record) of the layer's objects; a null layer is read as empty (loudly for predictions)."""
        value = self.doc.get(name, [])
        if value is None:
            if self.gold:
                self.report(None, name, "expected a list, got null")
            else:
                self.warn(None, name, f"`{name}: null` read as an empty list", "null layer")
            return []
        if not isinstance(value, list):
            self.where = (name, WHOLE_LAYER)  # lenient drops the layer, not the document
            self.report(None, name, f"expected a list, got {type(value).__name__}")
            self.where = None
            return []
        out = []
        for i, record in enumerate(value):
            if isinstance(record, dict):
                out.append((i, record))
            else:
                self.where = (name, i)
                self.report(f"{name}[{i}]", None, f"expected an object, got {type(record).__name__}")
        self.where = None
        return out

    def record_id(self, layer: str, index: int, record: dict[str, Any]) -> str:
        self.where = (layer, index)
        return _id_of(record) or f"{layer}[{index}]"

    def run(self) -> Checked:
        if not isinstance(self.doc, dict):
            self.report(None, None, f"expected a document object, got {type(self.doc).__name__}")
            return self.checked
        if not isinstance(self.doc.get("id"), str):
            self.report(None, "id", "document id missing or not a string")
        if self.text is not None and not isinstance(self.text, str):
            self.report(None, "text", "must be a string")
            self.text = None
        if not self.gold:
            self.check_keys()
        layers = {layer: self.layer(layer) for layer in LAYER_RECORDS if layer not in self.trusted}
        for layer, records in layers.items():
            self.check_ids(layer, records)
        # a missing reference never finds a record without an id
        self.ids = {layer: {i for i in (_id_of(r) for _, r in records) if i is not None} for layer, records in layers.items()}
        for trusted in self.trusted:  # objects with string ids, unique (harness.bulk checked them)
            self.ids[trusted] = {record["id"] for record in self.doc.get(trusted) or []}
        self.check_boilerplate()
        if "mentions" not in self.trusted:
            self.check_mentions(layers["mentions"])
        self.check_events(layers["events"])
        self.check_attributions(layers["attributions"])
        self.where = None
        return self.checked

    def check_keys(self) -> None:
        """Unknown top-level keys of a prediction: an error if no layer is left, else a warning (with a hint)."""
        unknown = [k for k in self.doc if k not in DOCUMENT_KEYS]
        has_layer = any(layer in self.doc for layer in LAYERS)
        if not has_layer and not unknown:
            self.warn(None, None, "the record has no layer (mentions, events, attributions): scored as empty",
                      "record without layers")
        for key in unknown:
            hint = layer_hint(str(key))
            if has_layer:
                self.warn(None, str(key), "unknown key, ignored", "unknown key", hint)
            else:
                self.report(None, str(key), "unknown key, and the record has no layer (mentions, events, "
                            "attributions)", hint)

    def check_boilerplate(self) -> None:
        raw = self.doc.get("boilerplate")
        if raw is None:
            return
        if not isinstance(raw, list):
            self.report(None, "boilerplate", f"expected a list of [start, end) pairs, got {_short(raw)}")
            return
        for index, pair in enumerate(raw):
            ok = isinstance(pair, list | tuple) and len(pair) == 2 and all(_is_int(x) for x in pair)
            if not ok or not 0 <= pair[0] < pair[1] <= (len(self.text) if self.text is not None else pair[1]):
                self.report(None, f"boilerplate[{index}]", f"expected [start, end) inside the text, got {_short(pair)}")

    def check_mentions(self, mentions: list[tuple[int, dict[str, Any]]]) -> None:
        """The described fields, then duplicates, the TIME rules (no entity id; only TIME has a value) and crossing."""
        spans: list[tuple[int, int, str]] = []
        seen: dict[tuple[int, int, Any], str] = {}
        for index, mention in mentions:
            rid = self.record_id("mentions", index, mention)
            time = mention.get("type") == "TIME"
            if "span" not in self.check_fields(rid, "mentions", "mention", mention, skip=("entity",) if time else ()):
                spans.append((mention["start"], mention["end"], rid))
                key = (mention["start"], mention["end"], _hashable(mention.get("type")))
                if key in seen:
                    self.warn(rid, "span", f"duplicate of mention {seen[key]} (same span and type)", "duplicate span")
                seen.setdefault(key, rid)
            if time and mention.get("entity") is not None:
                self.report(rid, "entity", "TIME mentions carry no entity id")
            if mention.get("value") is not None and not time:
                self.report(rid, "value", "only TIME mentions carry a value")
        self.where = None
        for (s1, e1, r1), (s2, e2, r2) in crossing_spans(spans):
            self.warn(r2, "span", f"[{s2}, {e2}) crosses mention {r1} [{s1}, {e1}): spans may nest but not cross",
                      "crossing spans")

    def check_events(self, events: list[tuple[int, dict[str, Any]]]) -> None:
        """The described fields, then duplicate triggers and whether the event type allows each known role."""
        tax = self.taxonomy
        triggers: dict[tuple[Any, ...], str] = {}
        for index, event in events:
            rid = self.record_id("events", index, event)
            bad = self.check_fields(rid, "events", "event", event)
            event_type, arguments = event.get("type"), event.get("arguments")
            trigger: Any = event.get("trigger")
            if "trigger" not in bad:
                key = (trigger["start"], trigger["end"], _hashable(event_type))
                if key in triggers:
                    self.warn(rid, "trigger", f"duplicate of event {triggers[key]} (same trigger and type)",
                              "duplicate span")
                triggers.setdefault(key, rid)
            if not (isinstance(event_type, str) and event_type in tax.event_roles and isinstance(arguments, list)):
                continue
            allowed = tax.event_roles[event_type]
            for position, argument in enumerate(arguments):
                role = argument.get("role") if isinstance(argument, dict) else None
                if isinstance(role, str) and role in tax.roles and role not in allowed:
                    self.report(rid, f"arguments[{position}].role",
                                f"role {role!r} not allowed for {event_type} (allowed: {', '.join(allowed)})")
        self.where = None

    def check_attributions(self, attributions: list[tuple[int, dict[str, Any]]]) -> None:
        """The described fields (one cue may introduce several attributions: no duplicate check), then relay cycles."""
        for index, attribution in attributions:
            self.check_fields(self.record_id("attributions", index, attribution), "attributions", "attribution",
                              attribution)
        self.where = None
        self.check_parent_cycles([(i, a) for i, a in attributions if _id_of(a)])

    def check_parent_cycles(self, attributions: list[tuple[int, dict[str, Any]]]) -> None:
        parent_of = {a["id"]: a.get("parent") for _, a in attributions}
        position = {a["id"]: i for i, a in attributions}
        for start in parent_of:
            seen, node = set(), start
            while isinstance(node, str) and node in parent_of:
                if node in seen:
                    self.where = ("attributions", position[start])
                    self.report(start, "parent", "relay chain forms a cycle")
                    self.where = None
                    break
                seen.add(node)
                node = parent_of[node]


def _short(value: Any, limit: int = 60) -> str:
    """A value for a message, cut short (a 5,000-digit number or a huge list stays readable)."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        return f"a {type(value).__name__} too large to show"
    return text if len(text) <= limit else text[:limit] + "..."


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | type(None)) else repr(value)


def crossing_spans(spans: list[tuple[int, int, str]]) -> list[tuple[tuple[int, int, str], tuple[int, int, str]]]:
    """Each span that crosses an earlier-starting one, paired with one span it crosses: O(n log n), one per span.

    Span b crosses a (a starting first) when a.start < b.start < a.end < b.end; the ends of the spans started
    so far are kept sorted, so "some end inside (b.start, b.end)" is one bisection.
    """
    ordered = sorted(spans, key=lambda s: (s[0], -s[1]))
    ends: list[tuple[int, int]] = []  # (end, position in ordered), sorted
    out = []
    i = 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j][0] == ordered[i][0]:
            j += 1
        group = ordered[i:j]
        for span in group:
            at = bisect.bisect_right(ends, (span[0], len(ordered)))
            if at < len(ends) and ends[at][0] < span[1]:
                out.append((ordered[ends[at][1]], span))
        for position in range(i, j):
            bisect.insort(ends, (ordered[position][1], position))
        i = j
    return out


def check_document(doc: Any, file: str, taxonomy: Taxonomy | None = None, gold: bool = True,
                   line: int | None = None, *, record_fields: RecordFields = RECORD_FIELDS,
                   trusted: frozenset[str] = frozenset()) -> Checked:
    """Problems (errors and, for predictions, warnings) and the positions of the records with errors.

    `trusted` layers were cleared in bulk (harness.bulk: nothing to report) and skip the per-record checks.
    """
    return _Checker(file, doc, taxonomy or load_taxonomy(), gold, line, record_fields, trusted).run()


def validate_document(doc: Any, file: str, taxonomy: Taxonomy | None = None, gold: bool = True,
                      line: int | None = None, *, record_fields: RecordFields = RECORD_FIELDS) -> list[Problem]:
    return check_document(doc, file, taxonomy, gold, line, record_fields=record_fields).problems


def validate_corpus(docs: Sequence[Any], file: str, taxonomy: Taxonomy | None = None) -> list[Problem]:
    """Per-document checks plus identity consistency across documents."""
    taxonomy = taxonomy or load_taxonomy()
    problems: list[Problem] = []
    seen_docs: set[str] = set()
    for doc in docs:
        problems += validate_document(doc, file, taxonomy)
        doc_id = doc.get("id") if isinstance(doc, dict) else None
        if isinstance(doc_id, str):
            if doc_id in seen_docs:
                problems.append(Problem(file, doc_id, None, "id", "duplicate document id"))
            seen_docs.add(doc_id)
    problems += _identity_problems(docs, file, taxonomy)
    return problems


def _identity_problems(docs: Sequence[Any], file: str, taxonomy: Taxonomy) -> list[Problem]:
    """An identity id names one thing: an entity id keeps one type (or a compatible pair); an event id one type.

    The type most of its records carry (the first seen on a tie) stands; each record of another type is reported,
    so the problem lands on the record that was changed, not on the first one of the corpus.
    """
    problems: list[Problem] = []
    checks = (("mentions", "entity", "mention", taxonomy.entity_types), ("events", "event", "event", taxonomy.event_types))
    for layer, id_field, record_noun, known in checks:
        kinds: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
        for doc in docs:
            if not isinstance(doc, dict):
                continue
            records = doc.get(layer)
            for record in records if isinstance(records, list) else []:
                if not isinstance(record, dict) or not isinstance(record.get(id_field), str) or not record.get(id_field) \
                        or not isinstance(record.get("type"), str) or record.get("type") not in known:
                    continue  # an unknown type is reported on its own record
                kinds[record[id_field]][record["type"]].append((str(doc.get("id")), str(record.get("id"))))
        for identity, by_kind in sorted(kinds.items()):
            if len(by_kind) < 2 or (layer == "mentions" and taxonomy.types_compatible(set(by_kind))):
                continue
            standing, *others = sorted(by_kind, key=lambda k: -len(by_kind[k]))
            places = [f"{d}/{r}" for d, r in by_kind[standing]]  # a few: "damascus" alone has 33 mentions
            at = ", ".join(places[:SHOWN_PLACES]) + (f" and {len(places) - SHOWN_PLACES} more"
                                                     if len(places) > SHOWN_PLACES else "")
            for kind in others:
                for doc_id, record_id in by_kind[kind]:
                    problems.append(Problem(file, doc_id, record_id, id_field, (
                        f"{id_field} id {identity!r} is {kind} here but {standing} at {at}: "
                        f"one id names one thing, so give this {record_noun} the type {standing} or another "
                        f"{id_field} id")))
    return problems
