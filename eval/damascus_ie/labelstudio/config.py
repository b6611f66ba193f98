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

from damascus_ie.core.records import EVENT_ATTRIBUTES
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


# Captions of the per-region groups, shown above each in the side column.
CAPTIONS: dict[str, str] = {LEVEL: "Mention level: NAM name, NOM nominal, PRO pronoun",
                            **{attribute: attribute.capitalize() for attribute in EVENT_ATTRIBUTES},
                            ATTRIBUTION_TYPE: "Attribution type: DIRECT quote, INDIRECT report, MIXED",
                            NO_SOURCE: "Source (when the text names none, tick this instead of a source relation)",
                            IDENTITY: "Identity id (the entity / event / statement id shared across the corpus)",
                            VALUE: "TIME value (ISO 8601, optional)"}
# Relation label colours by what they link, so the one long picker reads as groups (the config language of
# 1.23.2 cannot filter it by the selected region; pull refuses a relation between the wrong kinds of region).
ROLE_COLOUR, LINK_COLOUR = "#1f77b4", "#d62728"
COLUMNS_STYLE = "display: flex; align-items: flex-start; gap: 1.5em"
TEXT_STYLE = "flex: 1 1 60%; min-width: 0"
SIDE_STYLE = ("flex: 0 0 34%; position: sticky; top: 0; max-height: 100vh; overflow-y: auto; padding: 0.5em; "
              "border-left: 1px solid #ddd")


def _group(name: str, when_labels: tuple[str, ...], control: list[str]) -> list[str]:
    """One captioned control, visible only while a region with one of `when_labels` is selected."""
    return [f'      <View visibleWhen="region-selected" whenLabelValue={quoteattr(",".join(when_labels))}>',
            f"        <Header value={quoteattr(CAPTIONS[name])} size=\"6\"/>",
            *[f"    {line}" for line in control], "      </View>"]


def _region_choices(name: str, values: tuple[str, ...], when_labels: tuple[str, ...],
                    choice: str = "single") -> list[str]:
    lines = [f'    <Choices name="{name}" toName="{TEXT}" perRegion="true" choice="{choice}" showInline="true"'
             f' visibleWhen="region-selected" whenLabelValue={quoteattr(",".join(when_labels))}>']
    lines += [f"      <Choice value={quoteattr(value)}/>" for value in values]
    return _group(name, when_labels, [*lines, "    </Choices>"])


def _region_text(name: str, when_labels: tuple[str, ...]) -> list[str]:
    return _group(name, when_labels, [
        f'    <TextArea name="{name}" toName="{TEXT}" perRegion="true" editable="true" maxSubmissions="1"'
        f' rows="1" placeholder={quoteattr(CAPTIONS[name])} visibleWhen="region-selected"'
        f" whenLabelValue={quoteattr(','.join(when_labels))}/>"])


def labeling_config(taxonomy: Taxonomy | None = None) -> str:
    """The config XML; the file schemas/labelstudio_config.xml is this text, checked for staleness.

    Two columns: the text on the left, and beside it (sticky while the text scrolls) the controls of the selected
    region, each group captioned and shown only for the region kinds it applies to."""
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
             f"  <View style={quoteattr(COLUMNS_STYLE)}>",
             f"    <View style={quoteattr(TEXT_STYLE)}>",
             f'      <Text name="{TEXT}" value="$text" granularity="symbol"/>',
             "    </View>",
             f"    <View style={quoteattr(SIDE_STYLE)}>",
             '      <Header value="Selected region" size="4"/>',
             '      <View visibleWhen="no-region-selected">',
             '        <Header value="Select a region in the text to see its level, attributes and identity here."'
             ' size="6"/>',
             "      </View>",
             *_region_choices(LEVEL, tax.mention_levels, entities)]
    for attribute, values in tax.event_attributes.items():
        lines += _region_choices(attribute, values, events)
    lines += _region_choices(ATTRIBUTION_TYPE, tax.attribution_types, (CUE,))
    lines += _region_choices(NO_SOURCE, (NO_SOURCE_CHOICE,), (CUE,), choice="multiple")
    lines += _region_text(IDENTITY, with_identity)
    lines += _region_text(VALUE, (TIME,))
    lines += ["    </View>", "  </View>", "  <Relations>",
              *[f"    <Relation value={quoteattr(label)} background=\"{ROLE_COLOUR}\"/>" for label in tax.roles],
              *[f"    <Relation value={quoteattr(label)} background=\"{LINK_COLOUR}\"/>"
                for label in sets.attribution_links],
              "  </Relations>"]
    return "\n".join([*lines, "</View>", ""])
