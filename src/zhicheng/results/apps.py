from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "zhicheng.results"
    label = "results"
    verbose_name = "评审结果（公示、确认备案、证书）"

    def ready(self) -> None:
        # The stage's tasks join the to-do inbox (applications.inbox), which may not import this floor.
        from zhicheng.results import tasks  # noqa: F401
