"""The roles of the notice's people, and which kind of organisation each acts for."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "申报人"
    EMPLOYER_CLERK = "employer_clerk", "用人单位经办人"
    EMPLOYER_LEADER = "employer_leader", "用人单位负责人"
    COMPETENT_DEPARTMENT_REVIEWER = "competent_department_reviewer", "市直主管部门审核人"
    COUNTY_HR_REVIEWER = "county_hr_reviewer", "县（市、区）人社局审核人"
    COUNTY_IIT_REVIEWER = "county_iit_reviewer", "县（市、区）工信局审核人"
    TALENT_AGENCY_REVIEWER = "talent_agency_reviewer", "公共就业和人才服务机构审核人"
    PERSONNEL_AGENCY_REVIEWER = "personnel_agency_reviewer", "人事代理机构审核人"
    DISPATCH_AGENCY_REVIEWER = "dispatch_agency_reviewer", "劳务派遣机构审核人"
    HR_ASSOCIATION_REVIEWER = "hr_association_reviewer", "忻州市人力资源协会审核人"
    COMMITTEE_CLERK = "committee_clerk", "评委会办公室工作人员"
    EXPERT = "expert", "评审专家"
    CITY_HR_OFFICER = "city_hr_officer", "市人社局工作人员"
    ADMINISTRATOR = "administrator", "系统管理员"
    # MLPS level 3 (三权分立): the system administrator runs the platform, the security administrator manages
    # accounts and their factors, the audit administrator reads the audit trail; none can do another's job.
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


class OrgKind(models.TextChoices):
    EMPLOYER = "employer", "用人单位"
    CITY_COMPETENT_DEPARTMENT = "city_competent_department", "市直主管部门"
    COUNTY_HR_BUREAU = "county_hr_bureau", "县（市、区）人社局"
    COUNTY_IIT_BUREAU = "county_iit_bureau", "县（市、区）工信局"
    PUBLIC_TALENT_AGENCY = "public_talent_agency", "公共就业和人才服务机构"
    PERSONNEL_AGENCY = "personnel_agency", "人事代理机构"
    LABOUR_DISPATCH_AGENCY = "labour_dispatch_agency", "劳务派遣机构"
    HR_ASSOCIATION = "hr_association", "忻州市人力资源协会"
    COMMITTEE_OFFICE = "committee_office", "评委会办公室"
    CITY_HR_BUREAU = "city_hr_bureau", "市人社局"
    CITY_IIT_BUREAU = "city_iit_bureau", "市工信局"


# A role acts for an organisation of one of these kinds (None: no organisation needed).
ROLE_ORG_KINDS: dict[str, tuple[str, ...] | None] = {
    Role.APPLICANT: (OrgKind.EMPLOYER, OrgKind.PERSONNEL_AGENCY),
    # A personnel agency does the employer's part for freelancers (6.1.3.5: 履行审核、公示、推荐等程序).
    Role.EMPLOYER_CLERK: (OrgKind.EMPLOYER, OrgKind.PERSONNEL_AGENCY),
    Role.EMPLOYER_LEADER: (OrgKind.EMPLOYER, OrgKind.PERSONNEL_AGENCY),
    Role.COMPETENT_DEPARTMENT_REVIEWER: (OrgKind.CITY_COMPETENT_DEPARTMENT,),
    Role.COUNTY_HR_REVIEWER: (OrgKind.COUNTY_HR_BUREAU,),
    Role.COUNTY_IIT_REVIEWER: (OrgKind.COUNTY_IIT_BUREAU,),
    Role.TALENT_AGENCY_REVIEWER: (OrgKind.PUBLIC_TALENT_AGENCY,),
    Role.PERSONNEL_AGENCY_REVIEWER: (OrgKind.PERSONNEL_AGENCY,),
    Role.DISPATCH_AGENCY_REVIEWER: (OrgKind.LABOUR_DISPATCH_AGENCY,),
    Role.HR_ASSOCIATION_REVIEWER: (OrgKind.HR_ASSOCIATION,),
    Role.COMMITTEE_CLERK: (OrgKind.COMMITTEE_OFFICE,),
    Role.EXPERT: None,
    Role.CITY_HR_OFFICER: (OrgKind.CITY_HR_BUREAU,),
    Role.ADMINISTRATOR: None,
    Role.SECURITY_ADMIN: None,
    Role.AUDIT_ADMIN: None,
}

# The three administrators of MLPS level 3 (zhicheng.accounts.duties says what each may do).
ADMINISTRATOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def check_roles_apart(roles: set[str]) -> None:
    """A person holds one administrator role at most, and then no other role: 三权分立 asks three different people,
    and an administrator who also worked on cases could grant or read what the separation keeps apart."""
    if roles & ADMINISTRATOR_ROLES and len(roles) > 1:
        raise ValidationError(
            {"role": "系统管理员、安全管理员、审计管理员须由不同的人担任，且不得兼任其他角色（三权分立）。"}
        )
