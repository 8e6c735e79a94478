"""The applicant's facts: everything the notice conditions on.

Every field may be unknown (``None``), and unknown is never read as "no" or zero (R0). A list that is
``None`` is unknown; an empty list is a known "none". Bad input is refused with the field's path and a reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import isdigits

from zhicheng.policy.pack import (
    DisciplineKind,
    EducationLevel,
    FieldOfStudy,
    Pack,
    RetirementCategory,
    Sector,
    TechnicalSchoolClass,
)
from zhicheng.policy.paths import PATHS

Level = Literal["technician", "assistant_engineer", "engineer", "senior_engineer"]
SoughtLevel = Literal["technician", "assistant_engineer", "engineer"]
SkillGrade = Literal[
    "junior_worker", "intermediate_worker", "senior_worker", "skilled_technician", "senior_skilled_technician"
]
AssessmentGrade = Literal["excellent", "qualified", "basically_qualified", "unqualified"]
AchievementScope = Literal["city_or_above", "enterprise"]
AwardKind = Literal["design_award", "excellent_project"]

CN_NUMBER = r"^CN\s?\d{2}-\d{4}(/[A-Z0-9]{1,4})?$"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_YEARS = (1900, 2100)  # a date outside these years is a typing error, not a fact

# The lengths and ranges the platform's database keeps, stated once here, at the lowest floor: the facts model
# checks them, and the Django models, forms and API schemas above take them from here (no second literal). A fact
# that passes here is never refused later by the database (issue 10, finding 3: a 60-character name passed the
# facts and then failed as DataError varchar(50) when the results were posted).
NAME_MAX = 50  # a person's name (姓名 of the profile, results, certificates, outcomes, integrity records)
SPECIALTY_NAME_MAX = 50  # a specialty's name (申报专业 of the case, results, certificates)
ORGANISATION_NAME_MAX = 100  # an organisation's name (工作单位)
DOCUMENT_NUMBER_MAX = 100  # a document's number (文号: a decision, a letter, a filing)
SHORT_TEXT_MAX = 200  # any other short text of the facts (a major, a title's series, a journal, a role)
LONG_TEXT_MAX = 100_000  # a text of the materials (the work summary, the defence paper)
LIST_MAX = 100  # entries of one list of the facts (degrees, titles, papers …)
YEAR_MIN, YEAR_MAX = 1950, 2100  # a year of the facts or of a record (评审年度, 取消评审资格的年度)
BAN_YEARS_MAX = 3  # 取消申报资格 for at most 3 years (8.2)


def _not_a_boolean(value: Any) -> Any:
    """A number must not be given as true/false (YAML and JSON would otherwise read true as 1)."""
    if value is True or value is False:  # isinstance(value, bool): bool has no subclasses, True and False no copies
        raise ValueError("应为数字，不能是 true/false (a number, not a boolean)")
    return value


def _date_text(value: Any) -> Any:
    """A date is written YYYY-MM-DD: a number (0, 20191231) is not read as a timestamp."""
    if isinstance(value, str):  # the usual case first
        text = value.strip()
        if ISO_DATE.match(text):
            return text
    elif not isinstance(value, bool | int | float):
        return value
    raise ValueError(f"日期应写作 YYYY-MM-DD (a date is written YYYY-MM-DD, not {value!r})")


def _date_years(value: dt.date) -> dt.date:
    low, high = DATE_YEARS
    if not low <= value.year <= high:
        raise ValueError(f"日期 {value.isoformat()} 的年份应在{low}—{high}年之间 (year outside {low}–{high})")
    return value


Date = Annotated[dt.date, BeforeValidator(_date_text), AfterValidator(_date_years)]
Int = Annotated[int, BeforeValidator(_not_a_boolean)]
NonNegative = Annotated[float, BeforeValidator(_not_a_boolean), Field(ge=0)]
# The bounds of an integer come before the check for booleans, so that pydantic checks them in its int schema: after
# the check (Annotated[Int, Field(ge=0)]) they were a Python validator each (the same errors, in the same order).
# NonNegative keeps its order: checked by the float schema, its bound would read 0.0 in the message.
Count = Annotated[int, Field(ge=0), BeforeValidator(_not_a_boolean)]
Positive = Annotated[int, Field(ge=1), BeforeValidator(_not_a_boolean)]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX), BeforeValidator(_not_a_boolean)]
Name = Annotated[str, Field(max_length=NAME_MAX)]
OrganisationName = Annotated[str, Field(max_length=ORGANISATION_NAME_MAX)]
Short = Annotated[str, Field(max_length=SHORT_TEXT_MAX)]
Long = Annotated[str, Field(max_length=LONG_TEXT_MAX)]
PATH_LEVELS = {p.id: level for level, paths in PATHS.items() for p in paths}


class FieldProblem(ValueError):
    """A problem a model validator finds in one field: ``path`` is relative to the model validated."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(reason)


# The title series (职称系列) a title may belong to, by the code a Title's ``series`` holds: "engineering" is the one
# the notice evaluates (转系列, 4, names the others by their Chinese names).
SERIES_NAMES: dict[str, str] = {
    "engineering": "工程",
    "economics": "经济",
    "accounting": "会计",
    "statistics": "统计",
    "auditing": "审计",
    "agriculture": "农业",
    "health": "卫生",
    "education": "教育",
    "research": "自然科学研究",
    "social_research": "哲学社会科学研究",
    "journalism": "新闻",
    "publishing": "出版",
    "translation": "翻译",
    "broadcasting": "播音主持",
    "arts": "艺术",
    "library": "图书资料",
    "archives": "档案",
    "cultural_relics": "文物博物",
    "law": "律师",
    "notary": "公证",
    "sports": "体育",
    "experiment": "实验技术",
    "aviation": "民用航空飞行技术",
    "shipping": "船舶技术",
    "technical_college": "技工院校教师",
    "social_work": "社会工作",
    "intellectual_property": "知识产权",
}


class FactsError(ValueError):
    """Facts that cannot be used; ``problems`` lists (field path, reason)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{path}: {reason}" for path, reason in problems))


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@functools.lru_cache(maxsize=8192)
def _region_in_force(region: str, year: int) -> bool:
    """Whether the region code (the ID number's first 6 digits) is one in force in the birth year, as
    ``ric.get_birth_place`` reads stdnum's table: the look-up walks the table (some 6,000 codes) and was half of the
    time a profile took to validate (issue 12); its answer rests on the region and the year alone, so it is looked
    up once for each pair."""
    try:
        ric.get_birth_place(f"{region}{year:04d}0101000X")
    except InvalidComponent:
        return False
    return True


def _validate_id_number(value: str) -> tuple[str, dt.date]:
    """``ric.validate`` (the same checks in the same order, raising the same errors), with the region looked up
    once for each region and year, and the birth date it reads: (the compact number, the birth date)."""
    number = ric.compact(value)
    if len(number) != 18:
        raise InvalidLength()
    if not isdigits(number[:-1]):
        raise InvalidFormat()
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidChecksum()
    born = _id_birth_date(number)
    if not _region_in_force(number[:6], born.year):
        raise InvalidComponent()
    return number, born


def _id_birth_date(number: str) -> dt.date:
    """``ric.get_birth_date`` of a compact number."""
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidComponent() from exc


class Identity(_Facts):
    name: Name | None = None
    id_number: str | None = Field(default=None, description="居民身份证号码 (18 digits, check digit verified)")
    birth_date: Date | None = None
    sex: Literal["male", "female"] | None = None

    @field_validator("id_number")
    @classmethod
    def _valid_id(cls, v: str | None) -> str | None:
        if v is None:
            return None
        try:
            number, born = _validate_id_number(v)
        except StdnumError as exc:
            reason = {
                "InvalidChecksum": "校验位错误 (wrong check digit)",
                "InvalidLength": "应为18位 (must be 18 characters)",
                "InvalidFormat": "格式错误 (bad format)",
                "InvalidComponent": "出生日期或地区码无效 (birth date or region code invalid)",
            }.get(type(exc).__name__, str(exc))
            raise ValueError(f"居民身份证号码{reason}") from exc
        low, high = DATE_YEARS
        if not low <= born.year <= high:
            raise ValueError(
                f"居民身份证号码中的出生日期 {born.isoformat()} 不在{low}—{high}年之间 (birth year out of range)"
            )
        return number

    @model_validator(mode="after")
    def _cross_check(self) -> Identity:
        if self.id_number is None:
            return self
        born = _id_birth_date(self.id_number)
        sex: Literal["male", "female"] = "male" if int(self.id_number[16]) % 2 else "female"
        if self.birth_date is not None and self.birth_date != born:
            raise ValueError(f"出生日期 {self.birth_date} 与身份证号码中的 {born} 不一致 (birth date differs from ID)")
        if self.sex is not None and self.sex != sex:
            raise ValueError("性别与身份证号码不一致 (sex differs from ID number)")
        # Derived values fill the unknowns: the ID number settles them.
        object.__setattr__(self, "birth_date", born)
        object.__setattr__(self, "sex", sex)
        return self


class Retirement(_Facts):
    category: RetirementCategory | None = Field(
        default=None, description="male; female55 (cadre-type post); female50 (worker-type post) — R6"
    )
    retired: bool | None = None


class GovernmentMove(_Facts):
    moved_on: Date | None = None
    deputy_section_years: NonNegative | None = Field(default=None, description="任副科级年限")
    section_years: NonNegative | None = Field(default=None, description="任正科级年限")


class Employment(_Facts):
    kind: Literal["employee", "dispatched", "freelancer"] | None = None
    sector: Sector | None = None
    employer_name: OrganisationName | None = None
    employer_level: Literal["city", "county"] | None = None
    county: Short | None = None
    labour_contract: bool | None = None
    in_post: bool | None = None
    engineering_work: bool | None = None
    civil_servant: bool | None = Field(default=None, description="公务员（含参公）")
    professional_post_appointed: bool | None = Field(default=None, description="事业单位: 专业技术岗位聘用")
    post_salary_paid: bool | None = Field(default=None, description="事业单位: 兑现专业技术岗位工资")
    assessments_filed: bool | None = Field(default=None, description="事业单位: 考核结果经人社部门备案 (3.7d)")
    moved_from_government_organ: bool | None = None
    government_move: GovernmentMove | None = None
    first_application: bool | None = Field(default=None, description="首次申报职称评审 (6.2.1)")
    current_post_since: Date | None = Field(default=None, description="到现岗位工作的日期 (series transfer, 4)")
    front_line_since: Date | None = Field(default=None, description="在基层一线直接从事本专业工作的起始日期")
    on_front_line: bool | None = None
    remote_area_years: Count | None = None
    introduced_talent: bool | None = Field(default=None, description="引进的海内外高层次人才或急需紧缺人才 (3.10)")


class Specialty(_Facts):
    category: Positive | None = None
    name: Annotated[str, Field(max_length=SPECIALTY_NAME_MAX)] | None = None
    work_since: Date | None = Field(default=None, description="从事本专业技术工作的起始日期")
    cost_engineering_work: bool | None = Field(default=None, description="从事工程造价工作 (3.2.4b)")


class Education(_Facts):
    level: EducationLevel | None = None
    technical_school_class: TechnicalSchoolClass | None = None
    field: FieldOfStudy | None = None
    discipline_class: Short | None = None
    major: Short | None = None
    related_to_work: bool | None = None
    full_time: bool | None = None
    engineering_professional_degree: bool | None = None
    recognised: bool | None = Field(default=None, description="国家教育行政部门承认 (3.2.3)")
    graduated_on: Date | None = None


class Title(_Facts):
    series: Short | None = Field(default=None, description="engineering, or another series (economics …)")
    level: Level | None = None
    specialty: Short | None = None
    granted_on: Date | None = None
    appointed_on: Date | None = None
    obtained_by: (
        Literal["evaluation", "determination", "exam", "vocational_qualification", "recognition", "transfer"] | None
    ) = None


class SkillGradeRecord(_Facts):
    grade: SkillGrade | None = None
    granted_on: Date | None = None


class VocationalQualification(_Facts):
    name: Short | None = None
    level: SoughtLevel | None = None
    granted_on: Date | None = None


class ContinuingEducationYear(_Facts):
    public: NonNegative | None = None
    professional: NonNegative | None = None


class Discipline(_Facts):
    kind: DisciplineKind | None = None
    started_on: Date | None = None
    lifted_on: Date | None = Field(default=None, description="处分期满解除之日; default: the national period (R7)")


class Achievement(_Facts):
    clause: Short | None = Field(default=None, description="e.g. 3.5.1.1 or 3.5.2.1")
    role: Short | None = Field(default=None, description="the role as the notice names it, e.g. 项目负责人")
    rank: Positive | None = Field(default=None, description="主要完成人排名 (3.5.1.13–15)")
    achieved_on: Date | None = None
    scope: AchievementScope | None = Field(
        default=None, description="成果级别: city_or_above 市级、行业及以上; enterprise 企业 (3.5.1.6, 3.5.1.11)"
    )
    award_kind: AwardKind | None = Field(
        default=None, description="奖项类别: design_award 优秀设计奖; excellent_project 优秀工程称号 (3.5.1.11)"
    )


@functools.lru_cache(maxsize=4096)
def _issn_formatted(value: str) -> str | None:
    """An ISSN in its standard form (1009-6825), None when invalid; once for each value, as many papers share a
    journal."""
    try:
        return str(stdnum_issn.format(stdnum_issn.validate(value)))
    except StdnumError:
        return None


class Paper(_Facts):
    title: Short | None = None
    author_position: Positive | None = None
    author_count: Positive | None = None
    journal_cn: str | None = Field(default=None, pattern=CN_NUMBER)
    journal_issn: Short | None = None
    char_count: Count | None = None
    published_on: Date | None = None
    specialty_match: bool | None = None
    retrieval_page: bool | None = None

    @field_validator("journal_issn")
    @classmethod
    def _issn(cls, v: str | None) -> str | None:
        if v is None:
            return None
        issn = _issn_formatted(v)
        if issn is None:
            raise ValueError("ISSN 号校验位或格式错误 (invalid ISSN)")
        return issn

    @model_validator(mode="after")
    def _positions(self) -> Paper:
        if self.author_position and self.author_count and self.author_position > self.author_count:
            raise ValueError("作者排名大于作者人数 (author position exceeds author count)")
        return self


class TechnicalReport(_Facts):
    title: Short | None = None
    role: Short | None = None
    sole_author: bool | None = None
    char_count: Count | None = None
    completed_on: Date | None = None


class Book(_Facts):
    title: Short | None = None
    main_author: bool | None = None
    recognised_publisher: bool | None = None
    own_char_count: Count | None = None
    isbn: Short | None = None
    cip_page: bool | None = None
    published_on: Date | None = None

    @field_validator("isbn")
    @classmethod
    def _isbn(cls, v: str | None) -> str | None:
        if v is None:
            return None
        try:
            return str(stdnum_isbn.validate(v))
        except StdnumError as exc:
            reason = {
                "InvalidChecksum": "校验位错误 (wrong check digit)",
                "InvalidLength": "应为10位或13位 (must be 10 or 13 digits)",
                "InvalidFormat": "格式错误 (bad format)",
                "InvalidComponent": "前缀无效 (bad prefix)",
            }.get(type(exc).__name__, "无效 (invalid)")
            raise ValueError(f"ISBN 书号{reason}") from exc


class DefencePaper(_Facts):
    char_count: Count | None = None
    produced_on: Date | None = None
    text: Long | None = None


class WorkSummary(_Facts):
    char_count: Count | None = None
    text: Long | None = None
    covers_required_parts: bool | None = Field(default=None, description="基本情况、学术研究、岗位业绩 (3.9)")
    anonymous: bool | None = Field(
        default=None,
        description="不含姓名、工作单位、县（市、区）; computed from the text when it is given (R18)",
    )


class LastYear(_Facts):
    applied: bool | None = None
    level: SoughtLevel | None = None
    outcome: Literal["passed", "failed_defence", "failed_committee", "withdrawn"] | None = None
    applied_on: Date | None = None
    new_achievements: bool | None = Field(default=None, description="有较明显的专业工作业绩 (7.2b)")


class IntegrityRecord(_Facts):
    found_on: Date | None = None
    kind: Literal["false_materials", "plagiarism", "improper_means"] | None = None
    ban_years: Annotated[int, Field(ge=0, le=BAN_YEARS_MAX), BeforeValidator(_not_a_boolean)] | None = None
    cancelled_year: Year | None = None


class Sought(_Facts):
    level: SoughtLevel | None = None
    path: Short | None = Field(default=None, description="a path id of paths.py, e.g. engineer_bachelor")

    @field_validator("path")
    @classmethod
    def _known_path(cls, v: str | None) -> str | None:
        if v is not None and v not in PATH_LEVELS:
            raise ValueError(f"没有申报路径「{v}」(unknown path id)")
        return v

    @model_validator(mode="after")
    def _path_of_level(self) -> Sought:
        if self.level is not None and self.path is not None and PATH_LEVELS[self.path] != self.level:
            raise FieldProblem(
                "path", f"申报路径「{self.path}」不属于所报层级 {self.level} (the path is of {PATH_LEVELS[self.path]})"
            )
        return self


class Facts(_Facts):
    """One applicant's facts. Field paths in messages are the keys below."""

    identity: Identity = Identity()
    retirement: Retirement = Retirement()
    employment: Employment = Employment()
    specialty: Specialty = Specialty()
    education: list[Education] | None = Field(default=None, max_length=LIST_MAX)
    titles: list[Title] | None = Field(default=None, max_length=LIST_MAX)
    skill_grades: list[SkillGradeRecord] | None = Field(default=None, max_length=LIST_MAX)
    vocational_qualifications: list[VocationalQualification] | None = Field(default=None, max_length=LIST_MAX)
    professional_work_started_on: Date | None = None
    probation_completed_on: Date | None = Field(default=None, description="见习期满之日")
    annual_assessments: dict[Year, AssessmentGrade] | None = None
    continuing_education: dict[Year, ContinuingEducationYear] | None = None
    discipline: list[Discipline] | None = Field(default=None, max_length=LIST_MAX)
    achievements: list[Achievement] | None = Field(default=None, max_length=LIST_MAX)
    papers: list[Paper] | None = Field(default=None, max_length=LIST_MAX)
    technical_reports: list[TechnicalReport] | None = Field(default=None, max_length=LIST_MAX)
    books: list[Book] | None = Field(default=None, max_length=LIST_MAX)
    defence_paper: DefencePaper | None = None
    defence_grade: Literal["excellent", "good", "pass", "fail"] | None = Field(
        default=None, description="专业答辩等次 (3.2.4b forestry exception)"
    )
    work_summary: WorkSummary | None = None
    last_year: LastYear | None = None
    integrity_records: list[IntegrityRecord] | None = Field(default=None, max_length=LIST_MAX)
    sought: Sought = Sought()

    @model_validator(mode="after")
    def _retirement_category_matches_sex(self) -> Facts:
        """The retirement category follows the sex (R6): a contradiction is bad input, not an unknown."""
        sex, category = self.identity.sex, self.retirement.category
        if sex == "female" and category == "male":
            raise FieldProblem(
                "retirement.category",
                "退休类别为男职工（male），与性别（女）不一致；女职工应为 female55 或 female50"
                " (male category for a woman)",
            )
        if sex == "male" and category in ("female55", "female50"):
            raise FieldProblem(
                "retirement.category",
                f"退休类别为女职工（{category}），与性别（男）不一致；男职工应为 male (female category for a man)",
            )
        return self


YEAR_KEYED = ("annual_assessments", "continuing_education")  # mappings keyed by year, not lists


def _loc(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a fact path: ``education[0].level``, ``annual_assessments.2021``."""
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int) and not (i > 0 and loc[i - 1] in YEAR_KEYED):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


def _bound_reason(error: Any) -> str | None:
    """The reason, in Chinese, of a value beyond one of the limits above (pydantic words these in English)."""
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "string_too_long":
        size = f"，现为{len(given)}个" if isinstance(given, str) else ""
        return f"不能超过{ctx['max_length']}个字符{size} (at most {ctx['max_length']} characters)"
    if kind == "too_long":
        return f"最多{ctx['max_length']}项 (at most {ctx['max_length']} entries)"
    if kind == "less_than_equal":
        return f"不能大于{ctx['le']} (at most {ctx['le']})"
    if kind == "greater_than_equal":
        return f"不能小于{ctx['ge']} (at least {ctx['ge']})"
    return None


def _problem(error: Any) -> tuple[str, str]:
    """(field path, reason) of one pydantic error; a FieldProblem names its own field below the model's."""
    path = _loc(error["loc"])
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldProblem):
        path = cause.path if path == "(root)" else f"{path}.{cause.path}"
    return path, _bound_reason(error) or error["msg"].removeprefix("Value error, ")


def check_against_pack(facts: Facts, pack: Pack) -> list[tuple[str, str]]:
    """Problems that need the year's catalogue to see: an unknown achievement clause, a specialty left blank. A
    specialty under no category, or a category the notice does not have, is not bad input (R9): it is an answer,
    every level ineligible under 2.2 (specialty_in_catalogue)."""
    problems: list[tuple[str, str]] = []
    sp = facts.specialty
    if sp.name is not None and not sp.name.strip():
        problems.append(("specialty.name", "申报专业不能为空白"))
    for i, ach in enumerate(facts.achievements or []):
        if ach.clause is not None and ach.clause not in pack.achievement_ids:
            problems.append((f"achievements[{i}].clause", f"「{ach.clause}」不是业绩成果条款（3.5）"))
    return problems


def load_facts(data: Any, pack: Pack | None = None) -> Facts:
    """Validate raw data (a mapping) into Facts; with a pack, also check the catalogue. Raises FactsError."""
    if not isinstance(data, dict):
        raise FactsError([("(root)", "应为键值对象 (expected a mapping of facts)")])
    try:
        facts = Facts.model_validate(data)
    except ValidationError as exc:
        raise FactsError([_problem(e) for e in exc.errors()]) from exc
    if pack is not None:
        problems = check_against_pack(facts, pack)
        if problems:
            raise FactsError(problems)
    return facts


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A key given twice in one mapping: YAML would silently keep the last one."""

    def __init__(self, path: str, mark: Any) -> None:
        self.path = path
        self.line = mark.line + 1
        super().__init__(problem=f"duplicate key {path}", problem_mark=mark)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _refuse_duplicates(node: yaml.Node, path: str, seen: set[int]) -> None:
    if id(node) in seen:  # an alias: the anchored node was walked already
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[tuple[str, str]] = set()
        for key, value in node.value:
            if key.tag == "tag:yaml.org,2002:merge":  # <<: merged keys may be overridden by explicit ones
                _refuse_duplicates(value, path, seen)
                continue
            child = path
            if isinstance(key, yaml.ScalarNode):
                child = _join(path, key.value)
                if (key.tag, key.value) in keys:
                    raise DuplicateKeyError(child, key.start_mark)
                keys.add((key.tag, key.value))
            _refuse_duplicates(value, child, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _refuse_duplicates(item, f"{path}[{i}]", seen)


class FactsYamlLoader(yaml.SafeLoader):
    """YAML without implicit dates (a date stays text so that pydantic names a bad one precisely), and with no
    key given twice in one mapping (DuplicateKeyError names the key's path and line)."""

    def construct_document(self, node: yaml.Node) -> Any:
        _refuse_duplicates(node, "", set())
        return super().construct_document(node)


FactsYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_facts_file(path: str | Path, pack: Pack | None = None) -> Facts:
    """Facts from a YAML or JSON file (JSON is YAML)."""
    file = Path(path)
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=FactsYamlLoader)
    except OSError as exc:
        raise FactsError([("(file)", f"无法读取文件 {file}: {exc.strerror}")]) from exc
    except UnicodeDecodeError as exc:
        raise FactsError([("(file)", f"文件须为UTF-8编码 (the file must be UTF-8): {file}")]) from exc
    except DuplicateKeyError as exc:
        raise FactsError([(exc.path, f"键重复（第{exc.line}行）(duplicate key, line {exc.line})")]) from exc
    except yaml.YAMLError as exc:
        raise FactsError([("(file)", f"{file} 不是有效的 YAML/JSON: {exc}")]) from exc
    return load_facts(data, pack)
