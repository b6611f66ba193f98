"""The connection to a Label Studio server, from the environment only.

URL and API key come from LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY and live in
memory: nothing here writes them to a file or a log, and errors name the
variable, never its value.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.labelstudio.convert import Annotator, chosen_name

if TYPE_CHECKING:  # the SDK takes over a second to import: only a command that talks to the server pays it
    from label_studio_sdk import LabelStudio

URL_VAR, KEY_VAR = "LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"
DEFAULT_TITLE = "Damascus-IE"


def correction_title(extractor: str) -> str:
    """Correction tasks get a project of their own, where Label Studio pre-fills from that extractor."""
    return f"{DEFAULT_TITLE} correction {extractor}"


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


def project_settings(model_version: str) -> dict[str, Any]:
    """Settings every pushed project gets: new annotations start from this push's pre-annotations, and each task
    stays in the labeling stream until two people have annotated it, so a second annotator gets a fresh copy of the
    pre-annotations instead of opening (and overwriting) the first one's annotation."""
    return {"model_version": model_version, "show_collab_predictions": True, "maximum_annotations": 2,
            "enable_empty_annotation": False}


def ensure_project(ls: LabelStudio, title: str, label_config: str, model_version: str) -> tuple[int, bool]:
    """The project titled `title` with this config and the settings above: (id, created). Outdated ones are replaced."""
    project = find_project(ls, title)
    settings = project_settings(model_version)
    if project is None:
        created = ls.projects.create(title=title, label_config=label_config, **settings)
        assert created.id is not None, "Label Studio returns the id of a project it created"
        return created.id, True
    stale = {key: value for key, value in settings.items() if getattr(project, key, None) != value}
    if project.label_config != label_config:
        stale["label_config"] = label_config
    if stale:
        ls.projects.update(id=project.id, **stale)
    return project.id, False


def export_tasks(ls: LabelStudio, project_id: int) -> list[dict[str, Any]]:
    """All tasks with their annotations, as Label Studio's JSON export gives them."""
    return list(ls.projects.exports.as_json(project_id))


def annotator_names(ls: LabelStudio) -> dict[int, Annotator]:
    """User id -> who they are, so problems and the CHANGELOG name people, not numbers."""
    return {user.id: Annotator(chosen_name(user.first_name, user.last_name),
                               user.email or user.username or f"user-{user.id}") for user in ls.users.list()}
