"""The `llm` extractor: any OpenAI-compatible `/v1/chat/completions` endpoint, prompted from the taxonomy.

One extractor for OpenAI, vLLM, Ollama and a llama.cpp server alike: a base
URL, a model name and the *name* of the environment variable holding the API
key (the key itself is read at request time and never written anywhere). Each
document is sent in chunks of whole sentences; the answer (structured output
against `llm_prompt.response_schema`) gives spans as text, which this module
passes on as text-anchored spans (`text` + the chunk as `context`, no offsets):
the harness grounds them and reports how many it could not find.

Requests run N at a time, transient failures (connection errors, timeouts, 429,
5xx) are retried with exponential back-off, a refusal (any other 4xx) fails
with the document named, and every answer is cached on disk under a key of
endpoint, model, prompt hash, sampling settings and chunk, so a rerun is
reproducible and sends nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from damascus_ie.core.io import atomic_write_text, dumps_canonical
from damascus_ie.core.paths import repo_root
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.sentences import sentence_spans
from damascus_ie.core.taxonomy import Taxonomy, load_taxonomy
from damascus_ie.leaderboard.extractors import llm_prompt
from damascus_ie.leaderboard.extractors.base import Prediction, entity_key

ResponseFormat = Literal["auto", "json_schema", "json_object", "none"]
ENV_PREFIX = "DAMASCUS_IE_LLM_"
TRANSIENT_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class LLMConfig:
    """How to reach the model and how to ask it; every field is also `--llm-<field>` and $DAMASCUS_IE_LLM_<FIELD>."""

    base_url: str = "http://127.0.0.1:8080/v1"
    model: str = "default"
    api_key_env: str = ""  # the NAME of the variable holding the key; empty: send no key (local servers)
    temperature: float = 0.0
    max_tokens: int = 512
    chunk_chars: int = 1000  # chunks are whole sentences up to this many characters (a longer sentence goes alone)
    concurrency: int = 4
    timeout: float = 300.0
    retries: int = 4
    backoff: float = 1.0  # seconds before the first retry; doubled each time
    response_format: ResponseFormat = "auto"  # auto: json_schema (OpenAI, vLLM), json_object+schema if refused (llama.cpp)
    cache_dir: str = ""  # empty: out/llm-cache in the checkout
    cache: bool = True

    def __post_init__(self) -> None:
        problems = []
        if self.response_format not in get_args(ResponseFormat):
            problems.append(f"response_format must be one of {', '.join(get_args(ResponseFormat))}")
        if self.concurrency < 1 or self.chunk_chars < 1 or self.max_tokens < 1 or self.retries < 0:
            problems.append("concurrency, chunk_chars and max_tokens must be >= 1, retries >= 0")
        if urllib.parse.urlsplit(self.base_url).scheme not in ("http", "https"):
            problems.append(f"base_url must be an http(s) URL, got {self.base_url!r}")
        if problems:
            raise InvalidInput([Problem("llm", None, None, None, p) for p in problems])

    @property
    def endpoint(self) -> str:
        """The chat-completions URL, with any user:password@ removed (it is recorded in settings and the cache)."""
        parts = urllib.parse.urlsplit(self.base_url.rstrip("/"))
        host = parts.hostname or ""
        return urllib.parse.urlunsplit(parts._replace(netloc=host + (f":{parts.port}" if parts.port else ""),
                                                      path=parts.path + "/chat/completions"))


def _coerce(name: str, raw: str) -> Any:
    kind = str({f.name: f.type for f in dataclasses.fields(LLMConfig)}[name])  # annotations are strings here
    try:
        if kind == "bool":
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes")
        return {"int": int, "float": float}.get(kind, str)(raw)
    except ValueError:
        raise InvalidInput([Problem("llm", None, None, name, f"expected {kind}, got {raw!r}")]) from None


def config_from(spec: str = "", options: Mapping[str, str | None] | None = None,
                environ: Mapping[str, str] | None = None) -> LLMConfig:
    """Settings from $DAMASCUS_IE_LLM_*, then the spec (`key=value,...`, or a bare model name), then `options` (CLI)."""
    environ = os.environ if environ is None else environ
    names = [f.name for f in dataclasses.fields(LLMConfig)]
    merged = {n: environ[ENV_PREFIX + n.upper()] for n in names if ENV_PREFIX + n.upper() in environ}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key, sep, value = item.partition("=")
        merged.update({key.strip().replace("-", "_"): value.strip()} if sep else {"model": item})
    merged.update({k: v for k, v in (options or {}).items() if v is not None})
    unknown = sorted(set(merged) - set(names))
    if unknown:
        raise InvalidInput([Problem("llm", None, None, k, f"unknown setting; known: {', '.join(names)}") for k in unknown])
    return LLMConfig(**{k: _coerce(k, str(v)) for k, v in merged.items()})


def chunk_spans(document: Mapping[str, Any], max_chars: int) -> list[tuple[int, int]]:
    """[start, end) of each chunk: consecutive whole sentences up to max_chars; boilerplate sentences are never sent."""
    boilerplate = [tuple(b) for b in document.get("boilerplate") or []]
    chunks: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for start, end in sentence_spans(document["text"]):
        if any(b_start <= start and end <= b_end for b_start, b_end in boilerplate):
            current = None  # a chunk never runs across boilerplate
            continue
        if current is not None and end - current[0] <= max_chars:
            current = chunks[-1] = (current[0], end)
        else:
            current = (start, end)
            chunks.append(current)
    return chunks


def salvage_json(content: str) -> Any:
    """The answer as JSON; a truncated one (max_tokens hit) is cut back to its last complete item and closed."""
    try:
        return json.loads(content)
    except json.JSONDecodeError:
        pass
    stack: list[str] = []
    cuts: list[tuple[int, str]] = []  # after each closed value: where to cut, and the closers still needed
    in_string = escaped = False
    for index, char in enumerate(content):
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            stack.append("]" if char == "[" else "}")
        elif char in "]}" and stack:
            stack.pop()
            cuts.append((index + 1, "".join(reversed(stack))))
    for cut, closers in reversed(cuts):
        try:
            return json.loads(content[:cut] + closers)
        except json.JSONDecodeError:
            continue
    return None


class _Refused(Exception):
    def __init__(self, status: int, detail: str, retry_after: str | None = None) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status, self.detail = status, detail
        try:
            self.retry_after: float | None = min(float(retry_after), MAX_RETRY_AFTER) if retry_after else None
        except ValueError:  # an HTTP date: fall back to our own back-off
            self.retry_after = None


@dataclass
class LLMExtractor:
    """Text-anchored predictions from a chat model; `settings` says how they were made and whether they were cached."""

    config: LLMConfig = field(default_factory=LLMConfig)
    taxonomy: Taxonomy = field(default_factory=load_taxonomy)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    tuned_on_test_texts: bool = field(default=False, init=False)  # prompt from the taxonomy and guidelines, example invented

    def __post_init__(self) -> None:
        self.name = f"llm:{self.config.model}"
        self.prompt_sha256 = llm_prompt.prompt_hash(self.taxonomy)
        self._format = "json_schema" if self.config.response_format == "auto" else self.config.response_format
        self._lock = threading.Lock()
        self.counts = dict.fromkeys(("requests", "cached_responses", "retries", "unparsable_responses",
                                     "truncated_responses", "prompt_tokens", "completion_tokens", "dropped_items"), 0)
        self.request_seconds = 0.0

    @property
    def settings(self) -> dict[str, Any]:
        c = self.config
        answered = self.counts["requests"] + self.counts["cached_responses"]
        cached = self.counts["cached_responses"]
        from_cache = "none" if cached == 0 else "all" if cached == answered else "some"
        return {"endpoint": c.endpoint, "model": c.model, "api_key_env": c.api_key_env or None,
                "temperature": c.temperature, "max_tokens": c.max_tokens, "chunk_chars": c.chunk_chars,
                "concurrency": c.concurrency, "timeout_s": c.timeout, "retries": c.retries,
                "response_format": self._format, "prompt_sha256": self.prompt_sha256,
                "responses_from_cache": from_cache, **self.counts}

    # --- one document -------------------------------------------------------------------------------------------
    def extract(self, document: dict[str, Any]) -> Prediction:
        from concurrent.futures import ThreadPoolExecutor

        text = document["text"]
        chunks = [text[s:e] for s, e in chunk_spans(document, self.config.chunk_chars)]
        with ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            answers = list(pool.map(lambda chunk: self._answer(document["id"], chunk), chunks))
        record: Prediction = {"id": document["id"], "mentions": [], "events": [], "attributions": []}
        for chunk, answer in zip(chunks, answers, strict=True):
            self._add_answer(record, chunk, answer)
        return record

    def _answer(self, doc_id: str, chunk: str) -> Any:
        """The parsed answer for one chunk, from the cache or the server; None when it is not JSON at all."""
        request = {"endpoint": self.config.endpoint, "model": self.config.model, "prompt_sha256": self.prompt_sha256,
                   "temperature": self.config.temperature, "max_tokens": self.config.max_tokens,
                   "response_format": self.config.response_format, "chunk": chunk}
        key = hashlib.sha256(dumps_canonical(request).encode()).hexdigest()
        path = self._cache_dir() / key[:2] / f"{key}.json"
        response = self._cached(path)
        if response is not None:
            self._count(cached_responses=1)
            if self.config.response_format == "auto" and response.get("response_format") in get_args(ResponseFormat):
                self._format = response["response_format"]  # the form that was used when it was asked
        else:
            started = time.perf_counter()
            response = self._post(doc_id, chunk)
            with self._lock:
                self.request_seconds += time.perf_counter() - started
            self._count(requests=1)
            if self.config.cache:
                atomic_write_text(path, json.dumps({"key": key, "request": request, "response": response},
                                                   ensure_ascii=False, indent=1))
        usage = response.get("usage") or {}
        self._count(prompt_tokens=int(usage.get("prompt_tokens") or 0),
                    completion_tokens=int(usage.get("completion_tokens") or 0),
                    truncated_responses=int(response.get("finish_reason") == "length"))
        answer = salvage_json(response.get("content") or "")
        if not isinstance(answer, dict):
            self._count(unparsable_responses=1)
            return None
        return answer

    def _cached(self, path: Path) -> dict[str, Any] | None:
        """A cached response, or None (caching off, no entry, or an entry that is not readable: it is asked again)."""
        if not self.config.cache or not path.exists():
            return None
        try:
            response = json.loads(path.read_text(encoding="utf-8"))["response"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return response if isinstance(response, dict) else None

    def _cache_dir(self) -> Path:
        return Path(self.config.cache_dir) if self.config.cache_dir else repo_root() / "out" / "llm-cache"

    def _count(self, **increments: int) -> None:
        with self._lock:
            for name, value in increments.items():
                self.counts[name] += value

    # --- HTTP ---------------------------------------------------------------------------------------------------
    def _body(self, chunk: str) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.config.model, "temperature": self.config.temperature,
                                "max_tokens": self.config.max_tokens,
                                "messages": llm_prompt.messages(self.taxonomy, chunk)}
        schema = llm_prompt.response_schema(self.taxonomy)
        if self._format == "json_schema":
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "damascus_ie_extraction", "schema": schema}}
        elif self._format == "json_object":
            body["response_format"] = {"type": "json_object", "schema": schema}
        return body

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config.api_key_env:
            key = os.environ.get(self.config.api_key_env)
            if not key:
                raise _fail(None, f"environment variable {self.config.api_key_env} (api_key_env) is not set")
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _redact(self, message: str) -> str:
        key = os.environ.get(self.config.api_key_env) if self.config.api_key_env else None
        return message.replace(key, "***") if key else message

    def _post(self, doc_id: str, chunk: str) -> dict[str, Any]:
        """One chat completion with retries: {"content", "finish_reason", "usage"}; InvalidInput if refused or unreachable."""
        import http.client
        import urllib.error
        last = ""
        attempt = 0
        while True:
            requested_format = self._format
            try:
                return {**self._post_once(self._body(chunk)), "response_format": requested_format}
            except _Refused as refused:
                last = str(refused)
                if self._fall_back(requested_format, refused):
                    continue  # another structured-output form, not a retry
                if refused.status not in TRANSIENT_STATUS:
                    raise _fail(doc_id, f"{self.config.endpoint} refused the request: {self._redact(last)}") from None
                delay = refused.retry_after if refused.retry_after is not None else self.config.backoff * 2 ** attempt
            except (urllib.error.URLError, http.client.HTTPException, OSError) as error:  # refused, reset, timed out
                last = f"{type(error).__name__}: {getattr(error, 'reason', error)}"
                delay = self.config.backoff * 2 ** attempt
            if attempt >= self.config.retries:
                raise _fail(doc_id, f"no answer from {self.config.endpoint} after {attempt + 1} attempt(s): "
                                    f"{self._redact(last)}")
            attempt += 1
            self._count(retries=1)
            self.sleep(delay)

    def _post_once(self, body: dict[str, Any]) -> dict[str, Any]:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.config.endpoint, json.dumps(body).encode(), self._headers(), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as reply:
                payload = json.loads(reply.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise _Refused(error.code, " ".join(detail.split())[:400], error.headers.get("Retry-After")) from None
        except json.JSONDecodeError as error:
            raise _Refused(502, f"reply is not JSON: {error}") from None
        try:
            choice = payload["choices"][0]
            return {"content": choice["message"]["content"], "finish_reason": choice.get("finish_reason"),
                    "usage": payload.get("usage") or {}}
        except (KeyError, IndexError, TypeError):
            raise _Refused(502, f"reply has no choices[0].message.content: {str(payload)[:200]}") from None

    def _fall_back(self, requested: str, refused: _Refused) -> bool:
        """auto: a server that rejects one structured-output form gets the other one, once (the switch sticks)."""
        if self.config.response_format != "auto" or "response_format" not in refused.detail:
            return False
        with self._lock:
            if self._format == requested == "json_schema":
                self._format = "json_object"
            return self._format != requested

    # --- answer -> text-anchored record ------------------------------------------------------------------------
    def _add_answer(self, record: Prediction, chunk: str, answer: Any) -> None:
        """Appends one chunk's answer: each span as text + context (the chunk), references resolved within the chunk."""
        if answer is None:
            return
        tax = self.taxonomy
        local: dict[str, str] = {}  # mention text -> id, this chunk only (arguments and sources point into it)

        def span(value: Any) -> dict[str, str] | None:
            return {"text": value.strip(), "context": chunk} if isinstance(value, str) and value.strip() else None

        def refer(value: Any) -> str | None:
            if not isinstance(value, str):
                return None
            return local.get(value.strip()) or local.get(value.strip().casefold())

        seen: set[str] = set()
        for item in _items(answer, "mentions"):
            anchor, kind = span(item.get("text")), item.get("type")
            if anchor is None or kind not in tax.entity_types or not _first(seen, item):
                self._count(dropped_items=1)
                continue
            level = item.get("level") if item.get("level") in tax.mention_levels else None
            mention_id = f"m{len(record['mentions']) + 1}"
            record["mentions"].append({"id": mention_id, **anchor, "type": kind, "level": level,
                                       "entity": None if kind == "TIME" else entity_key(kind, anchor["text"])})
            local.setdefault(anchor["text"], mention_id)
            local.setdefault(anchor["text"].casefold(), mention_id)
        for item in _items(answer, "events"):
            trigger, kind = span(item.get("trigger")), item.get("type")
            if trigger is None or kind not in tax.event_roles or not _first(seen, item):
                self._count(dropped_items=1)
                continue
            arguments = [{"role": a.get("role"), "mention": refer(a.get("text"))} for a in _items(item, "arguments")]
            kept = [a for a in arguments if a["role"] in tax.event_roles[kind] and a["mention"]]
            self._count(dropped_items=len(arguments) - len(kept))
            record["events"].append({"id": f"v{len(record['events']) + 1}", "type": kind, "trigger": trigger,
                                     "arguments": list({(a["role"], a["mention"]): a for a in kept}.values())})
        for item in _items(answer, "attributions"):
            cue = span(item.get("cue"))
            content = [s for s in map(span, item.get("content") or []) if s is not None]
            if cue is None or not content or not _first(seen, item):
                self._count(dropped_items=1)
                continue
            kind = item.get("type") if item.get("type") in tax.attribution_types else None
            record["attributions"].append({"id": f"a{len(record['attributions']) + 1}", "type": kind, "cue": cue,
                                           "source": refer(item.get("source")), "content": content,
                                           "addressee": None, "parent": None})


def _items(container: Any, key: str) -> list[dict[str, Any]]:
    values = container.get(key) if isinstance(container, dict) else None
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


def _first(seen: set[str], item: dict[str, Any]) -> bool:
    """False for an item given twice in one answer (small models loop); True the first time."""
    key = dumps_canonical(item)
    if key in seen:
        return False
    seen.add(key)
    return True


def _fail(document: str | None, reason: str) -> InvalidInput:
    return InvalidInput([Problem("llm", document, None, None, reason)])


def add_cli_options(parser: argparse.ArgumentParser) -> None:
    """`--llm-<field>` for every LLMConfig field (default: unset, so the spec and $DAMASCUS_IE_LLM_* apply)."""
    group = parser.add_argument_group("llm extractor", "settings of the `llm` extractor (also $DAMASCUS_IE_LLM_<FIELD>)")
    for option in dataclasses.fields(LLMConfig):
        group.add_argument(f"--llm-{option.name.replace('_', '-')}", dest=f"llm_{option.name}", metavar=option.type.upper(),
                           help=f"default {option.default!r}")


def cli_options(args: argparse.Namespace) -> dict[str, str | None]:
    return {option.name: getattr(args, f"llm_{option.name}", None) for option in dataclasses.fields(LLMConfig)}


def from_spec(spec: str = "", options: Mapping[str, str | None] | None = None) -> LLMExtractor:
    """The extractor for `llm` or `llm:<model>` / `llm:key=value,...`, with CLI `options` on top."""
    return LLMExtractor(config_from(spec, options))
