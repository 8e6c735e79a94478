"""The demo's organisations and its accounts, one per role (every password is DEMO_PASSWORD, listed in the README;
the privileged accounts come with an authenticator enrolled on DEMO_TOTP_SECRET, also in the README, so that a
person trying the demo can add it to an authenticator app and sign in).

The platform has no enrolment service yet (accounts are made in the admin site), so these rows are written here."""

from __future__ import annotations

from base64 import b32decode
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import uscc

from zhicheng.accounts.models import Area, Membership, Organisation, User
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.accounts.second_factor import DEVICE_NAME, PRIVILEGED_ROLES

DEMO_PASSWORD = "zhicheng-demo-2023"
# Base32, as an authenticator app takes it typed in; one for every privileged demo account. A real account's
# secret is made by the platform at enrolment and shown only to its owner.
DEMO_TOTP_SECRET = "ZHICHENGDEMOTOTPSECRETXINZHOU234"


def credit_code(seed: int) -> str:
    body = f"91140900{seed:09d}"[:17]
    return body + uscc.calc_check_digit(body)


def organisation(name: str, kind: str, area: Area, **extra: Any) -> Organisation:
    org, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "area": area, **extra})
    return org


def person(username: str, full_name: str, *roles: tuple[str, Organisation | None], staff: bool = False) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, full_name=full_name)
    if staff:  # the admin site, for what the person's role may do there (zhicheng.accounts.duties); no superuser
        user.is_staff = True
        user.save()
    for role, org in roles:
        Membership.objects.get_or_create(user=user, role=role, organisation=org)
    return user


def enrol_second_factors() -> int:
    """Every privileged demo account gets an authenticator on the demo's secret (how many were enrolled)."""
    key = b32decode(DEMO_TOTP_SECRET).hex()
    enrolled = 0
    for user in User.objects.filter(memberships__role__in=PRIVILEGED_ROLES).distinct():
        _, made = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": DEVICE_NAME, "key": key}
        )
        enrolled += made
    return enrolled


def member(username: str, role: str | None = None) -> Membership:
    found = Membership.objects.filter(user__username=username)
    return found.get(role=role) if role else found.get()


def load() -> dict[str, Organisation]:
    """The demo's employers (by key) and everyone who works on the cases."""
    city = Area.objects.get(name="忻州市")
    yuanping = Area.objects.get(name="原平市")
    xinfu = Area.objects.get(name="忻府区")
    housing = Organisation.objects.get(name="忻州市住房和城乡建设局")
    employers = {
        "county_soe": organisation(
            "原平市水利建筑工程有限公司",
            OrgKind.EMPLOYER,
            yuanping,
            level="county",
            sector="state_owned_enterprise",
            credit_code=credit_code(1),
        ),
        "city_soe": organisation(
            "忻州市建设工程有限公司",
            OrgKind.EMPLOYER,
            city,
            level="city",
            sector="state_owned_enterprise",
            credit_code=credit_code(2),
            competent_department=housing,
        ),
        "private": organisation(
            "忻州晋北新能源科技有限公司",
            OrgKind.EMPLOYER,
            xinfu,
            level="county",
            sector="non_public_enterprise",
            credit_code=credit_code(3),
        ),
    }
    dispatch = organisation(
        "忻州市宏达劳务派遣有限公司", OrgKind.LABOUR_DISPATCH_AGENCY, city, level="city", credit_code=credit_code(4)
    )
    county_soe, city_soe, private = employers["county_soe"], employers["city_soe"], employers["private"]
    person("applicant", "张建国", (Role.APPLICANT, county_soe))
    person("employer_clerk", "赵敏", (Role.EMPLOYER_CLERK, county_soe))
    person("employer_leader", "孙国强", (Role.EMPLOYER_LEADER, county_soe))
    person("city_employer_clerk", "钱芳", (Role.EMPLOYER_CLERK, city_soe), (Role.EMPLOYER_LEADER, city_soe))
    person("private_employer", "周涛", (Role.EMPLOYER_CLERK, private), (Role.EMPLOYER_LEADER, private))
    person("county_hr", "吴静", (Role.COUNTY_HR_REVIEWER, yuanping.hr_bureau))
    person("county_iit", "郑伟", (Role.COUNTY_IIT_REVIEWER, yuanping.iit_bureau))
    person("xinfu_hr", "冯磊", (Role.COUNTY_HR_REVIEWER, xinfu.hr_bureau), (Role.COUNTY_IIT_REVIEWER, xinfu.iit_bureau))
    person("competent_department", "陈刚", (Role.COMPETENT_DEPARTMENT_REVIEWER, housing))
    person(
        "talent_agency",
        "褚红",
        (Role.TALENT_AGENCY_REVIEWER, Organisation.objects.get(name="忻府区公共就业和人才服务中心")),
    )
    person(
        "personnel_agency",
        "卫东",
        (Role.PERSONNEL_AGENCY_REVIEWER, Organisation.objects.get(kind=OrgKind.PERSONNEL_AGENCY)),
    )
    person("dispatch_agency", "蒋平", (Role.DISPATCH_AGENCY_REVIEWER, dispatch))
    person(
        "hr_association", "沈洁", (Role.HR_ASSOCIATION_REVIEWER, Organisation.objects.get(kind=OrgKind.HR_ASSOCIATION))
    )
    person("committee_clerk", "韩雪", (Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE)))
    person("expert", "杨帆", (Role.EXPERT, None))
    person("city_hr", "朱明", (Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU)))
    # The three administrators of MLPS level 3 (三权分立), each with the admin site for their own part.
    person("admin", "系统管理员", (Role.ADMINISTRATOR, None), staff=True)
    person("security", "安全管理员", (Role.SECURITY_ADMIN, None), staff=True)
    person("auditor", "审计管理员", (Role.AUDIT_ADMIN, None), staff=True)
    employers["xinfu_soe"] = organisation(
        "忻州市忻府区路桥工程有限公司",
        OrgKind.EMPLOYER,
        xinfu,
        level="county",
        sector="state_owned_enterprise",
        credit_code=credit_code(5),
    )
    employers["entrusted"] = organisation(
        "山西晋能忻州热电有限公司",
        OrgKind.EMPLOYER,
        city,
        level="city",
        sector="state_owned_enterprise",
        credit_code=credit_code(6),
    )
    person("xinfu_soe_leader", "贾文华", (Role.EMPLOYER_LEADER, employers["xinfu_soe"]))
    person("entrusted_employer", "白国华", (Role.EMPLOYER_LEADER, employers["entrusted"]))
    return employers
