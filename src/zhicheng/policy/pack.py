"""Loading and validating a year's policy pack (YAML data, every value citing its clause).

A pack is a folder of YAML files. A later year's pack may ``extends:`` an earlier one and give only what
changes (its dates); the rules derive every cutoff from the evaluation year, so nothing else moves by hand.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from zhicheng.policy.findings import ParamUse

PACKS_DIR = Path(__file__).parent / "packs"
PACK_FILES = (
    "pack.yaml",
    "specialties.yaml",
    "education.yaml",
    "achievements.yaml",
    "exclusions.yaml",
    "clauses.yaml",
)
CLAUSE_ID = re.compile(r"^(general|\d+(\.\d+)*[a-z]?)$")
RULING_ID = re.compile(r"^R\d+$")

T = TypeVar("T")


class PackError(Exception):
    """A pack that cannot be used: the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Param(_Strict, Generic[T]):
    """One parameter: its value and where it comes from."""

    value: T
    clause: str
    ruling: str | None = None
    note: str | None = None

    @field_validator("clause")
    @classmethod
    def _clause_id(cls, v: str) -> str:
        if not CLAUSE_ID.match(v):
            raise ValueError(f"not a clause id: {v!r}")
        return v

    @field_validator("ruling")
    @classmethod
    def _ruling_id(cls, v: str | None) -> str | None:
        if v is not None and not RULING_ID.match(v):
            raise ValueError(f"not a ruling id: {v!r}")
        return v


Sector = Literal[
    "state_owned_enterprise",
    "public_institution",
    "non_public_enterprise",
    "social_organization",
    "government_organ",
]


class ReceivingWindow(_Strict):
    start: Param[dt.date]
    end: Param[dt.date]
    rest_days_excluded: Param[bool]


class Publicity(_Strict):
    min_workdays: Param[int]
    results_min_workdays: Param[int]


class Seniority(_Strict):
    engineer_master_years: Param[int]
    engineer_bachelor_ae_years: Param[int]
    engineer_college_ae_years: Param[int]
    engineer_skilled_technician_years: Param[int]
    ae_bachelor_years: Param[int]
    ae_college_technician_years: Param[int]
    ae_secondary_technician_years: Param[int]
    ae_senior_worker_years: Param[int]
    professional_degree_reduction_years: Param[int]
    front_line_years: Param[int]
    green_channel_1_move_years: Param[int]
    green_channel_1_cadre_years: Param[int]
    green_channel_2_bachelor_years: Param[int]
    green_channel_2_college_years: Param[int]
    transfer_years: Param[int]
    forestry_exception_years: Param[int]


class Assessment(_Strict):
    high_skilled_recent_years: Param[int]


class ContinuingEducation(_Strict):
    yearly_hours: Param[int]
    public_hours: Param[int]
    professional_hours: Param[int]
    years_checked: Param[int]


class TextParams(_Strict):
    counting_rule: Param[Literal["cjk-character-latin-word"]]
    paper_min_chars: Param[int]
    book_own_min_chars: Param[int]
    defence_paper_min_chars: Param[int]
    report_min_count: Param[int]
    ae_paper_min_chars: Param[int]
    work_summary_min_chars: Param[int]


class AchievementParams(_Strict):
    main_contributor_max_rank: Param[int]


class Sectors(_Strict):
    discipline_applies: Param[list[Sector]]
    front_line_enterprises: Param[list[Sector]]
    front_line_institution_levels: Param[list[Literal["city", "county"]]]
    green_channel_1: Param[list[Sector]]
    green_channel_2: Param[list[Sector]]
    green_channel_3: Param[list[Sector]]


class QualificationEntry(_Strict):
    name: str
    level: Literal["technician", "assistant_engineer", "engineer"]


class Integrity(_Strict):
    record_years: Param[int]
    max_ban_years: Param[int]


Fraction = Annotated[str, Field(pattern=r"^[1-9]\d*/[1-9]\d*$")]


class RubricItem(_Strict):
    """One line of a scoring sheet (5a): computed items are read from the applicant's facts with ``points``."""

    id: str
    name: str
    max: Annotated[int, Field(gt=0)]
    source: Literal["computed", "expert"]
    points: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _computed_has_points(self) -> RubricItem:
        if self.source == "computed" and not self.points:
            raise ValueError(f"computed item {self.id} needs points")
        return self


class EvaluationParams(_Strict):
    quorum_fraction: Param[Fraction]
    pass_fraction: Param[Fraction]
    expert_max_term_years: Param[int]
    expert_min_title: Param[Literal["engineer", "senior_engineer", "professor_senior_engineer"]]
    experts_per_group: Param[int]
    default_pass_rate: Param[float | None]
    grassroots_pass_rate: Param[float | None]
    grassroots_min_years: Param[int]
    defence_pass_mark: Param[int]
    candidate_code_prefix: Param[str]
    score_weights: Param[dict[Literal["defence", "quantified"], float]]
    defence_rubric: Param[list[RubricItem]]
    quantified_rubric: Param[list[RubricItem]]
    grassroots_weights: Param[dict[str, float]]


class Parameters(_Strict):
    evaluation_year: Param[int]
    committee_name: Param[str]
    committee_office_contact: Param[str]
    receiving_window: ReceivingWindow
    reference_date: Param[dt.date]
    publicity: Publicity
    seniority: Seniority
    assessment: Assessment
    continuing_education: ContinuingEducation
    text: TextParams
    achievements: AchievementParams
    sectors: Sectors
    exam_instead_specialties: Param[list[str]]
    vocational_qualification_catalogue: Param[list[QualificationEntry]]
    integrity: Integrity
    evaluation: EvaluationParams


class PackMeta(_Strict):
    id: str
    version: str
    name: str
    notice: str
    issued_on: dt.date
    extends: str | None = None
    parameters: Parameters


# ── specialties.yaml ──────────────────────────────────────────────────────────────────────────────────


class SpecialtyEntry(_Strict):
    name: str
    includes: list[str] = Field(default_factory=list)
    note: str | None = None


class SpecialtyGroup(_Strict):
    number: int
    name: str
    clause: str
    open: bool
    specialties: list[SpecialtyEntry]


class Category(_Strict):
    number: int
    name: str
    clause: str
    open: bool
    specialties: list[SpecialtyEntry] = Field(default_factory=list)
    groups: list[SpecialtyGroup] = Field(default_factory=list)

    def all_names(self) -> dict[str, tuple[int | None, str]]:
        """Every accepted name → (group number, the name it stands for): a specialty; an item it includes; the
        form the notice writes it in (``note``, e.g. 森林（湿地）景观, also with half-width brackets); and, in a
        category with groups (15, 17), each group's own name (热能动力工程), which names a specialty as well."""
        out: dict[str, tuple[int | None, str]] = {}
        for g, entries in [(None, self.specialties)] + [(grp.number, grp.specialties) for grp in self.groups]:
            for e in entries:
                out[e.name] = (g, e.name)
        for g, entries in [(None, self.specialties)] + [(grp.number, grp.specialties) for grp in self.groups]:
            for e in entries:
                for alias in [*e.includes, *_written_forms(e.note)]:
                    out.setdefault(alias, (g, e.name))
        for grp in self.groups:
            out.setdefault(grp.name, (grp.number, grp.name))
        return out


def _written_forms(note: str | None) -> list[str]:
    """The notice's written form of a name, with full-width and with half-width brackets."""
    if not note:
        return []
    half = note.replace("（", "(").replace("）", ")")
    return [note] if half == note else [note, half]


class Catalogue(_Strict):
    categories: list[Category]


# ── education.yaml ────────────────────────────────────────────────────────────────────────────────────

EducationLevel = Literal[
    "below_high_school",
    "high_school",
    "vocational_high",
    "secondary",
    "college",
    "bachelor",
    "master",
    "doctorate",
]
TechnicalSchoolClass = Literal["intermediate_worker_class", "senior_worker_class", "preparatory_technician_class"]
FieldOfStudy = Literal["science", "engineering", "pharmacy", "agriculture", "other"]


class LevelEntry(_Strict):
    id: EducationLevel
    name: str
    rank: int
    clause: str
    ruling: str | None = None


class TechClassEntry(_Strict):
    id: TechnicalSchoolClass
    name: str
    equivalent: EducationLevel
    clause: str
    ruling: str | None = None


class FieldEntry(_Strict):
    id: FieldOfStudy
    name: str


class Opens(_Strict):
    category: int
    specialties: list[str] | None


class ExceptionRequires(_Strict):
    long_term: bool = False
    cost_engineering: bool = False
    min_years: str | None = None  # the name of a seniority parameter
    defence_excellent: bool = False
    continuing_education: bool = False


class MajorException(_Strict):
    id: str
    name: str
    clause: str
    majors: list[str] | None
    opens: list[Opens]
    requires: ExceptionRequires


class EducationData(_Strict):
    levels: list[LevelEntry]
    technical_school_classes: list[TechClassEntry]
    fields: list[FieldEntry]
    related_fields: Param[list[FieldOfStudy]]
    major_exceptions: list[MajorException]
    exceptions_levels: Param[list[Literal["technician", "assistant_engineer", "engineer"]]]


# ── achievements.yaml ─────────────────────────────────────────────────────────────────────────────────


AwardKind = Literal["design_award", "excellent_project"]


class AchievementItem(_Strict):
    """One item of 3.5.1 / 3.5.2, with the number of records it needs: ``min_count`` in general, and
    ``min_count_enterprise`` for records of enterprise scope (3.5.1.6 企业标准2项) — in 3.5.1.11 only for the
    award kind named by ``enterprise_award_kind`` (企业优秀工程称号2项; 企业优秀设计奖 needs ``min_count``)."""

    id: str
    basis: Literal["role", "rank", "high_skilled", "participation"]
    name: str
    min_count: int = Field(default=1, ge=1)
    min_count_enterprise: int | None = Field(default=None, ge=1)
    enterprise_award_kind: AwardKind | None = None

    @field_validator("id")
    @classmethod
    def _item_id(cls, v: str) -> str:
        if not re.match(r"^3\.5\.[12]\.\d+$", v):
            raise ValueError(f"not an achievement item id (3.5.1.N or 3.5.2.N): {v!r}")
        return v

    @model_validator(mode="after")
    def _counts(self) -> AchievementItem:
        if self.enterprise_award_kind is not None and self.min_count_enterprise is None:
            raise ValueError("enterprise_award_kind needs min_count_enterprise")
        if self.min_count_enterprise is not None and self.min_count_enterprise < self.min_count:
            raise ValueError("min_count_enterprise must not be below min_count (enterprise records count for less)")
        return self

    def needs_more_for_enterprise(self, scope: str | None, award_kind: str | None) -> bool | None:
        """Does a record of this scope and award kind count towards ``min_count_enterprise`` rather than
        ``min_count``? None when an unknown scope or award kind decides it."""
        if self.min_count_enterprise is None:
            return False
        if scope == "city_or_above":
            return False
        if self.enterprise_award_kind is not None:
            if award_kind is not None and award_kind != self.enterprise_award_kind:
                return False
            if scope is None or award_kind is None:
                return None
            return True
        return None if scope is None else True


class AchievementLevel(_Strict):
    clause: str
    items: list[AchievementItem]


class RoleList(_Strict):
    clause: str
    names: list[str]
    open: bool


class Roles(_Strict):
    host: RoleList
    backbone: RoleList


class AchievementData(_Strict):
    engineer: AchievementLevel
    assistant_engineer: AchievementLevel
    roles: Roles

    @model_validator(mode="after")
    def _items_under_their_level(self) -> AchievementData:
        for level in (self.engineer, self.assistant_engineer):
            ids = [i.id for i in level.items]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{level.clause}: an item id is given twice")
            wrong = [i for i in ids if not i.startswith(level.clause + ".")]
            if wrong:
                raise ValueError(f"{level.clause}: items {wrong} are not under this clause")
        return self


# ── exclusions.yaml ───────────────────────────────────────────────────────────────────────────────────

DisciplineKind = Literal[
    "warning", "demerit", "major_demerit", "demotion", "post_downgrade", "dismissal_from_post", "expulsion"
]
RetirementCategory = Literal["male", "female55", "female50"]


class DisciplineKindEntry(_Strict):
    id: DisciplineKind
    name: str
    months: int | None
    excludes: bool


class DisciplineData(_Strict):
    clause: str
    ruling: str
    kinds: list[DisciplineKindEntry]


class RetirementCategoryEntry(_Strict):
    id: RetirementCategory
    name: str
    base_age: int
    base_birth_month: str
    divisor: int
    cap_months: int

    @field_validator("base_birth_month")
    @classmethod
    def _month(cls, v: str) -> str:
        if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", v):
            raise ValueError("expected YYYY-MM")
        return v


class RetirementData(_Strict):
    clause: str
    ruling: str
    note: str | None = None
    categories: list[RetirementCategoryEntry]


class ExclusionData(_Strict):
    discipline: DisciplineData
    retirement: RetirementData


class ClauseText(_Strict):
    title: str
    text: str


class ClauseData(_Strict):
    clauses: dict[str, ClauseText]


# ── the pack ──────────────────────────────────────────────────────────────────────────────────────────


class Pack:
    """A loaded, validated pack, with the look-ups the engine needs built once."""

    def __init__(
        self,
        meta: PackMeta,
        catalogue: Catalogue,
        education: EducationData,
        achievements: AchievementData,
        exclusions: ExclusionData,
        clauses: ClauseData,
        source: dict[str, Path],
    ) -> None:
        self.meta = meta
        self.catalogue = catalogue
        self.education = education
        self.achievements = achievements
        self.exclusions = exclusions
        self.clauses = clauses.clauses
        self.source = source
        self.categories = {c.number: c for c in catalogue.categories}
        self.category_names = {n: c.all_names() for n, c in self.categories.items()}
        self.level_rank = {e.id: e.rank for e in education.levels}
        self.level_names: dict[str, str] = {e.id: e.name for e in education.levels}
        self.tech_class = {e.id: e for e in education.technical_school_classes}
        self.discipline_kinds = {k.id: k for k in exclusions.discipline.kinds}
        self.retirement = {c.id: c for c in exclusions.retirement.categories}
        self.engineer_items = {i.id: i for i in achievements.engineer.items}
        self.ae_items = {i.id: i for i in achievements.assistant_engineer.items}
        self.achievement_ids = frozenset(self.engineer_items) | frozenset(self.ae_items)
        self.host_roles = frozenset(achievements.roles.host.names)
        self.backbone_roles = frozenset(achievements.roles.backbone.names)
        self.qualifications = {(q.name, q.level) for q in meta.parameters.vocational_qualification_catalogue.value}
        self._exceptions = {
            n: [e for e in education.major_exceptions if any(o.category == n for o in e.opens)] for n in self.categories
        }
        self._uses: dict[str, ParamUse] = {}
        self._data_uses: dict[str, ParamUse] = {}

    def exceptions_for(self, category: int) -> list[MajorException]:
        """The exceptions of 3.2.4 that open a specialty of this category."""
        return self._exceptions.get(category, [])

    def param_use(self, key: str) -> ParamUse:
        """The record of reading a parameter, built once per pack (the engine reads the same ones often)."""
        use = self._uses.get(key)
        if use is None:
            param = self.param(key)
            use = self._uses[key] = ParamUse(key, param.value, param.clause, param.ruling, self.meta.issued_on)
        return use

    def data_use(self, key: str, value: Any, clause: str, ruling: str | None) -> ParamUse:
        """The record of reading a value of the pack's data files (catalogues, schedules), built once."""
        use = self._data_uses.get(key)
        if use is None:
            use = self._data_uses[key] = ParamUse(key, value, clause, ruling, self.meta.issued_on)
        return use

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> str:
        return self.meta.version

    @property
    def year(self) -> int:
        return self.meta.parameters.evaluation_year.value

    @property
    def reference_date(self) -> dt.date:
        return self.meta.parameters.reference_date.value

    def param(self, key: str) -> Param[Any]:
        """A parameter by its dotted key, e.g. ``seniority.engineer_master_years``."""
        node: Any = self.meta.parameters
        for part in key.split("."):
            node = getattr(node, part, None)
            if node is None:
                raise PackError(f"{self.source['pack.yaml']}: parameters.{key} is missing (asked for by a rule)")
        if not isinstance(node, Param):
            raise PackError(f"{self.source['pack.yaml']}: parameters.{key} is a group, not a parameter")
        return node

    def clause_text(self, clause: str) -> str:
        entry = self.clauses.get(clause)
        if entry is None:
            raise PackError(f"{self.source['clauses.yaml']}: clauses.{clause} is missing (cited by a rule)")
        return entry.text

    def cited_clauses(self) -> set[str]:
        """Every clause id the pack's own data cites."""
        out: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, Param):
                out.add(node.clause)
            elif isinstance(node, BaseModel):
                for name in type(node).model_fields:
                    walk(getattr(node, name))

        walk(self.meta.parameters)
        walk(self.education.related_fields)
        walk(self.education.exceptions_levels)
        out |= {c.clause for c in self.catalogue.categories}
        out |= {g.clause for c in self.catalogue.categories for g in c.groups}
        out |= {e.clause for e in self.education.levels} | {e.clause for e in self.education.technical_school_classes}
        out |= {e.clause for e in self.education.major_exceptions}
        out |= self.achievement_ids | {
            self.achievements.engineer.clause,
            self.achievements.assistant_engineer.clause,
        }
        out |= {self.achievements.roles.host.clause, self.achievements.roles.backbone.clause}
        out |= {self.exclusions.discipline.clause, self.exclusions.retirement.clause}
        return out


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: not valid YAML: {exc}") from exc


def _deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _deep_merge(base.get(key), value) if key in base else value
        return merged
    return override


def _format_errors(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: invalid pack data"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        lines.append(f"  {path.name}: {key}: {err['msg']}")
    return "\n".join(lines)


def _pack_dir(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.is_dir():
        return candidate
    named = PACKS_DIR / str(name_or_path)
    if named.is_dir():
        return named
    known = ", ".join(available_packs())
    raise PackError(f"no policy pack named {name_or_path!r} (known: {known})")


def _raw_files(folder: Path, seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], dict[str, Path]]:
    """The raw YAML of each file, following ``extends`` for the files a pack does not give itself."""
    pack_path = folder / "pack.yaml"
    if not pack_path.is_file():
        raise PackError(f"{pack_path}: missing")
    own = _read_yaml(pack_path)
    if not isinstance(own, dict):
        raise PackError(f"{pack_path}: expected a mapping at the top")
    raw: dict[str, Any] = {}
    source: dict[str, Path] = {}
    base_name = own.get("extends")
    if base_name is not None:
        if base_name in seen:
            raise PackError(f"{pack_path}: extends: {base_name} makes a cycle")
        raw, source = _raw_files(_pack_dir(base_name), (*seen, str(own.get("id"))))
        base_pack = dict(raw["pack.yaml"])
        base_pack.pop("extends", None)
        own = _deep_merge(base_pack, own)
    raw["pack.yaml"] = own
    source["pack.yaml"] = pack_path
    for name in PACK_FILES[1:]:
        path = folder / name
        if path.is_file():
            raw[name] = _read_yaml(path)
            source[name] = path
        elif name not in raw:
            raise PackError(f"{path}: missing (and no pack it extends has it)")
    return raw, source


def _validate(model: type[BaseModel], raw: Any, path: Path) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise PackError(_format_errors(path, exc)) from exc


def _cross_check(pack: Pack) -> None:
    """References between the files must resolve; a dangling one is an error naming file and key."""
    src = pack.source
    missing = sorted(c for c in pack.cited_clauses() if c not in pack.clauses)
    if missing:
        raise PackError(f"{src['clauses.yaml']}: clauses cited by the pack have no text: {', '.join(missing)}")
    if sorted(pack.categories) != list(range(1, len(pack.categories) + 1)):
        raise PackError(f"{src['specialties.yaml']}: categories must be numbered 1..N without gaps")
    for i, exc in enumerate(pack.education.major_exceptions):
        for j, opens in enumerate(exc.opens):
            cat = pack.categories.get(opens.category)
            key = f"major_exceptions.{i}.opens.{j}"
            if cat is None:
                raise PackError(f"{src['education.yaml']}: {key}.category: no category {opens.category}")
            for name in opens.specialties or []:
                if name not in pack.category_names[opens.category]:
                    raise PackError(f"{src['education.yaml']}: {key}.specialties: {name!r} not in category {cat.name}")
        years_key = exc.requires.min_years
        if years_key is not None:
            pack.param(f"seniority.{years_key}")
    ranks = [e.id for e in pack.education.levels]
    for e in pack.education.technical_school_classes:
        if e.equivalent not in ranks:
            raise PackError(f"{src['education.yaml']}: technical_school_classes.{e.id}.equivalent unknown")
    for cat_id in ("male", "female55", "female50"):
        if cat_id not in pack.retirement:
            raise PackError(f"{src['exclusions.yaml']}: retirement.categories: {cat_id} is missing")
    window = pack.meta.parameters.receiving_window
    if window.end.value < window.start.value:
        raise PackError(f"{src['pack.yaml']}: parameters.receiving_window.end is before start")
    if window.start.value.year != pack.year:
        raise PackError(f"{src['pack.yaml']}: parameters.receiving_window.start is not in the evaluation year")


@functools.lru_cache(maxsize=16)
def load_pack(name_or_path: str | Path = "xinzhou-engineering-2023") -> Pack:
    """Load and validate a pack by id (a folder under ``packs/``) or by path."""
    folder = _pack_dir(name_or_path)
    raw, source = _raw_files(folder)
    pack = Pack(
        meta=_validate(PackMeta, raw["pack.yaml"], source["pack.yaml"]),
        catalogue=_validate(Catalogue, raw["specialties.yaml"], source["specialties.yaml"]),
        education=_validate(EducationData, raw["education.yaml"], source["education.yaml"]),
        achievements=_validate(AchievementData, raw["achievements.yaml"], source["achievements.yaml"]),
        exclusions=_validate(ExclusionData, raw["exclusions.yaml"], source["exclusions.yaml"]),
        clauses=_validate(ClauseData, raw["clauses.yaml"], source["clauses.yaml"]),
        source=source,
    )
    _cross_check(pack)
    return pack


def available_packs() -> list[str]:
    return sorted(p.name for p in PACKS_DIR.iterdir() if (p / "pack.yaml").is_file())


def pack_for_year(year: int) -> Pack:
    """The pack whose evaluation year is ``year``."""
    for name in available_packs():
        pack = load_pack(name)
        if pack.year == year:
            return pack
    raise PackError(f"no policy pack for {year} (known: {', '.join(available_packs())})")
