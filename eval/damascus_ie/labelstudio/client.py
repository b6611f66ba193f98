"""The connection to a Label Studio server, from the environment only.

URL and API key come from LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY and live in
memory: nothing here writes them to a file or a log, and errors name the
variable, never its value.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from damascus_ie.core.problems import InvalidInput, Problem

if TYPE_CHECKING:  # the SDK takes over a second to import: only a command that talks to the server pays it
    from label_studio_sdk import LabelStudio

URL_VAR, KEY_VAR = "LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"
DEFAULT_TITLE = "Damascus-IE"


def connect(url: str | None = None, api_key: str | None = None) -> LabelStudio:
    url, api_key = url or os.environ.get(URL_VAR), api_key or os.environ.get(KEY_VAR)
    missing = [name for name, value in ((URL_VAR, url), (KEY_VAR, api_key)) if not value]
    if missing:
        raise InvalidInput([Problem("environment", None, None, name, "not set: export it before running "
                                    "(`damascus-ie labelstudio serve` prints both)") for name in missing])
    from label_studio_sdk import LabelStudio

    return LabelStudio(base_url=str(url).rstrip("/"), api_key=str(api_key))


def find_project(ls: LabelStudio, title: str) -> Any | None:
    return next((p for p in ls.projects.list() if p.title == title), None)  # type: ignore[var-annotated]


def ensure_project(ls: LabelStudio, title: str, label_config: str) -> tuple[int, bool]:
    """The project titled `title` with this config: (id, created). An outdated config is replaced."""
    project = find_project(ls, title)
    if project is None:
        created = ls.projects.create(title=title, label_config=label_config)
        assert created.id is not None, "Label Studio returns the id of a project it created"
        return created.id, True
    if project.label_config != label_config:
        ls.projects.update(id=project.id, label_config=label_config)
    return project.id, False


def export_tasks(ls: LabelStudio, project_id: int) -> list[dict[str, Any]]:
    """All tasks with their annotations, as Label Studio's JSON export gives them."""
    return list(ls.projects.exports.as_json(project_id))


def annotator_names(ls: LabelStudio) -> dict[int, str]:
    """User id -> e-mail (or user name), so problems and passes name people, not numbers."""
    return {user.id: user.email or user.username or f"user-{user.id}" for user in ls.users.list()}
