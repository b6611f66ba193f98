"""The catalogue of bad and unusual inputs: each one, what the harness must answer, and how that is checked.

Every case runs through the real command line (`damascus_ie.cli.main`), so what
is pinned is what a user sees: the exit code, words the message must contain,
and for inputs that are scored, the warnings counted and the score they must
get. `test_catalogue.py` runs them; eval/INPUTS.md is rendered from this table
(and checked against it, so the two cannot drift).

Outcome classes: `refused` (malformed: exit 2, one clear message per problem),
`warned` (wrong but interpretable: scored, and counted in the report's
warnings), `scored` (unusual but fine: scored, the score pinned), `guarded`
(a command that would lose data or cheat: refused or neutralised, the files
checked afterwards).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from damascus_ie.harness.grounding import text_anchored

Outcome = Literal["refused", "warned", "scored", "guarded"]
Docs = list[dict[str, Any]]


@dataclass
class Ctx:
    """What a case builds its input from: a scratch folder and the shipped gold."""

    tmp: Path
    gold: Docs
    stdin: str | None = None
    chdir: bool = False
    extra_calls: list[str] = field(default_factory=list)

    def file(self, name: str, content: str | bytes) -> str:
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return str(path)

    def oracle(self) -> Docs:
        """The gold's own layers as predictions: 1.0 everywhere."""
        return [{"id": d["id"], **{layer: copy.deepcopy(d[layer]) for layer in ("mentions", "events", "attributions")}}
                for d in self.gold]

    def jsonl(self, docs: list[Any], name: str = "p.jsonl") -> str:
        return self.file(name, "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs))

    @property
    def n_mentions(self) -> int:
        return sum(len(d["mentions"]) for d in self.gold)

    @property
    def n_events(self) -> int:
        return sum(len(d["events"]) for d in self.gold)


@dataclass
class Case:
    id: str
    what: str
    outcome: Outcome
    argv: Callable[[Ctx], list[str]]
    exit: int = 2
    words: tuple[str, ...] = ()  # must all appear in the message (stderr), or in stdout for exit 0
    warnings: tuple[str, ...] = ()  # warning kinds the report must count
    scores: Callable[[Ctx], dict[str, float]] | None = None  # headline values the report must have
    expect: str = ""  # the score or check in words, for eval/INPUTS.md
    after: Callable[[Ctx], None] | None = None  # checks on the files afterwards (data loss, integrity)
    group: str = ""
    uses_dataset: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _score(path: str, *options: str) -> list[str]:
    return ["score", path, "--bootstrap", "0", "--format", "json", *options]


def mutated(change: Callable[[Ctx, Docs], Any]) -> Callable[[Ctx], list[str]]:
    """A score run on the oracle predictions after `change` (which edits them, or returns replacement lines)."""
    def argv(ctx: Ctx) -> list[str]:
        docs = ctx.oracle()
        replaced = change(ctx, docs)
        return _score(ctx.jsonl(docs if replaced is None else replaced))
    return argv


def raw(content: str | bytes | Callable[[Ctx], str | bytes], *options: str) -> Callable[[Ctx], list[str]]:
    def argv(ctx: Ctx) -> list[str]:
        return _score(ctx.file("p.jsonl", content(ctx) if callable(content) else content), *options)
    return argv


def first_mention(ctx: Ctx, docs: Docs, **changes: Any) -> None:
    docs[0]["mentions"][0].update(changes)


def one(value: float) -> Callable[[Ctx], dict[str, float]]:
    return lambda ctx: {"entities.strict.f1": value}


PERFECT = one(1.0)


def one_spurious_mention(ctx: Ctx) -> dict[str, float]:
    n = ctx.n_mentions
    return {"entities.strict.f1": 2 * n / (2 * n + 1)}


def one_mention_missed(ctx: Ctx) -> dict[str, float]:
    n = ctx.n_mentions
    return {"entities.strict.f1": 2 * (n - 1) / (2 * n - 1)}


def one_mention_wrong(ctx: Ctx) -> dict[str, float]:
    n = ctx.n_mentions
    return {"entities.strict.f1": (n - 1) / n}


def crossing(ctx: Ctx, docs: Docs) -> None:
    """Adds a mention that crosses the first gold mention of the first document (both ends on word characters)."""
    text, m = ctx.gold[0]["text"], docs[0]["mentions"][0]
    start = next(i for i in range(m["start"] + 1, m["end"]) if text[i - 1] == " " and text[i].isalnum())
    end = next(i for i in range(m["end"] + 2, len(text)) if text[i - 1].isalnum() and not text[i].isalnum())
    docs[0]["mentions"].append({"id": "x1", "start": start, "end": end, "text": text[start:end], "type": "ORG",
                                "level": "NOM"})


def byte_offsets(ctx: Ctx, docs: Docs) -> None:
    """The first mention after a non-ASCII character, with UTF-8 byte offsets instead of code points."""
    text = ctx.gold[0]["text"]
    m = next(m for m in docs[0]["mentions"] if any(ord(c) > 127 for c in text[:m["start"]]))
    start = len(text[:m["start"]].encode("utf-8"))
    m.update(start=start, end=start + len(m["text"].encode("utf-8")))


def crlf_offsets(ctx: Ctx, docs: Docs) -> None:
    """The first mention after a line break, with offsets counted on the text with CRLF line ends."""
    text = ctx.gold[0]["text"]
    m = next(m for m in docs[0]["mentions"] if "\n" in text[:m["start"]])
    shift = text[:m["start"]].count("\n")
    m.update(start=m["start"] + shift, end=m["end"] + shift)


def in_boilerplate(ctx: Ctx, docs: Docs) -> None:
    """A mention (and an event on it) inside the second document's boilerplate, which is not annotated."""
    doc = ctx.gold[1]
    start, end = doc["boilerplate"][0]
    words = [i for i in range(start, end - 4) if doc["text"][i].isalpha() and doc["text"][i - 1] == " "]
    s = words[0]
    e = s + next(i for i, c in enumerate(doc["text"][s:end]) if not c.isalnum())
    docs[1]["mentions"].append({"id": "bp1", "start": s, "end": e, "text": doc["text"][s:e], "type": "ORG",
                                "level": "NAM", "entity": "boilerplate-org"})


def event_in_boilerplate(ctx: Ctx, docs: Docs) -> None:
    doc = ctx.gold[1]
    start, _ = doc["boilerplate"][0]
    s = next(i for i in range(start, start + 80) if doc["text"][i].isalpha() and doc["text"][i - 1] == " ")
    e = s + next(i for i, c in enumerate(doc["text"][s:]) if not c.isalnum())
    docs[1]["events"].append({"id": "bpv", "type": docs[1]["events"][0]["type"],
                              "trigger": {"start": s, "end": e, "text": doc["text"][s:e]}, "arguments": []})


def strip_texts(ctx: Ctx, docs: Docs) -> None:
    for doc in docs:
        for m in doc["mentions"]:
            m.pop("text", None)
        for v in doc["events"]:
            v["trigger"].pop("text", None)
        for a in doc["attributions"]:
            a["cue"].pop("text", None)
            for s in a["content"]:
                s.pop("text", None)


def unreferenced_attribution_ids(ctx: Ctx, docs: Docs) -> None:
    for doc in docs:
        parents = {a.get("parent") for a in doc["attributions"]}
        for a in doc["attributions"]:
            if a["id"] not in parents:
                del a["id"]


def unreferenced_mention_ids(ctx: Ctx, docs: Docs) -> None:
    for doc in docs:
        used = {arg["mention"] for v in doc["events"] for arg in v["arguments"]}
        used |= {a.get(k) for a in doc["attributions"] for k in ("source", "addressee")}
        for m in doc["mentions"]:
            if m["id"] not in used:
                del m["id"]


def _role_not_allowed(event_type: str) -> str:
    from damascus_ie.core.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    return next(role for role in taxonomy.roles if role not in taxonomy.event_roles[event_type])


def _pop(record: dict, *keys: str) -> None:
    for key in keys:
        record.pop(key)


def _cycle(attributions: list[dict]) -> None:
    attributions[0]["parent"], attributions[1]["parent"] = attributions[1]["id"], attributions[0]["id"]


def deep(n: int) -> str:
    return "[" * n + "]" * n


def set_path(path: str, value: Any) -> Callable[[Ctx, Docs], None]:
    """Sets docs[0].<layer>[0].<field...> to `value` (a missing field: value is DELETE)."""
    def change(ctx: Ctx, docs: Docs) -> None:
        target: Any = docs[0]
        parts = path.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if value is DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return change


DELETE = object()


def sole(ctx: Ctx, record: dict) -> list[str]:
    """Only the first document, given as `record` (the other is scored as empty)."""
    return _score(ctx.jsonl([record]))


FILE_LEVEL = [
    Case("missing-file", "a predictions path that does not exist", "refused",
         lambda ctx: _score(str(ctx.tmp / "nope.jsonl")), words=("nope.jsonl", "file not found")),
    Case("directory", "a directory given as the predictions file", "refused",
         lambda ctx: _score(str(ctx.tmp)), words=("is a directory",)),
    Case("empty-file", "an empty predictions file", "refused", raw(""), words=("no prediction records", "empty")),
    Case("blank-file", "a file of blank lines and spaces", "refused", raw("\n  \n\t\n"),
         words=("no prediction records",)),
    Case("latin-1", "a file in Latin-1, not UTF-8", "refused", raw('{"id": "caf\xe9"}\n'.encode("latin-1")),
         words=("not UTF-8", "save the file as UTF-8")),
    Case("utf-16", "a file saved as UTF-16 (with BOM)", "refused", raw('{"id": "x"}\n'.encode("utf-16")),
         words=("not UTF-8", "UTF-16")),
    Case("binary", "binary garbage", "refused", raw(bytes(range(256)) * 4), words=("not UTF-8",)),
    Case("json-array", "one JSON array of documents instead of JSON lines", "refused",
         lambda ctx: _score(ctx.file("p.jsonl", json.dumps(ctx.oracle(), indent=1))),
         words=("malformed JSON", "one JSON object per line")),
    Case("python-dict", "Python repr (single quotes) instead of JSON", "refused", raw("{'id': 'x'}\n"),
         words=("malformed JSON", "double quotes")),
    Case("truncated-line", "a line cut off in the middle", "refused", raw('{"id": "000_245b1950fae37238", "ment\n'),
         words=(":1", "malformed JSON")),
    Case("trailing-comma", "a trailing comma in an object", "refused", raw('{"id": "x",}\n'),
         words=("malformed JSON",)),
    Case("deep-nesting", "JSON nested 100,000 levels deep", "refused", raw(deep(100_000) + "\n"),
         words=("nested too deeply",)),
    Case("huge-integer", "a 5,000-digit integer as an offset", "refused",
         raw('{"id": "000_245b1950fae37238", "mentions": [{"start": ' + "9" * 5000 + ', "end": 1}]}\n'),
         words=("unreadable value",)),
    Case("number-line", "a line that is a number, not an object", "refused", raw("42\n"),
         words=(":1", "expected a document object, got int")),
    Case("string-line", "a line that is a string", "refused", raw('"hello"\n'), words=("got str",)),
    Case("null-line", "a line that is null", "refused", raw("null\n"), words=("got NoneType",)),
    Case("list-line", "a line that is a list of records", "refused", raw('[{"id": "x"}]\n'), words=("got list",)),
    Case("one-bad-line", "one good record and one malformed line", "refused",
         lambda ctx: _score(ctx.file("p.jsonl", json.dumps(ctx.oracle()[0]) + "\n{oops\n")),
         words=(":2", "malformed JSON")),
    Case("nan-offset", "NaN as an offset (JSON extension)", "refused",
         raw('{"id": "000_245b1950fae37238", "mentions": [{"start": NaN, "end": 3, "type": "PER"}]}\n'),
         words=("start and end must be integers", "nan")),
    Case("crlf-file", "a file with CRLF line ends between records", "scored",
         lambda ctx: _score(ctx.file("p.jsonl", "".join(json.dumps(d) + "\r\n" for d in ctx.oracle()))),
         exit=0, scores=PERFECT, expect="entities.strict.f1 = 1.0"),
    Case("utf8-bom", "a UTF-8 file starting with a byte-order mark", "refused",
         lambda ctx: _score(ctx.file("p.jsonl", "\ufeff" + json.dumps(ctx.oracle()[0]) + "\n")),
         words=("malformed JSON", "BOM")),
    Case("stdin", "predictions on standard input (`score -`)", "scored",
         lambda ctx: [*_score("-")], exit=0, scores=PERFECT, expect="entities.strict.f1 = 1.0",
         extra={"stdin": "oracle"}),
    Case("stdin-empty", "empty standard input", "refused", lambda ctx: _score("-"), words=("<stdin>", "empty"),
         extra={"stdin": ""}),
    Case("missing-documents", "a file with one of the two documents", "scored",
         lambda ctx: _score(ctx.jsonl(ctx.oracle()[:1])), exit=0, words=("scored as empty",),
         scores=lambda ctx: {"entities.strict.f1": 2 * len(ctx.gold[0]["mentions"])
                             / (len(ctx.gold[0]["mentions"]) + ctx.n_mentions)},
         expect="the missing document scored as empty (a note says so); strict F1 = 2·n0/(n0+n)"),
]

DOCUMENT_LEVEL = [
    Case("no-id", "a record without a document id", "refused", raw('{"mentions": []}\n'),
         words=("document id missing", "each line is one document")),
    Case("int-id", "a document id that is a number", "refused", raw('{"id": 3, "mentions": []}\n'),
         words=("document id missing or not a string",)),
    Case("list-id", "a document id that is a list (unhashable)", "refused", raw('{"id": ["a"], "mentions": []}\n'),
         words=("document id missing or not a string",)),
    Case("object-id", "a document id that is an object", "refused", raw('{"id": {"a": 1}}\n'),
         words=("not a string",)),
    Case("unknown-document", "a document id not in the gold", "refused", raw('{"id": "not-a-doc", "mentions": []}\n'),
         words=("not-a-doc", "unknown document id", "the gold has")),
    Case("duplicate-document", "the same document twice", "refused",
         lambda ctx: _score(ctx.jsonl([ctx.oracle()[0], ctx.oracle()[0]])), words=(":2", "duplicate document")),
    Case("text-differs", "a `text` that differs from the gold text", "refused",
         mutated(lambda ctx, docs: docs[0].update(text="another text")), words=("does not match the gold text",)),
    Case("text-crlf", "the document text with CRLF line ends", "refused",
         mutated(lambda ctx, docs: docs[0].update(text=ctx.gold[0]["text"].replace("\n", "\r\n"))),
         words=("does not match the gold text", "CRLF")),
    Case("text-same", "the gold text repeated in the record", "scored",
         mutated(lambda ctx, docs: docs[0].update(text=ctx.gold[0]["text"])), exit=0, scores=PERFECT,
         expect="entities.strict.f1 = 1.0"),
    Case("entities-key", "`entities` instead of `mentions`, and no other layer", "refused",
         lambda ctx: sole(ctx, {"id": ctx.gold[0]["id"], "entities": ctx.gold[0]["mentions"]}),
         words=("field entities", "unknown key", "did you mean `mentions`?")),
    Case("ner-key", "`ner` as the only layer key", "refused",
         lambda ctx: sole(ctx, {"id": ctx.gold[0]["id"], "ner": []}), words=("did you mean `mentions`?",)),
    Case("typo-key", "`mentons` (a typo) as the only layer key", "refused",
         lambda ctx: sole(ctx, {"id": ctx.gold[0]["id"], "mentons": []}), words=("did you mean `mentions`?",)),
    Case("extra-key", "an unknown key beside the layers", "warned",
         mutated(lambda ctx, docs: docs[0].update(model="gpt")), exit=0, warnings=("unknown key",), scores=PERFECT,
         expect="entities.strict.f1 = 1.0"),
    Case("no-layers", "a record with only an id", "warned", lambda ctx: sole(ctx, {"id": ctx.gold[0]["id"]}),
         exit=0, warnings=("record without layers",), scores=one(0.0), expect="entities.strict.f1 = 0.0"),
    Case("layer-object", "`mentions` given as an object", "refused",
         mutated(lambda ctx, docs: docs[0].update(mentions={"m1": {}})), words=("field mentions", "expected a list")),
    Case("layer-object-lenient", "`events` given as an object, with --lenient", "warned",
         lambda ctx: [*mutated(lambda ctx, docs: docs[0].update(events={"v1": {}}))(ctx), "--lenient"], exit=0,
         warnings=("expected a list, got dict",), scores=PERFECT,
         expect="only that layer dropped, not the document: strict F1 = 1.0"),
    Case("layer-string", "`events` given as a string", "refused",
         mutated(lambda ctx, docs: docs[0].update(events="none")), words=("field events", "expected a list")),
    Case("layer-null", "`mentions: null` (and the other layers null)", "warned",
         mutated(lambda ctx, docs: docs[1].update(mentions=None, events=None, attributions=None)),
         exit=0, warnings=("null layer",),
         scores=lambda ctx: {"entities.strict.f1": 2 * len(ctx.gold[0]["mentions"])
                             / (len(ctx.gold[0]["mentions"]) + ctx.n_mentions)},
         expect="read as [] with a warning; strict F1 = 2·n0/(n0+n)"),
    Case("boilerplate-int", "`boilerplate: 5` in a prediction", "warned",
         mutated(lambda ctx, docs: docs[0].update(boilerplate=5)), exit=0, warnings=("boilerplate ignored",),
         scores=PERFECT, expect="ignored (the gold's boilerplate is used); strict F1 = 1.0"),
    Case("boilerplate-other", "a different boilerplate in a prediction", "warned",
         mutated(lambda ctx, docs: docs[1].update(boilerplate=[[0, 10]])), exit=0, warnings=("boilerplate ignored",),
         scores=PERFECT, expect="ignored; strict F1 = 1.0"),
    Case("record-not-object", "a mention that is a string", "refused",
         mutated(lambda ctx, docs: docs[0]["mentions"].append("Assad")), words=("expected an object, got str",)),
    Case("many-problems", "23,000 extra mentions, crossing each other, duplicated, on white space", "warned",
         mutated(lambda ctx, docs: docs[0]["mentions"].extend([
             {"start": i, "end": i + 3, "type": "PER"} for i in range(len(ctx.gold[0]["text"]) - 3)] * 8)),
         exit=0, warnings=("crossing spans", "duplicate span"), expect="counted, first 20 per kind listed; scored",
         extra={"bounded": True}),
]

MENTIONS = [
    Case("no-offsets", "a mention without start and end", "refused", mutated(set_path("mentions.0.start", DELETE)),
         words=("record m1", "start and end must be integers")),
    Case("float-offsets", "offsets as floats", "refused", mutated(set_path("mentions.0.end", 19.0)),
         words=("must be integers", "integer code point indices")),
    Case("string-offsets", "offsets as strings", "refused", mutated(set_path("mentions.0.start", "0")),
         words=("must be integers", "'0'")),
    Case("bool-offsets", "offsets as booleans", "refused", mutated(set_path("mentions.0.start", False)),
         words=("must be integers",)),
    Case("negative-start", "a negative start", "refused", mutated(set_path("mentions.0.start", -1)),
         words=("bad offsets", "0 <= start < end")),
    Case("empty-span", "start equal to end", "refused", mutated(lambda ctx, docs: first_mention(ctx, docs, end=0)),
         words=("bad offsets",)),
    Case("reversed-span", "start after end", "refused",
         mutated(lambda ctx, docs: first_mention(ctx, docs, start=19, end=3)), words=("bad offsets [19, 3)",)),
    Case("past-end", "an end past the end of the text", "refused", mutated(set_path("mentions.0.end", 99_999)),
         words=("past the end of the text", "code points")),
    Case("huge-offset", "an offset of 10^30", "refused", mutated(set_path("mentions.0.end", 10**30)),
         words=("past the end of the text",)),
    Case("byte-offsets", "UTF-8 byte offsets instead of code points", "refused", mutated(byte_offsets),
         words=("span text", "UTF-8 byte offsets", "code points")),
    Case("crlf-offsets", "offsets counted with CRLF line ends", "refused", mutated(crlf_offsets),
         words=("span text", "CRLF")),
    Case("text-mismatch", "a span text that is elsewhere in the document", "refused",
         mutated(lambda ctx, docs: first_mention(ctx, docs, start=docs[0]["mentions"][0]["start"] + 1,
                                                 end=docs[0]["mentions"][0]["end"] + 1)),
         words=("span text", "occurs at [0, ")),
    Case("text-not-string", "a span text that is a number", "refused", mutated(set_path("mentions.0.text", 7)),
         words=("span text 7",)),
    Case("no-text", "spans without `text` (it is optional)", "warned", mutated(strip_texts), exit=0,
         warnings=("span without text",), scores=PERFECT, expect="scored by offsets; strict F1 = 1.0"),
    Case("white-space", "a mention ending on white space", "warned",
         mutated(lambda ctx, docs: first_mention(ctx, docs, end=docs[0]["mentions"][0]["end"] + 1,
                                                 text=ctx.gold[0]["text"][0:docs[0]["mentions"][0]["end"] + 1])),
         exit=0, warnings=("span on white space",), scores=one_mention_wrong,
         expect="a boundary error: strict F1 = (n-1)/n"),
    Case("crossing", "a mention crossing another", "warned", mutated(crossing), exit=0,
         warnings=("crossing spans",), scores=one_spurious_mention, expect="a spurious mention: strict F1 = 2n/(2n+1)"),
    Case("duplicate", "the same mention twice (new id)", "warned",
         mutated(lambda ctx, docs: docs[0]["mentions"].append({**docs[0]["mentions"][0], "id": "dup"})), exit=0,
         warnings=("duplicate span",), scores=one_spurious_mention, expect="a spurious mention: strict F1 = 2n/(2n+1)"),
    Case("boilerplate-mention", "a mention inside boilerplate", "warned", mutated(in_boilerplate), exit=0,
         warnings=("span in boilerplate",), scores=PERFECT, expect="not scored (boilerplate is not annotated): 1.0"),
    Case("unknown-type", "type PERSON (not in the taxonomy)", "refused", mutated(set_path("mentions.0.type", "PERSON")),
         words=("field type", "unknown value 'PERSON'", "did you mean 'PER'?")),
    Case("lowercase-type", "type `org` in lower case", "refused", mutated(set_path("mentions.0.type", "org")),
         words=("unknown value 'org'", "did you mean 'ORG'?")),
    Case("label-key", "`label` instead of `type`", "refused",
         mutated(lambda ctx, docs: docs[0]["mentions"][0].update(label=docs[0]["mentions"][0].pop("type"))),
         words=("field type", "`type`, not `label`")),
    Case("no-type", "a mention without a type", "refused", mutated(set_path("mentions.0.type", DELETE)),
         words=("record m1", "field type")),
    Case("null-type", "type null", "refused", mutated(set_path("mentions.0.type", None)), words=("field type",)),
    Case("list-type", "type as a list", "refused", mutated(set_path("mentions.0.type", ["ORG"])),
         words=("field type", "['ORG']")),
    Case("unknown-level", "level PROPER", "refused", mutated(set_path("mentions.0.level", "PROPER")),
         words=("field level", "unknown value 'PROPER'")),
    Case("no-level", "a mention without a level (optional in predictions)", "scored",
         mutated(set_path("mentions.0.level", DELETE)), exit=0, scores=PERFECT, expect="strict F1 = 1.0"),
    Case("entity-int", "an entity id that is a number", "refused", mutated(set_path("mentions.0.entity", 5)),
         words=("field entity", "must be a string")),
    Case("time-entity", "a TIME mention with an entity id", "refused",
         mutated(lambda ctx, docs: next(m for m in docs[0]["mentions"] if m["type"] == "TIME").update(entity="t")),
         words=("TIME mentions carry no entity id",)),
    Case("value-not-time", "a value on a non-TIME mention", "refused", mutated(set_path("mentions.0.value", "2024")),
         words=("only TIME mentions carry a value",)),
    Case("no-mention-ids", "mentions without ids where nothing refers to them", "warned",
         mutated(unreferenced_mention_ids), exit=0, warnings=("record without id",), scores=PERFECT,
         expect="strict F1 = 1.0"),
    Case("int-mention-id", "a mention id that is a number", "refused", mutated(set_path("mentions.0.id", 1)),
         words=("mentions[0]", "must be a string")),
    Case("list-mention-id", "a mention id that is a list (unhashable)", "refused",
         mutated(set_path("mentions.0.id", ["m1"])), words=("mentions[0]", "must be a string")),
    Case("duplicate-mention-id", "two mentions with one id", "refused",
         mutated(lambda ctx, docs: docs[0]["mentions"][1].update(id=docs[0]["mentions"][0]["id"])),
         words=("duplicate id in mentions",)),
    Case("lenient-bad-mention", "one malformed mention with --lenient", "warned",
         lambda ctx: [*mutated(set_path("mentions.0.type", "PERSON"))(ctx), "--lenient"], exit=0,
         warnings=("unknown value 'PERSON'",),
         scores=one_mention_missed, words=("lenient: skipped 1 bad record",),
         expect="only that mention dropped, not its document: strict F1 = 2(n-1)/(2n-1)"),
]

EVENTS = [
    Case("unknown-event-type", "an unknown event type", "refused", mutated(set_path("events.0.type", "Attack")),
         words=("record v1", "field type", "unknown value 'Attack'")),
    Case("no-trigger", "an event without a trigger", "refused", mutated(set_path("events.0.trigger", DELETE)),
         words=("field trigger",)),
    Case("trigger-string", "a trigger that is a string", "refused", mutated(set_path("events.0.trigger", "took")),
         words=("field trigger", "expected a span object")),
    Case("trigger-past-end", "a trigger past the end of the text", "refused",
         mutated(set_path("events.0.trigger.end", 10**6)), words=("field trigger", "past the end")),
    Case("null-arguments", "`arguments: null`", "warned", mutated(set_path("events.0.arguments", None)), exit=0,
         warnings=("null arguments",), expect="read as [] with a warning; trigger F1 = 1.0",
         scores=lambda ctx: {"events.trigger_classification.f1": 1.0}),
    Case("arguments-object", "arguments given as an object", "refused", mutated(set_path("events.0.arguments", {})),
         words=("field arguments", "expected a list")),
    Case("argument-string", "an argument that is a string", "refused",
         mutated(set_path("events.0.arguments.0", "m1")), words=("arguments[0]", "expected an object")),
    Case("unknown-role", "an unknown role", "refused", mutated(set_path("events.0.arguments.0.role", "Killer")),
         words=("arguments[0].role", "'Killer'")),
    Case("role-not-allowed", "a role the event type does not allow", "refused",
         mutated(lambda ctx, docs: docs[0]["events"][0]["arguments"][0].update(role=_role_not_allowed(docs[0]["events"][0]["type"]))),
         words=("not allowed for",)),
    Case("dangling-argument", "an argument naming no mention", "refused",
         mutated(set_path("events.0.arguments.0.mention", "m999")), words=("dangling reference 'm999'",)),
    Case("list-argument-mention", "an argument mention that is a list (unhashable)", "refused",
         mutated(set_path("events.0.arguments.0.mention", ["m1"])), words=("dangling reference ['m1']",)),
    Case("no-argument-mention", "an argument without a mention", "refused",
         mutated(set_path("events.0.arguments.0.mention", DELETE)), words=("arguments[0].mention",)),
    Case("bad-polarity", "polarity YES", "refused", mutated(set_path("events.0.polarity", "YES")),
         words=("field polarity", "'YES'")),
    Case("no-attributes", "an event without its attributes (optional in predictions)", "scored",
         mutated(lambda ctx, docs: _pop(docs[0]["events"][0], "polarity", "modality", "tense", "genericity")),
         exit=0, scores=lambda ctx: {"events.trigger_classification.f1": 1.0}, expect="trigger F1 = 1.0"),
    Case("duplicate-event-id", "two events with one id", "refused",
         mutated(lambda ctx, docs: docs[0]["events"][1].update(id=docs[0]["events"][0]["id"])),
         words=("duplicate id in events",)),
    Case("duplicate-event", "the same event twice (new id)", "warned",
         mutated(lambda ctx, docs: docs[0]["events"].append({**docs[0]["events"][0], "id": "vdup"})), exit=0,
         warnings=("duplicate span",), scores=lambda ctx: {"events.trigger_classification.f1": 1.0},
         expect="triggers match as unique (offsets, type), as TextEE does: F1 = 1.0"),
    Case("trigger-white-space", "a trigger starting on white space", "warned",
         mutated(lambda ctx, docs: docs[0]["events"][0]["trigger"].update(
             start=docs[0]["events"][0]["trigger"]["start"] - 1,
             text=ctx.gold[0]["text"][docs[0]["events"][0]["trigger"]["start"] - 1:
                                      docs[0]["events"][0]["trigger"]["end"]])),
         exit=0, warnings=("span on white space",),
         scores=lambda ctx: {"events.trigger_classification.f1": (ctx.n_events - 1) / ctx.n_events},
         expect="a boundary error: F1 = (n-1)/n"),
    Case("event-in-boilerplate", "an event triggered inside boilerplate", "warned", mutated(event_in_boilerplate),
         exit=0, warnings=("span in boilerplate",), scores=lambda ctx: {"events.trigger_classification.f1": 1.0},
         expect="not scored: trigger F1 = 1.0"),
]

ATTRIBUTIONS = [
    Case("no-cue", "an attribution without a cue", "refused", mutated(set_path("attributions.0.cue", DELETE)),
         words=("record a1", "field cue")),
    Case("content-string", "content given as a string", "refused",
         mutated(set_path("attributions.0.content", "he said")), words=("field content", "list of spans")),
    Case("content-empty", "an empty content list", "refused", mutated(set_path("attributions.0.content", [])),
         words=("field content", "non-empty")),
    Case("content-bad-span", "a content span past the end", "refused",
         mutated(set_path("attributions.0.content.0.end", 10**6)), words=("content[0]", "past the end")),
    Case("dangling-source", "a source naming no mention", "refused", mutated(set_path("attributions.0.source", "m0")),
         words=("field source", "dangling reference 'm0'")),
    Case("list-source", "a source that is a list (unhashable)", "refused",
         mutated(set_path("attributions.0.source", ["m6"])), words=("field source", "dangling reference")),
    Case("dangling-parent", "a parent naming no attribution", "refused",
         mutated(set_path("attributions.0.parent", "a999")), words=("field parent", "a999")),
    Case("self-parent", "an attribution that is its own parent", "refused",
         mutated(lambda ctx, docs: docs[0]["attributions"][0].update(parent=docs[0]["attributions"][0]["id"])),
         words=("field parent",)),
    Case("parent-cycle", "two attributions each other's parent", "refused",
         mutated(lambda ctx, docs: _cycle(docs[0]["attributions"])),
         words=("relay chain forms a cycle",)),
    Case("unknown-attribution-type", "attribution type QUOTE", "refused",
         mutated(set_path("attributions.0.type", "QUOTE")), words=("field type", "'QUOTE'")),
    Case("dangling-addressee", "an addressee naming no mention", "refused",
         mutated(set_path("attributions.0.addressee", "nobody")), words=("field addressee", "'nobody'")),
    Case("null-source", "source null", "scored", mutated(set_path("attributions.0.source", None)), exit=0,
         scores=lambda ctx: {"attributions.cue.exact.f1": 1.0}, expect="cue F1 = 1.0; the source counts as missed"),
    Case("no-attribution-ids", "attributions without ids where no parent refers to them", "warned",
         mutated(unreferenced_attribution_ids), exit=0, warnings=("record without id",),
         scores=lambda ctx: {"attributions.full.f1": 1.0, "attributions.parent.accuracy": 1.0},
         expect="full F1 = 1.0, parent accuracy = 1.0 (issue 11 defect 1)"),
]


def _gold_file(ctx: Ctx, content: str) -> str:
    return ctx.file("gold.json", content)


def _oracle_file(ctx: Ctx) -> str:
    return ctx.jsonl(ctx.oracle())


def _unchanged(name: str) -> Callable[[Ctx], None]:
    """The input named `name` still holds the oracle predictions (nothing overwrote it)."""
    def check(ctx: Ctx) -> None:
        lines = (ctx.tmp / name).read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == ctx.oracle()
    return check


OPTIONS = [
    Case("layers-first", "options before the file: `score --layers entities p.jsonl`", "scored",
         lambda ctx: ["score", "--layers", "entities", _oracle_file(ctx), "--bootstrap", "0", "--format", "json"],
         exit=0, scores=PERFECT, expect="entities.strict.f1 = 1.0"),
    Case("options-after", "every option after the file", "scored",
         lambda ctx: [*_score(_oracle_file(ctx)), "--layers", "events", "entities"], exit=0, scores=PERFECT,
         expect="entities.strict.f1 = 1.0"),
    Case("unknown-layer", "`--layers entity`", "refused",
         lambda ctx: ["score", _oracle_file(ctx), "--layers", "entity", "x"], words=("unknown layer",)),
    Case("no-file", "`score` without a file", "refused", lambda ctx: ["score", "--bootstrap", "0"],
         words=("missing predictions",)),
    Case("layers-only", "`score --layers entities` without a file", "refused",
         lambda ctx: ["score", "--layers", "entities"], words=("missing predictions",)),
    Case("bootstrap-negative", "`--bootstrap -5`", "refused",
         lambda ctx: ["score", _oracle_file(ctx), "--bootstrap", "-5"], words=("--bootstrap", "must be >= 0")),
    Case("bootstrap-word", "`--bootstrap many`", "refused",
         lambda ctx: ["score", _oracle_file(ctx), "--bootstrap", "many"], words=("expected an integer",)),
    Case("bad-format", "`--format yaml`", "refused", lambda ctx: ["score", _oracle_file(ctx), "--format", "yaml"],
         words=("invalid choice: 'yaml'",)),
    Case("table-warnings", "the table output of a file with warnings", "warned",
         lambda ctx: ["score", mutated(crossing)(ctx)[1], "--bootstrap", "0"], exit=0,
         words=("warnings: 1 (1 crossing spans)", "crosses mention"), expect="the table lists the warnings"),
    Case("markup-in-names", "rich markup (`[/red]`) in a key and in --extractor, table output", "warned",
         lambda ctx: ["score", mutated(lambda ctx, docs: docs[0].update({"[/red]": 1}))(ctx)[1], "--bootstrap", "0",
                      "--extractor", "[/b]me"], exit=0, words=("field [/red]: unknown key", "[/b]me"),
         expect="printed as text, not parsed as markup"),
    Case("output-is-input", "`score p.jsonl --output p.jsonl`", "guarded",
         lambda ctx: [*_score(_oracle_file(ctx)), "--output", str(ctx.tmp / "p.jsonl")],
         words=("would destroy the input",), after=_unchanged("p.jsonl"), expect="refused; p.jsonl unchanged"),
    Case("output-is-input-relative", "`--output` naming the input by another path", "guarded",
         lambda ctx: [*_score(_oracle_file(ctx)), "--output", str(ctx.tmp / "." / "sub" / ".." / "p.jsonl")],
         words=("would destroy the input",), after=_unchanged("p.jsonl"), expect="refused; p.jsonl unchanged"),
    Case("output-is-gold", "`--output` naming the --gold file", "guarded",
         lambda ctx: [*_score(_oracle_file(ctx)), "--gold", str(ctx.tmp / "p.jsonl"), "--output",
                      str(ctx.tmp / "p.jsonl")], words=("would destroy the input",), after=_unchanged("p.jsonl"),
         expect="refused"),
    Case("output-directory", "`--output` naming a directory", "refused",
         lambda ctx: [*_score(_oracle_file(ctx)), "--output", str(ctx.tmp)], words=("is a directory",)),
    Case("output-under-file", "`--output` inside a path that is a file", "refused",
         lambda ctx: [*_score(_oracle_file(ctx)), "--output", str(ctx.tmp / "p.jsonl" / "r.json")],
         words=("a file is in the way",)),
    Case("output-existing", "`--output` naming an existing report", "scored",
         lambda ctx: [*_score(_oracle_file(ctx)), "--output", ctx.file("r.json", "old")], exit=0, scores=PERFECT,
         after=lambda ctx: _report_with_permissions(ctx.tmp / "r.json"),
         expect="replaced atomically; strict F1 = 1.0"),
    Case("gold-missing", "`--gold` naming no file", "refused",
         lambda ctx: [*_score(_oracle_file(ctx)), "--gold", str(ctx.tmp / "g.json")], words=("file not found",)),
    Case("gold-directory", "`--gold` naming a directory", "refused",
         lambda ctx: [*_score(_oracle_file(ctx)), "--gold", str(ctx.tmp)], words=("is a directory",)),
    Case("gold-malformed", "`--gold` with malformed JSON", "refused",
         lambda ctx: [*_score(_oracle_file(ctx)), "--gold", _gold_file(ctx, "{")], words=("malformed JSON",)),
    Case("gold-not-object", "`--gold` that is a list", "refused",
         lambda ctx: [*_score(_oracle_file(ctx)), "--gold", _gold_file(ctx, "[]")], words=("'documents' list",)),
    Case("gold-jsonl-no-text", "`--gold` documents without text", "refused",
         lambda ctx: [*_score(_oracle_file(ctx)), "--gold", ctx.file("g.jsonl", '{"id": "a"}\n')],
         words=("gold documents need their text",)),
    Case("gold-jsonl-duplicate-id", "`--gold` with two documents of one id", "refused",
         lambda ctx: [*_score(_oracle_file(ctx)), "--gold", ctx.file("g.jsonl", (json.dumps(ctx.gold[0]) + "\n") * 2)],
         words=("g.jsonl", "duplicate gold document id")),
    Case("gold-jsonl-bad-offsets", "`--gold` documents whose mention offsets are not integers", "refused",
         lambda ctx: [*_score(_oracle_file(ctx)), "--gold", ctx.file("g.jsonl", json.dumps(
             {**ctx.gold[0], "mentions": [{**ctx.gold[0]["mentions"][0], "start": {"a": 1}}]}) + "\n")],
         words=("g.jsonl", "start and end must be integers")),
    Case("compare-resamples-0", "`compare --resamples 0`", "refused",
         lambda ctx: ["compare", _oracle_file(ctx), _oracle_file(ctx), "--resamples", "0"],
         words=("--resamples", "must be >= 1")),
    Case("compare-malformed", "compare with one malformed file", "refused",
         lambda ctx: ["compare", _oracle_file(ctx), ctx.file("b.jsonl", "{x\n"), "--resamples", "10"],
         words=("b.jsonl:1", "malformed JSON")),
    Case("compare-lenient", "compare --lenient with one malformed mention", "scored",
         lambda ctx: ["compare", _oracle_file(ctx), mutated(set_path("mentions.0.type", "X"))(ctx)[1], "--lenient",
                      "--resamples", "10", "--format", "json", "--layers", "entities"], exit=0,
         words=('"entities.strict.f1"',), expect="the bad mention dropped; both scored"),
    Case("compare-layers-first", "`compare --layers entities a b`", "scored",
         lambda ctx: ["compare", "--layers", "entities", _oracle_file(ctx), ctx.jsonl([], "b.jsonl") and
                      ctx.jsonl(ctx.oracle()[:1], "b.jsonl"), "--resamples", "10"], exit=0, words=("p:",),
         expect="A and B found after --layers"),
]

EXTRACTOR_MODULE = '''
import copy


class Plain:
    """No name, no settings: just extract()."""

    def extract(self, document):
        return {"id": document["id"], "mentions": []}


class Raises:
    name, settings = "raises", {}

    def extract(self, document):
        raise ValueError("model not loaded")


class ReturnsNone:
    name, settings = "none", {}

    def extract(self, document):
        return None


class WrongId:
    name, settings = "wrong-id", {}

    def extract(self, document):
        return {"id": "other", "mentions": []}


class Mutates:
    """Changes its input: must change neither the gold nor the next extractor's input."""

    name, settings = "mutates", {}

    def extract(self, document):
        document["text"] = "x"
        document["boilerplate"].append([0, 1])
        document.clear()
        return {"mentions": []}


class WantsGold:
    """Asks for the gold by a parameter name: must not get it."""

    name, settings = "wants-gold", {}

    def __init__(self, gold=None):
        self.gold = {d["id"]: d for d in gold or []}

    def extract(self, document):
        found = self.gold.get(document["id"])
        return copy.deepcopy({k: found[k] for k in ("id", "mentions", "events", "attributions")}) if found else \\
            {"id": document["id"], "mentions": []}


class NeedsArgument:
    name, settings = "needs", {}

    def __init__(self, model):
        self.model = model

    def extract(self, document):
        return {}


class BadOutput:
    name, settings = "bad-output", {}

    def extract(self, document):
        return {"id": document["id"], "mentions": [{"start": 0, "end": 99999, "type": "PER"}]}


not_an_extractor = 42
'''


def _module(ctx: Ctx) -> str:
    name = "ext_" + ctx.tmp.name.replace("-", "_").replace(".", "_")
    ctx.file(f"{name}.py", EXTRACTOR_MODULE)
    ctx.chdir = True
    return name


def bench(*names: str | Callable[[Ctx], str], options: tuple[str, ...] = ()) -> Callable[[Ctx], list[str]]:
    def argv(ctx: Ctx) -> list[str]:
        resolved = [n(ctx) if callable(n) else n for n in names]
        return ["benchmark", "--extractors", *resolved, "--output", str(ctx.tmp / "out"), "--no-progress", *options]
    return argv


def ext(attribute: str) -> Callable[[Ctx], str]:
    return lambda ctx: f"{_module(ctx)}:{attribute}"


def board(ctx: Ctx) -> dict[str, dict[str, Any]]:
    import pandas as pd

    return pd.read_csv(ctx.tmp / "out" / "leaderboard.csv").set_index("extractor").to_dict("index")


def _kept(path: Path, text: str) -> None:
    assert path.read_text(encoding="utf-8") == text


def _report_with_permissions(path: Path) -> None:
    """The old file replaced by the report, with the permissions open() gives (0666 less the umask)."""
    import os

    mask = os.umask(0)
    os.umask(mask)
    assert json.loads(path.read_text(encoding="utf-8"))["headline"]["entities.strict.f1"] == 1.0
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def _only_row(ctx: Ctx, value: float) -> None:
    [row] = board(ctx).values()
    assert row["entities.strict.f1"] == value


def _script(ctx: Ctx, body: str) -> str:
    path = ctx.tmp / "x.sh"
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o755)
    return f"cmd:{path}"


def _check_board(expected: dict[str, float]) -> Callable[[Ctx], None]:
    def check(ctx: Ctx) -> None:
        rows = board(ctx)
        for name, value in expected.items():
            assert rows[name]["entities.strict.f1"] == value, (name, rows[name]["entities.strict.f1"])
    return check


def _file_extractor(ctx: Ctx, records: list[dict], name: str) -> str:
    return "file:" + ctx.jsonl(records, name)


def _stale_then_new(ctx: Ctx) -> None:
    """The earlier run's report is gone, and every new file has the permissions open() gives (not mkstemp's 0600)."""
    import os

    out = ctx.tmp / "out"
    assert not (out / "reports" / "stale.json").exists() and (out / "reports" / "empty.json").exists()
    mask = os.umask(0)
    os.umask(mask)
    for path in (out / "leaderboard.csv", out / "leaderboard.md", out / "reports" / "empty.json"):
        assert path.stat().st_mode & 0o777 == 0o666 & ~mask, path
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask


def _both_reports(ctx: Ctx) -> None:
    reports = sorted(p.name for p in (ctx.tmp / "out" / "reports").glob("*.json"))
    assert len(reports) == 2, reports
    names = {json.loads((ctx.tmp / "out" / "reports" / r).read_text())["extractor"] for r in reports}
    assert len(names) == 2


def _previous_run(ctx: Ctx) -> None:
    out = ctx.tmp / "out"
    (out / "reports").mkdir(parents=True)
    (out / "leaderboard.md").write_text("# old\n")
    (out / "reports" / "stale.json").write_text("{}")


BENCHMARK = [
    Case("unknown-extractor", "`benchmark --extractors rules nonesuch`", "refused", bench("rules", "nonesuch"),
         words=("nonesuch", "unknown extractor"), expect="before the dataset is loaded or anything runs",
         extra={"before_dataset": True}),
    Case("missing-module", "module:attribute whose module does not exist", "refused", bench("no_such_mod:X"),
         words=("cannot import module 'no_such_mod'",)),
    Case("missing-attribute", "module:attribute whose attribute does not exist", "refused", bench(ext("Nope")),
         words=("has no attribute 'Nope'",)),
    Case("not-an-extractor", "module:attribute naming a number", "refused", bench(ext("not_an_extractor")),
         words=("not an extractor", "extract(document)")),
    Case("constructor-needs-argument", "a class whose constructor needs an argument", "refused",
         bench(ext("NeedsArgument")), words=("constructing the extractor failed", "TypeError")),
    Case("no-colon", "`module:` with no attribute", "refused", bench("os:"), words=("expected module:attribute",)),
    Case("plain-object", "an object with only extract() (module found in the cwd)", "scored", bench(ext("Plain")),
         exit=0, uses_dataset=True, after=_check_board({"Plain": 0.0}),
         expect="named by its class; strict F1 = 0.0"),
    Case("extractor-raises", "an extractor that raises", "refused", bench(ext("Raises")), uses_dataset=True,
         words=("document 000_245b1950fae37238", "extract() raised ValueError: model not loaded")),
    Case("extractor-returns-none", "an extractor that returns None", "refused", bench(ext("ReturnsNone")),
         uses_dataset=True, words=("returned NoneType",)),
    Case("extractor-wrong-id", "an extractor answering for another document", "refused", bench(ext("WrongId")),
         uses_dataset=True, words=("answered for document 'other'",)),
    Case("extractor-bad-output", "an extractor with an offset past the text", "refused", bench(ext("BadOutput")),
         uses_dataset=True, words=("past the end of the text",)),
    Case("extractor-bad-output-lenient", "the same with --lenient", "warned", bench(ext("BadOutput"),
                                                                                  options=("--lenient",)),
         exit=0, uses_dataset=True, after=_check_board({"bad-output": 0.0}), expect="the bad mention dropped"),
    Case("one-fails-others-written", "one failing extractor among good ones", "guarded",
         bench("empty", ext("Raises")), uses_dataset=True, words=("1 extractor(s) failed", "model not loaded"),
         after=_check_board({"empty": 0.0}), expect="exit 2; the others' leaderboard and reports written"),
    Case("wants-gold", "a class with a `gold` constructor parameter", "guarded", bench(ext("WantsGold")), exit=0,
         uses_dataset=True, after=_check_board({"wants-gold": 0.0}), expect="not handed the gold: strict F1 = 0.0"),
    Case("mutates-input", "an extractor that mutates its input, then the oracle", "guarded",
         bench(ext("Mutates"), "oracle"), exit=0, uses_dataset=True, after=_check_board({"oracle": 1.0}),
         expect="the oracle still scores 1.0"),
    Case("file-unknown-document", "file: predictions with an unknown document", "refused",
         lambda ctx: bench(_file_extractor(ctx, [*ctx.oracle(), {"id": "ghost", "mentions": []}], "f.jsonl"))(ctx),
         uses_dataset=True, words=("ghost", "unknown document id")),
    Case("file-missing", "file: naming no file", "refused", bench("file:/nonexistent/p.jsonl"),
         words=("file not found",)),
    Case("file-empty-name", "`file:` with no name", "refused", bench("file:"), words=("empty file name",)),
    Case("cmd-empty", "`cmd:` with no command", "refused", bench("cmd: "), words=("empty command",)),
    Case("cmd-fails", "a command exiting with status 3", "refused",
         lambda ctx: bench(_script(ctx, "echo broken >&2; exit 3\n"))(ctx), uses_dataset=True,
         words=("exited with status 3", "broken", "document")),
    Case("cmd-timeout", "a command that never answers, --timeout 1", "refused",
         lambda ctx: bench(_script(ctx, "sleep 60\n"), options=("--timeout", "1"))(ctx), uses_dataset=True,
         words=("timed out after 1 s", "flush stdout after each line", "--cmd-mode per-document")),
    Case("cmd-per-document", "a per-document command with --cmd-mode per-document", "scored",
         lambda ctx: bench(_script(ctx, "cat >/dev/null; echo '{\"mentions\": []}'\n"),
                           options=("--cmd-mode", "per-document"))(ctx), exit=0, uses_dataset=True,
         after=lambda ctx: _only_row(ctx, 0.0), expect="scored: strict F1 = 0.0"),
    Case("timeout-zero", "`--timeout 0`", "refused", bench("empty", options=("--timeout", "0")),
         words=("must be > 0",)),
    Case("output-is-file", "benchmark --output naming a file", "refused",
         lambda ctx: ["benchmark", "--extractors", "empty", "--output", ctx.file("o.txt", "x"), "--no-progress"],
         words=("is a file",)),
    Case("output-has-user-files", "benchmark --output naming a folder of other files", "guarded",
         lambda ctx: (ctx.file("mine/notes.txt", "keep"), ["benchmark", "--extractors", "empty", "--output",
                                                          str(ctx.tmp / "mine"), "--no-progress"])[1],
         words=("other files in it",), after=lambda ctx: _kept(ctx.tmp / "mine" / "notes.txt", "keep"),
         expect="refused; the files stay"),
    Case("second-run", "a second run into the folder of an earlier one", "guarded",
         lambda ctx: (_previous_run(ctx), bench("empty")(ctx))[1], exit=0, uses_dataset=True,
         after=_stale_then_new, expect="the old report is gone (the folder describes one run); files 0666 less the umask"),
    Case("colliding-names", "file:x/a-b.jsonl and file:x/a/b.jsonl (one file name)", "guarded",
         lambda ctx: bench(_file_extractor(ctx, ctx.oracle(), "x/a-b.jsonl"),
                           _file_extractor(ctx, ctx.oracle(), "x/a/b.jsonl"))(ctx), exit=0, uses_dataset=True,
         after=_both_reports, expect="two reports, one per extractor"),
    Case("extract-output-is-input", "`extract file:p.jsonl --output p.jsonl`", "guarded",
         lambda ctx: ["extract", "file:" + _oracle_file(ctx), "--output", str(ctx.tmp / "p.jsonl")],
         words=("would destroy the input",), after=_unchanged("p.jsonl"), expect="refused; p.jsonl unchanged"),
]


def scratch_repo(ctx: Ctx) -> Path:
    """A copy of the parts of the checkout the dataset commands read."""
    import shutil

    from damascus_ie.core.paths import repo_root

    root = ctx.tmp / "repo"
    for part in ("seeds", "annotations", "schemas", "dataset"):
        shutil.copytree(repo_root() / part, root / part)
    return root


def _seed_changed(ctx: Ctx) -> list[str]:
    root = scratch_repo(ctx)
    seed = next((root / "seeds").glob("*.txt"))
    seed.write_text(seed.read_text(encoding="utf-8").replace("the", "teh", 1), encoding="utf-8")
    return ["validate", "--root", str(root)]


def _garbage_data(ctx: Ctx) -> list[str]:
    root = scratch_repo(ctx)
    (root / "dataset" / "data" / "mentions.jsonl").write_bytes(bytes(range(256)) * 8)
    return ["verify", "--root", str(root)]


DATASET = [
    Case("validate-directory", "`validate` given a directory", "refused", lambda ctx: ["validate", str(ctx.tmp)],
         words=("is a directory",)),
    Case("validate-missing", "`validate` given no such file", "refused",
         lambda ctx: ["validate", str(ctx.tmp / "a.json")], words=("file not found",)),
    Case("validate-malformed", "`validate` given malformed JSON", "refused",
         lambda ctx: ["validate", ctx.file("a.json", '{"documents": [')], words=("malformed JSON",)),
    Case("validate-binary", "`validate` given binary garbage", "refused",
         lambda ctx: ["validate", ctx.file("a.json", bytes(range(256)))], words=("not UTF-8",)),
    Case("validate-unknown-document", "`validate` of a document with no seed", "refused",
         lambda ctx: ["validate", ctx.file("a.json", '{"documents": [{"id": "ghost"}]}')],
         words=("no seed file for this document id",)),
    Case("validate-document-number", "`validate` of a file whose document is a number", "refused",
         lambda ctx: ["validate", ctx.file("a.json", '{"documents": [5]}')],
         words=("documents[0]", "expected a document object, got int")),
    Case("validate-document-id-list", "`validate` of a document whose id is a list", "refused",
         lambda ctx: ["validate", ctx.file("a.json", '{"documents": [{"id": ["x"]}]}')],
         words=("no seed file for this document id",)),
    Case("validate-seed-changed", "`validate` after a seed text was edited", "refused", _seed_changed,
         words=("sha256",)),
    Case("verify-garbage", "`verify` with binary garbage in a data file", "refused", _garbage_data,
         words=("mentions.jsonl",), uses_dataset=True),
    Case("bump-no-change", "`bump patch` when no label changed", "refused",
         lambda ctx: ["bump", "patch", "-m", "nothing", "--root", str(scratch_repo(ctx))],
         words=("no label changed",)),
    Case("bump-empty-message", "`bump patch -m ''`", "refused",
         lambda ctx: ["bump", "patch", "-m", " ", "--root", str(scratch_repo(ctx))], words=("none of them empty",)),
]

def anchored(change: Callable[[Docs], Any] | None = None, *, context: bool = True) -> Callable[[Ctx], list[str]]:
    """A score run on the gold's layers turned text-anchored (every offset removed), after `change`."""
    def argv(ctx: Ctx) -> list[str]:
        docs = [text_anchored(d, g["text"], context=context) for d, g in zip(ctx.oracle(), ctx.gold, strict=True)]
        if change is not None:
            change(docs)
        return _score(ctx.jsonl(docs))
    return argv


TEXT_ANCHORED = [
    Case("text-anchored", "every span as text with a short context, no offsets (what a language model returns)",
         "scored", anchored(), exit=0, scores=PERFECT, words=('"ungrounded": 0',),
         expect="grounded back to the gold offsets: entities.strict.f1 = 1.0"),
    Case("text-anchored-no-context", "every span as text, no context and no offsets", "scored",
         anchored(context=False), exit=0, words=('"ambiguous":',), expect="grounded by the stated rule; "
         "repeated texts counted as ambiguous"),
    Case("hallucinated-span", "one extra mention whose text is nowhere in the document", "scored",
         anchored(lambda docs: docs[0]["mentions"].append({"text": "the Free Syrian Army", "type": "ORG"})),
         exit=0, scores=one_spurious_mention, words=('"ungrounded": 1',),
         expect="ungrounded, scored as a false positive"),
    Case("text-span-no-text", "a mention with neither offsets nor text", "refused",
         anchored(lambda docs: docs[0]["mentions"][0].pop("text")), words=("needs a non-empty", "text-anchored")),
    Case("bad-sentence-index", "a text-anchored span with a sentence index past the last sentence", "refused",
         anchored(lambda docs: docs[0]["mentions"][0].update(sentence=999)), words=("sentence index must be",)),
    Case("untyped-filler", "an argument given as text that is no predicted mention, without a type", "refused",
         anchored(lambda docs: docs[0]["events"][0]["arguments"].append({"role": "Time", "text": "at dawn"})),
         words=("is not a predicted mention", "or give its")),
]

CATALOGUE: dict[str, list[Case]] = {
    "Files and lines": FILE_LEVEL, "Documents": DOCUMENT_LEVEL, "Mentions": MENTIONS, "Events": EVENTS,
    "Attributions": ATTRIBUTIONS, "Text-anchored spans": TEXT_ANCHORED,
    "Options and outputs": OPTIONS, "Extractors and the benchmark": BENCHMARK,
    "Dataset commands": DATASET,
}
CASES: list[Case] = [case for cases in CATALOGUE.values() for case in cases]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_inputs() -> str:
    """eval/INPUTS.md: the catalogue as tables, one per group, with the counts by outcome."""
    from collections import Counter

    counts = Counter(case.outcome for case in CASES)
    lines = [
        "# Bad and unusual inputs: what the harness answers",
        "",
        "Generated from `tests/harness/input_catalogue.py` (each row is a test in `tests/harness/test_catalogue.py`, run",
        "through the real `damascus-ie` command line); regenerate with",
        "`DAMASCUS_IE_WRITE_INPUTS=1 pytest tests/harness/test_catalogue.py -k inputs_doc`.",
        "",
        "The principle: **malformed** input (it cannot be interpreted) is refused with exit code 2 and one message",
        "per problem (file, line, document, record, field, reason, and a hint for common causes); **wrong but",
        "interpretable** predictions are scored as what they are and counted in the report's warnings; nothing",
        "prints a traceback, nothing is accepted silently, no command overwrites its input.",
        "",
        f"{len(CASES)} inputs: " + ", ".join(f"{counts[o]} {o}" for o in ("refused", "warned", "scored", "guarded"))
        + " (refused: exit 2 with the words shown; warned: scored, the warning kinds counted; scored: the score "
          "pinned; guarded: data loss or cheating prevented, the files checked afterwards).",
    ]
    for group, cases in CATALOGUE.items():
        lines += ["", f"## {group}", "", "| # | input | outcome | exit | message contains / score |", "|---|---|---|---|---|"]
        for case in cases:
            said = "; ".join(f"`{w}`" for w in case.words)
            warned = "; ".join(f"warning `{w}`" for w in case.warnings)
            detail = "; ".join(part for part in (said, warned, case.expect) if part)
            lines.append(f"| {case.id} | {_cell(case.what)} | {case.outcome} | {case.exit} | {_cell(detail)} |")
    return "\n".join(lines) + "\n"
