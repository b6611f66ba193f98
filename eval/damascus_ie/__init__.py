"""Damascus-IE: gold entities, events and attributions for two news articles, and the harness that scores extractors."""

from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("damascus-ie")
except PackageNotFoundError:  # running from a checkout without install
    __version__ = "0.0.0"


def __getattr__(name: str) -> Any:  # lazy, so `damascus-ie --help` and light imports skip numpy/scipy
    if name == "score":
        from damascus_ie.harness.scoring import score

        return score
    raise AttributeError(f"module 'damascus_ie' has no attribute {name!r}")
