"""The city's real structure (忻州市), loaded by a data migration: areas, bureaus, agencies and offices."""

from __future__ import annotations

from typing import Any

CITY = "忻州市"
COUNTIES = [
    "忻府区",
    "原平市",
    "定襄县",
    "五台县",
    "代县",
    "繁峙县",
    "宁武县",
    "静乐县",
    "神池县",
    "五寨县",
    "岢岚县",
    "河曲县",
    "保德县",
    "偏关县",
]
# The two zones: the notice addresses their offices in place of a county's HR and IIT bureaus.
ZONES = {
    "忻州经济开发区": "忻州经济开发区管委会党群工作部",
    "五台山风景名胜区": "五台山风景名胜区组织人社局",
}
CITY_COMPETENT_DEPARTMENTS = [
    "忻州市住房和城乡建设局",
    "忻州市交通运输局",
    "忻州市水利局",
    "忻州市自然资源局",
    "忻州市生态环境局",
    "忻州市能源局",
    "忻州市市场监督管理局",
    "忻州市应急管理局",
    "忻州市人民政府国有资产监督管理委员会",
    "忻州市农业农村局",
]
CITY_OFFICES = [
    ("忻州市人力资源和社会保障局", "city_hr_bureau"),
    ("忻州市工业和信息化局", "city_iit_bureau"),
    ("忻州市工程技术人员中级职称评审委员会办公室", "committee_office"),
    ("忻州市人力资源协会", "hr_association"),
    ("忻州市公共就业和人才服务中心", "public_talent_agency"),
    ("忻州市人事代理服务中心", "personnel_agency"),
]


def load(Area: Any, Organisation: Any) -> None:
    city = Area.objects.create(name=CITY, kind="city")
    for name, kind in CITY_OFFICES:
        Organisation.objects.create(name=name, kind=kind, area=city, level="city")
    for name in CITY_COMPETENT_DEPARTMENTS:
        Organisation.objects.create(name=name, kind="city_competent_department", area=city, level="city")
    for county in COUNTIES:
        area = Area.objects.create(name=county, kind="county")
        area.hr_bureau = Organisation.objects.create(
            name=f"{county}人力资源和社会保障局", kind="county_hr_bureau", area=area
        )
        area.iit_bureau = Organisation.objects.create(
            name=f"{county}工业和信息化局", kind="county_iit_bureau", area=area
        )
        Organisation.objects.create(name=f"{county}公共就业和人才服务中心", kind="public_talent_agency", area=area)
        area.save()
    for zone, office in ZONES.items():
        area = Area.objects.create(name=zone, kind="zone")
        org = Organisation.objects.create(name=office, kind="county_hr_bureau", area=area)
        area.hr_bureau = area.iit_bureau = org
        area.save()
