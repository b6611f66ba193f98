"""`spacy-untuned`: the off-the-shelf en_core_web_sm pipeline mapped to the taxonomy, with no project word lists.

The `spacy` row's lexicon was written with the two test documents in view, so
that row is an upper reference, not a baseline. This one uses nothing written
for this project beyond a mapping of labels and of closed-class words:

- mentions: the model's OntoNotes NER mapped to the taxonomy's types (label
  mapping), a leading determiner and a possessive 's trimmed; pronouns (closed
  class) take their antecedent's type and entity; no nominal mentions (typing
  a noun phrase needs a word list);
- events: a verb or noun whose lemma is a word of a taxonomy event type's name
  ("Conflict:Attack" -> attack, "Justice:Arrest-Jail" -> arrest, jail: the
  ACE/KAIROS names, not written for these texts); arguments by grammatical
  function in the taxonomy's role order (subject -> first role, object ->
  second), prepositions (closed class) to Origin/Destination/Place, dates to
  Time; polarity from negation, tense from morphology, modality from modal
  auxiliaries (closed class);
- attributions: textacy's direct quotations and a reporting verb's complement
  clause, with textacy's own English reporting-verb list (a library list, not
  tuned on these texts); the addressee is the verb's object; no "according to"
  rule.

It may score low: that is what an untuned baseline scores here.
"""

from __future__ import annotations

import re
from typing import Any

import spacy
import textacy
from spacy.matcher import Matcher
from spacy.tokens import Token
from textacy import constants as textacy_constants

from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.leaderboard.extractors.spacy_extractor import MODEL, SUBJECTS, LineRules, SpacyExtractor, verb_attributes

LIBRARY_REPORTING_VERBS: frozenset[str] = frozenset(textacy_constants.REPORTING_VERBS["en"])
PREPOSITION_ROLES: dict[str, str] = {  # closed class: the role a preposition's object takes, when the type has it
    "to": "Destination", "into": "Destination", "toward": "Destination", "towards": "Destination",
    "from": "Origin", "in": "Place", "at": "Place", "near": "Place", "inside": "Place",
}
NOT_PARTICIPANTS = frozenset({"Place", "Time", "Instrument", "Origin", "Destination"})


def type_name_triggers() -> dict[str, str]:
    """Lemma -> event type: the lower-cased words of each type's subtype name ("TransferControl" -> transfer,
    control), a word shared by two types kept for neither."""
    found: dict[str, set[str]] = {}
    for event_type in load_taxonomy().event_roles:
        subtype = event_type.split(":", 1)[-1]
        for word in re.findall(r"[A-Z][a-z]+|[a-z]+", subtype):
            found.setdefault(word.lower(), set()).add(event_type)
    return {word: next(iter(types)) for word, types in found.items() if len(types) == 1}


class UntunedLineRules(LineRules):
    """The `spacy` parse rules with every project word list switched off (see the module docstring)."""

    titles: frozenset[str] = frozenset()
    reporting_verbs = LIBRARY_REPORTING_VERBS
    hedges: frozenset[str] = frozenset()
    according_to = False

    def nominals(self) -> None:
        """None: which entity type a noun phrase names needs a word list of head nouns."""

    def addressee(self, verb: Token) -> str | None:
        """The reporting verb's object or dative, whatever the verb (the tuned rules ask the lemma to be "tell")."""
        listener = next((c for c in verb.children if c.dep_ in ("dobj", "dative")), None)
        return self.mention_for(listener) if listener is not None else None

    def events(self) -> None:
        for match_id, start, _ in self.matcher(self.doc):
            self.event(self.doc[start], self.doc.vocab.strings[match_id])

    def event(self, trigger: Token, event_type: str, particle: Token | None = None) -> None:
        roles = load_taxonomy().event_roles[event_type]
        participants = [r for r in roles if r not in NOT_PARTICIPANTS]
        arguments: list[tuple[str, str]] = []
        for token, role in self.functions(trigger, participants):
            mention = self.mention_for(token)
            if mention is not None and role in roles:
                arguments.append((role, mention))
        self.builder.event(event_type, (self.offset + trigger.idx, self.offset + trigger.idx + len(trigger.text)),
                           arguments, **verb_attributes(trigger, self.hedges))

    def functions(self, trigger: Token, participants: list[str]) -> list[tuple[Token, str]]:
        """(argument head, role) from grammatical function alone, conjuncts included."""
        found: list[tuple[Token, str]] = []
        for child in trigger.children:
            if child.ent_type_ in ("DATE", "TIME") and child.dep_ in ("npadvmod", "advmod", "tmod"):
                found.append((child, "Time"))
            elif child.dep_ in SUBJECTS or child.dep_ == "poss":
                found += [(child, participants[0])] if participants else []
            elif child.dep_ in ("dobj", "nsubjpass") and len(participants) > 1:
                found.append((child, participants[1]))
            elif child.dep_ == "prep":
                for head in (g for g in child.children if g.dep_ == "pobj"):
                    role = "Time" if head.ent_type_ in ("DATE", "TIME") else PREPOSITION_ROLES.get(child.lower_)
                    if role:
                        found.append((head, role))
        return found + [(conjunct, role) for token, role in found for conjunct in token.conjuncts]


class UntunedSpacyExtractor(SpacyExtractor):
    """en_core_web_sm with the taxonomy's names and closed-class words only; developed without the test texts."""

    name = "spacy-untuned"
    tuned_on_test_texts = False

    def __init__(self, model: str = MODEL) -> None:
        self.nlp = spacy.load(model)
        triggers = type_name_triggers()
        self.settings: dict[str, Any] = {
            "model": model, "model_version": self.nlp.meta.get("version"), "spacy": spacy.__version__,
            "word lists": "none written for this project",
            "event triggers": "lemma is a word of a taxonomy event type name: " + ", ".join(sorted(triggers)),
            "reporting verbs": f"textacy {textacy.__version__} constants.REPORTING_VERBS['en'] (library list)",
        }
        self.matcher = Matcher(self.nlp.vocab)
        for lemma, event_type in triggers.items():
            self.matcher.add(event_type, [[{"LEMMA": lemma, "POS": {"IN": ["VERB", "NOUN"]}}]])

    @staticmethod
    def line_rules() -> type[LineRules]:
        return UntunedLineRules
