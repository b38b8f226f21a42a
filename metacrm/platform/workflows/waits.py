"""The ``wait`` action: pause a run and continue its remaining actions later, as a job.

``{"type": "wait", "for": 2, "unit": "days"}`` (units: ``minutes``, ``hours``,
``days``, ``business_days``). The engine stops the action list at the wait;
once the run is logged, it enqueues a ``workflow.resume`` job in the run's
transaction (a rolled-back save resumes nothing) keyed
``wfw:<run id>``. When the job fires, the engine re-loads the record — gone
or in the recycle bin: nothing to do — and runs the actions after the wait,
as the SYSTEM actor, in a new transaction, logged as a linked run whose
trigger is ``resume:<first run id>``. The condition is not checked again:
it held when the run started (put a ``when`` on later steps to re-check).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from ..logic.helpers import add_business_days
from ..storage.store import utcnow
from .actions import ActionContext, action

KIND = "workflow.resume"
TRIGGER_PREFIX = "resume:"


def resume_at(now: dt.datetime, amount: int, unit: str) -> dt.datetime:
    """When a wait of ``amount`` ``unit``s started at ``now`` ends (business days keep the time of day)."""
    if unit == "business_days":
        return dt.datetime.combine(add_business_days(now.date(), amount), now.timetz())
    return now + dt.timedelta(**{unit: amount})


def job_key(run_id: int) -> str:
    return f"wfw:{run_id}"


@action("wait")
def wait(ctx: ActionContext) -> Mapping[str, Any]:
    """Only computes the time: the engine, seeing a wait, stops the run and plans its resumption."""
    until = resume_at(utcnow(), int(ctx.params["for"]), ctx.params.get("unit", "days"))
    return {"until": until.isoformat(), "resume_from": ctx.index + 1}


def plan(jobs: Any, conn: Any, run_id: int, payload: dict[str, Any], until: str) -> int:
    """Enqueue the resumption of run ``run_id`` in the run's transaction."""
    return jobs.enqueue(conn, KIND, {**payload, "run_id": run_id}, run_at=dt.datetime.fromisoformat(until),
                        key=job_key(run_id))
