"""One hash of everything the engine answers for seeded synthetic profiles: the same before and after a change made
for speed, or the change changed an answer.

For each profile of bench_engine's generator (the same seed, the same profiles): the facts as validated, and the
decision in full (every level, path and finding with all its fields, the parameters read, the warnings), walked
field by field and serialised deterministically; beside it, one profile in ten made bad in one of many ways and what
the facts model answers (the problems it names, or the facts and decision if it accepts). Two hashes are printed:
compare them between two versions of the sources (e.g. ``PYTHONPATH=<other checkout>/src``).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as dt
import hashlib
import json
import random
from typing import Any

from pydantic import BaseModel

from bench_engine import synthetic_profile
from zhicheng.policy.engine import evaluate
from zhicheng.policy.facts import FactsError, load_facts
from zhicheng.policy.pack import load_pack

# (section or None for the top, key, bad value): each a way a profile can be refused, or just accepted differently.
MUTATIONS: list[tuple[str | None, str, Any]] = [
    ("identity", "id_number", "142201198805121234"),
    ("identity", "id_number", "12345"),
    ("identity", "sex", "female"),
    ("identity", "birth_date", "1999-01-01"),
    ("identity", "name", "王" * 60),
    ("employment", "sector", "government"),
    ("employment", "front_line_since", 20190101),
    ("employment", "front_line_since", "2019-13-01"),
    ("employment", "front_line_since", "1800-01-01"),
    ("employment", "remote_area_years", True),
    ("employment", "remote_area_years", -1),
    ("employment", "unknown_key", 1),
    ("specialty", "category", 0),
    ("specialty", "name", "  "),
    ("specialty", "category", "x"),
    (None, "annual_assessments", {"1900": "qualified"}),
    (None, "annual_assessments", {"2020": "good"}),
    (None, "education", [{"level": "phd"}]),
    (None, "education", [{}] * 101),
    (None, "papers", [{"journal_issn": "1234-5678"}]),
    (None, "papers", [{"author_position": 4, "author_count": 3}]),
    (None, "papers", [{"journal_cn": "CN 11"}]),
    (None, "books", [{"isbn": "978-7-111-11111-1"}]),
    (None, "achievements", [{"clause": "3.5.9.9"}]),
    (None, "sought", {"path": "nope"}),
    (None, "sought", {"level": "technician", "path": "engineer_bachelor"}),
    (None, "retirement", {"category": "female55"}),
    (None, "continuing_education", {"2021": {"public": True}}),
    (None, "integrity_records", [{"ban_years": 4}]),
    (None, "probation_completed_on", " 2020-01-01 "),
    (None, "professional_work_started_on", None),
    (None, "titles", None),
    (None, "education", None),
    (None, "annual_assessments", None),
]


def walk(value: Any) -> Any:
    """A value as plain JSON data, every field named and every type kept (a tuple is not a list, 1 is not 1.0)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: walk(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__dataclass__": type(value).__name__, **fields}
    if isinstance(value, BaseModel):
        return {"__model__": type(value).__name__, "fields": walk(value.model_dump(mode="python"))}
    if isinstance(value, dict):
        return {"__dict__": [[walk(k), walk(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple):
        return [type(value).__name__, [walk(x) for x in value]]
    if isinstance(value, set | frozenset):
        return ["set", sorted(json.dumps(walk(x), sort_keys=True) for x in value)]
    if isinstance(value, dt.date):
        return [type(value).__name__, value.isoformat()]
    if value is None or isinstance(value, str | int | float | bool):
        return [type(value).__name__, value]
    raise TypeError(f"no digest for {type(value).__name__}")


def _dump(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args()

    pack = load_pack()
    rng = random.Random(args.seed)
    bad_rng = random.Random(args.seed + 1)
    decisions, refusals = hashlib.sha256(), hashlib.sha256()
    refused = 0
    for i in range(args.profiles):
        profile = synthetic_profile(rng)
        facts = load_facts(json.loads(json.dumps(profile, ensure_ascii=False)), pack)
        decision = evaluate(facts, pack)
        decisions.update(_dump([walk(facts), walk(decision), decision.to_dict()]))
        if i % 10:
            continue
        section, key, bad = MUTATIONS[bad_rng.randrange(len(MUTATIONS))]
        changed = copy.deepcopy(profile)
        (changed[section] if section else changed)[key] = bad
        try:
            accepted = load_facts(json.loads(json.dumps(changed, ensure_ascii=False)), pack)
            answer = ["accepted", walk(accepted), walk(evaluate(accepted, pack))]
        except FactsError as exc:
            refused += 1
            answer = ["refused", exc.problems, str(exc)]
        refusals.update(_dump([key, answer]))
    print(f"profiles: {args.profiles:,} (seed {args.seed}); pack {pack.id} {pack.version}")
    print(f"decisions {decisions.hexdigest()}")
    print(f"bad input {refusals.hexdigest()} ({refused:,} of {(args.profiles + 9) // 10:,} refused)")


if __name__ == "__main__":
    main()
