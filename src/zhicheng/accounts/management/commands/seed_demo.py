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
from zhicheng.applications import idnumbers, services
from zhicheng.applications.models import Application
from zhicheng.evaluation import demo as evaluation_demo
from zhicheng.intake import services as intake
from zhicheng.intake.models import EvaluationOutcome, EvaluationYear, HolidayArrangement
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
        for offset in range(0, 68):
            day = today + dt.timedelta(days=offset - 7)
            if day.weekday() >= 5:
                HolidayArrangement.objects.get_or_create(
                    day=day, defaults={"kind": "workday", "note": "演示：周末照常受理"}
                )

        xinfu_soe = self._org(
            "忻州市忻府区路桥工程有限公司",
            OrgKind.EMPLOYER,
            xinfu,
            level="county",
            sector="state_owned_enterprise",
            credit_code=credit_code(5),
        )
        entrusted_employer = self._org(
            "山西晋能忻州热电有限公司",
            OrgKind.EMPLOYER,
            city,
            level="city",
            sector="state_owned_enterprise",
            credit_code=credit_code(6),
        )
        # (username, name, example profile, employer): each applicant's facts are the example's, moved to the employer.
        people = [
            ("applicant", "张建国", "01-bachelor-assistant-engineer", county_soe),
            ("applicant2", "王丽", "02-master-private-enterprise", private),
            ("applicant3", "李强", "10-green-channel-2-private", city_soe),
            ("applicant4", "刘洋", "01-bachelor-assistant-engineer", county_soe),
            ("applicant6", "杨立军", "11-series-transfer-economics", city_soe),
            ("applicant7", "赵永强", "04-high-skilled-technician-private", private),
            ("applicant8", "周雨桐", "12-design-major-landscape", private),
            ("applicant9", "刘福生", "05-secondary-front-line-relaxation", xinfu_soe),
            ("applicant10", "马秀英", "13-failed-committee-last-year", entrusted_employer),
        ]
        for username, full_name, name, employer in people:
            user = User.objects.filter(username=username).first() or self._user(
                username, full_name, (Role.APPLICANT, employer)
            )
            data = example(name)
            data.setdefault("identity", {})["name"] = user.full_name
            if username == "applicant4":  # a second person on example 01: an ID number of their own
                data["identity"]["id_number"] = "142201198805120517"
            data["employment"] = {
                **data["employment"],
                "employer_name": employer.name,
                "employer_level": employer.level,
                "county": employer.area.name if employer.area.kind != "city" else None,
                "sector": employer.sector,
            }
            if name.startswith("10-"):  # applicant3 is with a city-owned state enterprise: green channel 2 still open
                data["identity"] = {**data["identity"], "birth_date": None, "sex": None}
            services.save_profile(user, data)

        def member(username: str, role: str | None = None) -> Membership:
            found = Membership.objects.filter(user__username=username)
            return found.get(role=role) if role else found.get()

        city_leader = member("city_employer_clerk", Role.EMPLOYER_LEADER)
        private_leader = member("private_employer", Role.EMPLOYER_LEADER)

        def case(username: str, path: str, leader: Membership, *, entrusted: bool = False) -> Application:
            applicant_m = member(username)
            employer = applicant_m.organisation
            assert employer is not None
            application = services.create_application(
                applicant_m, level="engineer", path=path, employer=employer, area=employer.area, entrusted=entrusted
            )
            self._through_employer(application, leader)
            return application

        # The city competent department's batch, submitted and waiting at the office's desk: accept or return it.
        housing_reviewer = member("competent_department")
        for username, path in (("applicant3", "engineer_green_channel_2"), ("applicant6", "engineer_transfer")):
            application = case(username, path, city_leader)
            services.perform(housing_reviewer, application.pk, "approve", reason="材料齐全，同意推荐")
        intake.submit_batch(housing_reviewer, 2023)

        # 忻府区's batch, already accepted by the office: the candidates of the evaluation (issue 5).
        xinfu_hr, xinfu_iit = member("xinfu_hr", Role.COUNTY_HR_REVIEWER), member("xinfu_hr", Role.COUNTY_IIT_REVIEWER)
        xinfu_leader = self._user("xinfu_soe_leader", "贾文华", (Role.EMPLOYER_LEADER, xinfu_soe))
        xinfu_cases = [
            case("applicant2", "engineer_master", private_leader),
            case("applicant7", "engineer_high_skilled", private_leader),
            case("applicant8", "engineer_bachelor", private_leader),
            case("applicant9", "engineer_front_line", Membership.objects.get(user=xinfu_leader)),
        ]
        for application in xinfu_cases:
            services.perform(xinfu_hr, application.pk, "approve", reason="经审核，同意")
            services.perform(xinfu_iit, application.pk, "approve", reason="同意报送评委会")
        intake.submit_batch(xinfu_iit, 2023)
        office = member("committee_clerk")
        for application in xinfu_cases:
            keys = [key for key, _ in intake.required_originals(application)]
            intake.record_check(office, application.pk, originals=keys, notes="原件已核验，当场退回")
            intake.accept(office, application.pk)

        # Last year's outcomes the office imported (7.2), and an entrusted case at the city HR bureau's step (7.1):
        # 马秀英 failed the committee's evaluation in 2022 and declares new achievements — the desk flags her.
        EvaluationOutcome.objects.create(
            id_number_digest=idnumbers.digest("142221197010100628"),
            id_number_masked=idnumbers.mask("142221197010100628"),
            name="马秀英",
            year=2022,
            level="engineer",
            outcome=EvaluationOutcome.Outcome.FAILED_COMMITTEE,
            applied_on=dt.date(2022, 10, 20),
            source="import",
            recorded_by=office.user,
        )
        entrusted_leader = self._user("entrusted_employer", "白国华", (Role.EMPLOYER_LEADER, entrusted_employer))
        case("applicant10", "engineer_bachelor", Membership.objects.get(user=entrusted_leader), entrusted=True)
        # The evaluation's experts, groups and assignment, built from the accepted cases (issue 5).
        evaluation_demo.seed(self.stdout)
        # The main demo applicant (and applicant4, for the integrity demo) have complete profiles and no application
        # yet: the walk-through starts there.
        _ = (applicant, clerk, leader, dispatch)

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
