"""Hand-written word lists shared by the `spacy` and `rules` extractors.

General English knowledge in the ACE/PARC tradition (trigger words, reporting
verbs, head nouns of each entity type), written from the guidelines and not
from the gold annotations, but with the two test documents in view: entries
such as "slaughterhouse", "put inside", "tear down", "vacate" and "Sheikh" come
straight from them. So the `spacy` and `rules` rows are marked "tuned on test
texts: yes" (an upper reference for hand-written rules, not a baseline);
`spacy-untuned` uses none of these lists. Keys are checked against the
taxonomy, so a renamed type fails loudly instead of silently predicting nothing.
"""

from __future__ import annotations

from functools import cache

from damascus_ie.core.taxonomy import load_taxonomy

# event type -> trigger lemmas (verbs and nouns); a phrasal verb is "lemma particle"
EVENT_TRIGGERS: dict[str, tuple[str, ...]] = {
    "Conflict:Attack": ("attack", "gunfire", "fighting", "fight", "clash", "shooting", "shoot", "offensive",
                        "hostility", "war", "fire", "bomb", "bombing", "strike", "shell", "shelling", "assault",
                        "battle", "airstrike", "raid", "ambush", "combat"),
    "Conflict:Demonstrate": ("celebrate", "protest", "chant", "rally", "demonstrate", "demonstration", "march"),
    "Conflict:Defeat": ("collapse", "defeat", "rout", "surrender", "crumble"),
    "Conflict:TransferControl": ("capture", "control", "liberate", "fall", "seize", "overrun", "conquer",
                                 "takeover", "recapture"),
    "Movement:Transport": ("reach", "enter", "withdraw", "head", "vacate", "flee", "advance", "move", "arrive",
                           "pull", "retreat", "travel", "return", "evacuate", "deploy", "push", "storm"),
    "Personnel:End-Position": ("defect", "overthrow", "resign", "oust", "depose", "step down"),
    "Justice:Arrest-Jail": ("detain", "arrest", "jail", "imprison", "put inside"),
    "Justice:Release-Parole": ("free", "release", "freeing", "parole"),
    "Contact:Meet": ("meet", "meeting", "talk", "talks", "discussion", "summit", "negotiation", "negotiate",
                     "conference"),
    "Artifact:Damage-Destroy": ("topple", "tear down", "destroy", "damage", "demolish", "smash", "burn",
                                "bulldoze", "wreck", "raze"),
}

# reporting verbs (lemmas): speech, writing, thought, belief
REPORTING_VERBS: frozenset[str] = frozenset({
    "say", "tell", "report", "claim", "announce", "add", "quote", "warn", "caution", "note", "state", "insist",
    "deny", "confirm", "declare", "explain", "write", "believe", "think", "allege", "argue", "urge", "call",
    "express", "describe", "suggest", "reveal", "stress", "assert", "accuse", "acknowledge",
})

# determiner-led noun heads -> entity type, for NOM mentions
NOMINAL_HEADS: dict[str, tuple[str, ...]] = {
    "PER": ("rebel", "resident", "fighter", "insurgent", "detainee", "youth", "source", "minister", "diplomat",
            "president", "commander", "leader", "operative", "civilian", "soldier", "people", "official",
            "spokesman", "spokesperson", "journalist", "prisoner", "opponent", "militant", "father", "man", "woman",
            "child", "witness", "protester", "activist", "citizen", "refugee", "envoy", "member", "supporter",
            "some", "others", "thousands", "many", "person", "victim", "general", "troop"),
    "ORG": ("force", "army", "group", "government", "regime", "ministry", "office", "faction", "alliance", "unit",
            "agency", "organization", "organisation", "militia", "party", "observatory", "council", "movement",
            "administration", "coalition", "authority", "military", "opposition", "police", "network", "channel"),
    "GPE": ("city", "capital", "country", "suburb", "neighbourhood", "neighborhood", "governorate", "town",
            "village", "province", "state", "nation", "district", "west"),
    "LOC": ("area", "region", "outskirts", "countryside", "border", "territory", "desert", "coast", "valley",
            "mountain", "front"),
    "FAC": ("prison", "statue", "street", "road", "facility", "alley", "building", "airport", "base", "bridge",
            "highway", "square", "palace", "checkpoint", "slaughterhouse", "position", "headquarters"),
    "VEH": ("vehicle", "tank", "truck", "car", "helicopter", "plane", "jet", "convoy", "bus"),
}

# words before a name that mark a person and are not part of the name (spec: titles excluded)
PERSON_TITLES: frozenset[str] = frozenset({
    "President", "Sheikh", "Commander", "Minister", "General", "King", "Prince", "Mr", "Mrs", "Ms", "Dr",
    "Prime", "Rebel", "Former", "Senator", "Colonel", "Imam",
})

TIME_WORDS: frozenset[str] = frozenset({
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "overnight", "today",
    "yesterday", "tomorrow", "tonight", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
})


@cache
def event_triggers() -> dict[str, str]:
    """Trigger lemma -> event type, restricted to the taxonomy's types (a stale key raises)."""
    known = set(load_taxonomy().event_roles)
    unknown = set(EVENT_TRIGGERS) - known
    if unknown:
        raise KeyError(f"lexicon names event types missing from the taxonomy: {sorted(unknown)}")
    return {lemma: event_type for event_type, lemmas in EVENT_TRIGGERS.items() for lemma in lemmas}


@cache
def nominal_heads() -> dict[str, str]:
    """Head lemma -> entity type, restricted to the taxonomy's types (a stale key raises)."""
    unknown = set(NOMINAL_HEADS) - set(load_taxonomy().entity_types)
    if unknown:
        raise KeyError(f"lexicon names entity types missing from the taxonomy: {sorted(unknown)}")
    return {head: entity_type for entity_type, heads in NOMINAL_HEADS.items() for head in heads}

# syntactic slot -> role, per event type; slots are filled from the parse (spacy) or by position (rules)
ROLE_SLOTS: dict[str, dict[str, str]] = {
    "Conflict:Attack": {"agent": "Attacker", "patient": "Target", "with": "Instrument", "place": "Place"},
    "Conflict:Demonstrate": {"agent": "Entity", "place": "Place"},
    "Conflict:Defeat": {"agent": "Victor", "patient": "Defeated", "place": "Place"},
    "Conflict:TransferControl": {"agent": "Recipient", "patient": "Territory", "origin": "Giver",
                                 "place": "Territory"},
    "Movement:Transport": {"agent": "Agent", "patient": "Artifact", "origin": "Origin",
                           "destination": "Destination", "place": "Destination"},
    "Personnel:End-Position": {"patient": "Person", "agent": "Entity", "place": "Place"},
    "Justice:Arrest-Jail": {"agent": "Agent", "patient": "Person", "place": "Place"},
    "Justice:Release-Parole": {"agent": "Entity", "patient": "Person", "place": "Place"},
    "Contact:Meet": {"agent": "Entity", "with": "Entity", "place": "Place"},
    "Artifact:Damage-Destroy": {"agent": "Agent", "patient": "Artifact", "with": "Instrument", "place": "Place"},
}

# verbs whose subject undergoes the event when there is no object ("the forces collapsed", "rebels advanced")
UNACCUSATIVE: frozenset[str] = frozenset({
    "collapse", "fall", "withdraw", "reach", "enter", "advance", "flee", "head", "move", "arrive", "retreat",
    "return", "defect", "resign", "crumble", "surrender",
})

# verbs whose direct object is a place, not the thing moved
OBJECT_SLOT: dict[str, str] = {"reach": "destination", "enter": "destination", "storm": "destination",
                               "vacate": "origin", "flee": "origin", "leave": "origin"}

# preposition -> slot of its object
PREPOSITION_SLOT: dict[str, str] = {
    "in": "place", "at": "place", "near": "place", "inside": "place", "around": "place", "across": "place",
    "into": "destination", "to": "destination", "towards": "destination", "toward": "destination",
    "on": "destination", "from": "origin", "out": "origin", "with": "with", "by": "agent", "of": "patient",
}


def role_for(event_type: str, slot: str) -> str | None:
    """The role a slot fills for an event type, or None; the taxonomy decides which roles exist."""
    if slot == "time":
        return "Time" if "Time" in load_taxonomy().event_roles.get(event_type, ()) else None
    return ROLE_SLOTS.get(event_type, {}).get(slot)
