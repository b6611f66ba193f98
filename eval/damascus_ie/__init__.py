"""Damascus-IE: gold entities, events and attributions for two news articles, and the harness that scores extractors."""

from typing import Any


def __getattr__(name: str) -> Any:  # lazy, so `damascus-ie --help` and light imports skip numpy/scipy
    if name == "score":
        from damascus_ie.harness.scoring import score

        return score
    if name == "__version__":  # importlib.metadata alone costs ~60 ms of start-up
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("damascus-ie")
        except PackageNotFoundError:  # running from a checkout without install
            return "0.0.0"
    if name == "ner_predictions":
        from damascus_ie.harness.iob import ner_predictions

        return ner_predictions
    raise AttributeError(f"module 'damascus_ie' has no attribute {name!r}")
