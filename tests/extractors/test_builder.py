"""The builder is what keeps shipped extractors' records valid: spans trimmed, no crossing, one record per cue."""

from __future__ import annotations

from damascus_ie.core.validation import validate_document
from damascus_ie.leaderboard.extractors.base import PredictionBuilder, entity_key, quote_kind

TEXT = "“We won,” Ahmed Khalil said, AFP reported. Boilerplate here"


def builder() -> PredictionBuilder:
    return PredictionBuilder({"id": "d", "text": TEXT, "boilerplate": [[43, 59]]})


def test_mentions_are_trimmed_deduplicated_and_never_cross() -> None:
    b = builder()
    first = b.mention(9, 23, "PER", "NAM", "PER:khalil")  # " Ahmed Khalil " -> "Ahmed Khalil"
    assert b.mentions[0]["text"] == "Ahmed Khalil"
    assert b.mention(10, 22, "PER", "NAM") == first
    assert b.mention(16, 27, "PER", "NAM") is None  # "Khalil said" crosses "Ahmed Khalil"
    assert b.mention(10, 15, "PER", "NAM") is not None  # nesting is allowed
    assert b.mention(44, 55, "ORG", "NAM") is None  # boilerplate
    assert b.mention(29, 32, "NOT_A_TYPE", "NAM") is None


def test_same_cue_merges_into_one_mixed_attribution_and_relays_get_parents() -> None:
    b = builder()
    source = b.mention(10, 22, "PER", "NAM", entity_key("PER", "Ahmed Khalil"))
    said = b.attribution("DIRECT", (23, 27), [(1, 7)], source)
    assert b.attribution("INDIRECT", (23, 27), [(10, 22)]) == said
    assert b.attributions[0]["type"] == "MIXED" and len(b.attributions[0]["content"]) == 2
    reported = b.attribution("INDIRECT", (33, 41), [(0, 27)])
    b.link_relays()
    assert b.attributions[0]["parent"] == reported and b.attributions[1]["parent"] is None
    assert validate_document({**b.record(), "text": TEXT}, "test", gold=False) == []


def test_quote_kind_and_entity_key() -> None:
    assert quote_kind(TEXT, [{"start": 1, "end": 7}]) == "DIRECT"
    assert quote_kind(TEXT, [{"start": 0, "end": 22}]) == "MIXED"
    assert quote_kind(TEXT, [{"start": 10, "end": 22}]) == "INDIRECT"
    assert entity_key("PER", "Bashar al-Assad") == entity_key("PER", "Assad") == "PER:assad"
