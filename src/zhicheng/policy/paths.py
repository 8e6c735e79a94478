"""Each level's paths as lists of conditions (R13); exceptions to the normal paths are labelled as such.

The exclusions apply to every path of every level and are evaluated once.
"""

from __future__ import annotations

from dataclasses import dataclass

# The exclusions that bar every level.
EXCLUSIONS: tuple[str, ...] = (
    "scope_employment",
    "scope_public_institution_post",
    "not_civil_servant",
    "not_retired",
    "no_running_discipline",
    "no_integrity_ban",
)

# 7.2 binds the level of last year's failed application only (R19), each level through its own condition. It
# speaks of evaluation (评审); the technician title is determined (确定), so it is not bound by it.
LEVEL_ONLY_EXCLUSIONS: dict[str, tuple[str, ...]] = {
    "technician": (),
    "assistant_engineer": ("last_year_rule_ae",),
    "engineer": ("last_year_rule_engineer",),
}
LEVEL_EXCLUSIONS: dict[str, tuple[str, ...]] = {
    level: (*EXCLUSIONS, *only) for level, only in LEVEL_ONLY_EXCLUSIONS.items()
}
# Every exclusion finding, in order: what a decision lists before the paths.
ALL_EXCLUSIONS: tuple[str, ...] = tuple(dict.fromkeys(n for names in LEVEL_EXCLUSIONS.values() for n in names))

_ENGINEER = (
    "specialty_in_catalogue",
    "achievements_engineer",
    "academic_engineer",
    "work_summary",
    "assessments_filed",
)
_ENGINEER_HS = (
    "specialty_in_catalogue",
    "achievements_engineer_high_skilled",
    "academic_engineer",
    "work_summary",
    "assessments_filed",
)
_AE = ("specialty_in_catalogue", "achievements_ae", "academic_ae", "work_summary", "assessments_filed")
_AE_HS = (
    "specialty_in_catalogue",
    "achievements_ae_high_skilled",
    "academic_ae",
    "work_summary",
    "assessments_filed",
)


@dataclass(frozen=True, slots=True)
class PathDef:
    id: str
    level: str
    name: str
    clause: str
    conditions: tuple[str, ...]
    exception: str | None = None  # a label where the path is an exception to the normal ones


PATHS: dict[str, tuple[PathDef, ...]] = {
    "engineer": (
        PathDef(
            "engineer_doctorate",
            "engineer",
            "博士学位，经考察合格",
            "3.3.1a",
            ("education_doctorate", "doctorate_assessment", *_ENGINEER),
        ),
        PathDef(
            "engineer_master",
            "engineer",
            "研究生毕业或硕士学位后从事本专业工作满2年",
            "3.3.1b",
            ("education_master", "seniority_master", *_ENGINEER),
        ),
        PathDef(
            "engineer_bachelor",
            "engineer",
            "大学本科毕业，任助理工程师满4年",
            "3.3.1c",
            ("education_bachelor_engineer", "seniority_bachelor_ae", *_ENGINEER),
        ),
        PathDef(
            "engineer_college",
            "engineer",
            "大学专科毕业，任助理工程师满5年",
            "3.3.1d",
            ("education_college_engineer", "seniority_college_ae", *_ENGINEER),
        ),
        PathDef(
            "engineer_high_skilled",
            "engineer",
            "高技能人才：技师后从事技术技能工作满3年",
            "3.3.1e",
            ("education_engineer", "seniority_skilled_technician", "assessments_high_skilled", *_ENGINEER_HS),
        ),
        PathDef(
            "engineer_front_line",
            "engineer",
            "基层一线满15年，学历放宽到中专或中级工班",
            "3.2.1a",
            ("front_line_education", "front_line_fifteen_years", "front_line_seniority", *_ENGINEER),
            exception="front_line_relaxation",
        ),
        PathDef(
            "engineer_green_channel_1",
            "engineer",
            "绿色通道1：从机关流动到企事业单位",
            "6.2.1",
            (
                "gc1_moved_from_organ",
                "gc1_first_application",
                "education_engineer",
                "gc1_seniority",
                *_ENGINEER,
            ),
            exception="green_channel",
        ),
        PathDef(
            "engineer_green_channel_2",
            "engineer",
            "绿色通道2：企业普通全日制毕业生直接申报（本科5年、专科8年）",
            "6.2.2",
            (
                "gc2_sector",
                "gc2_full_time_education",
                "gc2_no_assistant_engineer",
                "gc2_years",
                "gc2_not_exam_specialty",
                *_ENGINEER,
            ),
            exception="green_channel",
        ),
        PathDef(
            "engineer_green_channel_3",
            "engineer",
            "绿色通道3：民营企业一线高技能人才（技师）",
            "6.2.3",
            (
                "gc3_private_front_line",
                "education_engineer",
                "seniority_skilled_technician",
                "assessments_high_skilled",
                *_ENGINEER_HS,
            ),
            exception="green_channel",
        ),
        PathDef(
            "engineer_transfer",
            "engineer",
            "转系列：其他系列中级职称平级转入",
            "4",
            (
                "transfer_same_level_engineer",
                "transfer_new_post",
                "transfer_assessment",
                "education_engineer",
                *_ENGINEER,
            ),
            exception="series_transfer",
        ),
        PathDef(
            "engineer_vocational_qualification",
            "engineer",
            "取得职业资格认定相应层级职称",
            "3.3b",
            ("specialty_in_catalogue", "vocational_qualification_engineer"),
            exception="recognition",
        ),
        PathDef(
            "engineer_introduced_talent",
            "engineer",
            "引进高层次人才和急需紧缺人才职称认定",
            "3.10",
            ("specialty_in_catalogue", "introduced_talent"),
            exception="recognition",
        ),
    ),
    "assistant_engineer": (
        PathDef(
            "ae_bachelor",
            "assistant_engineer",
            "大学本科毕业后从事专业技术工作满1年",
            "3.3.2a",
            ("education_bachelor_ae", "seniority_ae_bachelor", *_AE),
        ),
        PathDef(
            "ae_college",
            "assistant_engineer",
            "大学专科毕业，见习期满，任技术员满2年",
            "3.3.2b",
            ("education_college_ae", "probation_completed", "seniority_ae_college_technician", *_AE),
        ),
        PathDef(
            "ae_secondary",
            "assistant_engineer",
            "中专（中技）毕业，见习期满，任技术员满4年",
            "3.3.2c",
            ("education_secondary_ae", "probation_completed", "seniority_ae_secondary_technician", *_AE),
        ),
        PathDef(
            "ae_high_skilled",
            "assistant_engineer",
            "高技能人才：高级工后从事技术技能工作满2年",
            "3.3.2d",
            ("education_ae", "seniority_senior_worker", "assessments_high_skilled", *_AE_HS),
        ),
        PathDef(
            "ae_green_channel_3",
            "assistant_engineer",
            "绿色通道3：民营企业一线高技能人才（高级工）",
            "6.2.3",
            (
                "gc3_private_front_line",
                "education_ae",
                "seniority_senior_worker",
                "assessments_high_skilled",
                *_AE_HS,
            ),
            exception="green_channel",
        ),
        PathDef(
            "ae_transfer",
            "assistant_engineer",
            "转系列：其他系列初级（助理级）职称平级转入",
            "4",
            ("transfer_same_level_ae", "transfer_new_post", "transfer_assessment", "education_ae", *_AE),
            exception="series_transfer",
        ),
        PathDef(
            "ae_vocational_qualification",
            "assistant_engineer",
            "取得职业资格认定相应层级职称",
            "3.3b",
            ("specialty_in_catalogue", "vocational_qualification_ae"),
            exception="recognition",
        ),
        PathDef(
            "ae_introduced_talent",
            "assistant_engineer",
            "引进高层次人才和急需紧缺人才职称认定",
            "3.10",
            ("specialty_in_catalogue", "introduced_talent"),
            exception="recognition",
        ),
        PathDef(
            "ae_postgraduate",
            "assistant_engineer",
            "研究生申报助理工程师（本通知未规定）",
            "3.3.2a",
            ("postgraduate_not_covered",),
            exception="not_covered",
        ),
    ),
    "technician": (
        PathDef(
            "technician_determination",
            "technician",
            "中专或中级工班及以上相关学历，确定技术员",
            "3.2.1c",
            ("specialty_in_catalogue", "education_technician"),
        ),
        PathDef(
            "technician_vocational_qualification",
            "technician",
            "取得职业资格认定相应层级职称",
            "3.3b",
            ("specialty_in_catalogue", "vocational_qualification_technician"),
            exception="recognition",
        ),
    ),
}


def all_paths() -> list[PathDef]:
    return [p for level in PATHS.values() for p in level]


def path_by_id(path_id: str) -> PathDef:
    for p in all_paths():
        if p.id == path_id:
            return p
    raise KeyError(path_id)
