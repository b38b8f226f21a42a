"""The logic layer in the record path: expression defaults, before-save scripts, formulas, rules.

Installed as a ``before_save`` hook (``runtime.py``). Order on each save:
expression defaults (create only, fields not given) → before-save scripts (in
the worker; may set fields or ``fail()``) → stored formulas in dependency order
(typed: the result must coerce to ``result_type``) → validation rules. Every
problem becomes a :class:`FieldError` in the save's context, so rule failures
are reported together with type errors in one 422, and nothing is written.
Formulas that are not stored are computed when records are read (a ``redact``
step placed first, so permissions still apply to their values).
"""

from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metacrm.metadata.compiled import CompiledObject, CompiledSchema
from metacrm.metadata.expressions import references
from metacrm.metadata.field_types import FieldValueError

from ..records import values as record_values
from ..records.actor import Actor
from ..records.errors import FieldError
from ..records.hooks import SaveContext
from . import helpers
from .data_calls import ScriptCalls
from .limits import SandboxError, ScriptFailure
from .org_settings import OrgSettings
from .sandbox import evaluate
from .views import LookupValue, RecordView, UserView
from .worker_client import ScriptRunner, shared_runner

REFERENCE_TYPES = ("lookup", "master_detail")


def user_view(actor: Actor) -> UserView:
    return UserView(actor.id, actor.email, actor.roles, actor.is_admin)


_orders: dict[int, tuple[Any, list[Any]]] = {}


def formula_order(obj: CompiledObject) -> list[Any]:
    """Formula fields so that each comes after the formulas it reads (cached per compiled object)."""
    hit = _orders.get(id(obj))
    if hit is not None and hit[0] is obj:
        return hit[1]
    if len(_orders) > 1000:
        _orders.clear()
    order = _formula_order(obj)
    _orders[id(obj)] = (obj, order)
    return order


def _formula_order(obj: CompiledObject) -> list[Any]:
    """Formula fields so that each comes after the formulas it reads (cycles are refused by the checks)."""
    formulas = {f.name: f for f in obj.fields.values() if f.definition.type == "formula" and f.definition.formula}
    done: dict[str, Any] = {}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in done or name in trail:
            return
        for chain in references(formulas[name].definition.formula or ""):
            if chain[0] in formulas:
                visit(chain[0], (*trail, name))
        done[name] = formulas[name]
    for name in formulas:
        visit(name, ())
    return list(done.values())


class RecordLogic:
    def __init__(self, engine: Engine | None = None, scripts: ScriptRunner | None = None):
        self.engine = engine
        self.scripts = scripts or shared_runner()
        #: Organisation settings the date helpers use (checked once per save or request).
        self.settings = OrgSettings(engine) if engine is not None else None
        #: The RecordService, set by runtime.py: before-save scripts' query() reads through it.
        self.records: Any = None

    # --- names admin code sees ---------------------------------------------------------------
    def names(self, obj: CompiledObject, record: Mapping[str, Any], actor: Actor, loader: Any,
              previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
        scope: dict[str, Any] = {name: None for name in obj.fields}
        for key, value in record.items():
            f = obj.fields.get(key)
            if f is not None and f.definition.type in REFERENCE_TYPES and isinstance(value, int) and loader:
                value = LookupValue(value, f.definition.target or "", loader)
            scope[key] = value
        scope["current_user"] = user_view(actor)
        scope["old"] = RecordView(previous, "old") if previous is not None else None
        return scope

    @staticmethod
    def _loader(conn: Connection, schema: Any, live: Any) -> Any:
        cache: dict[tuple[str, int], Mapping[str, Any] | None] = {}

        def load(target: str, record_id: int) -> Mapping[str, Any] | None:
            if (target, record_id) not in cache:
                tobj = schema.objects.get(target)
                table = live.tables[target] if tobj is not None else None
                row = conn.execute(sa.select(table).where(table.c.id == record_id, table.c.deleted_at.is_(None))
                                   ).mappings().first() if table is not None else None
                cache[(target, record_id)] = record_values.from_row(tobj, row) if row is not None else None
            return cache[(target, record_id)]
        return load

    # --- the before-save hook ----------------------------------------------------------------
    def before_save(self, ctx: SaveContext) -> None:
        d = ctx.obj.definition
        has_defaults = ctx.operation == "create" and any(_expression_default(f.definition.default)
                                                          for f in ctx.obj.fields.values())
        formulas = [f for f in formula_order(ctx.obj) if f.definition.stored]
        scripts = [s for s in d.scripts if s.active and s.event == "before_save"]
        rules = [r for r in d.validation_rules if r.applies(ctx.operation)]
        if not (has_defaults or formulas or scripts or rules):
            return
        if self.settings is not None:
            self.settings.check(ctx.conn)
        loader = self._loader(ctx.conn, ctx.live.compiled, ctx.live)
        merged = {**(ctx.previous or {}), **ctx.values}
        scope = self.names(ctx.obj, merged, ctx.actor, loader, ctx.previous)
        if has_defaults:
            self._defaults(ctx, scope)
        for script in scripts:
            self._script(ctx, script, scope)
        for f in formulas:
            self._formula(ctx, f, scope)
        for rule in rules:
            try:
                ok = evaluate(rule.condition, scope)
            except ScriptFailure as exc:
                ctx.errors.append(FieldError(exc.field or (rule.fields[0] if rule.fields else ""),
                                             "validation_rule", exc.message))
                continue
            except SandboxError as exc:
                ctx.errors.append(FieldError(rule.fields[0] if rule.fields else "", "rule_error",
                                             f'validation rule "{rule.name}" could not run: {exc}'))
                continue
            if not ok:
                for name in rule.fields or ("",):
                    ctx.errors.append(FieldError(name, "validation_rule", rule.message))

    def _set(self, ctx: SaveContext, f: Any, value: Any, scope: dict[str, Any], code: str) -> None:
        try:
            coerced = None if value is None or value == "" else f.field_type.coerce(value, f.definition)
        except FieldValueError as exc:
            ctx.errors.append(FieldError(f.name, code, f"the {'formula' if code == 'formula_type' else 'value'} "
                                         f"gave {value!r}: {exc.message}"))
            return
        scope[f.name] = coerced
        if f.name in ctx.values or ctx.previous is None or ctx.previous.get(f.name) != coerced:
            ctx.values[f.name] = coerced  # an unchanged value is left out: an update writes only changes

    def _defaults(self, ctx: SaveContext, scope: dict[str, Any]) -> None:
        for f in ctx.obj.fields.values():
            default = f.definition.default
            if not _expression_default(default) or f.name in ctx.values:
                continue
            try:
                self._set(ctx, f, evaluate(default[1:], scope), scope, "invalid_default")
            except (SandboxError, ScriptFailure) as exc:
                ctx.errors.append(FieldError(f.name, "default_error", f"the default could not be computed: {exc}"))
            if f.definition.required and ctx.values.get(f.name) is None:
                ctx.errors.append(FieldError(f.name, "required", "is required"))

    def _formula(self, ctx: SaveContext, f: Any, scope: dict[str, Any]) -> None:
        try:
            value = evaluate(f.definition.formula, scope)
        except SandboxError as exc:
            if "NoneType" in exc.message:  # an empty input: the formula is empty too (as in SQL)
                value = None
            else:
                ctx.errors.append(FieldError(f.name, "formula_error", f"the formula could not run: {exc}"))
                return
        except ScriptFailure as exc:
            ctx.errors.append(FieldError(f.name, "formula_error", exc.message))
            return
        self._set(ctx, f, value, scope, "formula_type")

    def _script(self, ctx: SaveContext, script: Any, scope: dict[str, Any]) -> None:
        writable = [n for n, f in ctx.obj.fields.items() if not f.field_type.computed]
        record = {k: v for k, v in scope.items() if k in ctx.obj.fields}
        message = {"code": script.code, "object": ctx.obj.name, "record": record, "writable": writable,
                   "old": dict(ctx.previous) if ctx.previous is not None else None,
                   "user": user_view(ctx.actor).to_dict(), "settings": helpers.settings.to_dict()}
        calls = ScriptCalls(self.records, ctx.actor, self.scripts.limits) if self.records is not None else None
        try:
            reply = self.scripts.run(message, calls)
        except ScriptFailure as exc:
            ctx.errors.append(FieldError(exc.field if exc.field in ctx.obj.fields else "", "script_failed",
                                         exc.message))
            return
        except SandboxError as exc:
            ctx.errors.append(FieldError("", "script_error", f'script "{script.name}" stopped: {exc}'))
            return
        for name, value in (reply.get("changes") or {}).items():
            self._set(ctx, ctx.obj.fields[name], value, scope, "invalid_value")

    # --- formulas computed when read ---------------------------------------------------------
    def compute_on_read(self, actor: Actor, schema: CompiledSchema | None, obj: CompiledObject,
                        records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        formulas = [f for f in formula_order(obj) if not f.definition.stored]
        if not formulas or not records:
            return records
        if self.settings is not None:
            self.settings.ensure()  # reads query no settings: web requests and saves check them
        for record in records:
            scope = self.names(obj, record, actor, None)
            for f in formulas:
                try:
                    value = evaluate(f.definition.formula, scope)
                    value = None if value is None else f.field_type.coerce(value, f.definition)
                except (SandboxError, ScriptFailure, FieldValueError):
                    value = None
                record[f.name] = scope[f.name] = value
        return records


def _expression_default(default: Any) -> bool:
    return isinstance(default, str) and default.startswith("=")
