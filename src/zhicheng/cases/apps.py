from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhicheng.cases"
    label = "cases"
    verbose_name = "申报案件"
