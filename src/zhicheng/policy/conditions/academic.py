"""三（六）学术技术条件 (3.6, R15, R16) and 三（九）专业技术工作总结 (3.9, R16, R18)."""

from __future__ import annotations

import datetime as dt

from zhicheng.policy.conditions.common import backbone_or_host, current_title_start, held_by_reference_date
from zhicheng.policy.conditions.scope import first_year_after
from zhicheng.policy.registry import Ctx, Result, combine, condition, no, ok, unknown
from zhicheng.policy.text import HIT_LABELS, count_chars, personal_info_hits


def _all(
    parts: list[tuple[str, bool | None, str]],
    ok_zh: str,
    ok_en: str,
    clause: str,
    timed: dict[str, int | None] | None = None,
) -> Result:
    """All of (fact, value, what-fails) must hold. ``timed``: the facts that fail only on time (a date after the
    reference date), with the year they are met; when nothing else fails, that year is the finding's (R2)."""
    failed = [why for _, v, why in parts if v is False]
    facts = tuple(f for f, _, _ in parts)
    if failed:
        years = [(timed or {}).get(f) for f, v, _ in parts if v is False]
        met = max(y for y in years if y is not None) if all(y is not None for y in years) else None
        return no("；".join(failed), "a requirement fails", *facts, clause=clause, met_in_year=met)
    missing = [f for f, v, _ in parts if v is None]
    if missing:
        return unknown(missing, "部分信息未录入", "some facts unknown", *facts)
    return ok(ok_zh, ok_en, *facts, clause=clause)


def _ge(value: int | None, limit: int) -> bool | None:
    return None if value is None else value >= limit


def _dated(ctx: Ctx, day: dt.date | None, fact: str) -> tuple[tuple[str, bool | None, str], dict[str, int | None]]:
    """The part "held by the reference date" (申报时本人持有的, 3.2.3, R1) of a paper, report or book, and its year."""
    ref = ctx.reference_date
    held = None if day is None else day <= ref
    why = f"{'' if day is None else day.isoformat()}晚于基准日{ref.isoformat()}，申报时尚未持有，不计入"
    return (fact, held, why), {fact: None if day is None or held else first_year_after(day, ref)}


def _paper_engineer(ctx: Ctx, i: int) -> Result:
    paper = (ctx.facts.papers or [])[i]
    base = f"papers[{i}]"
    min_chars = ctx.p("text.paper_min_chars")
    start, start_fact, known = current_title_start(ctx)
    first = (
        None
        if paper.author_position is None and paper.author_count is None
        else (paper.author_position == 1 or paper.author_count == 1)
    )
    journal = True if (paper.journal_cn or paper.journal_issn) else None
    in_term = None if (paper.published_on is None or start is None) else paper.published_on >= start
    if not known and start is None:
        in_term = None
    held, timed = _dated(ctx, paper.published_on, f"{base}.published_on")
    parts = [
        (f"{base}.author_position", first, "须独立或以第一作者发表"),
        (f"{base}.journal_cn", journal, "须有CN或ISSN刊号"),
        (f"{base}.char_count", _ge(paper.char_count, min_chars), f"论文字数须在{min_chars}字以上"),
        (f"{base}.published_on" if start else start_fact, in_term, "须为任现职期间发表"),
        held,
        (f"{base}.specialty_match", paper.specialty_match, "须与本人实际从事专业一致"),
        (f"{base}.retrieval_page", paper.retrieval_page, "须附主流数据库检索页"),
    ]
    return _all(parts, f"论文「{paper.title or i + 1}」符合要求", "paper meets 3.6.1(1)", "3.6.1.1", timed)


def _reports_engineer(ctx: Ctx) -> Result:
    reports = ctx.facts.technical_reports
    needed = ctx.p("text.report_min_count")
    if reports is None:
        return unknown(["technical_reports"], "专业技术报告未录入", "reports unknown")
    roles = []
    years: list[int] = []  # the year each report with a qualifying role is held (R2)
    for i, r in enumerate(reports):
        role = backbone_or_host(ctx, r.role, f"technical_reports[{i}].role")
        held = held_by_reference_date(
            ctx, r.completed_on, f"technical_reports[{i}].completed_on", "报告完成", "technical report"
        )
        roles.append(Result(combine([role, held], all_needed=True), "", "", missing=role.missing + held.missing))
        if role.status == "pass" and held.status != "unknown":
            years.append(ctx.year if held.status == "pass" else held.met_in_year or 0)
    good = sum(r.status == "pass" for r in roles)
    maybe = sum(r.status == "unknown" for r in roles)
    judged = sum(r.status == "refer" for r in roles)
    facts = ("technical_reports",)
    if good >= needed:
        return ok(f"作为主要技术骨干完成专业技术报告{good}项", "enough technical reports", *facts, clause="3.6.1.2")
    if good + maybe >= needed:
        missing = tuple(m for r in roles for m in r.missing)
        return unknown(
            missing, "部分专业技术报告中本人角色或完成日期未知", "role or date in some reports unknown", *facts
        )
    if good + judged >= needed:
        return Result(
            "refer",
            "部分报告中的角色未列入“主要技术骨干”名单，由评委会认定",
            "roles for the committee",
            facts,
            clause="3.6.1.2",
        )
    years.sort()
    met = years[needed - 1] if len(years) >= needed and years[needed - 1] > ctx.year else None
    return no(
        f"申报时持有的专业技术报告{good}项，须{needed}项以上",
        "too few technical reports",
        *facts,
        clause="3.6.1.2",
        met_in_year=met,
    )


def _book_engineer(ctx: Ctx, i: int) -> Result:
    book = (ctx.facts.books or [])[i]
    base = f"books[{i}]"
    min_own = ctx.p("text.book_own_min_chars")
    min_defence = ctx.p("text.defence_paper_min_chars")
    defence = ctx.facts.defence_paper
    defence_chars = (
        None if defence is None else (count_chars(defence.text) if defence.text is not None else defence.char_count)
    )
    held, timed = _dated(ctx, book.published_on, f"{base}.published_on")
    parts = [
        (f"{base}.main_author", book.main_author, "须为主要作者"),
        (f"{base}.recognised_publisher", book.recognised_publisher, "须经正规出版社出版"),
        (f"{base}.own_char_count", _ge(book.own_char_count, min_own), f"本人撰写部分须不少于{min_own}字"),
        (f"{base}.cip_page", book.cip_page, "须附CIP数据核字号验证检索页"),
        held,
        (
            "defence_paper.char_count",
            _ge(defence_chars, min_defence),
            f"须同时提交{min_defence}字以上的答辩材料",
        ),
    ]
    return _all(parts, f"著作「{book.title or i + 1}」符合要求并提交答辩材料", "book meets 3.6.1(3)", "3.6.1.3", timed)


@condition("academic_engineer", "3.6.1", "R15")
def academic_engineer(ctx: Ctx) -> Result:
    """One of: a paper (alone or first author, CN/ISSN, ≥2000 字, in term, in the specialty, retrieval page);
    2 technical reports as main technical backbone; a book with ≥20000 字 of one's own plus a defence paper."""
    facts = ctx.facts
    results: list[Result] = []
    if facts.papers is None:
        results.append(unknown(["papers"], "论文未录入", "papers unknown"))
    else:
        results += [_paper_engineer(ctx, i) for i in range(len(facts.papers))]
    results.append(_reports_engineer(ctx))
    if facts.books is None:
        results.append(unknown(["books"], "著作未录入", "books unknown"))
    else:
        results += [_book_engineer(ctx, i) for i in range(len(facts.books))]
    status = combine(results)
    if status == "pass" or status == "refer":
        return next(r for r in results if r.status == status)
    if status == "unknown":
        missing = tuple(dict.fromkeys(m for r in results if r.status == "unknown" for m in r.missing))
        return unknown(
            missing,
            "学术技术条件尚不能确定：" + "；".join(r.message for r in results if r.status == "unknown"),
            "academic requirement not yet settled",
        )
    timed = [r.met_in_year for r in results if r.met_in_year is not None]
    return no(
        "不具备学术技术条件：" + "；".join(r.message for r in results),
        "no paper, reports or book qualifies",
        "papers",
        "technical_reports",
        "books",
        met_in_year=min(timed) if timed else None,
    )


@condition("academic_ae", "3.6.2", "R15")
def academic_ae(ctx: Ctx) -> Result:
    """One paper or technical summary (report) written alone, ≥2000 字."""
    min_chars = ctx.p("text.ae_paper_min_chars")
    results: list[Result] = []
    for i, p in enumerate(ctx.facts.papers or []):
        alone = None if p.author_count is None else p.author_count == 1
        held, timed = _dated(ctx, p.published_on, f"papers[{i}].published_on")
        results.append(
            _all(
                [
                    (f"papers[{i}].author_count", alone, "须独立撰写"),
                    (f"papers[{i}].char_count", _ge(p.char_count, min_chars), f"字数须在{min_chars}字以上"),
                    (f"papers[{i}].specialty_match", p.specialty_match, "须结合本专业工作撰写"),
                    held,
                ],
                "独立撰写论文符合要求",
                "paper written alone",
                "3.6.2",
                timed,
            )
        )
    for i, r in enumerate(ctx.facts.technical_reports or []):
        held, timed = _dated(ctx, r.completed_on, f"technical_reports[{i}].completed_on")
        results.append(
            _all(
                [
                    (f"technical_reports[{i}].sole_author", r.sole_author, "须独立撰写"),
                    (
                        f"technical_reports[{i}].char_count",
                        _ge(r.char_count, min_chars),
                        f"字数须在{min_chars}字以上",
                    ),
                    held,
                ],
                "独立撰写技术工作总结（报告）符合要求",
                "report written alone",
                "3.6.2",
                timed,
            )
        )
    if ctx.facts.papers is None or ctx.facts.technical_reports is None:
        results.append(
            unknown(
                [
                    f
                    for f, v in (
                        ("papers", ctx.facts.papers),
                        ("technical_reports", ctx.facts.technical_reports),
                    )
                    if v is None
                ],
                "论文或技术工作总结未录入",
                "papers or reports unknown",
            )
        )
    if not results:
        return no("无独立撰写的论文或技术工作总结", "no paper or report", "papers", "technical_reports")
    status = combine(results)
    if status == "unknown":
        missing = tuple(dict.fromkeys(m for r in results if r.status == "unknown" for m in r.missing))
        return unknown(missing, "论文或技术工作总结的信息不全", "paper or report facts missing")
    if status == "fail":
        timed_years = [r.met_in_year for r in results if r.met_in_year is not None]
        return no(
            "；".join(r.message for r in results),
            "no paper or report qualifies",
            "papers",
            "technical_reports",
            met_in_year=min(timed_years) if timed_years else None,
        )
    return next(r for r in results if r.status == status)


@condition("work_summary", "3.9", "R18")
def work_summary(ctx: Ctx) -> Result:
    """A work summary of ≥2000 字 covering the required parts, with no name, employer or county."""
    summary = ctx.facts.work_summary
    min_chars = ctx.p("text.work_summary_min_chars")
    ctx.p("text.counting_rule")
    if summary is None:
        return unknown(["work_summary"], "专业技术工作总结未提交", "work summary missing")
    chars = count_chars(summary.text) if summary.text is not None else summary.char_count
    # Anonymity (R18): a hit in the text fails; no hit, with name, employer and county all known, passes;
    # otherwise the text cannot settle it and the declared fact does (unknown when not declared).
    anonymous: bool | None = summary.anonymous
    anonymity_fact = "work_summary.anonymous"
    why_named = "不得出现姓名、工作单位等个人信息"
    if summary.text is not None:
        ident, emp = ctx.facts.identity, ctx.facts.employment
        hits = personal_info_hits(summary.text, name=ident.name, employer=emp.employer_name, county=emp.county)
        if hits:
            anonymous, why_named = False, f"总结中出现了{'、'.join(HIT_LABELS[h] for h in hits)}"
            anonymity_fact = "work_summary.text"
        elif ident.name and emp.employer_name and emp.county:
            anonymous, anonymity_fact = True, "work_summary.text"
    parts = [
        (
            "work_summary.text" if summary.text is not None else "work_summary.char_count",
            _ge(chars, min_chars),
            f"字数须在{min_chars}字以上（现{chars}字）",
        ),
        (
            "work_summary.covers_required_parts",
            summary.covers_required_parts,
            "须包括基本情况、学术研究情况、岗位业绩综述",
        ),
        (anonymity_fact, anonymous, why_named),
    ]
    return _all(parts, f"专业技术工作总结{chars}字，内容完整，无个人信息", "work summary meets 3.9", "3.9")
