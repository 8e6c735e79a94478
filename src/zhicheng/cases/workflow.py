"""The way through (6.1) as one declarative table: (state, action, roles, next state, guard).

The services apply it; the docs draw the workflow diagram from it. A guard returns the reasons an action may
not happen now (empty: it may).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhicheng.accounts.roles import Role
from zhicheng.cases.models import State

# Step kinds → who reviews, and in which role.
STEP_ROLES: dict[str, str] = {
    "competent_department": Role.COMPETENT_DEPARTMENT_REVIEWER,
    "county_hr": Role.COUNTY_HR_REVIEWER,
    "county_iit": Role.COUNTY_IIT_REVIEWER,
    "talent_agency": Role.TALENT_AGENCY_REVIEWER,
    "dispatch_agency": Role.DISPATCH_AGENCY_REVIEWER,
    "hr_association": Role.HR_ASSOCIATION_REVIEWER,
    "personnel_agency": Role.PERSONNEL_AGENCY_REVIEWER,
    "city_hr": Role.CITY_HR_OFFICER,
}

REVIEWERS: frozenset[str] = frozenset(STEP_ROLES.values())
# The last step of a chain submits to the committee: a county IIT bureau (or a zone's office), a city competent
# department, the city HR association, a personnel agency, and for entrusted cases the city HR bureau (7.1).
CHANNELS: frozenset[str] = frozenset(
    {
        Role.COUNTY_IIT_REVIEWER,
        Role.COUNTY_HR_REVIEWER,
        Role.COMPETENT_DEPARTMENT_REVIEWER,
        Role.HR_ASSOCIATION_REVIEWER,
        Role.PERSONNEL_AGENCY_REVIEWER,
        Role.CITY_HR_OFFICER,
    }
)
EMPLOYER = frozenset({Role.EMPLOYER_CLERK, Role.EMPLOYER_LEADER})


@dataclass(frozen=True)
class Transition:
    state: str
    action: str
    roles: frozenset[str]
    target: str  # "next_step" and "back" are resolved by the service
    guard: str | None
    label: str
    needs_reason: bool = False
    desk: bool = False  # taken by the office's or the bureau's own services (intake, results), not services.perform

    @property
    def confirm(self) -> str:
        """The question the button asks before the step, naming what cannot be undone."""
        consequence = CONSEQUENCES.get(self.action, "")
        return f"确定「{self.label}」？{consequence}"


# What each step does that the person cannot take back: the button's confirmation names it (issue 11, item 6).
CONSEQUENCES: dict[str, str] = {
    "submit": "提交后由用人单位审核，在退回之前不能再修改申报材料。",
    "withdraw": "撤回后本申报终止，不能恢复；如需申报须重新填写。",
    "approve": "通过后申报转入下一环节，本环节不能再修改或撤回。",
    "return": "申报将退回修改，理由对申报人可见。",
    "reject": "本年度申报将终止，不能恢复，理由对申报人可见。",
    "resubmit": "重新提交后转回退回前的环节审核。",
    "submit_batch": "每年只报送一次，报送后不能撤回或补报。",
    "accept": "受理后进入评审，不能撤销。",
    "office_return": "退回后报送单位须在受理期内重新报送。",
    "resubmit_to_office": "重新报送后由评委会办公室审核受理。",
    "recognition": "认定结论录入后不能修改。",
    "defer": "移出后本申报不参加本年度评审，不能撤销，理由对申报人可见。",
    "confirm_granted": "确认后评审结果备案并发放证书，不能撤销。",
    "confirm_not_granted": "确认后评审结果备案，不能撤销。",
}


TRANSITIONS: tuple[Transition, ...] = (
    Transition(State.DRAFT, "submit", frozenset({Role.APPLICANT}), State.EMPLOYER_REVIEW, "submit", "提交用人单位"),
    Transition(State.DRAFT, "withdraw", frozenset({Role.APPLICANT}), State.WITHDRAWN, None, "撤回申报"),
    Transition(
        State.EMPLOYER_REVIEW,
        "approve",
        frozenset({Role.EMPLOYER_LEADER}),
        State.CHAIN_REVIEW,
        "employer_complete",
        "单位推荐，报送审核",
    ),
    Transition(State.EMPLOYER_REVIEW, "return", EMPLOYER, State.RETURNED, None, "退回申报人修改", True),
    Transition(
        State.EMPLOYER_REVIEW, "reject", frozenset({Role.EMPLOYER_LEADER}), State.REJECTED, None, "不予推荐", True
    ),
    Transition(State.CHAIN_REVIEW, "approve", REVIEWERS, "next_step", "step_approve", "审核通过"),
    Transition(State.CHAIN_REVIEW, "return", REVIEWERS, State.RETURNED, "current_step", "退回修改", True),
    Transition(State.CHAIN_REVIEW, "reject", REVIEWERS, State.REJECTED, "current_step", "审核不通过", True),
    Transition(
        State.RETURNED,
        "resubmit",
        frozenset({Role.APPLICANT, *EMPLOYER}),
        "back",
        "returned_to_actor",
        "修改后重新提交",
    ),
    Transition(
        State.RETURNED, "withdraw", frozenset({Role.APPLICANT}), State.WITHDRAWN, "returned_to_actor", "撤回申报"
    ),
    Transition(
        State.READY_FOR_COMMITTEE, "submit_batch", CHANNELS, State.IN_BATCH, "window", "统一报送评委会", desk=True
    ),
    Transition(
        State.IN_BATCH, "accept", frozenset({Role.COMMITTEE_CLERK}), State.ACCEPTED, "office_accept", "受理", desk=True
    ),
    Transition(
        State.IN_BATCH,
        "office_return",
        frozenset({Role.COMMITTEE_CLERK}),
        State.OFFICE_RETURNED,
        "window",
        "退回报送单位",
        needs_reason=True,
        desk=True,
    ),
    Transition(State.OFFICE_RETURNED, "resubmit_to_office", CHANNELS, State.IN_BATCH, "window", "重新报送", desk=True),
    Transition(
        State.ACCEPTED,
        "recognition",
        frozenset({Role.COMMITTEE_CLERK}),
        State.RECOGNITION_DECIDED,
        "recognition",
        "录入评委会认定结论",
        needs_reason=True,
        desk=True,
    ),
    *(
        Transition(
            state,
            "defer",
            frozenset({Role.COMMITTEE_CLERK}),
            State.DEFERRED,
            "not_in_a_group",
            "移出本年度评审",
            needs_reason=True,
            desk=True,
        )
        for state in (State.IN_BATCH, State.OFFICE_RETURNED, State.ACCEPTED)
    ),
    *(
        Transition(state, action, frozenset({Role.CITY_HR_OFFICER}), target, "results_confirm", label, desk=True)
        for state in (State.ACCEPTED, State.RECOGNITION_DECIDED)
        for action, target, label in (
            ("confirm_granted", State.GRANTED, "确认评审结果：通过（备案）"),
            ("confirm_not_granted", State.NOT_GRANTED, "确认评审结果：未通过"),
        )
    ),
)


def transition(state: str, action: str) -> Transition | None:
    for t in TRANSITIONS:
        if t.state == state and t.action == action:
            return t
    return None


def mermaid() -> str:
    """The workflow diagram (Mermaid), drawn from the table."""
    names = dict(State.choices)
    lines = ["stateDiagram-v2"]
    for t in TRANSITIONS:
        if t.target == "back":
            for back in (State.EMPLOYER_REVIEW, State.CHAIN_REVIEW):
                lines.append(f"    {t.state} --> {back}: {t.label}（回到退回它的环节）")
            continue
        target = State.CHAIN_REVIEW if t.target == "next_step" else t.target
        lines.append(f"    {t.state} --> {target}: {t.label}")
    lines.append(f"    {State.CHAIN_REVIEW} --> {State.READY_FOR_COMMITTEE}: 最后一级审核通过")
    for code, name in names.items():
        lines.append(f"    {code}: {name}")
    return "\n".join(lines)


GUARD_TEXT = {
    None: "—",
    "submit": "申报人已承诺；所选路径不是“不符合”或“信息不全”；审核渠道可确定",
    "employer_complete": "民主评议（四类成员）、三公示各满5个工作日且无未处理异议并有照片、鉴定意见经负责人确认、双承诺",
    "current_step": "操作人所在机构是当前审核环节",
    "step_approve": "操作人所在机构是当前审核环节；委托评审已登记委托函和市人社局函转文号（7.1）",
    "returned_to_actor": "退回给操作人一方（申报人或用人单位）",
    "window": "在报送时间内（8.4，公休日除外）；报送单位是审核渠道的最后一级；每渠道每年统一一次性报送",
    "office_accept": "在报送时间内；原件逐项核验完毕；评审会议尚未开始表决",
    "not_in_a_group": "评审会议已开始表决；尚未编入答辩组、尚未作出认定结论；已受理的须在评审结果公示前；写明理由（申报人可见）",
    "recognition": "引进高层次人才和急需紧缺人才职称认定（3.10）的已受理申报；评委会审核其工作经历和成果后作出",
    "results_confirm": "评审结果公示满5个工作日（R21）且异议均已处理；通过者为表决通过且在本组通过率以内或经认定，异议成立者除外",
}


def markdown() -> str:
    """The table and the diagram, for docs/platform.md (a test keeps the document equal to this)."""
    roles = dict(Role.choices)
    states = dict(State.choices)
    rows = ["| 状态 | 操作 | 角色 | 结果 | 条件 |", "|---|---|---|---|---|"]
    for t in TRANSITIONS:
        target = {"next_step": "下一审核环节（最后一级后：待报送评委会）", "back": "退回前的环节"}.get(t.target)
        who = "、".join(roles[r] for r in sorted(t.roles))
        rows.append(
            f"| {states[t.state]} | {t.label}{'（须填理由）' if t.needs_reason else ''} | {who} | "
            f"{target or states[t.target]} | {GUARD_TEXT[t.guard]} |"
        )
    return "\n".join([*rows, "", "```mermaid", mermaid(), "```"])
