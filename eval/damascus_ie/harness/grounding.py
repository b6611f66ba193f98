"""Grounding text-anchored predictions: spans given as text (no offsets) are located in the document.

Language models return the text of a span, not its offsets, and sometimes text
that is not in the document at all. Every span of a predictions record (a
mention, a trigger, a cue, a content span, and an argument filler, source or
addressee given as text instead of a mention id) may therefore come as
`{"text": ..., "context": ..., "sentence": ...}` without `start`/`end`. This
module turns such a record into one with offsets, by one deterministic
algorithm that never looks at the gold:

1. Scopes, narrowest first: the occurrences of `context` (a short quote of the
   document containing the span), then sentence number `sentence` (0-based,
   `core.sentences.sentence_spans`), then the whole document. The first scope
   that contains the span decides.
2. Within a scope, exact occurrences of the text; if none, normalised ones
   (`normalise`: Unicode NFKC code point by code point, curly quotes and
   apostrophes to straight ones, dashes to "-", white-space runs to one space,
   the text's own edges stripped), then normalised with case folded. A match must
   start and end on whole code points of the original and lie outside
   boilerplate; its offsets are the original's. Matches that cut a word ("he"
   inside "the") are taken only when no tier has a whole-word one (then as
   `normalised`).
3. One candidate: outcome `exact` or `normalised`, and that occurrence is taken
   even if another record took it (so a context that locates a span lets two
   records share it, as the gold's shared cues do). Several: `ambiguous`, and a
   rule picks one: mentions, triggers and cues take the first occurrence, in
   document order, that no earlier record of the same kind took, so repeated
   identical predictions take distinct occurrences (once all are taken, the
   first again); content spans, argument fillers, sources and addressees take
   the occurrence nearest their trigger or cue (ties: the earlier), fillers
   preferring occurrences where the record has a mention.
4. Not found at all: `ungrounded` (a hallucination). The span is kept, so it
   is scored as a false positive: it is placed in a tail appended after the
   document's text (`Grounding.text`), where no gold span can be.

A filler given as text becomes the id of the record's mention with the same
offsets; with none, a mention is added from the filler's own `type` (and
`level`, `entity`), and without a type the filler is a problem. Records
processed: mentions, then events, then attributions, each in the order given.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from damascus_ie.core.fields import ANCHOR_HINTS
from damascus_ie.core.problems import Problem
from damascus_ie.core.sentences import first_overlap, sentence_spans

Outcome = Literal["offsets", "exact", "normalised", "ambiguous", "ungrounded"]
OUTCOMES: tuple[Outcome, ...] = ("exact", "normalised", "ambiguous", "ungrounded")
REPORT_LAYERS: dict[str, str] = {"mentions": "entities", "events": "events", "attributions": "attributions"}
TAIL_SEPARATOR = "\n"
HINTS: tuple[str, ...] = tuple(field.name for field in ANCHOR_HINTS)  # "context", "sentence" (core.fields)
_WORD = re.compile(r"\S+")
_QUOTES = {**dict.fromkeys("‘’‚‛′`´", "'"), **dict.fromkeys("“”„‟″«»", '"')}
_DASHES = dict.fromkeys("‐‑‒–—―−﹘﹣－", "-")


def _fold(char: str, fold_case: bool) -> str:
    """One code point normalised: NFKC, quotes, dashes, white space to a space, case folded if asked."""
    if char.isspace():
        return " "
    out = "".join(_QUOTES.get(c, _DASHES.get(c, c)) for c in unicodedata.normalize("NFKC", char))
    if out.isspace():
        return " "
    return out.casefold() if fold_case else out


def normalise(text: str, fold_case: bool = False) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the original code point it came from.

    White-space runs become one space (mapped to the run's first code point); a code point that
    NFKC expands ("ﬁ" -> "fi") maps every character of its expansion to itself.
    """
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold(char, fold_case)
        if folded == " " and chars and chars[-1] == " ":
            continue
        chars.extend(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin


def normalise_query(text: str, fold_case: bool = False) -> str:
    return normalise(text.strip(), fold_case)[0].strip()


def _occurrences(haystack: str, needle: str) -> list[int]:
    """Every start of `needle` in `haystack`, overlapping ones included."""
    found, at = [], haystack.find(needle)
    while at >= 0 and needle:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


@dataclass
class Locator:
    """Finds a text in one document: exact, then normalised, then normalised without case; results cached."""

    text: str
    boilerplate: Sequence[Sequence[int]] = ()
    fold_case: bool = True  # the last tier; off, a text that differs in case only is ungrounded
    _cache: dict[str, list[tuple[str, list[tuple[int, int]]]]] = field(default_factory=dict)

    @cached_property
    def views(self) -> list[tuple[bool, tuple[str, list[int]]]]:
        """(case folded?, normalised text with its code point map) per normalised tier."""
        return [(fold, normalise(self.text, fold_case=fold)) for fold in ((False, True) if self.fold_case else (False,))]

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        return sentence_spans(self.text)

    def find(self, query: str, regions: Sequence[tuple[int, int]] | None = None) -> tuple[str, list[tuple[int, int]]]:
        """("exact" | "normalised", [(start, end), ...] in document order) inside `regions` (default: anywhere).

        Tiers in order, whole words first: a match that cuts a word ("he" in "the") counts only when no tier
        has a whole-word one, and then as `normalised`. No candidates: ("", []).
        """
        if query not in self._cache:
            self._cache[query] = self._tiers(query)
        tiers = [(outcome, [(s, e) for s, e in spans if regions is None or any(lo <= s and e <= hi for lo, hi in regions)])
                 for outcome, spans in self._cache[query]]
        for outcome, spans in tiers:
            words = [span for span in spans if self.whole_words(*span)]
            if words:
                return outcome, words
        return next((("normalised", spans) for _, spans in tiers if spans), ("", []))

    def _tiers(self, query: str) -> list[tuple[str, list[tuple[int, int]]]]:
        """Every occurrence outside boilerplate per tier: exact, normalised, normalised with case folded."""
        stripped = query.strip()
        if not stripped:
            return []
        tiers = [("exact", self._keep((s, s + len(stripped)) for s in _occurrences(self.text, stripped)))]
        for fold_case, (view, origin) in self.views:
            needle = normalise_query(stripped, fold_case)
            spans = []
            for at in _occurrences(view, needle):
                last = at + len(needle) - 1
                whole = (at == 0 or origin[at - 1] != origin[at]) and \
                        (last + 1 == len(origin) or origin[last + 1] != origin[last])
                if whole:
                    spans.append((origin[at], origin[last] + 1))
            tiers.append(("normalised", self._keep(spans)))
        return tiers

    def whole_words(self, start: int, end: int) -> bool:
        """Neither end cuts a word: the characters on both sides of each edge are not both letters or digits."""
        text = self.text
        return (start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())) and \
            (end == len(text) or not (text[end - 1].isalnum() and text[end].isalnum()))

    def _keep(self, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """Distinct spans outside boilerplate, in document order."""
        return sorted({(s, e) for s, e in spans
                       if first_overlap(s, e, self.boilerplate) is None})


@dataclass(frozen=True)
class GroundedSpan:
    """What grounding did with one span: its layer, record, field, given text and outcome, and where it landed."""

    layer: str
    index: int
    record: str
    field: str
    text: str
    outcome: Outcome
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "index": self.index, "record": self.record, "field": self.field,
                "text": self.text, "outcome": self.outcome, "start": self.start, "end": self.end}


@dataclass
class Grounding:
    """A record with offsets everywhere, the text they refer to (the document's plus a tail of ungrounded spans),
    every span's outcome, and the problems that kept a span from being grounded (bad hints, untyped fillers)."""

    record: dict[str, Any]
    text: str
    spans: list[GroundedSpan]
    problems: list[tuple[str, int, Problem]]  # (layer, position of the record in it, problem)

    @property
    def ungrounded(self) -> list[GroundedSpan]:
        return [s for s in self.spans if s.outcome == "ungrounded"]


def is_text_anchored(span: Any) -> bool:
    """A span object without offsets: to be grounded."""
    return isinstance(span, dict) and "start" not in span and "end" not in span


def _is_text_filler(value: Any) -> bool:
    return isinstance(value, dict) and "text" in value


def _is_text_argument(argument: Any) -> bool:
    """An event argument given as the text of its filler instead of a mention id."""
    return isinstance(argument, dict) and "mention" not in argument and _is_text_filler(argument)


class _Grounder:
    def __init__(self, record: dict[str, Any], text: str, boilerplate: Sequence[Sequence[int]], file: str,
                 line: int | None, fold_case: bool):
        self.source, self.file, self.line = record, file, line
        self.locator = Locator(text, [tuple(p) for p in boilerplate if isinstance(p, list | tuple) and len(p) == 2],
                               fold_case)
        self.doc_id = str(record.get("id"))
        self.tail: list[str] = []
        self.spans: list[GroundedSpan] = []
        self.problems: list[tuple[str, int, Problem]] = []
        self.where: tuple[str, int] = ("mentions", 0)
        self.taken: dict[str, set[tuple[int, int]]] = {}
        self.mentions: list[dict[str, Any]] = []

    # ---- one span -------------------------------------------------------------------------------------------
    def problem(self, record: str, field: str, reason: str, hint: str | None = None) -> None:
        self.problems.append((*self.where, Problem(self.file, self.doc_id, record, field, reason, self.line,
                                                   hint=hint)))

    def ground(self, span: dict[str, Any], layer: str, record: str, field: str, kind: str,
               anchor: tuple[int, int] | None = None, prefer: set[tuple[int, int]] | None = None,
               ) -> tuple[int, int] | None:
        """Offsets for one text-only span (tail offsets if ungrounded); None (and a problem) if it cannot be read."""
        given = span.get("text")
        if not isinstance(given, str) or not given.strip():
            self.problem(record, f"{field}.text", "a span without start/end needs a non-empty `text`",
                         'a span is {"start": 0, "end": 6} or, text-anchored, {"text": "Syrian", "context": ...}')
            return None
        scopes = self.scopes(span, record, field)
        if scopes is None:
            return None
        outcome = ""
        candidates: list[tuple[int, int]] = []
        for scope in scopes:
            outcome, candidates = self.within(given, scope)
            if candidates:
                break
        if not candidates:
            start = len(self.locator.text) + sum(len(TAIL_SEPARATOR) + len(t) for t in self.tail) + len(TAIL_SEPARATOR)
            self.tail.append(given.strip())
            chosen, final = (start, start + len(given.strip())), "ungrounded"
        else:
            chosen = self.pick(candidates, kind, anchor, prefer)
            final = outcome if len(candidates) == 1 else "ambiguous"
        self.taken.setdefault(kind, set()).add(chosen)
        self.spans.append(GroundedSpan(layer, self.where[1], record, field, given, final,  # type: ignore[arg-type]
                                       *chosen))
        return chosen

    def scopes(self, span: dict[str, Any], record: str, field: str) -> list[list[tuple[int, int]]] | None:
        """Regions to search, narrowest first: the context's occurrences, the sentence, the document."""
        scopes: list[list[tuple[int, int]]] = []
        context, sentence = span.get("context"), span.get("sentence")
        if context is not None:
            if not isinstance(context, str):
                self.problem(record, f"{field}.context", f"must be a string, got {type(context).__name__}")
                return None
            found = self.locator.find(context)[1]
            if found:
                scopes.append(found)
        if sentence is not None:
            count = len(self.locator.sentences)
            if not isinstance(sentence, int) or isinstance(sentence, bool) or not 0 <= sentence < count:
                self.problem(record, f"{field}.sentence",
                             f"sentence index must be an integer in [0, {count}), got {sentence!r}")
                return None
            scopes.append([self.locator.sentences[sentence]])
        scopes.append([(0, len(self.locator.text))])
        return scopes

    def within(self, given: str, regions: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
        """The candidates inside any of the regions (the whole document for the last scope)."""
        return self.locator.find(given, None if regions == [(0, len(self.locator.text))] else regions)

    def pick(self, candidates: list[tuple[int, int]], kind: str, anchor: tuple[int, int] | None,
             prefer: set[tuple[int, int]] | None) -> tuple[int, int]:
        if len(candidates) == 1:
            return candidates[0]
        if prefer:
            candidates = [c for c in candidates if c in prefer] or candidates
        if anchor is not None and anchor[0] < len(self.locator.text):
            return min(candidates, key=lambda c: (abs(c[0] - anchor[0]), c[0]))
        taken = self.taken.get(kind, set())
        return next((c for c in candidates if c not in taken), candidates[0])

    @property
    def text(self) -> str:
        return self.locator.text + "".join(TAIL_SEPARATOR + t for t in self.tail)

    def placed(self, span: dict[str, Any], offsets: tuple[int, int]) -> dict[str, Any]:
        """The span with offsets and the document's own text at them (a normalised match's text is replaced)."""
        kept = {k: v for k, v in span.items() if k not in (*HINTS, "text")}
        start, end = offsets
        return {**kept, "start": start, "end": end, "text": self.text[start:end]}

    # ---- the record -----------------------------------------------------------------------------------------
    def run(self) -> Grounding:
        record = dict(self.source)
        if isinstance(record.get("mentions"), list):
            record["mentions"] = self.mentions = [self.mention(m, i) for i, m in enumerate(record["mentions"])]
        if isinstance(record.get("events"), list):
            record["events"] = [self.event(e, i) for i, e in enumerate(record["events"])]
        if isinstance(record.get("attributions"), list):
            record["attributions"] = [self.attribution(a, i) for i, a in enumerate(record["attributions"])]
        if self.mentions:  # fillers may have added mentions
            record["mentions"] = self.mentions
        return Grounding(record, self.text, self.spans, self.problems)

    def span_field(self, value: Any, layer: str, record: str, field: str, kind: str,
                   anchor: tuple[int, int] | None = None) -> Any:
        if not is_text_anchored(value):
            return value
        offsets = self.ground(value, layer, record, field, kind, anchor)
        return value if offsets is None else self.placed(value, offsets)

    def mention(self, mention: Any, index: int) -> Any:
        self.where = ("mentions", index)
        if not is_text_anchored(mention):
            return mention
        return self.span_field(mention, "mentions", str(mention.get("id", f"mentions[{index}]")), "span", "mention")

    def event(self, event: Any, index: int) -> Any:
        self.where = ("events", index)
        if not isinstance(event, dict):
            return event
        rid = str(event.get("id", f"events[{index}]"))
        event = {**event, "trigger": self.span_field(event.get("trigger"), "events", rid, "trigger", "trigger")}
        anchor = _offsets(event["trigger"])
        if isinstance(event.get("arguments"), list):
            event["arguments"] = [self.argument(a, rid, i, anchor) for i, a in enumerate(event["arguments"])]
        return event

    def argument(self, argument: Any, rid: str, position: int, anchor: tuple[int, int] | None) -> Any:
        if not _is_text_argument(argument):
            return argument
        filler = {k: v for k, v in argument.items() if k != "role"}
        mention = self.filler(filler, "events", rid, f"arguments[{position}]", anchor)
        return {"role": argument.get("role"), "mention": mention if mention is not None else argument}

    def attribution(self, attribution: Any, index: int) -> Any:
        self.where = ("attributions", index)
        if not isinstance(attribution, dict):
            return attribution
        rid = str(attribution.get("id", f"attributions[{index}]"))
        attribution = {**attribution, "cue": self.span_field(attribution.get("cue"), "attributions", rid, "cue",
                                                             "cue")}
        anchor = _offsets(attribution["cue"])
        if isinstance(attribution.get("content"), list):
            attribution["content"] = [self.span_field(s, "attributions", rid, f"content[{i}]", "content", anchor)
                                      for i, s in enumerate(attribution["content"])]
        for link in ("source", "addressee"):
            if _is_text_filler(attribution.get(link)):
                mention = self.filler(attribution[link], "attributions", rid, link, anchor)
                attribution[link] = mention if mention is not None else attribution[link]
            elif isinstance(attribution.get(link), dict):
                self.problem(rid, link, "a mention given as an object needs its `text`",
                             f'a {link} is a mention id, or text-anchored {{"text": "a source", "context": ...}}')
        return attribution

    def filler(self, filler: dict[str, Any], layer: str, rid: str, field: str,
               anchor: tuple[int, int] | None) -> str | None:
        """The id of the mention a text filler grounds to, adding one from the filler's type when there is none."""
        mention_spans = {(m["start"], m["end"]): m for m in self.mentions
                         if isinstance(m, dict) and isinstance(m.get("start"), int) and isinstance(m.get("end"), int)}
        if is_text_anchored(filler):
            offsets = self.ground(filler, layer, rid, field, "filler", anchor, set(mention_spans))
        else:
            offsets = _offsets(filler)
        if offsets is None:
            return None
        existing = mention_spans.get(offsets)
        if existing is None and offsets[0] >= len(self.locator.text):  # a hallucinated filler: same text, same mention
            given = normalise_query(str(filler.get("text")), fold_case=True)
            existing = next((m for (s, e), m in mention_spans.items() if s >= len(self.locator.text)
                             and normalise_query(self.text[s:e], fold_case=True) == given
                             and (s, e) != offsets), None)
        if existing is not None:
            if existing.get("id") is None:  # a predicted mention without an id: the filler names it all the same
                index = next(i for i, m in enumerate(self.mentions) if m is existing)
                self.mentions[index] = existing = {**existing, "id": self.new_mention_id()}
            return str(existing["id"])
        if filler.get("type") is None:
            self.problem(rid, field, f"filler {filler.get('text')!r} is not a predicted mention: list it in "
                                     "`mentions` or give its `type`")
            return None
        added: dict[str, Any] = {"id": self.new_mention_id(), "start": offsets[0], "end": offsets[1],
                                 "text": self.text[offsets[0]:offsets[1]], "type": filler["type"],
                                 **{k: filler[k] for k in ("level", "entity", "value") if k in filler}}
        self.mentions.append(added)
        return added["id"]

    def new_mention_id(self) -> str:
        """An id no predicted mention has, for a mention the harness adds or names."""
        ids = {m.get("id") for m in self.mentions if isinstance(m, dict)}
        number = len(self.mentions) + 1
        while f"grounded-m{number}" in ids:
            number += 1
        return f"grounded-m{number}"


def _offsets(span: Any) -> tuple[int, int] | None:
    if isinstance(span, dict) and isinstance(span.get("start"), int) and isinstance(span.get("end"), int):
        return span["start"], span["end"]
    return None


def ground_document(record: dict[str, Any], text: str, *, boilerplate: Sequence[Sequence[int]] = (),
                    file: str = "<predictions>", line: int | None = None, fold_case: bool = True) -> Grounding:
    """The record with every text-only span grounded (see the module docstring); offsets given are kept.

    `fold_case=False` drops the case-folded tier (the harness keeps it: models re-case sentence starts).
    """
    return _Grounder(record, text, boilerplate, file, line, fold_case).run()


def needs_grounding(record: Any) -> bool:
    """Whether any span or filler of the record is given as text: records with offsets skip grounding."""
    if not isinstance(record, dict):
        return False
    for mention in _list(record.get("mentions")):
        if is_text_anchored(mention):
            return True
    for event in _list(record.get("events")):
        if is_text_anchored(event.get("trigger")) or any(map(_is_text_argument, _list(event.get("arguments")))):
            return True
    for attribution in _list(record.get("attributions")):
        if is_text_anchored(attribution.get("cue")) or any(is_text_anchored(s) for s in _list(attribution.get("content"))) \
                or _is_text_filler(attribution.get("source")) or _is_text_filler(attribution.get("addressee")):
            return True
    return False


def _list(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def count_spans(record: dict[str, Any], totals: dict[str, int]) -> None:
    """Adds the record's spans per report layer (mentions; triggers and arguments; cues, content, links) to
    `totals`; plain int sums, so a million offset-only records cost next to nothing."""
    mentions = record.get("mentions")
    if isinstance(mentions, list):
        totals["entities"] = totals.get("entities", 0) + len(mentions)
    events, attributions = record.get("events"), record.get("attributions")
    for event in _list(events) if events else ():
        arguments = event.get("arguments")
        totals["events"] = totals.get("events", 0) + 1 + (len(arguments) if isinstance(arguments, list) else 0)
    for attribution in _list(attributions) if attributions else ():
        content = attribution.get("content")
        links = (attribution.get("source") is not None) + (attribution.get("addressee") is not None)
        totals["attributions"] = (totals.get("attributions", 0) + 1 + links
                                  + (len(content) if isinstance(content, list) else 0))


def grounding_summary(spans: Iterable[GroundedSpan], totals: dict[str, int] | None = None) -> dict[str, dict[str, Any]]:
    """Per report layer: how many spans came with offsets, how many as text, each outcome's count and rate.

    Rates are over the text-anchored spans of the layer (null when there were none).
    """
    by_layer: dict[str, Counter[str]] = {layer: Counter() for layer in REPORT_LAYERS.values()}
    for span in spans:
        by_layer[REPORT_LAYERS[span.layer]][span.outcome] += 1
    summary: dict[str, dict[str, Any]] = {}
    for layer, counts in by_layer.items():
        anchored = sum(counts[o] for o in OUTCOMES)
        total = (totals or {}).get(layer, 0)
        summary[layer] = {"spans": max(total, anchored), "offsets": max(total - anchored, 0),
                          "text_anchored": anchored, "counts": {o: counts[o] for o in OUTCOMES},
                          "rates": {o: (counts[o] / anchored if anchored else None) for o in OUTCOMES}}
    return summary


def quote_around(text: str, start: int, end: int, *, max_words: int = 12) -> str:
    """The shortest quote of `text` made of the span and whole words either side that occurs once in `text`.

    What a careful extractor gives as `context`; used to turn records with offsets into text-anchored ones.
    Gives up widening after `max_words` words each side (the quote may then occur more than once).
    """
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    before = [w for w in words if w[1] <= start][::-1]
    after = [w for w in words if w[0] >= end]
    for width in range(max_words + 1):
        lo = before[width - 1][0] if width and len(before) >= width else (before[-1][0] if width and before else start)
        hi = after[width - 1][1] if width and len(after) >= width else (after[-1][1] if width and after else end)
        quote = text[lo:hi]
        if len(_occurrences(text, quote)) == 1:
            return quote
    return quote


def text_anchored(record: dict[str, Any], text: str, *, context: bool = True, fillers_as_text: bool = False,
                  ) -> dict[str, Any]:
    """A record with offsets turned into its text-anchored form: every span as `text` (plus `context` if asked).

    With `fillers_as_text`, arguments, sources and addressees are given as the text of their mention
    (with its type) instead of its id. The inverse of `ground_document` when grounding is unambiguous.
    """
    def span(value: dict[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in value.items() if k not in ("start", "end")}
        kept["text"] = text[value["start"]:value["end"]]
        if context:
            kept["context"] = quote_around(text, value["start"], value["end"])
        return kept

    mentions = {m["id"]: m for m in record.get("mentions") or () if "id" in m}

    def filler(mention_id: str) -> Any:
        if not fillers_as_text or mention_id not in mentions:
            return mention_id
        mention = mentions[mention_id]
        return {**span({"start": mention["start"], "end": mention["end"]}), "type": mention["type"]}

    out = {**record, "mentions": [span(m) for m in record.get("mentions") or ()]}
    out["events"] = [{**e, "trigger": span(e["trigger"]),
                      "arguments": [({"role": a["role"], **filler(a["mention"])} if fillers_as_text else dict(a))
                                    for a in e.get("arguments") or ()]} for e in record.get("events") or ()]
    out["attributions"] = [{**a, "cue": span(a["cue"]), "content": [span(s) for s in a.get("content") or ()],
                            **{link: filler(a[link]) for link in ("source", "addressee") if a.get(link) is not None}}
                           for a in record.get("attributions") or ()]
    out.pop("text", None)
    return out
