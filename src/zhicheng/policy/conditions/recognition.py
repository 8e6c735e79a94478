"""三（十）引进高层次人才职称和急需紧缺人才职称认定: the employer sends the record of work and results through the
usual channel; the committee reviews it and recognises a title (3.10). No seniority, education or achievement
rule is given, so the engine's answer for such a person is never more than ``refer``: the committee decides."""

from __future__ import annotations

from zhicheng.policy.registry import Ctx, Result, condition, no, refer, unknown


@condition("introduced_talent", "3.10")
def introduced_talent(ctx: Ctx) -> Result:
    """An introduced high-level or urgently needed talent, recognised by the committee on the record."""
    flag = ctx.facts.employment.introduced_talent
    if flag is None:
        return unknown(
            ["employment.introduced_talent"],
            "是否为引进的高层次人才或急需紧缺人才未知",
            "whether an introduced talent is unknown",
        )
    if not flag:
        return no("不适用：不是引进的高层次人才或急需紧缺人才", "not applicable: not an introduced talent")
    return refer(
        "引进的高层次人才或急需紧缺人才：由评委会审核其专业工作经历、学术技术成果印证材料后认定相应职称",
        "introduced talent: the committee recognises the title on the record of work and results",
        "employment.introduced_talent",
        exception="recognition",
    )
