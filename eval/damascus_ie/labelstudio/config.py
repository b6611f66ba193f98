"""The Label Studio labeling config, generated from the taxonomy so a new label reaches annotators without edits here.

Layout (names are the contract with convert.py):
- span controls: `mention` (entity types and TIME), `trigger` (event types),
  `attribution` (`Cue`, `Content`); an attribution is its cue region;
- one `Relations` block: event roles (trigger -> mention), attribution links
  `source` / `addressee` (cue -> mention), `parent` (cue -> relaying cue) and
  `content` (cue -> content region);
- per-region choices: `level` on mentions, the event attributes on triggers,
  `attribution_type` and `no_source` (the spec's explicit null source) on cues;
- per-region text: `identity` (entity / event / statement id), `value` (TIME value).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy

TEXT = "text"
MENTION, TRIGGER, ATTRIBUTION = "mention", "trigger", "attribution"
CUE, CONTENT = "Cue", "Content"
LEVEL, ATTRIBUTION_TYPE, NO_SOURCE, IDENTITY, VALUE = "level", "attribution_type", "no_source", "identity", "value"
NO_SOURCE_CHOICE = "No source named in the text"
CONTENT_LINK = "content"
TIME = "TIME"


@dataclass(frozen=True)
class LabelSets:
    """What each control accepts, derived once from the taxonomy; convert.py validates against it."""

    taxonomy: Taxonomy

    @property
    def span_labels(self) -> dict[str, tuple[str, ...]]:
        return {MENTION: self.taxonomy.entity_types, TRIGGER: self.taxonomy.event_types,
                ATTRIBUTION: (CUE, CONTENT)}

    @property
    def attribution_links(self) -> tuple[str, ...]:
        return (*self.taxonomy.attribution_links, CONTENT_LINK)

    @property
    def relation_labels(self) -> tuple[str, ...]:
        return (*self.taxonomy.roles, *self.attribution_links)

    @property
    def region_choices(self) -> dict[str, tuple[str, ...]]:
        """Per-region choice controls and their options (event attributes keep their record field names)."""
        return {LEVEL: self.taxonomy.mention_levels, **self.taxonomy.event_attributes,
                ATTRIBUTION_TYPE: self.taxonomy.attribution_types, NO_SOURCE: (NO_SOURCE_CHOICE,)}


def label_sets(taxonomy: Taxonomy | None = None) -> LabelSets:
    return LabelSets(taxonomy or load_taxonomy())


def _labels(name: str, values: tuple[str, ...], descriptions: dict[str, str]) -> list[str]:
    lines = [f'  <Labels name="{name}" toName="{TEXT}">']
    for value in values:
        hint = f" hint={quoteattr(descriptions[value])}" if value in descriptions else ""
        lines.append(f"    <Label value={quoteattr(value)}{hint}/>")
    return [*lines, "  </Labels>"]


def _region_choices(name: str, values: tuple[str, ...], when_labels: tuple[str, ...],
                    choice: str = "single") -> list[str]:
    lines = [f'  <Choices name="{name}" toName="{TEXT}" perRegion="true" choice="{choice}" showInline="true"'
             f' visibleWhen="region-selected" whenLabelValue={quoteattr(",".join(when_labels))}>']
    lines += [f"    <Choice value={quoteattr(value)}/>" for value in values]
    return [*lines, "  </Choices>"]


def _region_text(name: str, label: str, when_labels: tuple[str, ...]) -> list[str]:
    return [f'  <TextArea name="{name}" toName="{TEXT}" perRegion="true" editable="true" maxSubmissions="1"'
            f' rows="1" placeholder={quoteattr(label)} visibleWhen="region-selected"'
            f" whenLabelValue={quoteattr(','.join(when_labels))}/>"]


def labeling_config(taxonomy: Taxonomy | None = None) -> str:
    """The config XML; the file schemas/labelstudio_config.xml is this text, checked for staleness."""
    tax = taxonomy or load_taxonomy()
    sets = label_sets(tax)
    entities, events = tax.entity_types, tax.event_types
    with_identity = tuple(t for t in entities if t != TIME) + events + (CUE,)
    lines = [f"<!-- generated from schemas/taxonomy.json {tax.version} by `damascus-ie generate`; do not edit -->",
             "<View>",
             '  <Style>.htx-text { white-space: pre-wrap; }</Style>',
             '  <Header value="Entity mentions (ACE types and TIME)"/>',
             *_labels(MENTION, entities, tax.descriptions),
             '  <Header value="Event triggers (one word; phrasal verbs keep the particle)"/>',
             *_labels(TRIGGER, events, tax.descriptions),
             '  <Header value="Attributions (PARC 3.0): mark the cue and each content span, then link them"/>',
             *_labels(ATTRIBUTION, (CUE, CONTENT), {}),
             f'  <Text name="{TEXT}" value="$text" granularity="symbol"/>',
             "  <Relations>",
             *[f"    <Relation value={quoteattr(label)}/>" for label in sets.relation_labels],
             "  </Relations>",
             '  <Header value="Selected region"/>',
             *_region_choices(LEVEL, tax.mention_levels, entities)]
    for attribute, values in tax.event_attributes.items():
        lines += _region_choices(attribute, values, events)
    lines += _region_choices(ATTRIBUTION_TYPE, tax.attribution_types, (CUE,))
    lines += _region_choices(NO_SOURCE, (NO_SOURCE_CHOICE,), (CUE,), choice="multiple")
    lines += _region_text(IDENTITY, "identity id: entity / event / statement", with_identity)
    lines += _region_text(VALUE, "ISO 8601 value (optional)", (TIME,))
    return "\n".join([*lines, "</View>", ""])
