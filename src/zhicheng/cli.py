"""zhicheng: the command line over the same policy functions the web and the API call."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import Any

from zhicheng.policy.calendar import CalendarYearMissing, default_calendar
from zhicheng.policy.engine import check_pack, evaluate
from zhicheng.policy.facts import DATE_YEARS, Facts, FactsError, read_facts_file
from zhicheng.policy.findings import Decision, LevelResult, PathResult
from zhicheng.policy.pack import Pack, PackError, available_packs, load_pack, pack_for_year
from zhicheng.policy.paths import EXCLUSIONS
from zhicheng.policy.retirement import retirement_date_for

LEVEL_NAMES = {"technician": "技术员", "assistant_engineer": "助理工程师", "engineer": "工程师"}
OUTCOME_NAMES = {
    "eligible": "符合条件",
    "ineligible": "不符合条件",
    "refer": "提交评委会认定",
    "incomplete": "信息不全",
}
STATUS_NAMES = {"pass": "符合", "fail": "不符合", "unknown": "未知", "refer": "评委会认定"}


class BadInput(Exception):
    """Input the command cannot use; the message says why."""


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise BadInput(f"不是有效日期 (not a valid date, YYYY-MM-DD): {text}") from exc
    low, high = DATE_YEARS
    if not low <= day.year <= high:
        raise BadInput(f"日期 {text} 的年份应在{low}—{high}年之间 (year outside {low}–{high})")
    return day


def _pack(args: argparse.Namespace) -> Pack:
    if getattr(args, "pack", None):
        return load_pack(args.pack)
    if getattr(args, "year", None):
        return pack_for_year(args.year)
    return load_pack()


def rank_paths(result: LevelResult) -> list[PathResult]:
    """The paths in the order that decides the level: eligible, then refer, then incomplete, then the ineligible
    paths that are met in a later year (soonest first), then the other ineligible ones, the most conditions
    met first."""

    def key(p: PathResult) -> tuple[int, int, int, int]:
        passes = sum(f.status == "pass" for f in p.findings)
        fails = sum(f.status == "fail" for f in p.findings)
        if p.outcome != "ineligible":
            return (("eligible", "refer", "incomplete").index(p.outcome), 0, -passes, fails)
        if p.earliest_year is not None:
            return (3, p.earliest_year, -passes, fails)
        return (4, 0, -passes, fails)

    return sorted(result.paths, key=key)


def format_text(decision: Decision, pack: Pack, *, paths_shown: int = 3) -> str:
    """For a clerk: per level the outcome, then its paths in the order that decides it (``rank_paths``) — every
    refer and incomplete path, and the ineligible ones met soonest in a later year, always with each failing or
    unknown condition and its clause id; only ineligible paths are ever named together in the last line. The
    words of every clause cited follow once at the end."""
    cited: dict[str, None] = {}
    lines = [
        f"{decision.year}年度 · 政策包 {decision.pack}（{decision.pack_version}）· 基准日 {decision.reference_date}"
    ]
    blocking = [f for f in decision.exclusions if f.status != "pass" and f.condition in EXCLUSIONS]
    if blocking:
        lines.append("申报范围与限制（适用于各层级）：")
        lines += _finding_lines(blocking, "  ", cited)
    for level, result in decision.levels.items():
        lines.append("")
        head = f"【{LEVEL_NAMES[level]}】{OUTCOME_NAMES[result.outcome]}"
        if result.eligible_paths:
            head += "：" + "；".join(f"{p.name}〔{p.clause}〕" for p in result.paths if p.outcome == "eligible")
            cited.update(dict.fromkeys(p.clause for p in result.paths if p.outcome == "eligible"))
        elif result.outcome == "ineligible" and result.earliest_year is not None:
            head += f"（如无其他变化，最早{result.earliest_year}年度可申报）"
        lines.append(head)
        own = [f for f in result.exclusions if f.status != "pass" and f.condition not in EXCLUSIONS]
        if own:
            lines.append("  本层级的限制：")
            lines += _finding_lines(own, "    ", cited)
        if result.outcome == "eligible":
            continue
        ranked = rank_paths(result)
        # A path that decides the level is never folded into the last line: every path that may still be met
        # (refer, incomplete) and those met soonest in a later year show their findings; the budget of
        # ``paths_shown`` is filled from the rest in rank order.
        soonest = min((p.earliest_year for p in ranked if p.earliest_year is not None), default=None)
        decisive = [p for p in ranked if p.outcome != "ineligible" or (soonest and p.earliest_year == soonest)]
        shown = decisive + [p for p in ranked if p not in decisive][: max(0, paths_shown - len(decisive))]
        shown.sort(key=ranked.index)
        for path in shown:
            when = f"，{path.earliest_year}年度可满足" if path.earliest_year is not None else ""
            lines.append(f"  · {path.name}〔{path.clause}〕— {OUTCOME_NAMES[path.outcome]}{when}")
            lines += _finding_lines([f for f in path.findings if f.status != "pass"], "      ", cited)
        rest = [p for p in ranked if p not in shown]
        if rest:
            lines.append("  · 其余路径不符合：" + "；".join(p.name for p in rest))
        if result.missing_facts:
            lines.append("  尚缺信息（按影响路径数排序）：" + "、".join(result.missing_facts[:10]))
    if decision.warnings:
        lines.append("")
        lines.append("提请评委会关注：")
        for w in decision.warnings:
            lines.append(f"  · 〔{w.clause}〕{w.message}")
            cited[w.clause] = None
    lines.append("")
    lines.append("所引条款原文（忻工信函〔2023〕79号）：")
    for clause in cited:
        entry = pack.clauses.get(clause)
        if entry is not None:
            lines.append(f"  〔{clause}〕{entry.text}")
    return "\n".join(lines)


def _finding_lines(findings: list[Any], indent: str, cited: dict[str, None]) -> list[str]:
    out = []
    for f in findings:
        ruling = f"，{f.ruling}" if f.ruling else ""
        out.append(f"{indent}[{STATUS_NAMES[f.status]}] 〔{f.clause}{ruling}〕{f.message}")
        cited[f.clause] = None
    return out


def cmd_check(args: argparse.Namespace) -> int:
    pack = _pack(args)
    facts = read_facts_file(args.file, pack)
    decision = evaluate(facts, pack)
    if args.format == "json":
        print(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_text(decision, pack))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(Facts.model_json_schema(), ensure_ascii=False, indent=2))
    return 0


def cmd_pack_validate(args: argparse.Namespace) -> int:
    names = [args.pack] if args.pack else available_packs()
    failed = False
    for name in names:
        pack = load_pack(name)
        problems = check_pack(pack)
        if problems:
            failed = True
            print(f"{pack.id}: {len(problems)} problem(s)", file=sys.stderr)
            for p in problems:
                print(f"  {p}", file=sys.stderr)
        else:
            print(
                f"{pack.id} ({pack.version}): ok — year {pack.year}, {len(pack.categories)} categories, "
                f"{len(pack.clauses)} clauses"
            )
    return 2 if failed else 0


def cmd_workdays(args: argparse.Namespace) -> int:
    start, end = _date(args.start), _date(args.end)
    if end < start:
        raise BadInput(f"结束日期早于开始日期 (END before START): {end} < {start}")
    print(default_calendar().workdays_between(start, end))
    return 0


def cmd_retirement(args: argparse.Namespace) -> int:
    birth = _date(args.birth_date)
    pack = _pack(args)
    try:
        print(retirement_date_for(birth, args.category, pack).isoformat())
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return 0


def _django() -> None:
    """The audit commands read the platform's database: set Django up as manage.py does."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhicheng.settings")
    django.setup()


def cmd_audit_verify(args: argparse.Namespace) -> int:
    _django()
    from zhicheng.audit import trail

    checked, breaks = trail.verify()
    for b in breaks:
        at = f" {b.at:%Y-%m-%d %H:%M:%S}" if b.at else ""
        print(f"审计记录 #{b.entry_id}{at}：{b.problem}", file=sys.stderr)
    if breaks:
        print(f"审计记录校验失败：共 {checked} 条，发现 {len(breaks)} 处异常", file=sys.stderr)
        return 1
    print(f"审计记录校验通过：共 {checked} 条，链完整")
    return 0


def cmd_audit_prune(args: argparse.Namespace) -> int:
    _django()
    from django.conf import settings

    from zhicheng.audit import trail

    removed = trail.prune()
    print(f"已删除保存期（{settings.AUDIT_RETENTION_DAYS}日）以前的审计记录 {removed} 条")
    return 0


def cmd_check_deploy(args: argparse.Namespace) -> int:
    _django()
    from zhicheng.serving.deploy import report

    print("部署检查（docs/deployment.md）：")
    return report(sys.stdout)


def cmd_backup(args: argparse.Namespace) -> int:
    _django()
    from pathlib import Path

    from zhicheng.serving import backup

    try:
        backup.backup(Path(args.dir), sys.stdout)
    except backup.Refused as exc:
        print(f"备份未完成 (backup refused): {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    _django()
    from pathlib import Path

    from zhicheng.serving import backup

    try:
        outcome = backup.restore(Path(args.dir), replace=args.replace, out=sys.stdout)
    except backup.Failed as exc:
        print(f"恢复失败 (restore failed): {exc}", file=sys.stderr)
        return 1
    except backup.Refused as exc:
        print(f"恢复未进行 (restore refused): {exc}", file=sys.stderr)
        return 2
    for line in outcome.lines:
        print(f"  {line}")
    if outcome.problems:
        print(f"恢复后核验未通过：{len(outcome.problems)} 项问题 (restored, but verification failed)", file=sys.stderr)
        return 1
    print("恢复完成，核验全部通过 (restored and verified)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhicheng", description="职称评审：工程系列中、初级 — 申报条件核查")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="check an applicant's facts (YAML or JSON) and print the decision")
    check.add_argument("file")
    check.add_argument("--year", type=int, help="evaluation year (selects the policy pack)")
    check.add_argument("--pack", help="policy pack id or folder")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(func=cmd_check)

    schema = sub.add_parser("schema", help="print the JSON Schema of the facts")
    schema.set_defaults(func=cmd_schema)

    pack = sub.add_parser("pack", help="policy packs")
    pack_sub = pack.add_subparsers(dest="pack_command", required=True)
    validate = pack_sub.add_parser("validate", help="validate a pack (all packs when none is named)")
    validate.add_argument("pack", nargs="?")
    validate.set_defaults(func=cmd_pack_validate)

    workdays = sub.add_parser("workdays", help="working days from START to END, both included")
    workdays.add_argument("start")
    workdays.add_argument("end")
    workdays.set_defaults(func=cmd_workdays)

    retirement = sub.add_parser("retirement", help="statutory retirement date (R6)")
    retirement.add_argument("birth_date")
    retirement.add_argument("category", choices=("male", "female55", "female50"))
    retirement.add_argument("--year", type=int)
    retirement.set_defaults(func=cmd_retirement)

    audit = sub.add_parser("audit", help="the audit trail (the platform's database)")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check every entry's seal and link; exit 1 on any change")
    verify.set_defaults(func=cmd_audit_verify)
    prune = audit_sub.add_parser("prune", help="remove entries older than the retention period (184 days or more)")
    prune.set_defaults(func=cmd_audit_prune)

    deploy = sub.add_parser(
        "check-deploy",
        help="before serving: Django's deployment checks and the platform's (keys, debug, database, calendar…); exit 1 on any failure",
    )
    deploy.set_defaults(func=cmd_check_deploy)

    backup = sub.add_parser(
        "backup", help="PostgreSQL dump, the evidence files and a manifest of checksums into DIR (new or empty)"
    )
    backup.add_argument("dir")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser(
        "restore",
        help="check DIR's checksums, restore the database and the evidence files, then verify the audit chain and every file",
    )
    restore.add_argument("dir")
    restore.add_argument(
        "--replace", action="store_true", help="drop the database's tables and MEDIA_ROOT's files first"
    )
    restore.set_defaults(func=cmd_restore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except FactsError as exc:
        print("申报信息有误 (bad facts):", file=sys.stderr)
        for path, reason in exc.problems:
            print(f"  {path}: {reason}", file=sys.stderr)
        return 2
    except (PackError, BadInput, CalendarYearMissing) as exc:
        print(str(exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
