"""The city's structure as loaded by the migration, and the validation of employers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from zhicheng.accounts.models import Area, Membership, Organisation
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.accounts.xinzhou import COUNTIES


def test_fourteen_counties_and_two_zones_each_with_bureaus(world: Any) -> None:
    assert sorted(a.name for a in Area.objects.filter(kind="county")) == sorted(COUNTIES)
    assert len(COUNTIES) == 14
    assert set(Area.objects.filter(kind="zone").values_list("name", flat=True)) == {
        "忻州经济开发区",
        "五台山风景名胜区",
    }
    for area in Area.objects.exclude(kind="city"):
        assert area.hr_bureau is not None and area.iit_bureau is not None, area
    for kind in (OrgKind.COMMITTEE_OFFICE, OrgKind.CITY_HR_BUREAU, OrgKind.HR_ASSOCIATION, OrgKind.PERSONNEL_AGENCY):
        assert Organisation.objects.filter(kind=kind).exists(), kind
    assert Organisation.objects.filter(kind=OrgKind.CITY_COMPETENT_DEPARTMENT).count() >= 5


def test_an_employer_needs_a_valid_credit_code_and_sector(world: Any) -> None:
    area = Area.objects.get(name="定襄县")
    org = Organisation(
        name="定襄县测试",
        kind=OrgKind.EMPLOYER,
        area=area,
        sector="non_public_enterprise",
        credit_code="911409000000000011",
    )
    with pytest.raises(ValidationError) as info:
        org.full_clean()
    assert "统一社会信用代码无效" in str(info.value)
    org.sector = ""
    with pytest.raises(ValidationError):
        org.full_clean()


def test_a_city_owned_employer_needs_its_competent_department(world: Any) -> None:
    org = world.employer("忻州市测试单位", "忻州市", level="city")
    with pytest.raises(ValidationError, match="市直主管部门"):
        org.full_clean()


def test_a_reviewer_role_needs_the_right_kind_of_organisation(world: Any) -> None:
    employer = world.employer("五台县测试")
    m = Membership(
        user=world.person("x", Role.EMPLOYER_CLERK, employer).user, role=Role.COUNTY_HR_REVIEWER, organisation=employer
    )
    with pytest.raises(ValidationError, match="相应类别的机构"):
        m.full_clean()
