"""The review chain (6.1.3) as data: which organisations review an application, in order, by its situation."""

from __future__ import annotations

from dataclasses import dataclass

from zhicheng.accounts.models import Organisation
from zhicheng.accounts.roles import OrgKind
from zhicheng.cases.workflow import STEP_ROLES


@dataclass(frozen=True)
class Route:
    code: str
    name: str
    clause: str
    steps: tuple[str, ...]


ROUTES: dict[str, Route] = {
    r.code: r
    for r in (
        Route("city_owned", "市属企事业单位：市直主管部门审核后报送", "6.1.3.1", ("competent_department",)),
        Route("county_owned", "县属单位：县人社局审核，县工信局报送", "6.1.3.1", ("county_hr", "county_iit")),
        Route(
            "non_public_agency_archives",
            "非公有制经济组织（档案由公共就业和人才服务机构代理）",
            "6.1.3.2",
            ("talent_agency", "county_hr", "county_iit"),
        ),
        Route("non_public_no_archives", "非公有制经济组织（未办理档案代理）", "6.1.3.2", ("county_hr", "county_iit")),
        Route(
            "archives_elsewhere",
            "人事档案不在工作所在地：通过现工作单位所在渠道",
            "6.1.3.3",
            ("county_hr", "county_iit"),
        ),
        Route(
            "dispatch_county",
            "县（市、区）劳务派遣人员：派遣机构会同用人单位→市人力资源协会→属地人社部门",
            "6.1.3.4",
            ("dispatch_agency", "hr_association", "county_hr", "county_iit"),
        ),
        Route(
            "dispatch_city",
            "市直劳务派遣人员：派遣机构会同用人单位→市人力资源协会",
            "6.1.3.4",
            ("dispatch_agency", "hr_association"),
        ),
        Route("freelancer_agency", "自由职业者：人事代理机构审核推荐", "6.1.3.5", ("personnel_agency",)),
        # 7.1: the entrusting competent department is outside the city's chain; its letter reaches the city HR
        # bureau, which forwards the case to the committee office (函转) — the bureau is the case's channel.
        Route("entrusted", "委托评审：经主管部门向市人社局委托，由市人社局函转评委会办公室", "7.1", ("city_hr",)),
        Route(
            "freelancer_local", "自由职业者（未办理人事代理）：属地人社部门审核", "6.1.3.5", ("county_hr", "county_iit")
        ),
    )
}


class RouteError(ValueError):
    """The situation does not determine a route; the message says what is missing."""


def route_for(
    *,
    employer: Organisation,
    employment_kind: str,
    archives: str,
    has_personnel_agency: bool,
    entrusted: bool = False,
) -> Route:
    """The route for an applicant's situation (6.1.3, 7.1)."""
    if entrusted:
        return ROUTES["entrusted"]
    if employment_kind == "freelancer":
        return ROUTES["freelancer_agency" if has_personnel_agency else "freelancer_local"]
    if employment_kind == "dispatched":
        return ROUTES["dispatch_city" if employer.level == "city" else "dispatch_county"]
    if employer.sector in ("state_owned_enterprise", "public_institution", "government_organ"):
        if employer.level == "city":
            return ROUTES["city_owned"]
        return ROUTES["county_owned"]
    if employer.sector in ("non_public_enterprise", "social_organization"):
        if archives == "agency":
            return ROUTES["non_public_agency_archives"]
        if archives == "elsewhere":
            return ROUTES["archives_elsewhere"]
        return ROUTES["non_public_no_archives"]
    raise RouteError("用人单位的单位性质未登记，无法确定审核渠道")


def resolve_steps(
    route: Route,
    *,
    employer: Organisation,
    area_hr: Organisation | None,
    area_iit: Organisation | None,
    archive_agency: Organisation | None,
    dispatch_agency: Organisation | None,
    personnel_agency: Organisation | None,
) -> list[tuple[str, Organisation, str]]:
    """(step kind, organisation, reviewer role) in order; consecutive steps of one organisation merge (the zones'
    single office acts as both HR and IIT bureau)."""
    association = Organisation.objects.filter(kind=OrgKind.HR_ASSOCIATION).first()
    by_kind: dict[str, Organisation | None] = {
        "competent_department": employer.competent_department,
        "county_hr": area_hr,
        "county_iit": area_iit,
        "talent_agency": archive_agency,
        "dispatch_agency": dispatch_agency,
        "hr_association": association,
        "personnel_agency": personnel_agency,
        "city_hr": Organisation.objects.filter(kind=OrgKind.CITY_HR_BUREAU).first(),
    }
    missing = {
        "competent_department": "市直主管部门",
        "county_hr": "属地人社部门",
        "county_iit": "属地工信部门",
        "talent_agency": "档案代理机构（公共就业和人才服务机构）",
        "dispatch_agency": "劳务派遣机构",
        "hr_association": "忻州市人力资源协会",
        "personnel_agency": "人事代理机构",
        "city_hr": "市人社局",
    }
    steps: list[tuple[str, Organisation, str]] = []
    for kind in route.steps:
        org = by_kind[kind]
        if org is None:
            raise RouteError(f"无法确定审核渠道：缺少{missing[kind]}")
        if steps and steps[-1][1].pk == org.pk:
            continue
        steps.append((kind, org, STEP_ROLES[kind]))
    return steps
