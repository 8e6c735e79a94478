from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "zhicheng.intake"
    label = "intake"
    verbose_name = "评委会受理"

    def ready(self) -> None:
        # The stage's tasks join the to-do inbox (applications.inbox), which may not import this floor.
        from zhicheng.intake import tasks  # noqa: F401
