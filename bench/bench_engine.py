"""Benchmark of the eligibility engine against the cost of parsing the same profiles (the floor).

(a) one decision with its full findings: median time, beside the median time to parse and validate one profile;
(b) screening N profiles (default 100,000) on one core: profiles per second, beside parsing alone.
Profiles are synthetic, made from a seeded random generator, and read as JSON text, as a batch screen would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
from typing import Any

from stdnum.cn import ric

from zhicheng.policy.engine import evaluate
from zhicheng.policy.facts import load_facts
from zhicheng.policy.pack import load_pack

LEVELS = ["secondary", "college", "bachelor", "bachelor", "master", "doctorate"]
SECTORS = ["state_owned_enterprise", "public_institution", "non_public_enterprise", "social_organization"]
SPECIALTIES = [
    (1, "土木工程"),
    (4, "机械制造"),
    (5, "化学工程"),
    (14, "水利水电工程施工"),
    (18, "采矿工程"),
    (21, "终端与业务"),
]
ROLES = ["项目负责人", "技术负责人", "施工员", "资料员", None]


def _date(rng: random.Random, first: int, last: int) -> str:
    """A day from the first year to the last, never after the 2023 reference date (drafts hold what they have)."""
    end = min(dt.date(last, 12, 31), dt.date(2023, 10, 16))
    start = min(dt.date(first, 1, 1), end)
    return (start + dt.timedelta(days=rng.randrange((end - start).days + 1))).isoformat()


COUNTIES = ["忻府区", "原平市", "定襄县", "五台县", "代县", "繁峙县", "宁武县", "静乐县", "神池县", "五寨县"]


def _id_number(rng: random.Random, birth: str, sex: str) -> str:
    """A valid 居民身份证 number for a Xinzhou birth: the region code in force in the birth year."""
    year = int(birth[:4])
    region = "142221" if year < 1983 else ("142201" if year < 2000 else "140902")
    seq = rng.randrange(0, 499) * 2 + (1 if sex == "male" else 0)
    body = f"{region}{birth.replace('-', '')}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def synthetic_profile(rng: random.Random) -> dict[str, Any]:
    """A plausible applicant, with identity as real profiles carry it; some facts left unknown, as drafts have."""
    grad_year = rng.randint(1995, 2023)
    birth = _date(rng, 1962, 2001)
    sex = rng.choice(["male", "female"])
    level = rng.choice(LEVELS)
    category, specialty = rng.choice(SPECIALTIES)
    sector = rng.choice(SECTORS)
    titles = []
    if rng.random() < 0.6:
        titles.append(
            {
                "series": "engineering",
                "level": "technician",
                "granted_on": _date(rng, grad_year, grad_year + 2),
                "appointed_on": _date(rng, grad_year, grad_year + 2),
            }
        )
    if rng.random() < 0.5:
        year = min(2023, grad_year + rng.randint(1, 8))
        titles.append(
            {
                "series": "engineering",
                "level": "assistant_engineer",
                "granted_on": _date(rng, year, year),
                "appointed_on": _date(rng, year, year),
            }
        )
    start = min(2023, grad_year)
    grades = {y: rng.choice(["qualified"] * 8 + ["excellent", "unqualified"]) for y in range(start, 2023)}
    if rng.random() < 0.2 and grades:
        grades.pop(rng.choice(list(grades)))
    return {
        "identity": {"name": rng.choice(["王伟", "李娜", "张建国", "刘洋"]), "id_number": _id_number(rng, birth, sex)},
        "retirement": {"category": "male" if sex == "male" else rng.choice(["female55", "female50"]), "retired": False},
        "employment": {
            "kind": "employee",
            "sector": sector,
            "employer_level": rng.choice(["city", "county"]),
            "employer_name": "忻州市某工程有限公司",
            "county": rng.choice(COUNTIES),
            "labour_contract": True,
            "in_post": True,
            "engineering_work": True,
            "civil_servant": False,
            "professional_post_appointed": True,
            "post_salary_paid": True,
            "assessments_filed": True,
            "moved_from_government_organ": rng.random() < 0.05,
            "first_application": rng.random() < 0.5,
            "on_front_line": rng.random() < 0.4,
            "front_line_since": _date(rng, 1990, 2020),
        },
        "specialty": {"category": category, "name": specialty, "work_since": _date(rng, grad_year, grad_year + 1)},
        "education": [
            {
                "level": level,
                "field": rng.choice(["engineering", "engineering", "science", "other"]),
                "major": "土木工程",
                "related_to_work": rng.random() < 0.9,
                "full_time": rng.random() < 0.7,
                "engineering_professional_degree": rng.random() < 0.1,
                "recognised": True,
                "graduated_on": _date(rng, grad_year, grad_year),
            }
        ],
        "titles": titles,
        "skill_grades": [{"grade": "skilled_technician", "granted_on": _date(rng, 2010, 2022)}]
        if rng.random() < 0.15
        else [],
        "vocational_qualifications": [],
        "professional_work_started_on": _date(rng, grad_year, min(2023, grad_year + 1)),
        "probation_completed_on": _date(rng, grad_year + 1, grad_year + 2) if grad_year < 2022 else None,
        "annual_assessments": grades,
        "continuing_education": {
            y: {"public": rng.choice([20, 30, 40]), "professional": rng.choice([50, 60, 70])} for y in range(2020, 2023)
        },
        "discipline": [],
        "achievements": [
            {
                "clause": rng.choice(["3.5.1.1", "3.5.1.2", "3.5.1.13", "3.5.2.1"]),
                "role": rng.choice(ROLES),
                "rank": rng.randint(1, 8),
                "achieved_on": _date(rng, 2015, 2023),
            }
            for _ in range(rng.randint(0, 3))
        ],
        "papers": [
            {
                "author_position": rng.randint(1, 3),
                "author_count": 3,
                "journal_issn": "1009-6825",
                "char_count": rng.randint(1500, 6000),
                "published_on": _date(rng, 2015, 2023),
                "specialty_match": True,
                "retrieval_page": rng.random() < 0.9,
            }
            for _ in range(rng.randint(0, 2))
        ],
        "technical_reports": [
            {"role": rng.choice(ROLES), "sole_author": rng.random() < 0.5, "char_count": rng.randint(1500, 5000)}
            for _ in range(rng.randint(0, 3))
        ],
        "books": [],
        "work_summary": {"char_count": rng.randint(1800, 5000), "covers_required_parts": True, "anonymous": True},
        "last_year": {"applied": False},
        "integrity_records": [],
    }


def _median_us(fn: Any, items: list[Any]) -> float:
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=2_000, help="profiles timed one by one for (a)")
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args()

    pack = load_pack()
    rng = random.Random(args.seed)
    texts = [json.dumps(synthetic_profile(rng), ensure_ascii=False) for _ in range(args.profiles)]

    def parse(text: str) -> Any:
        return load_facts(json.loads(text), pack)

    # Warm up both paths once.
    evaluate(parse(texts[0]), pack)

    sample = texts[: args.single]
    facts = [parse(t) for t in sample]
    parse_us = _median_us(parse, sample)
    eval_us = _median_us(lambda f: evaluate(f, pack), facts)

    start = time.perf_counter()
    for text in texts:
        parse(text)
    parse_s = time.perf_counter() - start

    # The screen itself: each profile parsed then evaluated, each phase timed where it happens.
    outcomes: dict[str, int] = {}
    parse_in_screen = eval_in_screen = 0.0
    clock = time.perf_counter
    start = clock()
    for text in texts:
        t0 = clock()
        facts_ = parse(text)
        t1 = clock()
        decision = evaluate(facts_, pack)
        t2 = clock()
        parse_in_screen += t1 - t0
        eval_in_screen += t2 - t1
        key = decision.levels["engineer"].outcome
        outcomes[key] = outcomes.get(key, 0) + 1
    total_s = clock() - start

    n = len(texts)
    print(f"profiles: {n:,} synthetic (seed {args.seed}); pack {pack.id} {pack.version}; one process, one core")
    print(
        f"(a) one decision with full findings: median {eval_us:.0f} µs; parse+validate one profile: median "
        f"{parse_us:.0f} µs; ratio evaluate/parse = {eval_us / parse_us:.2f} (goal ≤ 3)"
    )
    print(
        f"(b) screening: parse only {parse_s:.1f} s ({n / parse_s:,.0f}/s); parse+evaluate {total_s:.1f} s "
        f"({n / total_s:,.0f}/s); within it parse {parse_in_screen:.1f} s, evaluate {eval_in_screen:.1f} s = "
        f"{eval_in_screen / parse_in_screen:.2f} × parse (goal ≤ 3); 100,000 would take "
        f"{total_s / n * 100_000:.0f} s (goal < 60 s)"
    )
    print(f"engineer outcomes: {dict(sorted(outcomes.items()))}")


if __name__ == "__main__":
    main()
