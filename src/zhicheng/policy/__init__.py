"""The ground floor: the notice as rules-as-code. Imports nothing from Django or the apps above it."""

from zhicheng.policy.engine import evaluate
from zhicheng.policy.facts import Facts, FactsError, load_facts
from zhicheng.policy.pack import Pack, PackError, load_pack, pack_for_year

__all__ = [
    "Facts",
    "FactsError",
    "Pack",
    "PackError",
    "evaluate",
    "load_facts",
    "load_pack",
    "pack_for_year",
]
