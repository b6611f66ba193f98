"""The `llm` extractor against a real OpenAI-compatible server: llama-cpp-python serving SmolLM2-135M on 127.0.0.1.

The server comes from $LLM_SERVER_PYTHON (`make test` points it at .venv-llm)
and requires an API key made up for this run, so the test proves the key is
sent, and then that it is in no file the run wrote. Both test documents go
through `damascus-ie benchmark`; the second run, with the server stopped, must
come entirely from the cache and score the same.
"""

from __future__ import annotations

import csv
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from damascus_ie.cli import main
from damascus_ie.core.processes import group_exists
from damascus_ie.harness.grounding import OUTCOMES
from damascus_ie.harness.predictions import load_predictions
from damascus_ie.leaderboard.benchmark import load_test_documents, slug
from damascus_ie.leaderboard.llm_server import LLMServer, start_llm_server

pytestmark = pytest.mark.llm
KEY_VAR = "DAMASCUS_IE_TEST_LLM_KEY"


@pytest.fixture(scope="module")
def api_key() -> str:
    return f"sk-local-{secrets.token_hex(16)}"


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory, api_key: str) -> Iterator[LLMServer]:
    server = start_llm_server(tmp_path_factory.mktemp("llm-server"), api_key=api_key)
    try:
        yield server
    finally:
        server.stop()
        assert not group_exists(server.pid), f"LLM server process group {server.pid} survived stop()"


def benchmark(server: LLMServer, cache: Path, output: Path) -> dict:
    code = main(["benchmark", "--extractors", "llm", "--no-progress", "--output", str(output),
                 "--llm-base-url", server.base_url, "--llm-model", server.model, "--llm-api-key-env", KEY_VAR,
                 "--llm-cache-dir", str(cache), "--llm-concurrency", "2"])
    assert code == 0
    return json.loads((output / "reports" / f"{slug('llm:' + server.model)}.json").read_text(encoding="utf-8"))


def test_both_documents_through_the_real_server(llm_server: LLMServer, api_key: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_VAR, api_key)
    cache = tmp_path / "cache"
    first = benchmark(llm_server, cache, tmp_path / "first")

    settings = first["settings"]
    assert settings["model"] == llm_server.model and settings["temperature"] == 0.0
    assert settings["responses_from_cache"] == "none" and settings["requests"] > 0
    assert settings["response_format"] == "json_object"  # llama-cpp-python refuses json_schema; auto fell back
    assert settings["unparsable_responses"] == 0  # grammar-constrained output is JSON

    # grounding outcomes are reported for every layer the model answered, and the small model does hallucinate
    grounding = first["grounding"]
    assert grounding["entities"]["text_anchored"] > 0
    for layer in grounding.values():
        assert sum(layer["counts"][o] for o in OUTCOMES) == layer["text_anchored"]
    assert sum(layer["counts"]["ungrounded"] for layer in grounding.values()) > 0

    with (tmp_path / "first" / "leaderboard.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["extractor"] for row in rows] == [f"llm:{llm_server.model}"]
    assert int(rows[0]["ungrounded"]) > 0 and rows[0]["tuned on test texts"] == "no"

    # a rerun sends nothing: the server is gone, every answer comes from the cache, the scores are the same
    llm_server.stop()
    again = benchmark(llm_server, cache, tmp_path / "again")
    assert again["settings"]["responses_from_cache"] == "all" and again["settings"]["requests"] == 0
    assert again["headline"] == first["headline"] and again["grounding"] == first["grounding"]

    # the records validate as the harness loads them (text-anchored spans grounded, no errors)
    predictions = tmp_path / "predictions.jsonl"
    assert main(["extract", "llm", "--output", str(predictions), "--llm-base-url", llm_server.base_url,
                 "--llm-model", llm_server.model, "--llm-cache-dir", str(cache), "--llm-api-key-env", KEY_VAR]) == 0
    loaded = load_predictions(predictions, load_test_documents()[1])
    assert loaded.skipped == 0 and not loaded.missing

    written = [path for path in tmp_path.rglob("*") if path.is_file()] + [llm_server.log]
    assert len(written) > 10
    assert [path for path in written if api_key.encode() in path.read_bytes()] == []
