"""One module per part of the notice; importing this package registers every condition."""

from zhicheng.policy.conditions import (
    academic,
    achievements,
    assessment,
    education,
    green_channels,
    integrity,
    recognition,
    scope,
    seniority,
    transfer,
)

__all__ = [
    "academic",
    "achievements",
    "assessment",
    "education",
    "green_channels",
    "integrity",
    "recognition",
    "scope",
    "seniority",
    "transfer",
]
