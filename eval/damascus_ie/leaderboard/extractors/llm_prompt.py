"""The `llm` extractor's prompt and response schema, both generated from the taxonomy.

The label inventory (types, levels, roles per event type, attribution types)
comes from schemas/taxonomy.json, so a label added there reaches the prompt and
the structured-output schema. The rules restate the guidelines' definitions of
a mention, an event and an attribution in a few lines each. The worked example
is written on invented text: nothing in this file is quoted from the test
documents (tests/extractors/test_llm.py checks that no 5-word run of them
appears here).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from damascus_ie.core.taxonomy import Taxonomy

# restated from dataset/GUIDELINES.md sections 1, 2 and 3 (definitions only, none of their seed examples)
RULES = """\
Mentions: every referring mention of an entity of the types below: a name (NAM), a common-noun phrase (NOM) or a
pronoun (PRO, possessives such as "its" included). A name is copied without determiner, title or possessive 's.
A common-noun phrase is its determiner, modifiers and head noun, without what follows the head. Relative pronouns
("which", "who") and predicate nominals ("named as a suspect") are not mentions. Time expressions are TIME mentions,
copied without their preposition ("on Friday" -> "Friday").
Events: every mention of an event of the types below, nominal and repeated ones too. The trigger is the single word
that most clearly expresses the event; a phrasal verb keeps its particle. Arguments are entity or time mentions of
the same sentence, each with a role allowed for the event type. Speech and reporting are attributions, not events.
Attributions: reported speech, writing, thought or belief. The cue is the attributing expression ("said", "told",
"according to"); the source is the mention of who said it, or null; the content is the reported text: for a quote,
the words inside the quotation marks without the marks; otherwise the reported clause without "that".
DIRECT: all content quoted; INDIRECT: none quoted; MIXED: a paraphrase with a quoted fragment.
Copy every text exactly as it is written in the passage, character for character."""

EXAMPLE_TEXT = ("Flood crews evacuated 300 villagers from Marrow Creek on Tuesday, the Tessaly water board said. "
                "“We lost the old mill,” Mayor Ilse Varga told Radio Orin.")
EXAMPLE_ANSWER: dict[str, Any] = {
    "mentions": [
        {"text": "Flood crews", "type": "PER", "level": "NOM"},
        {"text": "300 villagers", "type": "PER", "level": "NOM"},
        {"text": "Marrow Creek", "type": "GPE", "level": "NAM"},
        {"text": "Tuesday", "type": "TIME", "level": "NAM"},
        {"text": "the Tessaly water board", "type": "ORG", "level": "NOM"},
        {"text": "the old mill", "type": "FAC", "level": "NOM"},
        {"text": "Ilse Varga", "type": "PER", "level": "NAM"},
        {"text": "Radio Orin", "type": "ORG", "level": "NAM"},
    ],
    "events": [
        {"type": "Movement:Transport", "trigger": "evacuated",
         "arguments": [{"role": "Agent", "text": "Flood crews"}, {"role": "Artifact", "text": "300 villagers"},
                       {"role": "Origin", "text": "Marrow Creek"}, {"role": "Time", "text": "Tuesday"}]},
    ],
    "attributions": [
        {"type": "INDIRECT", "cue": "said", "source": "the Tessaly water board",
         "content": ["Flood crews evacuated 300 villagers from Marrow Creek on Tuesday"]},
        {"type": "DIRECT", "cue": "told", "source": "Ilse Varga", "content": ["We lost the old mill"]},
    ],
}
MAX_ITEMS = {"mentions": 16, "events": 6, "arguments": 4, "attributions": 3, "content": 2}
MAX_CHARS = {"span": 60, "content": 240}


def _text(limit: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": limit}


def _array(items: dict[str, Any], layer: str) -> dict[str, Any]:
    return {"type": "array", "items": items, "maxItems": MAX_ITEMS[layer]}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def response_schema(taxonomy: Taxonomy) -> dict[str, Any]:
    """The answer's JSON Schema: spans as text, labels as the taxonomy's enums, each event's roles those of its type.

    Array and string limits bound the answer, so constrained decoding closes the JSON within `max_tokens`.
    """
    span = _text(MAX_CHARS["span"])
    mention = _object({"text": span, "type": {"enum": list(taxonomy.entity_types)},
                       "level": {"enum": list(taxonomy.mention_levels)}})
    events = [_object({"type": {"const": kind}, "trigger": span,
                       "arguments": _array(_object({"role": {"enum": list(roles)}, "text": span}), "arguments")})
              for kind, roles in taxonomy.event_roles.items()]
    attribution = _object({"type": {"enum": list(taxonomy.attribution_types)}, "cue": span,
                           "source": {"anyOf": [span, {"type": "null"}]},
                           "content": _array(_text(MAX_CHARS["content"]), "content")})
    return _object({"mentions": _array(mention, "mentions"), "events": _array({"anyOf": events}, "events"),
                    "attributions": _array(attribution, "attributions")})


def system_prompt(taxonomy: Taxonomy) -> str:
    """The instructions: the task, the rules, and every label with its description, from the taxonomy."""
    lines = ["You extract entities, events and attributions from a news passage and answer with JSON only.", "",
             RULES, "", "Entity types:"]
    lines += [f"- {kind}: {taxonomy.descriptions[kind]}" for kind in taxonomy.entity_types]
    lines += ["Mention levels: " + "; ".join(f"{lvl} = {taxonomy.descriptions[lvl]}" for lvl in taxonomy.mention_levels)]
    lines += ["Event types and their roles:"]
    lines += [f"- {kind}: {', '.join(roles)}" for kind, roles in taxonomy.event_roles.items()]
    lines += ["Attribution types: " + "; ".join(f"{t} = {taxonomy.descriptions[t]}" for t in taxonomy.attribution_types)]
    return "\n".join(lines)


def messages(taxonomy: Taxonomy, passage: str) -> list[dict[str, str]]:
    """System prompt, the invented worked example as one user/assistant turn, then the passage."""
    return [{"role": "system", "content": system_prompt(taxonomy)},
            {"role": "user", "content": EXAMPLE_TEXT},
            {"role": "assistant", "content": json.dumps(EXAMPLE_ANSWER, ensure_ascii=False)},
            {"role": "user", "content": passage}]


def prompt_hash(taxonomy: Taxonomy) -> str:
    """sha256 of everything constant in a request (instructions, example, schema): a prompt change is a new hash."""
    fixed = {"messages": messages(taxonomy, ""), "schema": response_schema(taxonomy)}
    return hashlib.sha256(json.dumps(fixed, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
