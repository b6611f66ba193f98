"""The label inventory, read once from schemas/taxonomy.json: the one source of truth.

Validation, dataset features, the Label Studio config and the scorer's label
sets all ask this module, so a label added to the JSON reaches every consumer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from damascus_ie.core.paths import schemas_dir


@dataclass(frozen=True)
class Taxonomy:
    version: str
    entity_types: tuple[str, ...]
    mention_levels: tuple[str, ...]
    event_roles: dict[str, tuple[str, ...]]
    event_attributes: dict[str, tuple[str, ...]]
    attribution_types: tuple[str, ...]
    attribution_links: tuple[str, ...]
    descriptions: dict[str, str]
    compatible_types: frozenset[frozenset[str]] = frozenset()

    def types_compatible(self, types: set[str]) -> bool:
        """Whether mentions of these types may share one entity id."""
        return len(types) <= 1 or frozenset(types) in self.compatible_types

    # cached: validation asks for these once per event argument (a million times on a large prediction file)
    @cached_property
    def event_types(self) -> tuple[str, ...]:
        return tuple(self.event_roles)

    @cached_property
    def roles(self) -> tuple[str, ...]:
        """Every role of any event type, in first-seen order."""
        return tuple(dict.fromkeys(r for roles in self.event_roles.values() for r in roles))

    @property
    def ner_labels(self) -> tuple[str, ...]:
        """IOB2 tag names for the `ner` config: O, then B-/I- per entity type."""
        tags = ["O"]
        for entity_type in self.entity_types:
            tags += [f"B-{entity_type}", f"I-{entity_type}"]
        return tuple(tags)


def taxonomy_from_dict(raw: dict[str, Any]) -> Taxonomy:
    descriptions = {**raw["entity_types"], **raw["mention_levels"], **raw["attribution_types"]}
    return Taxonomy(
        version=raw["version"],
        entity_types=tuple(raw["entity_types"]),
        mention_levels=tuple(raw["mention_levels"]),
        event_roles={t: tuple(roles) for t, roles in raw["event_types"].items()},
        event_attributes={k: tuple(v) for k, v in raw["event_attributes"].items()},
        attribution_types=tuple(raw["attribution_types"]),
        attribution_links=tuple(raw["attribution_links"]),
        descriptions=descriptions,
        compatible_types=frozenset(frozenset(pair) for pair in raw.get("identity_compatible_types", {}).get("pairs", [])),
    )


@cache
def load_taxonomy(path: Path | None = None) -> Taxonomy:
    path = path or schemas_dir() / "taxonomy.json"
    return taxonomy_from_dict(json.loads(path.read_text(encoding="utf-8")))
