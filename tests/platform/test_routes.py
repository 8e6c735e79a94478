"""Every route of 6.1.3, from the applicant's situation to the organisations that review, in order."""

from __future__ import annotations

from typing import Any

import pytest

from zhicheng.accounts.models import Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.applications import services
from zhicheng.applications.routes import ROUTES, RouteError, resolve_steps, route_for
from zhicheng.cases.refusals import ActionRefused
from zhicheng.records.models import Profile


def _steps(application: Any) -> list[tuple[str, str]]:
    steps = services.steps_for(application)
    return [(org.name, role) for _, org, role in steps]


def _case(world: Any, employer: Organisation, username: str, **kw: Any) -> Any:
    applicant = world.applicant(username, employer, kind=kw.get("employment_kind", "employee"))
    return services.create_application(
        applicant,
        level="engineer",
        path="engineer_bachelor",
        employer=employer,
        area=kw.pop("area", employer.area),
        **kw,
    )


def test_city_owned_goes_to_its_competent_department(world: Any) -> None:
    """6.1.3(1): 市属企事业单位 → 市直主管部门 → the committee."""
    employer = world.employer("忻州市测试国有公司", "忻州市", level="city", competent="忻州市交通运输局")
    app = _case(world, employer, "a1")
    assert app.route == "city_owned"
    assert _steps(app) == [("忻州市交通运输局", Role.COMPETENT_DEPARTMENT_REVIEWER)]


def test_county_owned_goes_through_the_county_hr_then_iit_bureau(world: Any) -> None:
    """6.1.3(1): 县属单位 → 县人社局审核 → 县工信局报送."""
    employer = world.employer("代县测试事业单位", "代县", sector="public_institution")
    app = _case(world, employer, "a2")
    assert app.route == "county_owned"
    assert _steps(app) == [
        ("代县人力资源和社会保障局", Role.COUNTY_HR_REVIEWER),
        ("代县工业和信息化局", Role.COUNTY_IIT_REVIEWER),
    ]


def test_non_public_with_archives_at_a_talent_agency(world: Any) -> None:
    """6.1.3(2): archives at a public talent service agency → the agency → the local HR bureau → …"""
    employer = world.employer("忻府区测试民营公司", "忻府区", sector="non_public_enterprise")
    agency = Organisation.objects.get(name="忻府区公共就业和人才服务中心")
    app = _case(world, employer, "a3", archives="agency", archive_agency=agency)
    assert app.route == "non_public_agency_archives"
    assert _steps(app) == [
        ("忻府区公共就业和人才服务中心", Role.TALENT_AGENCY_REVIEWER),
        ("忻府区人力资源和社会保障局", Role.COUNTY_HR_REVIEWER),
        ("忻府区工业和信息化局", Role.COUNTY_IIT_REVIEWER),
    ]


def test_non_public_without_archives(world: Any) -> None:
    """6.1.3(2): no archives agency → the local HR bureau → …"""
    employer = world.employer("繁峙县测试民营公司", "繁峙县", sector="non_public_enterprise")
    app = _case(world, employer, "a4")
    assert app.route == "non_public_no_archives"
    assert [role for _, role in _steps(app)] == [Role.COUNTY_HR_REVIEWER, Role.COUNTY_IIT_REVIEWER]


def test_archives_elsewhere_use_the_current_employers_channel(world: Any) -> None:
    """6.1.3(3): archives elsewhere, a labour contract here → the current employer's channel."""
    employer = world.employer("宁武县测试社会组织", "宁武县", sector="social_organization")
    app = _case(world, employer, "a5", archives="elsewhere")
    assert app.route == "archives_elsewhere"
    assert _steps(app)[0] == ("宁武县人力资源和社会保障局", Role.COUNTY_HR_REVIEWER)


def test_dispatched_in_a_county(world: Any) -> None:
    """6.1.3(4): county dispatch → the dispatch agency (with the employer) → the city HR association →
    the local HR bureau → …"""
    employer = world.employer("静乐县测试公司", "静乐县", sector="non_public_enterprise")
    dispatch = world.agency("测试劳务派遣公司", OrgKind.LABOUR_DISPATCH_AGENCY)
    app = _case(world, employer, "a6", employment_kind="dispatched", dispatch_agency=dispatch)
    assert app.route == "dispatch_county"
    assert _steps(app) == [
        ("测试劳务派遣公司", Role.DISPATCH_AGENCY_REVIEWER),
        ("忻州市人力资源协会", Role.HR_ASSOCIATION_REVIEWER),
        ("静乐县人力资源和社会保障局", Role.COUNTY_HR_REVIEWER),
        ("静乐县工业和信息化局", Role.COUNTY_IIT_REVIEWER),
    ]


def test_dispatched_at_city_level(world: Any) -> None:
    """6.1.3(4): city dispatch → the dispatch agency → the city HR association → the committee."""
    employer = world.employer("忻州市测试国企二", "忻州市", level="city", competent="忻州市水利局")
    dispatch = world.agency("市直测试劳务派遣公司", OrgKind.LABOUR_DISPATCH_AGENCY)
    app = _case(world, employer, "a7", employment_kind="dispatched", dispatch_agency=dispatch)
    assert app.route == "dispatch_city"
    assert _steps(app) == [
        ("市直测试劳务派遣公司", Role.DISPATCH_AGENCY_REVIEWER),
        ("忻州市人力资源协会", Role.HR_ASSOCIATION_REVIEWER),
    ]


def test_freelancer_through_a_personnel_agency(world: Any) -> None:
    """6.1.3(5): a freelancer → the personnel agency."""
    agency = Organisation.objects.get(kind=OrgKind.PERSONNEL_AGENCY)
    app = _case(world, agency, "a8", employment_kind="freelancer", personnel_agency=agency)
    assert app.route == "freelancer_agency"
    assert _steps(app) == [("忻州市人事代理服务中心", Role.PERSONNEL_AGENCY_REVIEWER)]


def test_freelancer_without_an_agency_goes_to_the_local_hr_bureau(world: Any) -> None:
    """6.1.3(5): without a personnel agency, the local HR bureau reviews (route data). No one is named to do the
    employer's part (peer review, publicities, appraisal), so the platform asks such a freelancer to apply through
    a personnel agency (docs/platform.md)."""
    employer = world.employer("偏关县测试工作室", "偏关县", sector="non_public_enterprise")
    route = route_for(employer=employer, employment_kind="freelancer", archives="none", has_personnel_agency=False)
    assert route.code == "freelancer_local"
    steps = resolve_steps(
        route,
        employer=employer,
        area_hr=employer.area.hr_bureau,
        area_iit=employer.area.iit_bureau,
        archive_agency=None,
        dispatch_agency=None,
        personnel_agency=None,
    )
    assert next((org.name, role) for _, org, role in steps) == ("偏关县人力资源和社会保障局", Role.COUNTY_HR_REVIEWER)
    applicant = world.applicant("a9", employer, kind="freelancer")
    with pytest.raises(ActionRefused, match="人事代理机构"):
        services.create_application(
            applicant,
            level="engineer",
            path="engineer_bachelor",
            employer=employer,
            area=employer.area,
            employment_kind="freelancer",
        )


def test_the_route_follows_the_applicants_own_facts(world: Any) -> None:
    """The route is not the applicant's free choice: the employment kind is the profile's, agencies are checked."""
    employer = world.employer("五台县路径测试国企", "五台县")
    applicant = world.applicant("a11", employer)
    agency = Organisation.objects.get(kind=OrgKind.PERSONNEL_AGENCY)
    with pytest.raises(ActionRefused, match="用工形式须与申报人信息一致"):
        services.create_application(
            applicant,
            level="engineer",
            path="engineer_bachelor",
            employer=employer,
            area=employer.area,
            employment_kind="freelancer",
            personnel_agency=agency,
        )
    other_county = Organisation.objects.get(name="代县公共就业和人才服务中心")
    with pytest.raises(ActionRefused, match="所在地或市级"):
        services.create_application(
            applicant,
            level="engineer",
            path="engineer_bachelor",
            employer=employer,
            area=employer.area,
            archives="agency",
            archive_agency=other_county,
        )
    with pytest.raises(ActionRefused, match="人事档案情况无效"):
        services.create_application(
            applicant,
            level="engineer",
            path="engineer_bachelor",
            employer=employer,
            area=employer.area,
            archives="x" * 50,
        )


def test_a_freelancer_walks_through_a_personnel_agency(world: Any) -> None:
    """6.1.3(5): the personnel agency does the employer's part, then submits; the whole way to ready."""
    from tests.platform.conftest import through_employer
    from zhicheng.cases.models import State

    agency = Organisation.objects.get(kind=OrgKind.PERSONNEL_AGENCY)
    applicant = world.applicant("a12", agency, kind="freelancer")
    profile = Profile.objects.get(user=applicant.user)
    identity = {**profile.facts["identity"], "id_number": "142221197507200130", "birth_date": None, "sex": None}
    services.save_profile(applicant.user, {**profile.facts, "identity": identity})
    leader = world.person("agency_leader", Role.EMPLOYER_LEADER, agency)
    reviewer = world.person("agency_reviewer", Role.PERSONNEL_AGENCY_REVIEWER, agency)
    app = services.create_application(
        applicant,
        level="engineer",
        path="engineer_bachelor",
        employer=agency,
        area=agency.area,
        employment_kind="freelancer",
        personnel_agency=agency,
    )
    services.applicant_pledge(applicant, app.pk)
    services.perform(applicant, app.pk, "submit")
    through_employer(app, leader)
    services.perform(reviewer, app.pk, "approve")
    app.refresh_from_db()
    assert app.state == State.READY_FOR_COMMITTEE


def test_a_zone_office_is_one_step(world: Any) -> None:
    """The zones' single office acts for both bureaus (the notice addresses it in their place)."""
    employer = world.employer("开发区测试国企", "忻州经济开发区")
    app = _case(world, employer, "a10")
    assert _steps(app) == [("忻州经济开发区管委会党群工作部", Role.COUNTY_HR_REVIEWER)]


def test_a_missing_agency_is_named(world: Any) -> None:
    employer = world.employer("五寨县测试民营公司", "五寨县", sector="non_public_enterprise")
    route = route_for(employer=employer, employment_kind="employee", archives="agency", has_personnel_agency=False)
    with pytest.raises(RouteError, match="档案代理机构"):
        resolve_steps(
            route,
            employer=employer,
            area_hr=employer.area.hr_bureau,
            area_iit=employer.area.iit_bureau,
            archive_agency=None,
            dispatch_agency=None,
            personnel_agency=None,
        )


def test_an_employer_without_a_sector_has_no_route(world: Any) -> None:
    employer = world.employer("岢岚县未登记单位", "岢岚县")
    employer.sector = ""
    with pytest.raises(RouteError, match="单位性质"):
        route_for(employer=employer, employment_kind="employee", archives="none", has_personnel_agency=False)


def test_every_route_cites_a_clause_of_6_1_3_or_7_1() -> None:
    """6.1.3 (1)–(5) are the channels; 7.1 adds the entrusted cases forwarded by the city HR bureau."""
    assert {r.clause for r in ROUTES.values()} <= {f"6.1.3.{i}" for i in range(1, 6)} | {"7.1"}
