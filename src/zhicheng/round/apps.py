from django.apps import AppConfig


class RoundConfig(AppConfig):
    name = "zhicheng.round"
    label = "round"
    verbose_name = "评审年度"
