"""Chinese names for the facts' fields and values, as the notice writes them (the UI speaks Chinese)."""

from __future__ import annotations

import re
from typing import Any

from zhicheng.policy.pack import Pack

FIELD_LABELS: dict[str, str] = {
    # identity, retirement
    "name": "姓名",
    "id_number": "居民身份证号码",
    "birth_date": "出生日期",
    "sex": "性别",
    "category": "类别",
    "retired": "已办理退休手续",
    # employment
    "kind": "类别",
    "sector": "单位性质",
    "employer_name": "工作单位",
    "employer_level": "单位层级",
    "county": "所在县（市、区）",
    "labour_contract": "已签订有效劳动合同",
    "in_post": "在职在岗",
    "engineering_work": "从事工程系列相应专业技术工作",
    "civil_servant": "公务员（含参照公务员法管理）",
    "professional_post_appointed": "事业单位：已在专业技术岗位聘用",
    "post_salary_paid": "事业单位：已兑现专业技术岗位工资",
    "assessments_filed": "事业单位：考核结果已经人社部门备案",
    "moved_from_government_organ": "从机关流动到企事业单位",
    "government_move__moved_on": "从机关流动的日期",
    "government_move__deputy_section_years": "任副科级年限",
    "government_move__section_years": "任正科级年限",
    "moved_on": "从机关流动的日期",
    "deputy_section_years": "任副科级年限",
    "section_years": "任正科级年限",
    "first_application": "首次申报职称评审",
    "current_post_since": "到现岗位工作的日期（转系列）",
    "front_line_since": "在基层一线直接从事本专业工作的起始日期",
    "on_front_line": "目前仍在一线岗位",
    "remote_area_years": "在艰苦边远地区工作年限",
    "introduced_talent": "引进的海内外高层次人才或急需紧缺人才（3.10）",
    # specialty
    "work_since": "从事本专业技术工作的起始日期",
    "cost_engineering_work": "从事工程造价工作",
    # education
    "level": "层次",
    "technical_school_class": "技工院校班级",
    "field": "学科门类",
    "discipline_class": "专业类",
    "major": "所学专业",
    "related_to_work": "与从事专业相同或相近",
    "full_time": "普通全日制",
    "engineering_professional_degree": "工程类专业学位",
    "recognised": "国家教育行政部门承认",
    "graduated_on": "毕业日期",
    # titles, grades, qualifications
    "series": "系列",
    "specialty": "专业",
    "granted_on": "取得日期",
    "appointed_on": "聘任日期",
    "obtained_by": "取得方式",
    "grade": "等级",
    # work
    "professional_work_started_on": "开始从事专业技术工作的日期",
    "probation_completed_on": "见习期满日期",
    "defence_grade": "专业答辩等次",
    # records
    "started_on": "处分开始日期",
    "lifted_on": "处分解除日期",
    "clause": "业绩成果类别",
    "role": "本人角色",
    "rank": "排名",
    "achieved_on": "取得日期",
    "title": "题目",
    "author_position": "作者排名",
    "author_count": "作者人数",
    "journal_cn": "CN刊号",
    "journal_issn": "ISSN刊号",
    "char_count": "字数",
    "published_on": "发表日期",
    "specialty_match": "与本人从事专业一致",
    "retrieval_page": "附主流数据库检索页",
    "sole_author": "独立撰写",
    "completed_on": "完成日期",
    "main_author": "主要作者",
    "recognised_publisher": "正规出版社出版",
    "own_char_count": "本人撰写字数",
    "isbn": "ISBN",
    "cip_page": "附CIP数据核字号验证检索页",
    "produced_on": "形成日期",
    "text": "全文",
    "covers_required_parts": "包括基本情况、学术研究情况、岗位业绩综述",
    "anonymous": "不含姓名、工作单位、县（市、区）",
    "applied": "上年度参加评审",
    "outcome": "上年度结果",
    "applied_on": "上年度申报日期",
    "new_achievements": "本年有较明显的新业绩",
    "found_on": "查实日期",
    "ban_years": "取消申报资格年限",
    "cancelled_year": "取消评审资格的年度",
    "public": "公需课学时",
    "professional": "专业课学时",
    "year": "年度",
}

VALUE_LABELS: dict[str, str] = {
    "male": "男",
    "female": "女",
    "female55": "女（原法定退休年龄55周岁）",
    "female50": "女（原法定退休年龄50周岁）",
    "employee": "在职职工",
    "dispatched": "劳务派遣",
    "freelancer": "自由职业者",
    "state_owned_enterprise": "国有企业",
    "public_institution": "事业单位",
    "non_public_enterprise": "非公有制经济组织",
    "social_organization": "社会组织",
    "government_organ": "机关",
    "city": "市属",
    "county": "县属",
    "below_high_school": "初中及以下",
    "high_school": "高中",
    "vocational_high": "职高",
    "secondary": "中专（中技）",
    "college": "大学专科",
    "bachelor": "大学本科",
    "master": "研究生（硕士）",
    "doctorate": "研究生（博士）",
    "intermediate_worker_class": "中级工班",
    "senior_worker_class": "高级工班",
    "preparatory_technician_class": "预备技师（技师）班",
    "science": "理学",
    "engineering": "工学",
    "pharmacy": "药学",
    "agriculture": "农学",
    "other": "其他学科",
    "technician": "技术员",
    "assistant_engineer": "助理工程师",
    "engineer": "工程师（中级）",
    "senior_engineer": "高级工程师",
    "evaluation": "评审",
    "determination": "确定",
    "exam": "考试",
    "vocational_qualification": "职业资格认定",
    "recognition": "认定",
    "transfer": "转系列",
    "junior_worker": "初级工",
    "intermediate_worker": "中级工",
    "senior_worker": "高级工",
    "skilled_technician": "技师",
    "senior_skilled_technician": "高级技师",
    "excellent": "优秀",
    "qualified": "合格",
    "basically_qualified": "基本合格",
    "unqualified": "不合格",
    "good": "良好",
    "pass": "合格",
    "fail": "不合格",
    "warning": "警告",
    "demerit": "记过",
    "major_demerit": "记大过",
    "demotion": "降级",
    "post_downgrade": "降低岗位等级",
    "dismissal_from_post": "撤职",
    "expulsion": "开除",
    "passed": "通过",
    "failed_defence": "答辩未通过",
    "failed_committee": "评委会综合评价未通过",
    "withdrawn": "未参评或撤回",
    "false_materials": "提供虚假材料",
    "plagiarism": "剽窃他人作品和学术成果",
    "improper_means": "其他不正当手段",
    # achievements' level and award kind (3.5.1 (6), (11))
    "city_or_above": "市级、行业及以上",
    "enterprise": "企业级",
    "design_award": "优秀设计奖",
    "excellent_project": "优秀工程称号",
}

OUTCOME_LABELS = {
    "eligible": "符合条件",
    "ineligible": "不符合条件",
    "refer": "提交评委会认定",
    "incomplete": "信息不全",
}
STATUS_LABELS = {"pass": "符合", "fail": "不符合", "unknown": "未知", "refer": "评委会认定"}
LEVEL_LABELS = {"technician": "技术员", "assistant_engineer": "助理工程师", "engineer": "工程师"}

ACTION_LABELS = {
    "create": "创建申报",
    "applicant_pledge": "申报人承诺",
    "submit": "提交用人单位",
    "withdraw": "撤回申报",
    "peer_review": "记录民主评议",
    "publicity": "公示",
    "objection": "记录公示异议",
    "appraisal": "出具鉴定意见",
    "appraisal_confirmed": "单位负责人确认鉴定意见",
    "employer_pledge": "单位承诺",
    "evidence": "上传材料",
    "approve": "审核通过／推荐",
    "return": "退回修改",
    "reject": "不予推荐／审核不通过",
    "resubmit": "修改后重新提交",
    "submit_batch": "统一报送评委会",
    "resubmit_to_office": "重新报送评委会",
    "intake_check": "原件核验",
    "accept": "评委会受理",
    "office_return": "评委会办公室退回报送单位",
    "defer": "评委会办公室移出本年度评审",
    "integrity_finding": "记入诚信档案",
    "entrustment": "登记委托评审函（7.1）",
    "recognition": "录入评委会认定结论（3.10）",
    "outcome_recorded": "记录评审结果",
    "results_publicity": "评审结果公示",
    "results_objection": "登记评审结果公示异议",
    "results_objection_handled": "处理评审结果公示异议",
    "results_revote_failed": "重新表决未通过，不列入公示",
}

SECTION_LABELS = {
    "identity": "基本信息",
    "retirement": "退休类别",
    "employment": "工作单位与岗位",
    "specialty": "申报专业",
    "education": "学历",
    "titles": "现有职称",
    "skill_grades": "职业技能等级",
    "vocational_qualifications": "职业资格",
    "annual_assessments": "年度考核",
    "continuing_education": "继续教育",
    "discipline": "处分情况",
    "achievements": "业绩成果",
    "papers": "论文",
    "technical_reports": "专业技术报告",
    "books": "著作",
    "defence_paper": "答辩材料",
    "work_summary": "专业技术工作总结",
    "last_year": "上年度评审情况",
    "integrity_records": "诚信档案记录",
    "government_move": "从机关流动",
}


# The notice's own words, shown as help where the profile asks for what they define (quoted from the 2023 notice).
FIELD_HELP: dict[str, str] = {
    "front_line_since": "通知：基层一线是指国有企业和非公经济组织中在项目或施工现场直接从事或参与具体生产活动的专业技术人才"
    "和高技能人才；或在县（市、区）以下事业单位工作的专业技术人才和高技能人才。",
    "current_post_since": "通知：因岗位变动需转系列（专业）评审的，应在新的岗位上工作满1年以上，年度考核合格；"
    "转系列（专业）只能平级转换，不能又转又晋升。",
    "series": "通知：转系列（专业）只能平级转换，不能又转又晋升。",
}
SECTION_HELP: dict[str, str] = {
    "annual_assessments": "通知：申报中、初级任职资格评审的专业技术人员，必须参加专业技术人员年度考核和任职期满考核，"
    "且任职期内的考核结果都在合格以上等次。",
    "continuing_education": "通知：专业技术人员参加继续教育情况作为申报评审职称的重要条件。",
    "achievements": "通知：申报工程师、助理工程师，须具备“三（五）业绩成果条件”所列条件之一；请按通知所列选择。",
}


# The engine says each reason in Chinese and, for the command line's English readers, again in brackets: the
# platform shows the Chinese only ("校验位错误 (wrong check digit)" → "校验位错误").
_ENGLISH_ASIDE = re.compile(r"\s*[(（][A-Za-z][^()（）\u4e00-\u9fff]*[)）]")


def in_chinese(reason: str) -> str:
    """An engine's reason without its English aside."""
    return _ENGLISH_ASIDE.sub("", reason).strip()


def problem_in_words(path: str, reason: str) -> str:
    """One problem of the facts, for a person: the fact named in words (a whole-profile problem by itself)."""
    reason = in_chinese(reason)
    return reason if not path or path.startswith("(") else f"{fact_label(path)}：{reason}"


def fact_label(path: str) -> str:
    """A fact's path in the clerk's words: education[0].graduated_on → 学历第1条·毕业日期; annual_assessments.2021 →
    2021年度考核."""
    import re

    parts = [p for p in re.split(r"\.", path) if p]
    out: list[str] = []
    for i, part in enumerate(parts):
        m = re.match(r"^(\w+?)\[(\d+)\]$", part)
        if m:
            out.append(f"{SECTION_LABELS.get(m.group(1), m.group(1))}第{int(m.group(2)) + 1}条")
        elif part.isdigit():
            out.append(f"{part}年度" if i else part)
        elif i == 0 and part in SECTION_LABELS:
            out.append(SECTION_LABELS[part])
        else:
            out.append(FIELD_LABELS.get(part, SECTION_LABELS.get(part, part)))
    return "·".join(out)


# ── the notice's list of achievements (3.5.1 (1)–(16), 3.5.2 (1)–(2)) and its clauses, from the year's pack ─────

# The pack's two lists and the levels they serve, as the notice heads them.
ACHIEVEMENT_LISTS = (("engineer", "申报工程师（3.5.1）"), ("assistant_engineer", "申报助理工程师（3.5.2）"))


def achievement_items(pack: Pack) -> list[tuple[str, str, str]]:
    """(id, the item as the notice numbers and names it, the notice's own text) for every item of 3.5.1 and 3.5.2:
    the applicant chooses the text, the id is kept behind it."""
    out = []
    for level, _ in ACHIEVEMENT_LISTS:
        items = pack.engineer_items if level == "engineer" else pack.ae_items
        for item in items.values():
            number = item.id.rsplit(".", 1)[1]
            text = pack.clauses[item.id].text if item.id in pack.clauses else item.name
            out.append((item.id, f"（{number}）{item.name}", text))
    return out


def achievement_choices(pack: Pack, levels: tuple[str, ...] = ("engineer", "assistant_engineer")) -> list[Any]:
    """The items grouped as the notice lists them (for a select with optgroups)."""
    groups: list[Any] = []
    for level, heading in ACHIEVEMENT_LISTS:
        if level not in levels:
            continue
        items = pack.engineer_items if level == "engineer" else pack.ae_items
        named = {i: n for i, n, _ in achievement_items(pack)}
        groups.append((heading, [(i, named[i]) for i in items]))
    return groups


def achievement_name(pack: Pack, clause: str) -> str:
    """An item's id in the notice's words: 3.5.1.1 → 工程师业绩成果（1）市级以上…; an id not in the list as it is."""
    for item_id, name, _ in achievement_items(pack):
        if item_id == clause:
            return ("工程师业绩成果" if item_id.startswith("3.5.1.") else "助理工程师业绩成果") + name
    return clause


def clause_name(pack: Pack, clause: str) -> str:
    """A clause the employer's appraisal names, in words with the id after them: 工程师工作能力（3.4.1）."""
    if clause in pack.engineer_items or clause in pack.ae_items:
        return f"{achievement_name(pack, clause)}（{clause}）"
    entry = pack.clauses.get(clause)
    return f"{entry.title}（{clause}）" if entry is not None else clause
