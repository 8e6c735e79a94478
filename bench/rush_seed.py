"""The deadline rush's data (issue 12, `make bench-web`): at least 5,000 applicants across Xinzhou's counties with
cases in every state, and the accounts the load generator signs in as, each with work of its own waiting.

Made with bulk_create in the database of DATABASE_URL (migrated, with the city's organisations the migrations load),
on the cases of tests/platform/test_inbox.py (``bulk_cases``) and the papers of test_query_counts.py (``_filled``,
``_batched``), as bench/queries.py seeds them. One password is hashed once and its hash given to every account the
load generator signs in as; the other applicants cannot sign in.

The actors (``users`` of each role, so that any weights of the load generator find an account of their own):

- applicants, each with a draft application whose profile is eligible (example 01), not yet pledged;
- employer leaders of each county's employer, each with ``per_actor`` cases in the employer's review, everything
  recorded (peer review, the three publicities past with their photos, the appraisal confirmed, both pledges);
- county HR and IIT bureau clerks, each with ``per_actor`` cases at its bureau's step of the chain;
- committee office clerks, each with ``per_actor`` cases in a county's batch, waiting at the desk.

The rest of the applicants are the background: every state of the workflow in every county. The platform's date is
the last day of the 2023 receiving window (RUSH_TODAY), the deadline.

    .venv/bin/python bench/rush_seed.py --applicants 6000 --manifest var/rush/manifest.json
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import itertools
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhicheng.settings")

PASSWORD = "rush-password-2023"
# The deadline: the last day of the 2023 receiving window of the notice (8.4), a Friday.
RUSH_TODAY = "2023-11-10"
WINDOW = ("2023-10-16", RUSH_TODAY)
EXAMPLE = "01-bachelor-assistant-engineer"
# The former 忻州地区's region codes, which ID numbers of people born in 1988 carry: 500 men a day in each.
REGIONS = ["142201", *(f"1422{n}" for n in range(22, 34))]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def seed(
    applicants: int = 6000, users: int = 50, per_actor: int = 15, say: Callable[[str], None] = print
) -> dict[str, Any]:
    """Seed the rush into the (fresh, migrated) database; the manifest of who signs in and what each has waiting."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from stdnum.cn import ric
    from tests.platform.conftest import credit_code
    from tests.platform.test_inbox import bulk_cases
    from tests.platform.test_query_counts import _batched, _filled

    from zhicheng.accounts.models import Area, Membership, Organisation, User
    from zhicheng.accounts.roles import OrgKind, Role
    from zhicheng.applications.models import Pledge, ReviewStep
    from zhicheng.cases.models import Application, State
    from zhicheng.demo.cases import example
    from zhicheng.intake.models import SubmissionBatch
    from zhicheng.policy.engine import evaluate
    from zhicheng.policy.facts import load_facts
    from zhicheng.policy.pack import pack_for_year
    from zhicheng.records import idnumbers
    from zhicheng.records.models import Profile
    from zhicheng.round.models import EvaluationYear

    actors = 4 * users * per_actor
    if applicants < actors + 15:
        raise SystemExit(f"--applicants must be at least {actors + 15} for {users} users of {per_actor} cases each")
    started = time.monotonic()
    pack = pack_for_year(2023)
    hashed = make_password(PASSWORD)  # once: Argon2 takes a tenth of a second a hash
    counties = list(Area.objects.filter(kind="county").select_related("hr_bureau", "iit_bureau").order_by("pk"))
    office_org = Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE)
    manifest: dict[str, Any] = {"password": PASSWORD, "today": RUSH_TODAY, "applicants": [], "employers": []}
    manifest |= {"bureaus": [], "office": [], "bare_pk": counties[0].pk}

    with transaction.atomic():
        params = pack.meta.parameters
        EvaluationYear.objects.update_or_create(
            year=2023,
            defaults={
                "pack": pack.id,
                "window_start": dt.date.fromisoformat(WINDOW[0]),
                "window_end": dt.date.fromisoformat(WINDOW[1]),
                "publicity_min_workdays": params.publicity.min_workdays.value,
                "results_min_workdays": params.publicity.results_min_workdays.value,
                "parameters": {},
            },
        )
        employers = {
            c.pk: Organisation.objects.create(
                name=f"{c.name}压测建设工程有限公司",
                kind=OrgKind.EMPLOYER,
                area=c,
                sector="state_owned_enterprise",
                level="county",
                credit_code=credit_code(900 + i),
            )
            for i, c in enumerate(counties)
        }

        # Example 01's facts, moved to each county's employer, checked once: eligible for the engineer's path.
        facts_of: dict[int, dict[str, Any]] = {}
        for c in counties:
            data = example(EXAMPLE)
            data["identity"] = {"name": "压测", "birth_date": "1988-05-12", "sex": "male"}
            data["employment"] |= {
                "employer_name": employers[c.pk].name,
                "employer_level": "county",
                "county": c.name,
            }
            facts = load_facts(data, pack)
            path = next(p for p in evaluate(facts, pack).levels["engineer"].paths if p.path == "engineer_bachelor")
            assert path.outcome == "eligible", (c.name, path.outcome)
            facts_of[c.pk] = facts.model_dump(mode="json", exclude_none=True)

        numbers = itertools.count()

        def named(apps: list[Application], c: Area) -> list[Profile]:
            """Each applicant's profile: the county's facts under their own name and a man's ID number of their own,
            with its birth date (the engine reads the integrity register by the number)."""
            users_ = {u.pk: u for u in User.objects.filter(pk__in=[a.applicant_id for a in apps])}
            out = []
            for a in apps:
                facts = copy.deepcopy(facts_of[c.pk])
                facts["identity"]["name"] = users_[a.applicant_id].full_name
                n = next(numbers)
                born = dt.date(1988, 5, 12) + dt.timedelta(days=n // (len(REGIONS) * 500))
                facts["identity"]["birth_date"] = born.isoformat()
                body = f"{REGIONS[n // 500 % len(REGIONS)]}{born:%Y%m%d}{2 * (n % 500) + 1:03d}"
                number = body + ric.calc_check_digit(body + "0")
                out.append(
                    Profile(
                        user_id=a.applicant_id,
                        facts=facts,
                        id_number_cipher=idnumbers.encrypt(number),
                        id_number_digest=idnumbers.digest(number),
                        id_number_masked=idnumbers.mask(number),
                    )
                )
            return out

        def profiles(apps: list[Application], c: Area) -> None:
            Profile.objects.bulk_create(named(apps, c), batch_size=1000)

        def filled(apps: list[Application], c: Area, decider: Membership) -> None:
            """Past the chain: test_query_counts' papers (publicities, opinions), with the full facts."""
            _filled(apps, decider)
            by_user = {p.user_id: p for p in named(apps, c)}
            found = list(Profile.objects.filter(user_id__in=by_user))
            for p in found:
                made = by_user[p.user_id]
                p.facts, p.id_number_cipher = made.facts, made.id_number_cipher
                p.id_number_digest, p.id_number_masked = made.id_number_digest, made.id_number_masked
            fields = ["facts", "id_number_cipher", "id_number_digest", "id_number_masked"]
            Profile.objects.bulk_update(found, fields, batch_size=1000)

        def pending_from(apps: list[Application], step: int) -> None:
            ReviewStep.objects.filter(application__in=apps, order__gte=step).update(
                decision="", decided_by=None, decided_at=None, opinion=""
            )

        def pledged(apps: list[Application], leader: User) -> None:
            now = timezone.now()
            Pledge.objects.bulk_create(
                [Pledge(application=a, applicant_at=now, employer_by=leader, employer_at=now) for a in apps]
            )

        def accounts(
            prefix: str, n: int, role_of: Callable[[int], str], org_of: Callable[[int], Organisation]
        ) -> list[Membership]:
            made = User.objects.bulk_create(
                [User(username=f"{prefix}{i:03d}", full_name=f"压测{prefix}{i}", password=hashed) for i in range(n)]
            )
            return Membership.objects.bulk_create(
                [Membership(user=u, role=role_of(i), organisation=org_of(i)) for i, u in enumerate(made)]
            )

        def county(i: int) -> Area:
            return counties[i % len(counties)]

        def chain(c: Area) -> list[Membership]:
            """The county route's two steps (the HR bureau, then the IIT bureau), as bulk_cases takes them."""
            return [
                Membership(role=Role.COUNTY_HR_REVIEWER, organisation=c.hr_bureau),
                Membership(role=Role.COUNTY_IIT_REVIEWER, organisation=c.iit_bureau),
            ]

        hr_clerks = accounts("rush_hr", len(counties), lambda i: Role.COUNTY_HR_REVIEWER, lambda i: county(i).hr_bureau)
        iit_clerks = accounts(
            "rush_iit", len(counties), lambda i: Role.COUNTY_IIT_REVIEWER, lambda i: county(i).iit_bureau
        )
        batches = {
            c.pk: SubmissionBatch.objects.create(channel=c.iit_bureau, year=2023, submitted_by=iit_clerks[i].user)
            for i, c in enumerate(counties)
        }

        # ── the actors ──
        # The applicants' pool: a draft each, signed in one after another by the load generator's applicants.
        drafts: list[list[Application]] = []
        for c in counties:
            n = sum(1 for i in range(per_actor * users) if county(i).pk == c.pk)
            apps = bulk_cases(n, employers[c.pk], state=State.DRAFT)
            profiles(apps, c)
            Pledge.objects.bulk_create([Pledge(application=a) for a in apps])  # made with the draft, not yet pledged
            drafts.append(apps)
        usernames = dict(User.objects.filter(username__startswith="bulk").values_list("pk", "username"))
        User.objects.filter(pk__in=usernames).update(password=hashed)  # the pool's applicants sign in
        for row in itertools.zip_longest(*drafts):  # the counties in turn
            for a in row:
                if a is not None:
                    manifest["applicants"].append({"username": usernames[a.applicant_id], "case": a.pk})
        leaders = accounts("rush_emp", users, lambda i: Role.EMPLOYER_LEADER, lambda i: employers[county(i).pk])
        for i, leader in enumerate(leaders):
            c = county(i)
            apps = bulk_cases(per_actor, employers[c.pk], state=State.EMPLOYER_REVIEW)
            profiles(apps, c)
            prepared(apps, leader.user)
            pledged(apps, leader.user)
            manifest["employers"].append({"username": leader.user.username, "cases": [a.pk for a in apps]})
        # Bureau clerks in turn: the HR bureau (the chain's first step), then the IIT bureau (its second) of a county.
        bureau_clerks = accounts(
            "rush_bureau",
            users,
            lambda i: chain(county(i // 2))[i % 2].role,
            lambda i: chain(county(i // 2))[i % 2].organisation,
        )
        for i, m in enumerate(bureau_clerks):
            c, step = county(i // 2), i % 2
            apps = bulk_cases(per_actor, employers[c.pk], state=State.CHAIN_REVIEW, steps=chain(c), step=step)
            filled(apps, c, hr_clerks[counties.index(c)])
            pending_from(apps, step)
            pledged(apps, leaders[0].user)
            manifest["bureaus"].append({"username": m.user.username, "cases": [a.pk for a in apps]})
        clerks = accounts("rush_office", users, lambda i: Role.COMMITTEE_CLERK, lambda i: office_org)
        for i, m in enumerate(clerks):
            c = county(i)
            apps = bulk_cases(per_actor, employers[c.pk], state=State.IN_BATCH, steps=chain(c), step=1)
            filled(apps, c, hr_clerks[counties.index(c)])
            pledged(apps, leaders[0].user)
            _batched(batches[c.pk], apps)
            manifest["office"].append({"username": m.user.username, "cases": [a.pk for a in apps]})

        # ── the background: every state in every county ──
        rest = applicants - Application.objects.count()
        states = [
            (State.DRAFT, 0),
            (State.EMPLOYER_REVIEW, 0),
            (State.CHAIN_REVIEW, 0),
            (State.CHAIN_REVIEW, 1),
            (State.RETURNED, 0),
            (State.REJECTED, 0),
            (State.WITHDRAWN, 0),
            (State.READY_FOR_COMMITTEE, 1),
            (State.IN_BATCH, 1),
            (State.OFFICE_RETURNED, 1),
            (State.ACCEPTED, 1),
            (State.RECOGNITION_DECIDED, 1),
            (State.GRANTED, 1),
            (State.NOT_GRANTED, 1),
            (State.DEFERRED, 1),
        ]
        # Each county with each state, in an order that takes every state before any comes again (14 and 15 have no
        # common divisor): a small seed has every state too.
        groups = [(counties[g % len(counties)], *states[g % len(states)]) for g in range(len(counties) * len(states))]
        for g, (c, state, step) in enumerate(groups):
            n = rest // len(groups) + (1 if g < rest % len(groups) else 0)
            if not n:
                continue
            in_chain = state in (State.CHAIN_REVIEW, State.RETURNED, State.REJECTED) or step == 1
            apps = bulk_cases(n, employers[c.pk], state=state, steps=chain(c) if in_chain else None, step=step)
            if step == 1 and state != State.CHAIN_REVIEW:
                filled(apps, c, hr_clerks[counties.index(c)])
                if state != State.READY_FOR_COMMITTEE:
                    _batched(batches[c.pk], apps)
            else:
                profiles(apps, c)
                if in_chain:
                    pending_from(apps, step)
            if state == State.RETURNED:
                Application.objects.filter(pk__in=[a.pk for a in apps]).update(
                    returned_to="applicant", returned_from_state=State.CHAIN_REVIEW, returned_from_step=0
                )
        # Every case is a county-owned employer's (6.1.3.1): the county's HR bureau reviews, its IIT bureau submits;
        # every applicant is the employer's applicant (bulk_cases makes the people without their role).
        Application.objects.update(route="county_owned")
        Membership.objects.bulk_create(
            [
                Membership(user_id=u, role=Role.APPLICANT, organisation_id=e)
                for u, e in Application.objects.values_list("applicant_id", "employer_id")
            ],
            batch_size=2000,
        )
        say(
            f"seeded {Application.objects.count():,} applicants' cases in {len(counties)} counties "
            f"({len(manifest['applicants'])} applicants with a draft, {users} employer leaders, {users} bureau "
            f"clerks and {users} office clerks with {per_actor} cases each) in {time.monotonic() - started:.0f} s"
        )
    return manifest


def prepared(apps: list[Any], leader: Any) -> None:
    """Everything the employer records before it recommends (6.1.2, 8.1): all that is left is its approval."""
    from django.utils import timezone

    from zhicheng.applications.models import Appraisal, Evidence, PeerReview, Publicity

    PeerReview.objects.bulk_create(
        [
            PeerReview(
                application=a,
                held_on=dt.date(2023, 10, 9),
                members=[{"name": n, "kind": k} for n, k in (("甲", "masses"), ("乙", "peers"), ("丙", "leaders"))]
                + [{"name": "丁", "kind": "research"}],
                opinion="同意推荐",
            )
            for a in apps
        ]
    )
    periods = {
        "conditions": (dt.date(2023, 10, 9), dt.date(2023, 10, 13)),
        "materials": (dt.date(2023, 10, 9), dt.date(2023, 10, 13)),
        "appraisal": (dt.date(2023, 10, 16), dt.date(2023, 10, 20)),
    }
    Publicity.objects.bulk_create(
        [
            Publicity(application=a, kind=k, starts_on=s, earliest_end=e, explanation="公示无异议")
            for a in apps
            for k, (s, e) in periods.items()
        ]
    )
    Evidence.objects.bulk_create(
        [
            Evidence(
                application=a,
                kind="publicity_photo",
                fact=f"publicity:{k}",
                file="rush/photo.png",
                original_name="photo.png",
                content_type="image/png",
                size=len(PNG),
                sha256=hashlib.sha256(PNG).hexdigest(),
                uploaded_by=leader,
            )
            for a in apps
            for k in periods
        ]
    )
    Appraisal.objects.bulk_create(
        [
            Appraisal(
                application=a,
                ethics="品德良好",
                peer_review_followed=True,
                clauses=["3.4.1", "3.5.1.1"],
                confirmed_by=leader,
                confirmed_at=timezone.now(),
            )
            for a in apps
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=6000)
    parser.add_argument("--users", type=int, default=50, help="accounts of each role")
    parser.add_argument("--per-actor", type=int, default=15, help="cases waiting for each actor")
    parser.add_argument("--manifest", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("ZHICHENG_TODAY", RUSH_TODAY)
    manifest = seed(args.applicants, args.users, args.per_actor)
    args.manifest.parent.mkdir(parents=True, exist_ok=True)
    args.manifest.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
