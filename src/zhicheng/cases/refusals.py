"""The refusal every service raises: an action that may not happen, with the reasons for the clerk in Chinese."""

from __future__ import annotations


class ActionRefused(Exception):
    """An action that may not happen; ``reasons`` are for the clerk, in Chinese."""

    def __init__(self, *reasons: str) -> None:
        self.reasons = list(reasons)
        super().__init__("；".join(reasons))
