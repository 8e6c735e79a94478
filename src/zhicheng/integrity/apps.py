from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "zhicheng.integrity"
    label = "integrity"
    verbose_name = "诚信档案"
