"""`rules`: the dependency-free floor of the leaderboard: regular expressions over the raw text.

Capitalised word runs are names (typed by cues around them: titles, acronyms,
adjective endings, locative prepositions), quotation marks next to a reporting
verb are direct quotes, "said that ..." and "according to" are indirect ones,
and trigger words from the shared lexicon are events. It knows nothing from
the gold annotations: every list it uses is the hand-written lexicon.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from damascus_ie.core.sentences import sentence_spans
from damascus_ie.leaderboard.extractors.base import Prediction, PredictionBuilder, entity_key, input_view, quote_kind
from damascus_ie.leaderboard.extractors.lexicon import PERSON_TITLES, REPORTING_VERBS, TIME_WORDS, event_triggers, role_for

_WORD = r"[A-Z][\w’'-]*"
_NAME = re.compile(rf"{_WORD}(?:\s(?:(?:al|bin|ibn|de|for|of)[-\s])?{_WORD})*")
_QUOTE = re.compile(r"[“\"]([^“”\"]+)[”\"]|(?<!\w)‘([^‘’]+)’(?!\w)")
_SOURCE_NP = re.compile(r"\b(?:[Aa]n?|[Tt]he)\s+(?:\w+\s+)?\w+")
_LOCATIVE = frozenset({"in", "to", "from", "at", "near", "towards", "into", "of", "around", "on"})
_FUNCTION_WORDS = frozenset({"The", "A", "An", "This", "That", "These", "Those", "As", "While", "However", "It",
                             "There", "Where", "Meanwhile", "Many", "He", "She", "They", "We", "Also", "If", "But",
                             "And", "In", "On", "At", "For", "After", "Before", "When", "Some", "Its", "Their"})
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "withdraw": ("withdrew", "withdrawn"), "flee": ("fled",), "tear": ("tore", "torn"), "fall": ("fell", "fallen"),
    "fight": ("fought",), "shoot": ("shot",), "meet": ("met",), "overthrow": ("overthrew", "overthrown"),
    "put": ("put",), "say": ("said",), "tell": ("told",), "think": ("thought",), "write": ("wrote", "written"),
    "take": ("took", "taken"), "seize": ("seized",), "free": ("freed",), "overrun": ("overran",),
    "step": ("stepped",), "strike": ("struck",), "bomb": ("bombed",),
}


def inflections(lemma: str) -> set[str]:
    """Regular English inflections of a verb or noun, plus the irregular ones listed above."""
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    forms = {lemma, lemma + "s", lemma + "es", stem + "ed", stem + "ing", *_IRREGULAR.get(lemma, ())}
    if lemma.endswith("y"):
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    return forms


@cache
def _trigger_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation over every inflected trigger; the dict maps a lower-cased match back to its event type."""
    forms: dict[str, str] = {}
    for lemma, event_type in event_triggers().items():
        head, *particle = lemma.split()
        if particle and particle[0] not in ("down", "up", "out"):
            continue  # discontinuous phrasal verbs need a parse
        for form in inflections(head):
            forms[" ".join([form, *particle])] = event_type
    alternation = "|".join(sorted(map(re.escape, forms), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE), forms


@cache
def _cue_pattern() -> re.Pattern[str]:
    forms = sorted({f for verb in REPORTING_VERBS for f in inflections(verb)}, key=len, reverse=True)
    return re.compile(rf"\b(?:{'|'.join(forms)})\b")


class RulesExtractor:
    name = "rules"
    tuned_on_test_texts = True  # the same lexicon as `spacy`

    def __init__(self) -> None:
        self.settings: dict[str, Any] = {"kind": "regular expressions", "lexicon": "damascus_ie.leaderboard.extractors.lexicon"}

    def extract(self, document: dict[str, Any]) -> Prediction:
        builder = PredictionBuilder(input_view(document))
        text = builder.text
        lowercase_words = set(re.findall(r"\b[a-z][\w-]*\b", text))
        for start, end in sentence_spans(text):
            if builder.in_boilerplate(start, end):
                continue
            _Sentence(builder, start, end, lowercase_words).run()
        builder.link_relays()
        return builder.record()


class _Sentence:
    def __init__(self, builder: PredictionBuilder, start: int, end: int, lowercase_words: set[str]) -> None:
        self.builder, self.start, self.end = builder, start, end
        self.text = builder.text
        self.lowercase_words = lowercase_words
        self.local: list[str] = []  # ids of mentions found in this sentence, in text order

    def run(self) -> None:
        self.names()
        self.events()
        self.quotes()
        self.indirect()

    def segment(self) -> str:
        return self.text[self.start:self.end]

    def names(self) -> None:
        for match in _NAME.finditer(self.segment()):
            start, end = self.start + match.start(), self.start + match.end()
            words = match.group().split()
            titled = False
            while words and (words[0] in PERSON_TITLES or words[0] in _FUNCTION_WORDS):
                titled = titled or words[0] in PERSON_TITLES
                start += len(words[0]) + 1
                words = words[1:]
            if not words or (len(words) == 1 and words[0].lower() in self.lowercase_words):
                continue  # a capitalised common word ("Footage", "Rebels") is not a name
            end -= _possessive_length(self.text[start:end])
            entity_type = self.name_type(start, end, titled)
            self.keep(start, end, entity_type, entity_key(entity_type, self.text[start:end]))

    def name_type(self, start: int, end: int, titled: bool) -> str:
        name = self.text[start:end]
        after = self.text[end:end + 2]
        before = self.text[max(self.start, start - 12):start].split()
        if name.lower() in TIME_WORDS:
            return "TIME"
        if titled:
            return "PER"
        if name.isupper() and len(name) > 1:
            return "ORG"
        if re.search(r"(?:ian|ese|ish|ist|i)$", name) and re.match(r"\s[a-z]", after):
            return "NORP"
        if before and before[-1].lower() in _LOCATIVE:
            return "GPE"
        return "PER" if " " in name else "GPE"

    def keep(self, start: int, end: int, entity_type: str, entity: str | None, level: str = "NAM") -> str | None:
        mention = self.builder.mention(start, end, entity_type, level, None if entity_type == "TIME" else entity)
        if mention and mention not in self.local:
            self.local.append(mention)
        return mention

    def nearest(self, offset: int, before: bool) -> str | None:
        """The closest mention of this sentence ending before (or starting after) an offset."""
        mentions = [m for m in self.builder.mentions if m["id"] in self.local]
        if before:
            left = [m for m in mentions if m["end"] <= offset and m["type"] != "TIME"]
            return max(left, key=lambda m: m["end"])["id"] if left else None
        right = [m for m in mentions if m["start"] >= offset and m["type"] != "TIME"]
        return min(right, key=lambda m: m["start"])["id"] if right else None

    def events(self) -> None:
        pattern, forms = _trigger_pattern()
        times = [m["id"] for m in self.builder.mentions if m["id"] in self.local and m["type"] == "TIME"]
        for match in pattern.finditer(self.segment()):
            event_type = forms[match.group().lower()]
            start, end = self.start + match.start(), self.start + match.end()
            arguments = [(role, mention) for slot, mention in (("agent", self.nearest(start, True)),
                                                               ("place", self.nearest(end, False)))
                         if (role := role_for(event_type, slot)) and mention]
            arguments += [(role, t) for t in times if (role := role_for(event_type, "time"))]
            self.builder.event(event_type, (start, end), arguments)

    def source_near(self, start: int, end: int) -> str | None:
        """A name or a determiner phrase ("a source") in [start, end): the quote's source."""
        named = [m for m in self.builder.mentions if start <= m["start"] and m["end"] <= end and m["type"] != "TIME"]
        if named:
            return named[0]["id"]
        phrase = _SOURCE_NP.search(self.text, start, end)
        return self.keep(phrase.start(), phrase.end(), "PER", None, "NOM") if phrase else None

    def quotes(self) -> None:
        for match in _QUOTE.finditer(self.segment()):
            group = 1 if match.group(1) is not None else 2
            content = (self.start + match.start(group), self.start + match.end(group))
            content = (content[0], content[1] - len(self.text[content[0]:content[1]]) +
                       len(self.text[content[0]:content[1]].rstrip(",. ")))
            after = self.start + match.end()
            cue = _cue_pattern().search(self.text, after, self.end)
            if cue is None or cue.start() - after > 60:
                continue
            source = self.source_near(after, cue.start()) or self.source_near(cue.end(), self.end)
            self.builder.attribution("DIRECT", cue.span(), [content], source)

    def indirect(self) -> None:
        segment = self.segment()
        for match in re.finditer(r"\baccording to\b", segment):
            cue = (self.start + match.start(), self.start + match.end())
            before = segment[:match.start()].rstrip(" ,")
            source = self.source_near(cue[1], self.end)
            if before:
                self.add_indirect(cue, (self.start, self.start + len(before)), source)
        for match in _cue_pattern().finditer(segment):
            that = re.match(r"\s+that\s+", segment[match.end():])
            if that is None:
                continue
            content_start = self.start + match.end() + that.end()
            cue = (self.start + match.start(), self.start + match.end())
            self.add_indirect(cue, (content_start, self.end), self.nearest(cue[0], True))

    def add_indirect(self, cue: tuple[int, int], content: tuple[int, int], source: str | None) -> None:
        start, end = content
        while end > start and self.text[end - 1] in ".,":
            end -= 1
        span = {"start": start, "end": end}
        self.builder.attribution(quote_kind(self.text, [span]), cue, [(start, end)], source)


def _possessive_length(name: str) -> int:
    match = re.search(r"[’']s?$", name)
    return len(match.group()) if match else 0
