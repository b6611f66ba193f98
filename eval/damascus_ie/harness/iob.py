"""IOB2 (BIO) tags to spans, so a token-classification model's output on the `ner` config scores in three lines.

    ner = load_dataset("dataset", "ner", split="test")
    predictions = ner_predictions(ner, tags)         # tags: per row, one label per token (strings or ClassLabel ids)
    score(predictions, layers=["entities"]).headline["entities.names.strict.f1"]

The `ner` config holds the outermost names (NAM mentions) of each sentence as IOB2 tags over the
tokens of `core.sentences.token_spans`; `ner_predictions` maps tagged tokens back to code-point
offsets in the document text, marks every span a name (`level: NAM`), and groups them into one
predictions record per document. Decoding follows seqeval's default (conlleval) reading, so a stray
`I-X` starts an entity rather than being dropped: the spans equal `seqeval...get_entities`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from damascus_ie.core.io import load_gold
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.sentences import token_spans
from damascus_ie.core.taxonomy import load_taxonomy

SOURCE = "<ner tags>"
Entity = tuple[str, int, int]  # (type, first token, end token exclusive)


def tag_spans(tags: Sequence[str]) -> list[Entity]:
    """(type, first token, end token exclusive) of each entity in one sentence's IOB2/BIO tags.

    `B-X` starts an entity; `I-X` continues one of type X, and otherwise starts one (conlleval); `O` ends it.
    Raises ValueError on a tag that is not O, B-... or I-... (IOBES, bare labels).
    """
    out: list[Entity] = []
    kind: str | None = None
    start = 0
    for position, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        if tag != "O" and (prefix not in ("B", "I") or not label):
            raise ValueError(f"tag {tag!r} at token {position} is not IOB2/BIO (expected O, B-<type> or I-<type>)")
        if kind is not None and (tag == "O" or prefix == "B" or label != kind):
            out.append((kind, start, position))
            kind = None
        if tag != "O" and kind is None:
            kind, start = label, position
    return out


def ner_predictions(rows: Iterable[Mapping[str, Any]], tags: Iterable[Sequence[str | int]], *,
                    names: Sequence[str] | None = None, types: Mapping[str, str | None] | None = None,
                    texts: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Predictions records (one per document with tags) from per-row tags of the `ner` config's rows.

    `names` decodes integer tags (default: the config's ClassLabel names, `taxonomy.ner_labels`);
    `types` maps a model's entity types to the taxonomy's (None drops the type, e.g. CoNLL's MISC);
    `texts` are the documents' texts (default: the shipped gold's). Problems (a tag count that differs
    from the row's tokens, an unknown tag or type) raise InvalidInput, one Problem per row.
    """
    taxonomy = load_taxonomy()
    names = list(names if names is not None else taxonomy.ner_labels)
    texts = texts if texts is not None else {d["id"]: d["text"] for d in load_gold()[1]}
    known = set(taxonomy.entity_types)
    records: dict[str, list[dict[str, Any]]] = {}
    problems: list[Problem] = []
    for row, row_tags in zip(rows, tags, strict=True):
        doc, record = str(row["document"]), str(row.get("id", row["sentence"]))

        def problem(reason: str, field: str = "ner_tags", doc: str = doc, record: str = record) -> None:
            problems.append(Problem(SOURCE, doc, record, field, reason))

        text = texts.get(doc)
        if text is None:
            problem("no text for this document", "document")
            continue
        offsets = token_spans(text, row["start"], row["end"])
        if [text[s:e] for s, e in offsets] != list(row["tokens"]):
            problem("the row's tokens are not the tokens of this text (another dataset version?)", "tokens")
            continue
        if len(row_tags) != len(offsets):
            problem(f"{len(row_tags)} tags for {len(offsets)} tokens")
            continue
        try:
            decoded = [names[t] if isinstance(t, int) else t for t in row_tags]
            entities = tag_spans(decoded)
        except (IndexError, ValueError) as error:
            problem(f"{error}" if isinstance(error, ValueError) else f"tag id out of range for {len(names)} names")
            continue
        mentions = records.setdefault(doc, [])
        for kind, first, end in entities:
            mapped = types.get(kind, kind) if types is not None else kind
            if mapped is None:
                continue
            if mapped not in known:
                problem(f"entity type {kind!r} is not in the taxonomy ({', '.join(taxonomy.entity_types)}); "
                        "map it with types=")
                break
            start, stop = offsets[first][0], offsets[end - 1][1]
            mentions.append({"start": start, "end": stop, "text": text[start:stop], "type": mapped, "level": "NAM"})
    if problems:
        raise InvalidInput(problems)
    return [{"id": doc, "mentions": mentions} for doc, mentions in records.items()]
