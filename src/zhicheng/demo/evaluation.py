"""Demo data for the evaluation: five experts (``expert``, ``expert2``…``expert5``), the year's groups built from the
accepted applications already in the database, and the experts assigned. Called from ``demo.seed``; run twice, it
adds nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from django.conf import settings

from zhicheng.accounts.models import Membership, Organisation, User
from zhicheng.accounts.roles import Role
from zhicheng.demo.accounts import DEMO_PASSWORD
from zhicheng.evaluation.anonymity import needs_fixing, redact_materials
from zhicheng.evaluation.assignment import apply_assignment, plan_assignment
from zhicheng.evaluation.experts import add_expert
from zhicheng.evaluation.groups import build_groups
from zhicheng.evaluation.models import Assignment, Candidate, Expert
from zhicheng.round.year import year_settings

# (user, name, specialty category, title, organisation): expert3 works for applicant3's employer, so the platform
# finds that conflict by itself.
EXPERTS = [
    ("expert", "王建华", 1, "senior_engineer", "太原理工大学土木工程学院"),
    ("expert2", "李秀英", 1, "professor_senior_engineer", "山西省建筑科学研究院"),
    ("expert3", "赵志刚", 1, "senior_engineer", "忻州市建设工程有限公司"),
    ("expert4", "刘丽娟", 4, "senior_engineer", "山西机电职业技术学院"),
    ("expert5", "陈国强", 1, "senior_engineer", "忻州市水利勘测设计院"),
]
# The demo's groups hold one candidate each, and a cap is the rate times the group's size rounded down: any rate
# below 1 would let no one pass. The office sets the year's real rates on its year settings page (年度设置).
DEMO_PASS_RATES = {"default": 1.0, "grassroots": 1.0}


class Writer(Protocol):
    def write(self, msg: str) -> Any: ...


def load(stdout: Writer) -> None:
    year = settings.ZHICHENG_YEAR
    office = Membership.objects.filter(role=Role.COMMITTEE_CLERK).select_related("user").order_by("pk").first()
    if office is None:
        stdout.write("评审演示数据：没有评委会办公室工作人员，跳过\n")
        return
    for username, name, category, title, org_name in EXPERTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD, full_name=name)
        Membership.objects.get_or_create(user=user, role=Role.EXPERT, organisation=None)
        if not Expert.objects.filter(year=year, user=user).exists():
            add_expert(
                office,
                year,
                user=user,
                specialty_category=category,
                title=title,
                organisation_name=org_name,
                organisation=Organisation.objects.filter(name=org_name).first(),
                term_start=dt.date(year, 1, 1),
                term_end=dt.date(year + 2, 12, 31),
            )
    groups = build_groups(office, year)
    # The office has read the clean ones as experts will (R18); a flagged text is left for the office to handle.
    for candidate in Candidate.objects.filter(year=year, reviewed_at__isnull=True):
        if not needs_fixing(candidate):
            redact_materials(
                office,
                candidate.pk,
                summary_text=candidate.summary_text,
                defence_text=candidate.defence_text,
                mark_reviewed=True,
            )
    if not Assignment.objects.filter(expert__year=year).exists() and groups:
        plan = plan_assignment(year)
        apply_assignment(office, year, {row.group.pk: [e.pk for e in row.experts] for row in plan})
    settings_row = year_settings(year)
    if not settings_row.pass_rates:
        # The notice gives no figure (5c): these are the demo's, for the office to replace on its year settings page.
        settings_row.pass_rates = DEMO_PASS_RATES
        settings_row.save()
    stdout.write(f"评审演示数据：专家{len(EXPERTS)}人，答辩组{len(groups)}个（密码 {DEMO_PASSWORD}）\n")
