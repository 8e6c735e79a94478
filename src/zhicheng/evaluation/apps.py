from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "zhicheng.evaluation"
    label = "evaluation"
    verbose_name = "评审（分组、答辩、量化赋分、表决）"

    def ready(self) -> None:
        # The stage's tasks join the to-do inbox (applications.inbox), which may not import this floor.
        from zhicheng.evaluation import tasks  # noqa: F401
