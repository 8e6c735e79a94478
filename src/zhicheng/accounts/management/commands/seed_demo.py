"""Demo data for `make run`: employers, one person per role, applicants with profiles, cases at each stage.

Every demo account's password is DEMO_PASSWORD (printed, and listed in the README). Safe to run twice.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from zhicheng.accounts.models import Area, Membership, Organisation, User
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import services
from zhicheng.applications.models import Application
from zhicheng.intake.models import EvaluationYear, HolidayArrangement
from zhicheng.policy.facts import FactsYamlLoader

DEMO_PASSWORD = "zhicheng-demo-2023"
EXAMPLES = Path(settings.PROJECT_DIR) / "examples"
# A 1×1 PNG stands in for a photo of the notice board.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def credit_code(seed: int) -> str:
    body = f"91140900{seed:09d}"[:17]
    return body + uscc.calc_check_digit(body)


def example(name: str) -> dict[str, Any]:
    text = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.load(text, Loader=FactsYamlLoader)
    return data


class Command(BaseCommand):
    help = "Load demo organisations, accounts (one per role) and applications at each stage."

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username="applicant").exists():
            self.stdout.write("demo data already loaded")
            return
        with transaction.atomic():
            self._load()
        self.stdout.write(self.style.SUCCESS(f"demo data loaded; every demo account's password: {DEMO_PASSWORD}"))

    def _org(self, name: str, kind: str, area: Area, **extra: Any) -> Organisation:
        org, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "area": area, **extra})
        return org

    def _user(
        self, username: str, full_name: str, *roles: tuple[str, Organisation | None], staff: bool = False
    ) -> User:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, full_name=full_name)
        if staff:
            user.is_staff = user.is_superuser = True
            user.save()
        for role, org in roles:
            Membership.objects.create(user=user, role=role, organisation=org)
        return user

    def _load(self) -> None:
        city = Area.objects.get(name="忻州市")
        yuanping = Area.objects.get(name="原平市")
        xinfu = Area.objects.get(name="忻府区")
        housing = Organisation.objects.get(name="忻州市住房和城乡建设局")
        county_soe = self._org(
            "原平市水利建筑工程有限公司",
            OrgKind.EMPLOYER,
            yuanping,
            level="county",
            sector="state_owned_enterprise",
            credit_code=credit_code(1),
        )
        city_soe = self._org(
            "忻州市建设工程有限公司",
            OrgKind.EMPLOYER,
            city,
            level="city",
            sector="state_owned_enterprise",
            credit_code=credit_code(2),
            competent_department=housing,
        )
        private = self._org(
            "忻州晋北新能源科技有限公司",
            OrgKind.EMPLOYER,
            xinfu,
            level="county",
            sector="non_public_enterprise",
            credit_code=credit_code(3),
        )
        dispatch = self._org(
            "忻州市宏达劳务派遣有限公司", OrgKind.LABOUR_DISPATCH_AGENCY, city, level="city", credit_code=credit_code(4)
        )
        talent = Organisation.objects.get(name="忻府区公共就业和人才服务中心")
        personnel = Organisation.objects.get(kind=OrgKind.PERSONNEL_AGENCY)

        applicant = self._user("applicant", "张建国", (Role.APPLICANT, county_soe))
        self._user("applicant2", "王丽", (Role.APPLICANT, private))
        self._user("applicant3", "李强", (Role.APPLICANT, city_soe))
        clerk = self._user("employer_clerk", "赵敏", (Role.EMPLOYER_CLERK, county_soe))
        leader = self._user("employer_leader", "孙国强", (Role.EMPLOYER_LEADER, county_soe))
        self._user("city_employer_clerk", "钱芳", (Role.EMPLOYER_CLERK, city_soe), (Role.EMPLOYER_LEADER, city_soe))
        self._user("private_employer", "周涛", (Role.EMPLOYER_CLERK, private), (Role.EMPLOYER_LEADER, private))
        self._user("county_hr", "吴静", (Role.COUNTY_HR_REVIEWER, yuanping.hr_bureau))
        self._user("county_iit", "郑伟", (Role.COUNTY_IIT_REVIEWER, yuanping.iit_bureau))
        self._user(
            "xinfu_hr", "冯磊", (Role.COUNTY_HR_REVIEWER, xinfu.hr_bureau), (Role.COUNTY_IIT_REVIEWER, xinfu.iit_bureau)
        )
        self._user("competent_department", "陈刚", (Role.COMPETENT_DEPARTMENT_REVIEWER, housing))
        self._user("talent_agency", "褚红", (Role.TALENT_AGENCY_REVIEWER, talent))
        self._user("personnel_agency", "卫东", (Role.PERSONNEL_AGENCY_REVIEWER, personnel))
        self._user("dispatch_agency", "蒋平", (Role.DISPATCH_AGENCY_REVIEWER, dispatch))
        self._user(
            "hr_association",
            "沈洁",
            (Role.HR_ASSOCIATION_REVIEWER, Organisation.objects.get(kind=OrgKind.HR_ASSOCIATION)),
        )
        self._user(
            "committee_clerk", "韩雪", (Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
        )
        self._user("expert", "杨帆", (Role.EXPERT, None))
        self._user("city_hr", "朱明", (Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU)))
        self._user("admin", "系统管理员", (Role.ADMINISTRATOR, None), staff=True)

        profiles = {
            "applicant": "01-bachelor-assistant-engineer",
            "applicant2": "02-master-private-enterprise",
            "applicant3": "10-green-channel-2-private",
        }
        for username, name in profiles.items():
            data = example(name)
            user = User.objects.get(username=username)
            data.setdefault("identity", {})["name"] = user.full_name
            data["employment"]["employer_name"] = Membership.objects.get(user=user).organisation.name  # type: ignore[union-attr]
            services.save_profile(user, data)
        # applicant3 is with a city-owned state enterprise: adjust the facts to the employer.
        p3 = User.objects.get(username="applicant3").profile
        facts = dict(p3.facts)
        facts["employment"] = {**facts["employment"], "sector": "state_owned_enterprise", "employer_level": "city"}
        services.save_profile(p3.user, {**facts, "identity": {**facts["identity"], "birth_date": None, "sex": None}})

        # A case already through the city route and ready for the committee, for the office and the bureau to see.
        a3 = Membership.objects.get(user__username="applicant3")
        application = services.create_application(
            a3, level="engineer", path="engineer_green_channel_2", employer=city_soe, area=city
        )
        self._through_employer(
            application, Membership.objects.get(user__username="city_employer_clerk", role=Role.EMPLOYER_LEADER)
        )
        services.perform(
            Membership.objects.get(user__username="competent_department"),
            application.pk,
            "approve",
            reason="材料齐全，同意推荐",
        )
        # The office's setting for the demo: the 2023 receiving window around today, so that the channels can submit
        # and the office can receive (in production the office enters the notice's dates in the admin).
        today = timezone.localdate()
        EvaluationYear.objects.update_or_create(
            year=2023,
            defaults={
                "pack": "xinzhou-engineering-2023",
                "window_start": today - dt.timedelta(days=7),
                "window_end": today + dt.timedelta(days=60),
            },
        )
        for offset in range(0, 61):
            day = today + dt.timedelta(days=offset - 7)
            if day.weekday() >= 5:
                HolidayArrangement.objects.get_or_create(
                    day=day, defaults={"kind": "workday", "note": "演示：周末照常受理"}
                )
        # The main demo applicant has a complete profile and no application yet: the walk-through starts there.
        _ = (applicant, clerk, leader, private, dispatch)

    def _through_employer(self, application: Application, leader: Membership) -> None:
        """The employer's part in the notice's order (6.1.2, 8.1, 8.2), on the 2023 dates of the case."""
        applicant = Membership.objects.get(user=application.applicant)
        services.applicant_pledge(applicant, application.pk)
        services.perform(applicant, application.pk, "submit")
        start = dt.date(2023, 10, 9)
        services.record_peer_review(
            leader,
            application.pk,
            held_on=start,
            members=[
                {"name": n, "kind": k}
                for n, k in (("刘群", "masses"), ("高工", "peers"), ("王总", "leaders"), ("科研处", "research"))
            ],
            opinion="评议组一致同意推荐",
        )

        def publicity(kind: str, on: dt.date) -> None:
            services.post_publicity(
                leader, application.pk, kind=kind, starts_on=on, explanation="在单位公示栏公示，无异议"
            )
            services.add_evidence(
                leader,
                SimpleUploadedFile("photo.png", PNG),
                kind="publicity_photo",
                fact=f"publicity:{kind}",
                application_id=application.pk,
            )

        publicity("conditions", start)
        publicity("materials", start)
        services.record_appraisal(
            leader,
            application.pk,
            ethics="思想品德良好，遵守职业道德",
            clauses=["3.4.1", "3.5.1.1"],
            peer_review_followed=True,
            today=dt.date(2023, 10, 16),
        )
        services.confirm_appraisal(leader, application.pk)
        publicity("appraisal", dt.date(2023, 10, 16))
        services.employer_pledge(leader, application.pk)
        services.perform(leader, application.pk, "approve", today=dt.date(2023, 10, 23))
