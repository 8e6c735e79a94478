from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "zhicheng.intake"
    label = "intake"
    verbose_name = "评委会受理"
