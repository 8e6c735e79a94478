from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zhicheng.audit"
    label = "audit"
    verbose_name = "审计记录"

    def ready(self) -> None:
        from zhicheng.audit import signals

        signals.connect()
