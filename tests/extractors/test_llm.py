"""The `llm` extractor against a tiny scripted HTTP server on 127.0.0.1: chunks, cache, retries, refusals, the key.

The scripted server answers what each test tells it to (a status, a body), so
failures that a real model server produces only by chance can be injected. The
real server, llama.cpp with SmolLM2, is in test_llm_server.py.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from damascus_ie.core.io import load_gold
from damascus_ie.core.problems import InvalidInput
from damascus_ie.core.sentences import sentence_spans
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.leaderboard.extractors import llm_prompt
from damascus_ie.leaderboard.extractors.llm import LLMConfig, LLMExtractor, chunk_spans, config_from, salvage_json
from damascus_ie.leaderboard.extractors.registry import resolve

ANSWER = {"mentions": [{"text": "Ada Pell", "type": "PER", "level": "NAM"},
                       {"text": "Lune", "type": "GPE", "level": "NAM"},
                       {"text": "Ada Pell", "type": "PER", "level": "NAM"}],  # a looping model repeats itself
          "events": [{"type": "Movement:Transport", "trigger": "arrived",
                      "arguments": [{"role": "Artifact", "text": "ada pell"}, {"role": "Destination", "text": "Lune"},
                                    {"role": "Victor", "text": "Lune"}, {"role": "Origin", "text": "nowhere"}]}],
          "attributions": [{"type": "INDIRECT", "cue": "said", "source": "Ada Pell", "content": ["she arrived"]}]}
DOCUMENT = {"id": "doc-1", "text": "Ada Pell arrived in Lune on Monday. She said she arrived late.", "boilerplate": []}


class Scripted(ThreadingHTTPServer):
    """Answers POSTs from `script` (status, body, headers), then with `ANSWER`; records what it was sent."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out and hung up is what the timeout test wants

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: list[tuple[int, Any, dict[str, str]]] = []
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.delay, self.in_flight, self.max_in_flight = 0.0, 0, 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: Scripted

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status, reply, headers = self.server.script.pop(0) if self.server.script else (200, None, {})
            self.server.in_flight += 1
            self.server.max_in_flight = max(self.server.max_in_flight, self.server.in_flight)
        time.sleep(self.server.delay)
        with self.server.lock:
            self.server.in_flight -= 1
        if reply is None:
            reply = {"choices": [{"message": {"role": "assistant", "content": json.dumps(ANSWER)},
                                  "finish_reason": "stop"}], "usage": {"prompt_tokens": 100, "completion_tokens": 20}}
        payload = (reply if isinstance(reply, str) else json.dumps(reply)).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Scripted]:
    scripted = Scripted()
    thread = threading.Thread(target=scripted.serve_forever, daemon=True)
    thread.start()
    try:
        yield scripted
    finally:
        scripted.shutdown()
        scripted.server_close()
        thread.join(5)


def extractor(server: Scripted, tmp_path: Path, delays: list[float] | None = None, **settings: Any) -> LLMExtractor:
    config = LLMConfig(**{"base_url": server.base_url, "model": "scripted", "cache_dir": str(tmp_path / "cache"),
                          "backoff": 0.5, "retries": 2, "timeout": 10.0, **settings})
    return LLMExtractor(config, sleep=(delays.append if delays is not None else lambda _: None))


# --- the prompt and the schema --------------------------------------------------------------------------------------
def test_worked_example_fits_the_schema_and_its_own_text() -> None:
    jsonschema.validate(llm_prompt.EXAMPLE_ANSWER, llm_prompt.response_schema(load_taxonomy()))
    answer = llm_prompt.EXAMPLE_ANSWER
    texts = [m["text"] for m in answer["mentions"]] + [e["trigger"] for e in answer["events"]]
    texts += [a["cue"] for a in answer["attributions"]] + [c for a in answer["attributions"] for c in a["content"]]
    assert all(t in llm_prompt.EXAMPLE_TEXT for t in texts)


def test_prompt_quotes_nothing_from_the_test_documents(repo_root: Path) -> None:
    """No run of five words of either test document appears in the prompt module (example, rules, anything)."""
    words = lambda text: re.findall(r"\w+", text.lower())  # noqa: E731
    source = " ".join(words(Path(llm_prompt.__file__).read_text(encoding="utf-8")))
    for document in load_gold(repo_root)[1]:
        tokens = words(document["text"])
        runs = {" ".join(tokens[i:i + 5]) for i in range(len(tokens) - 4)}
        assert not [run for run in runs if run in source], document["id"]


def test_prompt_and_schema_name_every_label() -> None:
    taxonomy = load_taxonomy()
    prompt, schema = llm_prompt.system_prompt(taxonomy), json.dumps(llm_prompt.response_schema(taxonomy))
    labels = [*taxonomy.entity_types, *taxonomy.mention_levels, *taxonomy.event_types, *taxonomy.roles,
              *taxonomy.attribution_types]
    assert [label for label in labels if label not in prompt or f'"{label}"' not in schema] == []


def test_each_event_type_allows_only_its_own_roles() -> None:
    schema = llm_prompt.response_schema(load_taxonomy())
    attack = {"type": "Conflict:Attack", "trigger": "raid", "arguments": [{"role": "Territory", "text": "x"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"mentions": [], "events": [attack], "attributions": []}, schema)


# --- chunks ---------------------------------------------------------------------------------------------------------
@given(st.lists(st.sampled_from(["Rain fell.", "The mayor of Lune spoke at length today.", "Yes!", "\n", "A" * 90 + "."]),
                max_size=12), st.integers(min_value=1, max_value=120))
def test_chunks_are_whole_sentences_within_the_limit(parts: list[str], limit: int) -> None:
    text = " ".join(parts)
    chunks = chunk_spans({"text": text, "boilerplate": []}, limit)
    sentences = sentence_spans(text)
    assert [s for s in sentences if any(c[0] <= s[0] and s[1] <= c[1] for c in chunks)] == sentences  # all sent
    starts, ends = {s for s, _ in sentences}, {e for _, e in sentences}
    for start, end in chunks:
        assert start in starts and end in ends  # whole sentences
        assert end - start <= limit or (start, end) in sentences  # only a single long sentence exceeds the limit


def test_chunks_skip_boilerplate(repo_root: Path) -> None:
    for document in load_gold(repo_root)[1]:
        chunks = chunk_spans(document, 1000)
        assert chunks and all(not (s < b_end and b_start < e) for s, e in chunks for b_start, b_end in
                              document["boilerplate"])


# --- settings -------------------------------------------------------------------------------------------------------
def test_settings_come_from_env_then_spec_then_options() -> None:
    environ = {"DAMASCUS_IE_LLM_MODEL": "env-model", "DAMASCUS_IE_LLM_TEMPERATURE": "0.5",
               "DAMASCUS_IE_LLM_CONCURRENCY": "3"}
    config = config_from("spec-model,temperature=0.2", {"concurrency": "7", "max_tokens": None}, environ)
    assert (config.model, config.temperature, config.concurrency, config.max_tokens) == ("spec-model", 0.2, 7, 512)
    assert config_from("cache=false", environ={}).cache is False


@pytest.mark.parametrize(("spec", "reason"), [("colour=red", "unknown setting"), ("concurrency=two", "expected int"),
                                              ("response_format=xml", "response_format must be"),
                                              ("base_url=ftp://x", "http(s) URL")])
def test_bad_settings_are_clear_errors(spec: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(reason)):
        config_from(spec, environ={})


def test_registry_builds_llm_from_a_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMASCUS_IE_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    built = resolve("llm:tiny,max_tokens=64", llm_options={"temperature": "0.1"})
    assert isinstance(built, LLMExtractor) and built.name == "llm:tiny"
    assert (built.settings["max_tokens"], built.settings["temperature"]) == (64, 0.1)
    assert built.settings["endpoint"] == "http://127.0.0.1:9/v1/chat/completions"


def test_endpoint_drops_credentials_in_the_url() -> None:
    assert LLMConfig(base_url="https://user:secret@example.org/v1/").endpoint == "https://example.org/v1/chat/completions"


# --- the answer as a text-anchored record --------------------------------------------------------------------------
def test_answer_becomes_text_anchored_spans(server: Scripted, tmp_path: Path) -> None:
    llm = extractor(server, tmp_path)
    record = llm.extract(DOCUMENT)
    context = DOCUMENT["text"]
    assert record["mentions"] == [
        {"id": "m1", "text": "Ada Pell", "context": context, "type": "PER", "level": "NAM", "entity": "PER:pell"},
        {"id": "m2", "text": "Lune", "context": context, "type": "GPE", "level": "NAM", "entity": "GPE:lune"}]
    assert record["events"] == [{"id": "v1", "type": "Movement:Transport", "trigger": {"text": "arrived", "context": context},
                                 "arguments": [{"role": "Artifact", "mention": "m1"},
                                               {"role": "Destination", "mention": "m2"}]}]
    assert record["attributions"] == [{"id": "a1", "type": "INDIRECT", "cue": {"text": "said", "context": context},
                                       "source": "m1", "content": [{"text": "she arrived", "context": context}],
                                       "addressee": None, "parent": None}]
    assert llm.counts["dropped_items"] == 3  # the repeated mention, the Victor of a Transport, the unknown filler


def test_prompt_carries_the_chunk_and_the_schema(server: Scripted, tmp_path: Path) -> None:
    extractor(server, tmp_path, response_format="json_object", temperature=0.0, max_tokens=77).extract(DOCUMENT)
    body = server.received[0]["body"]
    assert server.received[0]["path"] == "/v1/chat/completions"
    assert body["messages"][-1] == {"role": "user", "content": DOCUMENT["text"]}
    assert (body["model"], body["temperature"], body["max_tokens"]) == ("scripted", 0.0, 77)
    assert body["response_format"] == {"type": "json_object", "schema": llm_prompt.response_schema(load_taxonomy())}


# --- the cache ------------------------------------------------------------------------------------------------------
def test_rerun_is_served_from_the_cache(server: Scripted, tmp_path: Path) -> None:
    first = extractor(server, tmp_path)
    record = first.extract(DOCUMENT)
    assert (first.counts["requests"], first.settings["responses_from_cache"]) == (1, "none")
    again = extractor(server, tmp_path)
    assert again.extract(DOCUMENT) == record
    assert (again.counts["requests"], again.settings["responses_from_cache"], len(server.received)) == (0, "all", 1)
    assert again.settings["prompt_sha256"] == first.settings["prompt_sha256"] == llm_prompt.prompt_hash(load_taxonomy())


@pytest.mark.parametrize("change", [{"model": "other"}, {"temperature": 0.7}, {"max_tokens": 99},
                                    {"base_url": "http://localhost:{port}/v1"}])
def test_cache_key_covers_endpoint_model_and_sampling(server: Scripted, tmp_path: Path, change: dict) -> None:
    extractor(server, tmp_path).extract(DOCUMENT)
    change = {k: v.format(port=server.server_address[1]) if isinstance(v, str) else v for k, v in change.items()}
    changed = extractor(server, tmp_path, **change)
    changed.extract(DOCUMENT)
    assert changed.counts["requests"] == 1 and len(server.received) == 2


def test_cache_key_covers_the_chunk(server: Scripted, tmp_path: Path) -> None:
    extractor(server, tmp_path).extract(DOCUMENT)
    extractor(server, tmp_path).extract({**DOCUMENT, "text": DOCUMENT["text"] + " Then it rained."})
    assert len(server.received) == 2


def test_unreadable_cache_entry_is_asked_again(server: Scripted, tmp_path: Path) -> None:
    extractor(server, tmp_path).extract(DOCUMENT)
    for entry in (tmp_path / "cache").rglob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    extractor(server, tmp_path).extract(DOCUMENT)
    assert len(server.received) == 2


# --- retries, refusals, fallbacks -----------------------------------------------------------------------------------
def test_transient_errors_are_retried_with_doubling_back_off(server: Scripted, tmp_path: Path) -> None:
    server.script = [(503, {"error": "busy"}, {}), (500, "oops", {})]
    delays: list[float] = []
    llm = extractor(server, tmp_path, delays)
    assert llm.extract(DOCUMENT)["mentions"]
    assert (delays, llm.counts["retries"], len(server.received)) == ([0.5, 1.0], 2, 3)


def test_rate_limit_waits_as_told(server: Scripted, tmp_path: Path) -> None:
    server.script = [(429, {"error": "slow down"}, {"Retry-After": "3"})]
    delays: list[float] = []
    extractor(server, tmp_path, delays).extract(DOCUMENT)
    assert delays == [3.0]


def test_giving_up_names_the_document_and_the_last_error(server: Scripted, tmp_path: Path) -> None:
    server.script = [(502, "bad gateway", {})] * 3
    with pytest.raises(InvalidInput, match=r"document doc-1: no answer from .* after 3 attempt\(s\): HTTP 502"):
        extractor(server, tmp_path).extract(DOCUMENT)


def test_unreachable_server_is_retried_then_named(tmp_path: Path) -> None:
    from damascus_ie.core.processes import free_port

    delays: list[float] = []
    config = LLMConfig(base_url=f"http://127.0.0.1:{free_port()}/v1", retries=1, backoff=0.1, cache_dir=str(tmp_path))
    with pytest.raises(InvalidInput, match=r"document doc-1: no answer .* after 2 attempt\(s\): URLError"):
        LLMExtractor(config, sleep=delays.append).extract(DOCUMENT)
    assert delays == [0.1]


def test_a_slow_answer_times_out_and_is_retried(server: Scripted, tmp_path: Path) -> None:
    server.delay = 1.5
    with pytest.raises(InvalidInput, match=r"document doc-1: no answer .* after 2 attempt\(s\): .*timed out"):
        extractor(server, tmp_path, timeout=0.3, retries=1).extract(DOCUMENT)
    assert len(server.received) == 2


def test_refusal_is_not_retried_and_names_the_document(server: Scripted, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_LLM_KEY", "sk-test-very-secret")
    server.script = [(401, {"error": {"message": "Incorrect API key provided: sk-test-very-secret"}}, {})]
    with pytest.raises(InvalidInput) as refused:
        extractor(server, tmp_path, api_key_env="TEST_LLM_KEY").extract(DOCUMENT)
    message = str(refused.value)
    assert "document doc-1" in message and "refused the request: HTTP 401" in message and "Incorrect API key" in message
    assert "sk-test-very-secret" not in message and len(server.received) == 1


def test_auto_format_falls_back_to_json_object(server: Scripted, tmp_path: Path) -> None:
    """llama-cpp-python's server answers json_schema with a 500 naming response_format; auto switches, once."""
    server.script = [(500, {"error": {"message": "body.response_format.type: Input should be 'text' or 'json_object'"}},
                      {})]
    llm = extractor(server, tmp_path)
    assert llm.extract(DOCUMENT)["mentions"]
    formats = [r["body"]["response_format"]["type"] for r in server.received]
    assert formats == ["json_schema", "json_object"] and llm.settings["response_format"] == "json_object"
    assert llm.counts["retries"] == 0
    cached = extractor(server, tmp_path)
    cached.extract(DOCUMENT)
    assert cached.counts["requests"] == 0 and cached.settings["response_format"] == "json_object"  # as when asked


def test_truncated_answer_keeps_its_complete_items(server: Scripted, tmp_path: Path) -> None:
    full = json.dumps(ANSWER)
    cut = full[:full.index('"Lune"') + 3]  # inside the second mention
    server.script = [(200, {"choices": [{"message": {"content": cut}, "finish_reason": "length"}]}, {})]
    llm = extractor(server, tmp_path)
    assert [m["text"] for m in llm.extract(DOCUMENT)["mentions"]] == ["Ada Pell"]
    assert llm.counts["truncated_responses"] == 1 and llm.counts["unparsable_responses"] == 0


def test_salvage_json() -> None:
    assert salvage_json('{"a": [1, 2]}') == {"a": [1, 2]}
    assert salvage_json('{"a": [1, 2') is None  # no complete item to keep
    assert salvage_json('{"a": [{"t": "x}"}, {"t": "y') == {"a": [{"t": "x}"}]}
    assert salvage_json("not json") is None


def test_api_key_is_sent_and_never_written(server: Scripted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_LLM_KEY", "sk-test-do-not-store")
    llm = extractor(server, tmp_path, api_key_env="TEST_LLM_KEY")
    llm.extract(DOCUMENT)
    assert server.received[0]["headers"]["Authorization"] == "Bearer sk-test-do-not-store"
    assert "sk-test-do-not-store" not in json.dumps(llm.settings)
    assert llm.settings["api_key_env"] == "TEST_LLM_KEY"
    written = [p.read_text(encoding="utf-8") for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert written and not any("sk-test-do-not-store" in text for text in written)


def test_missing_key_variable_is_a_clear_error(server: Scripted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_LLM_KEY", raising=False)
    with pytest.raises(InvalidInput, match="environment variable TEST_LLM_KEY"):
        extractor(server, tmp_path, api_key_env="TEST_LLM_KEY").extract(DOCUMENT)


def test_requests_run_concurrently(server: Scripted, tmp_path: Path) -> None:
    """Every chunk of a long document is sent, in order of the chunks in the record, N at a time."""
    long_document = {**DOCUMENT, "text": " ".join(f"Ada Pell arrived in Lune on day {i}." for i in range(12))}
    server.delay = 0.3
    record = extractor(server, tmp_path, chunk_chars=80, concurrency=4).extract(long_document)
    assert len(server.received) == len(chunk_spans(long_document, 80)) == 6
    assert server.max_in_flight == 4
    contexts = [m["context"] for m in record["mentions"]]
    assert contexts == sorted(contexts, key=long_document["text"].index)
