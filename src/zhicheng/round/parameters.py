"""The committee's parameters the office sets for a year (R23–R25, R28): each one's Chinese name, the notice's words
it rests on, its bounds, and how it is read from the form. The pack gives the default; the year's row keeps the
office's value (``EvaluationYear.parameters``). The national rules of the vote (R22) are shown, never edited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TITLE_CHOICES = (("senior_engineer", "高级工程师"), ("professor_senior_engineer", "正高级工程师"))
TITLE_NAMES = {"engineer": "工程师", **dict(TITLE_CHOICES)}


@dataclass(frozen=True)
class OfficeParameter:
    key: str  # the pack's key under ``evaluation.``
    label: str
    help: str  # the notice's or the ruling's words, for the clerk
    ruling: str
    kind: str  # "int", "title" or "weights"
    low: int = 0
    high: int = 100
    unit: str = ""
    # What may not have happened yet when it changes: "meeting" (the vote opened), "scores" (a score submitted).
    fixed_after: str = "meeting"


OFFICE_PARAMETERS: tuple[OfficeParameter, ...] = (
    OfficeParameter(
        "grassroots_min_years",
        "基层一线和艰苦边远地区工作年限",
        "通知五：“对长期在基层一线和艰苦边远地区工作的专业技术人才……在评审时单独分组、单独确定通过率。”"
        "通知未规定“长期”的年限，由评委会办公室确定；编排答辩组时按此年限分组。",
        "R23",
        "int",
        1,
        40,
        "年",
    ),
    OfficeParameter(
        "score_weights",
        "答辩评价所占权重",
        "通知五：“工程师评审实行答辩评价与量化赋分评审相结合的评价办法。”通知未规定权重；"
        "量化赋分占其余部分。专家提交第一份评分后本年度不能再改。",
        "R24",
        "weights",
        0,
        100,
        "%",
        "scores",
    ),
    OfficeParameter(
        "defence_pass_mark",
        "答辩合格分数线",
        "答辩评分满分100分；低于此分数为答辩未通过，不提交评委会表决，下一年度再申报须提交新的答辩论文（通知七）。",
        "R28",
        "int",
        0,
        100,
        "分",
    ),
    OfficeParameter(
        "expert_min_title",
        "评审专家最低职称",
        "评审专家须具有高级工程师及以上职称（人社部令第40号《职称评审管理暂行规定》）。",
        "R25",
        "title",
    ),
    OfficeParameter(
        "expert_max_term_years",
        "评审专家每届任期上限",
        "评审专家每届任期不得超过3年（人社部令第40号）。",
        "R25",
        "int",
        1,
        3,
        "年",
    ),
    OfficeParameter(
        "experts_per_group",
        "每个答辩组专家人数",
        "通知五：“答辩实行按专业分组进行。”每组安排的专家人数由评委会办公室确定。",
        "R22",
        "int",
        1,
        25,
        "人",
    ),
)

BY_KEY = {p.key: p for p in OFFICE_PARAMETERS}


def shown(param: OfficeParameter, value: Any) -> str:
    """The value as the clerk reads it: 50%, 高级工程师, 5年."""
    if value is None:
        return "未设置"
    if param.kind == "weights":
        return f"答辩{_pct(value.get('defence', 0))}，量化赋分{_pct(value.get('quantified', 0))}"
    if param.kind == "title":
        return TITLE_NAMES.get(str(value), str(value))
    return f"{value}{param.unit}"


def _pct(fraction: Any) -> str:
    number = round(float(fraction) * 100, 2)
    return f"{number:g}%"
