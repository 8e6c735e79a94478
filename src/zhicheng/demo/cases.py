"""The demo's applicants and their cases, each taken through the services of its stage: the applicant's profile,
the employer's records, the review chain, the channels' batches and the office's desk — and last year's outcome the
office imported (7.2)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from zhicheng.accounts.models import Membership, Organisation
from zhicheng.accounts.roles import Role
from zhicheng.applications import services
from zhicheng.cases.models import Application
from zhicheng.demo.accounts import member, person
from zhicheng.documents.workbooks import append_row
from zhicheng.intake import services as intake
from zhicheng.policy.facts import FactsYamlLoader
from zhicheng.policy.text import count_chars
from zhicheng.records.outcomes import IMPORT_HEADERS, import_outcomes

EXAMPLES = Path(settings.PROJECT_DIR) / "examples"
# A 1×1 PNG stands in for a photo of the notice board.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
# (username, name, example profile, employer key): each applicant's facts are the example's, moved to the employer.
PEOPLE = [
    ("applicant", "张建国", "01-bachelor-assistant-engineer", "county_soe"),
    ("applicant2", "王丽", "02-master-private-enterprise", "private"),
    ("applicant3", "李强", "10-green-channel-2-private", "city_soe"),
    ("applicant4", "刘洋", "01-bachelor-assistant-engineer", "county_soe"),
    ("applicant6", "杨立军", "11-series-transfer-economics", "city_soe"),
    ("applicant7", "赵永强", "04-high-skilled-technician-private", "private"),
    ("applicant8", "周雨桐", "12-design-major-landscape", "private"),
    ("applicant9", "刘福生", "05-secondary-front-line-relaxation", "xinfu_soe"),
    ("applicant10", "马秀英", "13-failed-committee-last-year", "entrusted"),
]


# The work summary as an applicant writes it, anonymous as 3.9 asks (基本情况、学术研究、岗位业绩), so that the office has
# a real text to read before experts see it; it is lengthened to the example's declared count.
SUMMARY_PARTS = (
    "一、基本情况。本人自参加工作以来一直从事本专业技术工作，先后担任技术员、项目技术负责人，熟悉国家和行业现行标准规范，"
    "能够独立编制施工组织设计和专项方案，组织图纸会审与技术交底，解决现场出现的技术问题。",
    "二、学术研究。本人结合工程实践开展专题研究，围绕施工质量控制、结构变形监测和节能降耗撰写论文与技术总结，"
    "对监测数据进行整理分析，提出改进措施，相关成果在后续项目中得到应用。",
    "三、岗位业绩。本人参与完成的项目均按期竣工并一次验收合格，主持编制的质量控制措施降低了返工率，"
    "组织开展新工艺、新材料的应用，指导青年技术人员成长，所在项目部多次获得上级表彰。",
)


def summary_text(at_least: int) -> str:
    parts = list(SUMMARY_PARTS)
    text = ""
    round_no = 0
    while count_chars(text) < at_least:
        round_no += 1
        text += f"（第{round_no}部分）" + "".join(parts)
    return text


def example(name: str) -> dict[str, Any]:
    text = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.load(text, Loader=FactsYamlLoader)
    return data


def profiles(employers: dict[str, Organisation]) -> None:
    for username, full_name, name, key in PEOPLE:
        employer = employers[key]
        user = person(username, full_name, (Role.APPLICANT, employer))
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
        if data.get("work_summary"):
            data["work_summary"]["text"] = summary_text(data["work_summary"].pop("char_count", 0) or 0)
        if name.startswith("10-"):  # applicant3 is with a city-owned state enterprise: green channel 2 still open
            data["identity"] = {**data["identity"], "birth_date": None, "sex": None}
        services.save_profile(user, data)


def through_employer(application: Application, leader: Membership) -> None:
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
        services.post_publicity(leader, application.pk, kind=kind, starts_on=on, explanation="在单位公示栏公示，无异议")
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


def case(username: str, path: str, leader: Membership, *, entrusted: bool = False) -> Application:
    """An engineer's application by the demo applicant, recommended by the employer."""
    applicant = member(username)
    employer = applicant.organisation
    assert employer is not None
    application = services.create_application(
        applicant, level="engineer", path=path, employer=employer, area=employer.area, entrusted=entrusted
    )
    through_employer(application, leader)
    return application


def import_last_year(office: Membership) -> None:
    """The office's workbook of 2022's outcomes (7.2): 马秀英 failed the committee's evaluation."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    append_row(ws, IMPORT_HEADERS)
    append_row(ws, ["马秀英", "142221197010100628", 2022, "工程师", "评委会综合评价未通过", "2022-10-20"])
    buffer = io.BytesIO()
    wb.save(buffer)
    report = import_outcomes(office, buffer.getvalue(), current_year=settings.ZHICHENG_YEAR)
    assert not report.problems, report.problems


def load(employers: dict[str, Organisation]) -> None:
    profiles(employers)
    city_leader = member("city_employer_clerk", Role.EMPLOYER_LEADER)
    private_leader = member("private_employer", Role.EMPLOYER_LEADER)

    # The city competent department's batch, submitted and waiting at the office's desk: accept or return it.
    housing_reviewer = member("competent_department")
    for username, path in (("applicant3", "engineer_green_channel_2"), ("applicant6", "engineer_transfer")):
        application = case(username, path, city_leader)
        services.perform(housing_reviewer, application.pk, "approve", reason="材料齐全，同意推荐")
    intake.submit_batch(housing_reviewer, 2023)

    # 忻府区's batch, already accepted by the office: the candidates of the evaluation.
    xinfu_hr, xinfu_iit = member("xinfu_hr", Role.COUNTY_HR_REVIEWER), member("xinfu_hr", Role.COUNTY_IIT_REVIEWER)
    xinfu_cases = [
        case("applicant2", "engineer_master", private_leader),
        case("applicant7", "engineer_high_skilled", private_leader),
        case("applicant8", "engineer_bachelor", private_leader),
        case("applicant9", "engineer_front_line", member("xinfu_soe_leader")),
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
    import_last_year(office)
    case("applicant10", "engineer_bachelor", member("entrusted_employer"), entrusted=True)
