"""A registry of scheduled jobs. Domains register; the scheduler process runs them.

Web workers never run jobs: only `flask scheduler run` reads this registry.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class JobSpec:
    job_id: str
    func: Callable[[], None]  # called inside an app context; commits once itself
    trigger: str  # "interval" or "cron", as APScheduler names them
    trigger_args: dict = field(default_factory=dict)


def register_job(app, job_id: str, func: Callable[[], None], trigger: str, **trigger_args) -> None:
    """Declare a recurring job, e.g. register_job(app, "cleanup.freeze", f, "interval", minutes=1)."""
    app.extensions.setdefault("empreinte.jobs", {})[job_id] = JobSpec(
        job_id, func, trigger, trigger_args
    )


def registered_jobs(app) -> list[JobSpec]:
    return list(app.extensions.get("empreinte.jobs", {}).values())
