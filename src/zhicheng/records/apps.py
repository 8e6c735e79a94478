from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "zhicheng.records"
    label = "records"
    verbose_name = "个人档案（申报信息、诚信档案、历年评审结果）"
