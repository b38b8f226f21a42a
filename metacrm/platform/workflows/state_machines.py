"""State machines at run time: every writer's state change is checked, locked states hold, and
entering or leaving a state runs its actions in the save's transaction.

Installed on the record service (``install``), so forms, kanban drags, the
REST API, imports, scripts and workflows all pass the same checks:

* a ``before_save`` hook: a new record starts in the machine's ``initial``
  state (set when left out); a change of the state field needs a transition
  from the old state to the new one (422 ``transition_not_allowed`` naming
  the allowed next states), one of its roles (403, as every permission
  refusal; admins and the platform pass role checks), and its guard condition
  (422 ``transition_condition`` with the transition's message). Admins and
  workflows obey the transitions and guards: the machine describes the
  business process, not a permission. A record saved before its machine
  existed (no state) moves as if it were in the initial state.
* the same hook and an ``authorize`` hook refuse to update or delete a record
  in a locked state (``locks.py``), unless the automation owning the lock acts.
* an ``in_transaction`` listener runs ``on_exit`` of the old state then
  ``on_enter`` of the new one through the workflow engine (its action
  registry, its run log, its rollback on failure), after the object's own
  workflows, with the record unlocked for them.
"""

from __future__ import annotations

from typing import Any, Mapping

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.state_machines import StateMachineDef, TransitionDef
from metacrm.metadata.workflows import ActionDef, TriggerDef, WorkflowDef

from ..errors import Forbidden
from ..records.actor import Actor
from ..records.errors import FieldError
from ..records.events import RecordEvent
from ..records.hooks import AccessRequest, SaveContext
from ..records.service import RecordService
from ..schema_cache import SchemaCache
from . import data_loads
from .conditions import ExpressionFailed, holds, loader, names
from .engine import WorkflowEngine
from .locks import edits, is_unlocked, locked, unlocked


def may_perform(actor: Actor, transition: TransitionDef) -> bool:
    """Roles of a transition: none means anyone who may edit; admins and the platform always may."""
    return not transition.roles or actor.is_admin or actor.is_system or bool(actor.roles & set(transition.roles))


def _quoted(states: Any) -> str:
    states = list(states)
    if not states:
        return "none"
    words = [f'"{s}"' for s in states]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def effective(machine: StateMachineDef, state: Any) -> Any:
    """A record without a state (saved before the machine existed) moves as if in the initial state."""
    return machine.initial if state is None and machine.initial is not None else state


def not_allowed(obj: CompiledObject, machine: StateMachineDef, old: Any, new: Any) -> FieldError:
    nxt = machine.next_states(effective(machine, old))
    return FieldError(machine.field, "transition_not_allowed",
                      f'cannot go from "{old}" to "{new}"; allowed next: {_quoted(nxt)}')


class StateMachines:
    def __init__(self, records: RecordService, cache: SchemaCache, workflows: WorkflowEngine):
        self.records = records
        self.cache = cache
        self.workflows = workflows

    def install(self) -> "StateMachines":
        hooks = self.records.hooks
        hooks.before_save.insert(0, self.before_save)  # before formulas and rules see the new state
        hooks.authorize.append(self.authorize)
        self.records.bus.listen("*", self.on_event, phase="in_transaction")
        return self

    # --- checks ------------------------------------------------------------------------------
    def before_save(self, ctx: SaveContext) -> None:
        machines = ctx.obj.definition.state_machines
        if not machines:
            return
        if ctx.operation == "create":
            if data_loads.is_data_load(ctx.conn):  # loaded records arrive in any state (data_loads.py)
                return
            for m in machines:
                value = ctx.values.get(m.field)
                if m.initial is None or value == m.initial:
                    continue
                if value is None:
                    ctx.values[m.field] = m.initial
                else:
                    ctx.errors.append(FieldError(m.field, "transition_not_allowed",
                                                 f'a new {ctx.obj.definition.label} starts in "{m.initial}", '
                                                 f'not "{value}"'))
            return
        previous = ctx.previous or {}
        if not is_unlocked(ctx.conn, ctx.obj.name, previous.get("id")):
            for m in machines:
                if m.locked(previous.get(m.field)) and edits(ctx.obj, ctx.values, previous):
                    raise locked(ctx.obj, previous, f"state {previous.get(m.field)}", m.field)
        for m in machines:
            if m.field in ctx.values and ctx.values[m.field] != previous.get(m.field):
                self._check_move(ctx, m, previous.get(m.field), ctx.values[m.field])

    def _check_move(self, ctx: SaveContext, m: StateMachineDef, old: Any, new: Any) -> None:
        moves = m.moves(effective(m, old), new)
        if not moves:
            ctx.errors.append(not_allowed(ctx.obj, m, old, new))
            return
        permitted = [t for t in moves if may_perform(ctx.actor, t)]
        if not permitted:
            roles = sorted({r for t in moves for r in t.roles})
            held = f"your roles ({', '.join(sorted(ctx.actor.roles))})" if ctx.actor.roles else "you have no role"
            raise Forbidden(f'moving {ctx.obj.definition.label} {m.field} from "{old}" to "{new}" needs the role '
                            f"{_quoted(roles)}; {held}", object=ctx.obj.name, field=m.field, roles=roles)
        record = {**(ctx.previous or {}), **ctx.values}
        scope = names(ctx.obj, record, ctx.actor, loader(ctx.conn, ctx.live), ctx.previous)
        problems = []
        for t in permitted:
            try:
                if holds(t.condition, scope):
                    return
                problems.append(t.message or f'the move from "{old}" to "{new}" needs {t.condition}')
            except ExpressionFailed as exc:
                problems.append(f"the move's condition could not run: {exc}")
        ctx.errors.append(FieldError(m.field, "transition_condition", problems[0]))

    def authorize(self, request: AccessRequest) -> None:
        """A record in a locked state cannot be deleted (updates are refused by :meth:`before_save`)."""
        if request.action != "delete" or request.record is None:
            return
        for m in request.obj.definition.state_machines:
            if m.locked(request.record.get(m.field)):
                raise locked(request.obj, request.record, f"state {request.record.get(m.field)}", m.field)

    def allowed_moves(self, actor: Actor, obj: CompiledObject, record: Mapping[str, Any],
                      machine: StateMachineDef, conn: Any) -> list[str]:
        """The states ``actor`` may move ``record`` to now (roles and guards), for buttons."""
        if machine.locked(record.get(machine.field)):
            return []
        live = self.cache.get(conn)
        found = []
        old = effective(machine, record.get(machine.field))
        for to in machine.next_states(old):
            candidate = {**record, machine.field: to}
            scope_for = names(obj, candidate, actor, loader(conn, live), record)
            for t in machine.moves(old, to):
                try:
                    if may_perform(actor, t) and holds(t.condition, scope_for):
                        found.append(to)
                        break
                except ExpressionFailed:
                    continue
        return found

    # --- on_enter / on_exit ------------------------------------------------------------------
    def on_event(self, event: RecordEvent) -> None:
        conn = event.conn
        if conn is None or event.name not in ("record.created", "record.updated") or event.record is None \
                or data_loads.is_data_load(conn):
            return
        live = self.cache.get(conn)
        obj = live.compiled.objects.get(event.object)
        if obj is None or not obj.definition.state_machines:
            return
        for m in obj.definition.state_machines:
            if event.name == "record.created":
                left, entered = None, event.record.get(m.field)
            elif m.field in event.changed:
                left, entered = (event.previous or {}).get(m.field), event.record.get(m.field)
            else:
                continue
            for state, kind in ((left, "exit"), (entered, "enter")):
                definition = m.states.get(state) if isinstance(state, str) else None
                actions = getattr(definition, f"on_{kind}", ()) if definition else ()
                if actions:
                    self._run(conn, live, obj, m, state, kind, actions, event)

    def _run(self, conn: Any, live: Any, obj: CompiledObject, m: StateMachineDef, state: str, kind: str,
             actions: tuple[ActionDef, ...], event: RecordEvent) -> None:
        label = obj.fields[m.field].definition.label
        wf = WorkflowDef(name=f"{m.field}.on_{kind}"[:40], label=f'{label} "{state}" on {kind}',
                         trigger=TriggerDef("field_changed", m.field), actions=actions)
        record = dict(event.record or {})
        previous = event.previous if event.name == "record.updated" else None
        scope = names(obj, record, event.actor, loader(conn, live), previous)
        with unlocked(conn, obj.name, record["id"]):
            self.workflows.run(conn, live, obj, wf, record, scope, event.actor, f"state.{kind}",
                               self.workflows.depth_of(conn))
