"""Forms for the applicant's facts, built from the engine's facts model (no second definition of the facts).

Each section of the profile is one part of ``Facts``: a group of fields, a list of records (a formset, with
"无" to say a known none), or a table by year. A blank answer stays unknown; it is never read as "no".
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from django import forms
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from zhicheng.cases.labels import (
    FIELD_HELP,
    FIELD_LABELS,
    VALUE_LABELS,
    achievement_choices,
    achievement_items,
    problem_in_words,
)
from zhicheng.policy import facts as F
from zhicheng.policy.pack import Pack
from zhicheng.round.year import current_pack

UNKNOWN = "未知"
SUFFIX = "："  # a label ends with the full-width colon, as Chinese text does


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    model: type[BaseModel] | None  # the record type; None for the fields of Facts itself
    shape: Literal["single", "list", "years", "fields"]
    fields: tuple[str, ...] = ()  # for "fields": which top-level fields


SECTIONS: tuple[Section, ...] = (
    Section("identity", "基本信息", F.Identity, "single"),
    Section("retirement", "退休类别", F.Retirement, "single"),
    Section("employment", "工作单位与岗位", F.Employment, "single"),
    Section("specialty", "申报专业", F.Specialty, "single"),
    Section("education", "学历", F.Education, "list"),
    Section("titles", "现有职称", F.Title, "list"),
    Section("skill_grades", "职业资格或职业技能等级", F.SkillGradeRecord, "list"),
    Section("vocational_qualifications", "认定为职称的职业资格", F.VocationalQualification, "list"),
    Section(
        "work",
        "专业技术工作",
        None,
        "fields",
        ("professional_work_started_on", "probation_completed_on", "defence_grade"),
    ),
    Section("annual_assessments", "年度考核", None, "years"),
    Section("continuing_education", "继续教育", F.ContinuingEducationYear, "years"),
    Section("discipline", "处分情况", F.Discipline, "list"),
    Section("achievements", "业绩成果", F.Achievement, "list"),
    Section("papers", "论文", F.Paper, "list"),
    Section("technical_reports", "专业技术报告", F.TechnicalReport, "list"),
    Section("books", "著作", F.Book, "list"),
    Section("defence_paper", "答辩材料", F.DefencePaper, "single"),
    Section("work_summary", "专业技术工作总结", F.WorkSummary, "single"),
    Section("last_year", "上年度评审情况", F.LastYear, "single"),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}


# ── the notice's list of achievements (3.5.1 (1)–(16), 3.5.2 (1)–(2)), from the year's pack ───────────────────


class _AchievementRow(forms.Form):
    """An achievement: the item chosen from the notice's list; its level and award kind are asked only for the
    items they decide (3.5.1 (6), (11): the pack's ``min_count_enterprise``), and dropped for the others."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pack = current_pack()
        item = pack.engineer_items.get(data.get("clause") or "") or pack.ae_items.get(data.get("clause") or "")
        if item is not None and item.min_count_enterprise is None:
            data["scope"] = ""
        if item is not None and item.enterprise_award_kind is None:
            data["award_kind"] = ""
        return data


def _achievement_fields(pack: Pack) -> dict[str, forms.Field]:
    deciding = [
        i for i in [*pack.engineer_items.values(), *pack.ae_items.values()] if i.min_count_enterprise is not None
    ]
    awards = [i for i in deciding if i.enterprise_award_kind is not None]
    names = {i: n for i, n, _ in achievement_items(pack)}

    def which(items: list[Any]) -> str:
        return "、".join(names[i.id].split("）")[0] + "）" for i in items)

    return {
        "clause": forms.ChoiceField(
            label="业绩成果类别（按通知所列）",
            required=False,
            choices=[("", UNKNOWN), *achievement_choices(pack)],
            help_text="按通知“三（五）业绩成果条件”所列选择，原文见本页下方",
        ),
        "scope": forms.ChoiceField(
            label="成果级别",
            required=False,
            choices=[
                ("", UNKNOWN),
                ("city_or_above", VALUE_LABELS["city_or_above"]),
                ("enterprise", VALUE_LABELS["enterprise"]),
            ],
            help_text=f"仅工程师业绩成果{which(deciding)}需填写：市级、行业及以上的成果1项即可，企业级的须2项",
        ),
        "award_kind": forms.ChoiceField(
            label="奖项类别",
            required=False,
            choices=[
                ("", UNKNOWN),
                ("design_award", VALUE_LABELS["design_award"]),
                ("excellent_project", VALUE_LABELS["excellent_project"]),
            ],
            help_text=f"仅工程师业绩成果{which(awards)}需填写",
        ),
    }


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """(the inner type, its Annotated metadata) of ``X | None``."""
    metadata: list[Any] = []
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in args if a is not type(None))
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *metadata = typing.get_args(annotation)
    return annotation, metadata


def _bound(metadata: list[Any], name: str) -> Any:
    """The facts model's own limit ``name`` (ge, le, max_length) among a field's metadata, if it has one: the form
    takes the limits from the facts model, which holds the database's (policy/facts.py)."""
    for m in metadata:
        for item in getattr(m, "metadata", [m]):
            if getattr(item, name, None) is not None:
                return getattr(item, name)
    return None


def _minimum(metadata: list[Any]) -> float | None:
    low = _bound(metadata, "ge")
    return None if low is None else float(low)


def _field(name: str, info: FieldInfo) -> forms.Field:
    field = _bare_field(name, info)
    field.help_text = FIELD_HELP.get(name.rsplit("__", 1)[-1], field.help_text)
    return field


def _bare_field(name: str, info: FieldInfo) -> forms.Field:
    label = FIELD_LABELS.get(name, name)
    inner, metadata = _unwrap(info.annotation)
    metadata = [*info.metadata, *metadata]
    if inner is bool:
        return forms.TypedChoiceField(
            label=label,
            required=False,
            choices=[("", UNKNOWN), ("true", "是"), ("false", "否")],
            coerce=lambda v: v == "true",
            empty_value=None,
        )
    if inner is dt.date:
        return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    if inner is int and name == "category":
        # The specialty's category, chosen by its name in the notice (2.2); the number is kept behind.
        categories = [(str(n), c.name) for n, c in current_pack().categories.items()]
        return forms.TypedChoiceField(
            label="专业类别", required=False, choices=[("", UNKNOWN), *categories], coerce=int, empty_value=None
        )
    if inner is int:
        low, high = _minimum(metadata), _bound(metadata, "le")
        return forms.IntegerField(
            label=label, required=False, min_value=None if low is None else int(low), max_value=high
        )
    if inner is float:
        return forms.FloatField(label=label, required=False, min_value=_minimum(metadata))
    if typing.get_origin(inner) is Literal:
        choices = [("", UNKNOWN)] + [(v, VALUE_LABELS.get(v, v)) for v in typing.get_args(inner)]
        return forms.ChoiceField(label=label, required=False, choices=choices)
    if name == "series":
        # Chosen from the title series by their Chinese names; the code (engineering, …) is kept behind.
        return forms.ChoiceField(label=label, required=False, choices=[("", UNKNOWN), *F.SERIES_NAMES.items()])
    longest = _bound(metadata, "max_length") or F.SHORT_TEXT_MAX
    if name == "text":
        return forms.CharField(
            label=label, required=False, max_length=longest, widget=forms.Textarea(attrs={"rows": 6})
        )
    return forms.CharField(label=label, required=False, max_length=longest)


def _flat_fields(model: type[BaseModel], prefix: str = "") -> dict[str, forms.Field]:
    out: dict[str, forms.Field] = {}
    for name, info in model.model_fields.items():
        inner, _ = _unwrap(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            out.update(_flat_fields(inner, f"{prefix}{name}__"))
        else:
            out[f"{prefix}{name}"] = _field(f"{prefix}{name}", info)
    return out


def record_form(model: type[BaseModel]) -> type[forms.Form]:
    fields = _flat_fields(model)
    if model is F.Achievement:
        fields |= _achievement_fields(current_pack())
        fields["rank"].help_text = "仅专利、科技奖项（工程师业绩成果（13）至（15））需填写，须在前5名"
        # The roles the notice names (3.5: 主持, 主要技术骨干) are offered; another role may still be typed.
        fields["role"].widget.attrs["list"] = "achievement-roles"
        fields["role"].help_text = "通知所称“主持”“主要技术骨干”的角色可从列表中选择"
        return type("AchievementForm", (_AchievementRow,), fields)
    return type(f"{model.__name__}Form", (forms.Form,), fields)


def fields_form(names: tuple[str, ...]) -> type[forms.Form]:
    fields = {n: _field(n, F.Facts.model_fields[n]) for n in names}
    return type("FactsFieldsForm", (forms.Form,), fields)


class _YearRow(forms.Form):
    """A row of a table by year; a blank row is ignored, a half-filled one is an error."""

    year = forms.IntegerField(label="年度", min_value=F.YEAR_MIN, max_value=F.YEAR_MAX, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [k for k, v in data.items() if k not in ("year", "DELETE") and v not in (None, "")]
        if filled and data.get("year") is None:
            self.add_error("year", "请填写年度")
        return data


class AssessmentYearForm(_YearRow):
    grade = forms.ChoiceField(
        label="考核结果",
        required=False,
        choices=[("", "—")]
        + [(v, VALUE_LABELS[v]) for v in ("excellent", "qualified", "basically_qualified", "unqualified")],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("year") is not None and not data.get("grade"):
            self.add_error("grade", "请选择考核结果")
        return data


class HoursYearForm(_YearRow):
    public = forms.FloatField(label="公需课学时", min_value=0, required=False)
    professional = forms.FloatField(label="专业课学时", min_value=0, required=False)


class NoneForm(forms.Form):
    none = forms.BooleanField(label="无（确认没有此类记录）", required=False)


def _to_initial(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (values or {}).items():
        if isinstance(value, dict):
            out.update(_to_initial(value, f"{prefix}{key}__"))
        elif isinstance(value, bool):
            out[f"{prefix}{key}"] = "true" if value else "false"
        else:
            out[f"{prefix}{key}"] = value
    return out


def _from_cleaned(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Nest ``a__b`` keys back and drop blanks (a blank is unknown)."""
    out: dict[str, Any] = {}
    for key, value in cleaned.items():
        if value in (None, ""):
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        node = out
        *parents, leaf = key.split("__")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


class SectionForms:
    """The bound or unbound forms of one section, and the facts they give."""

    def __init__(self, section: Section, facts: dict[str, Any], data: Any = None) -> None:
        self.section = section
        current: Any = (
            facts.get(section.key) if section.shape != "fields" else {n: facts.get(n) for n in section.fields}
        )
        self.none_form: forms.Form | None = None
        self.form: forms.Form | None = None
        self.formset: Any = None
        if section.shape == "single" and section.model is not None:
            self.form = record_form(section.model)(data=data, initial=_to_initial(current or {}), label_suffix=SUFFIX)
        elif section.shape == "fields":
            self.form = fields_form(section.fields)(data=data, initial=_to_initial(current), label_suffix=SUFFIX)
        elif section.shape == "list" and section.model is not None:
            formset = forms.formset_factory(record_form(section.model), extra=1 if current else 2)
            self.formset = formset(
                data=data,
                prefix=section.key,
                initial=[_to_initial(r) for r in current or []],
                form_kwargs={"label_suffix": SUFFIX},
            )
            self.none_form = NoneForm(data=data, prefix=f"{section.key}-none", initial={"none": current == []})
        else:
            base = HoursYearForm if section.model is not None else AssessmentYearForm
            rows = []
            for year, value in sorted((current or {}).items(), key=lambda kv: int(kv[0])):
                rows.append({"year": int(year), **(value if isinstance(value, dict) else {"grade": value})})
            self.formset = forms.formset_factory(base, extra=2)(
                data=data, prefix=section.key, initial=rows, form_kwargs={"label_suffix": SUFFIX}
            )

    def is_valid(self) -> bool:
        ok = True
        for part in (self.form, self.formset, self.none_form):
            if part is not None and not part.is_valid():
                ok = False
        if ok and self.section.shape == "years":
            seen: set[int] = set()
            for form in self.formset.forms:
                year = (form.cleaned_data or {}).get("year")
                if year is None:
                    continue
                if year in seen:
                    form.add_error("year", "该年度已填写，请勿重复")
                    ok = False
                seen.add(year)
        return ok

    def value(self) -> Any:
        """The section's facts: a mapping, a list ([] when "无" is ticked, None when nothing is said), or years."""
        s = self.section
        if s.shape in ("single", "fields"):
            assert self.form is not None
            return _from_cleaned(self.form.cleaned_data)
        rows = [
            f.cleaned_data
            for f in self.formset.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and any(v not in (None, "") for v in f.cleaned_data.values())
        ]
        if s.shape == "list":
            records = [_from_cleaned(r) for r in rows]
            if records:
                return records
            return [] if self.none_form is not None and self.none_form.cleaned_data.get("none") else None
        rows = [r for r in rows if r.get("year") is not None]
        if s.model is None:
            return {int(r["year"]): r["grade"] for r in rows} or None
        return {int(r["year"]): _from_cleaned({k: v for k, v in r.items() if k != "year"}) for r in rows} or None

    def merged_into(self, facts: dict[str, Any]) -> dict[str, Any]:
        out = dict(facts)
        value = self.value()
        if self.section.shape == "fields":
            for name in self.section.fields:
                out.pop(name, None)
            out.update(value)
        elif value is None:
            out.pop(self.section.key, None)
        else:
            out[self.section.key] = value
        return out

    def add_error(self, path: str, message: str) -> None:
        """Put an error of the facts model on the field it names, or on the section."""
        key = self.section.key
        rest = path[len(key) :].lstrip(".") if path.startswith(key) else path
        target: forms.Form | None = self.form
        if rest.startswith("[") and self.formset is not None:
            index = int(rest[1 : rest.index("]")])
            rest = rest[rest.index("]") + 1 :].lstrip(".")
            target = self.formset.forms[index] if index < len(self.formset.forms) else None
        field = rest.replace(".", "__")
        # A problem of the whole profile ("(profile)") is said as it is; one of a fact is named in words.
        said = problem_in_words(path, message)
        if target is not None and field in target.fields:
            target.add_error(field, message)
        elif target is not None:
            target.add_error(None, said)
        elif self.formset is not None and self.formset.forms:
            self.formset.forms[0].add_error(None, said)
