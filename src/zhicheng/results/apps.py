from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "zhicheng.results"
    label = "results"
    verbose_name = "评审结果（公示、确认备案、证书）"
