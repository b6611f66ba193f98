"""One real Label Studio server for the whole test session, started from a migrated template and killed at the end.

The template (a migrated database) is cached in pytest's cache dir per Label
Studio install, so only the first run on a machine pays the migrations. Every
server PID is recorded; the session fails if any of their process groups
survives.
"""

from __future__ import annotations

import hashlib
import http.cookiejar
import json
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from label_studio_sdk import LabelStudio

from damascus_ie.core.io import load_gold
from damascus_ie.labelstudio import server as ls_server_module
from damascus_ie.labelstudio.server import Credentials, Server, label_studio_bin, migrate_template, start_server

from ..conftest import copy_checkout, locate, mention

CREDENTIALS = Credentials("admin@example.com", "test-password-1", "damascus-ie-test-token")  # local throwaway server
STARTED_PIDS: list[int] = []
SEED_000 = "000_245b1950fae37238"


def group_alive(pgid: int) -> bool:
    """Whether any process of this group still runs (zombies awaiting their reaper do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _recording_popen(original: type) -> type:
    class Recording(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            STARTED_PIDS.append(self.pid)
    return Recording


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    survivors = [pid for pid in STARTED_PIDS if group_alive(pid)]
    if survivors:
        print(f"\nLabel Studio process group(s) still running after the tests: {survivors}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _template_key() -> str:
    binary = label_studio_bin().resolve()
    dist = sorted(binary.parent.parent.glob("lib/python*/site-packages/label_studio-*.dist-info"))
    return "-".join([dist[-1].name if dist else "unknown", hashlib.sha256(str(binary).encode()).hexdigest()[:12]])


@pytest.fixture(scope="session")
def ls_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    mp = pytest.MonkeyPatch()
    mp.setattr(ls_server_module.subprocess, "Popen", _recording_popen(ls_server_module.subprocess.Popen))
    try:
        cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider: migrate into tmp
        templates = Path(cache.mkdir("labelstudio-template")) if cache else tmp_path_factory.mktemp("ls-template")
        template = migrate_template(templates / _template_key(), CREDENTIALS)
        server = start_server(tmp_path_factory.mktemp("ls-data"), CREDENTIALS, template=template)
    finally:
        mp.undo()
    try:
        yield server
    finally:
        server.stop()
        assert not group_alive(server.pid), f"Label Studio process group {server.pid} survived stop()"


@pytest.fixture
def ls(ls_server: Server) -> LabelStudio:
    return LabelStudio(base_url=ls_server.url, api_key=CREDENTIALS.token)


@pytest.fixture
def title() -> str:
    """A fresh project per test, so tests share the server but not its state."""
    return f"test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def ls_env(ls_server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", CREDENTIALS.token)


@pytest.fixture
def repo_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The inputs and dataset in tmp_path: commands act on it through DAMASCUS_IE_ROOT, never on the checkout."""
    root = copy_checkout(tmp_path / "repo")
    monkeypatch.setenv("DAMASCUS_IE_ROOT", str(root))
    return root


class Session:
    """A person in the web app as a browser is (session cookie and CSRF token), for what an API token cannot show:
    who saved an annotation, signing up through an invite link, whether a login survives a restart."""

    def __init__(self, url: str):
        self.url, self.jar = url, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def _form(self, path: str, fields: dict[str, str]) -> None:
        self.opener.open(f"{self.url}{path}", timeout=30).read()  # the page sets the CSRF cookie
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.cookie("csrftoken") or ""}).encode()
        self.opener.open(urllib.request.Request(f"{self.url}{path}", data=body, headers={"Referer": f"{self.url}{path}"}),
                         timeout=30).read()

    def login(self, email: str, password: str) -> Session:
        self._form("/user/login/", {"email": email, "password": password, "persist_session": "on"})
        return self

    def signup(self, invite_url: str, email: str, password: str) -> Session:
        self._form(invite_url, {"email": email, "password": password})
        return self

    def api(self, method: str, path: str, body: object | None = None) -> object:
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(), headers={
                                             "Content-Type": "application/json", "X-CSRFToken": self.cookie("csrftoken") or "",
                                             "Referer": f"{self.url}/"})
        with self.opener.open(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def whoami(self) -> dict:
        return self.api("GET", "/api/current-user/whoami")  # type: ignore[return-value]


def add_person(ls: LabelStudio, url: str, handle: str, first: str, last: str) -> tuple[int, Session]:
    """A second annotator the way CONTRIBUTING.md says: signup through the admin's invite link (open signup is off),
    then First and Last name set under Account & Settings (here through the same API that page calls)."""
    invite = Session(url).login(CREDENTIALS.username, CREDENTIALS.password).api("GET", "/api/invite")
    person = Session(url).signup(invite["invite_url"], f"{handle}@example.com", "annotator-pw-1")  # type: ignore[index]
    me = person.whoami()
    person.api("PATCH", f"/api/users/{me['id']}/", {"first_name": first, "last_name": last})
    return int(me["id"]), person


def event(text: str, vid: str, trigger: str, kind: str, arguments: list[tuple[str, str]], identity: str) -> dict:
    return {"id": vid, "type": kind, "trigger": locate(text, trigger), "arguments": [
        {"role": r, "mention": m} for r, m in arguments], "polarity": "POSITIVE", "modality": "ASSERTED",
        "tense": "PAST", "genericity": "SPECIFIC", "event": identity}


def attribution(text: str, aid: str, kind: str, cue: str, source: str | None, content: list[str],
                addressee: str | None, parent: str | None, statement: str) -> dict:
    return {"id": aid, "type": kind, "cue": locate(text, cue), "source": source,
            "content": [locate(text, c) for c in content], "addressee": addressee, "parent": parent,
            "statement": statement}


EMOJI_TEXT = ("😀 Syrian rebels entered Damascus on Sunday, a source told CNN.\n"
              "“The regime has fallen,” the rebels said, AFP reported. It is said the army “has gone”.")


@pytest.fixture
def emoji_document() -> dict:
    """Every layer and every link kind, after an emoji (two UTF-16 units, one code point) and a line break."""
    t = EMOJI_TEXT
    return {"id": "fixture_emoji", "text": t, "boilerplate": [], "mentions": [
        mention(t, "m1", "Syrian", "NORP", "NAM", "syria"), mention(t, "m2", "Syrian rebels", "ORG", "NOM", "rebels"),
        mention(t, "m3", "Damascus", "GPE", "NAM", "damascus"),
        mention(t, "m4", "Sunday", "TIME", "NAM", None, value="2024-12-08"),
        mention(t, "m5", "a source", "PER", "NOM", "source-1"), mention(t, "m6", "CNN", "ORG", "NAM", "cnn"),
        mention(t, "m7", "the rebels", "ORG", "NOM", "rebels"), mention(t, "m8", "AFP", "ORG", "NAM", "afp"),
        mention(t, "m9", "the army", "ORG", "NOM", "syrian-army")],
        "events": [event(t, "v1", "entered", "Movement:Transport",
                         [("Artifact", "m2"), ("Destination", "m3"), ("Time", "m4")], "rebels-enter-damascus")],
        "attributions": [
            attribution(t, "a1", "INDIRECT", "told", "m5", ["Syrian rebels entered Damascus on Sunday"], "m6", None,
                        "rebels-entered"),
            attribution(t, "a2", "DIRECT", "said", "m7", ["The regime has fallen"], None, "a3", "regime-fallen"),
            attribution(t, "a3", "MIXED", "reported", "m8", ["“The regime has fallen,” the rebels said"], None, None,
                        "afp-report"),
            attribution(t, "a4", "MIXED", "It is said", None, ["the army “has gone”"], None, None, "army-gone")]}


@pytest.fixture
def seed_document(repo_root: Path) -> dict:
    """A small, fully labelled document on the real text of seed 000 (the gold may still be empty)."""
    gold = {doc["id"]: doc for doc in load_gold(repo_root)[1]}[SEED_000]
    t = gold["text"]
    return {"id": SEED_000, "text": t, "boilerplate": gold["boilerplate"], "mentions": [
        mention(t, "m1", "Syrian", "NORP", "NAM", "syria"),
        mention(t, "m2", "Syrian rebel forces", "ORG", "NOM", "rebels"),
        mention(t, "m3", "Damascus", "GPE", "NAM", "damascus"), mention(t, "m4", "Homs", "GPE", "NAM", "homs"),
        mention(t, "m5", "Aleppo", "GPE", "NAM", "aleppo"), mention(t, "m6", "Bashar Assad", "PER", "NAM", "assad"),
        mention(t, "m7", "a source", "PER", "NOM", "source-familiar"), mention(t, "m8", "CNN", "ORG", "NAM", "cnn")],
        "events": [event(t, "v1", "reached", "Movement:Transport", [("Artifact", "m2"), ("Destination", "m3")],
                         "rebels-reach-damascus")],
        "attributions": [attribution(t, "a1", "DIRECT", "told", "m7", ["Militarily, Damascus has fallen"], "m8", None,
                                     "damascus-has-fallen")]}
