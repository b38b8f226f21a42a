"""Running a conversion: one transaction through the record service, as the acting user.

Steps, all in one ``RecordService.write()`` transaction so a failure leaves
nothing behind:

1. load the source record; the user must be able to read and edit it, and it
   must not be converted already;
2. for each target in order: the record the user picked, else the first
   record a ``match`` rule finds among those the user can read, else a new
   record created with ``create_in`` *as the user* (their object, field and
   record permissions apply: no right to create opportunities → 403, nothing
   written);
3. link the source — status, flag, date, link fields — and re-parent its
   related records. These steps are the conversion's own bookkeeping, done
   with the platform's rights on behalf of the user (as workflows act), since
   the flag and link fields are read-only to ordinary roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.conversions import ConversionDef, ConversionTargetDef, reference_key

from ..errors import NotFound, Unprocessable
from ..logic import helpers
from ..records import rows as row_access
from ..records import values as record_values
from ..records.actor import Actor
from ..records.errors import RecordInvalid, RecordNotFound
from ..records.hooks import AccessRequest
from ..records.service import RecordService
from ..schema_cache import LiveSchema
from ..workflows.conditions import ExpressionFailed, loader, names, value_of
from .request import NEW, ConversionRequest

TEXT_TYPES = ("text", "long_text", "email", "phone", "url", "picklist")
#: Re-parenting moves at most this many records per rule (a conversion is not a bulk job).
MAX_REPARENT = 1000
MAX_MATCHES = 5


class AlreadyConverted(Unprocessable):
    type_slug = "already-converted"


@dataclass(frozen=True)
class TargetOutcome:
    key: str
    object: str
    id: int | None
    created: bool = False
    skipped: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"object": self.object, "id": self.id, "created": self.created, "skipped": self.skipped}


@dataclass(frozen=True)
class ConversionResult:
    object: str
    id: int
    conversion: str
    status: str | None
    targets: dict[str, TargetOutcome]
    reparented: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"object": self.object, "id": self.id, "conversion": self.conversion, "status": self.status,
                "targets": {k: t.to_json() for k, t in self.targets.items()}, "reparented": self.reparented}


@dataclass(frozen=True)
class TargetPreview:
    """What the conversion form shows for one target: the record it would create and the matches found."""

    key: str
    object: str
    label: str
    optional: bool
    name: str | None
    matches: list[dict[str, Any]]


class ConversionService:
    def __init__(self, records: RecordService):
        self.records = records

    # --- reading ---------------------------------------------------------------------------
    def definition(self, object_name: str, name: str) -> ConversionDef:
        obj = self.records.cache.get().compiled.object(object_name)
        conv = _find(obj, name) if obj is not None else None
        if conv is None:
            raise NotFound(f'{object_name} has no conversion "{name}"')
        return conv

    def preview(self, actor: Actor, object_name: str, record_id: Any, name: str) -> list[TargetPreview]:
        """The targets with their mapped names and the existing records their match rules find."""
        out: list[TargetPreview] = []
        with self.records.engine.connect() as conn:
            live = self.records.cache.get(conn)
            obj, conv, source = self._source(conn, live, actor, object_name, record_id, name)
            scope = names(obj, source, actor, loader(conn, live))
            found: dict[str, int | None] = {}
            for target in conv.targets:
                tobj = live.compiled.objects[target.object]
                values = self._mapped(target, scope, found)
                matches = self._matches(conn, live, actor, tobj, target, values)
                found[target.key] = matches[0]["id"] if matches else None
                name_field = tobj.definition.name_field
                out.append(TargetPreview(target.key, target.object, target.label or tobj.definition.label,
                                         target.optional, values.get(name_field) if name_field else None, matches))
        return out

    # --- converting ------------------------------------------------------------------------
    def convert(self, actor: Actor, object_name: str, record_id: Any, name: str,
                request: ConversionRequest | None = None) -> ConversionResult:
        request = request or ConversionRequest()
        with self.records.write() as conn:
            live = self.records.cache.get(conn)
            obj, conv, source = self._source(conn, live, actor, object_name, record_id, name, lock=True)
            self.records.hooks.check(AccessRequest("update", actor, obj, source, (), schema=live.compiled))
            row_access.require_access(self.records.hooks, conn, live, obj, actor, source["id"], "update")
            status = self._status(obj, conv, request)
            scope = names(obj, source, actor, loader(conn, live))
            outcomes: dict[str, TargetOutcome] = {}
            ids: dict[str, int | None] = {}
            for target in conv.targets:
                outcome = self._target(conn, live, actor, obj, target, scope, ids, request)
                outcomes[target.key], ids[target.key] = outcome, outcome.id
            platform = replace(actor, is_admin=True, is_system=True, is_portal=False)
            self.records.update_in(conn, platform, obj.name, source["id"],
                                   self._link(conv, outcomes, status))
            moved = self._reparent(conn, live, platform, obj, conv, source, outcomes, scope, ids)
        return ConversionResult(obj.name, source["id"], conv.name, status, outcomes, moved)

    def _source(self, conn: Connection, live: LiveSchema, actor: Actor, object_name: str, record_id: Any,
                name: str, *, lock: bool = False) -> tuple[CompiledObject, ConversionDef, dict[str, Any]]:
        obj = live.compiled.object(object_name)
        if obj is None:
            raise RecordNotFound(f'there is no object "{object_name}"')
        conv = _find(obj, name)
        if conv is None:
            raise NotFound(f'{obj.definition.label} has no conversion "{name}"')
        row = row_access.load(conn, live, obj, record_id, lock=lock)
        row_access.require_access(self.records.hooks, conn, live, obj, actor, row["id"], "read")
        source = record_values.from_row(obj, row)
        if conv.flag_field and source.get(conv.flag_field):
            raise AlreadyConverted(f"{obj.definition.label} #{source['id']} is already converted",
                                   errors=[{"field": conv.flag_field, "code": "converted",
                                            "message": "this record was converted already"}])
        return obj, conv, source

    @staticmethod
    def _status(obj: CompiledObject, conv: ConversionDef, request: ConversionRequest) -> str | None:
        if not conv.status_field:
            return None
        status = request.converted_status or conv.converted_status
        options = obj.fields[conv.status_field].definition.option_values
        if status not in options:
            raise Unprocessable(f'"{status}" is not a status of {obj.definition.label}',
                                errors=[{"field": "converted_status", "code": "invalid_choice",
                                         "message": f"must be one of: {', '.join(options)}"}])
        return status

    def _mapped(self, target: ConversionTargetDef, scope: Mapping[str, Any],
                ids: Mapping[str, int | None]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field_name, source in target.fields.items():
            key = reference_key(source)
            try:
                out[field_name] = ids.get(key) if key is not None else value_of(source, scope)
            except ExpressionFailed as exc:
                raise Unprocessable(f"The {target.key} mapping of {field_name} could not run: {exc}",
                                    errors=[{"field": f"{target.key}.{field_name}", "code": "mapping_failed",
                                             "message": str(exc)}]) from None
        return out

    def _target(self, conn: Connection, live: LiveSchema, actor: Actor, obj: CompiledObject,
                target: ConversionTargetDef, scope: Mapping[str, Any], ids: Mapping[str, int | None],
                request: ConversionRequest) -> TargetOutcome:
        if target.optional and target.key in request.skip:
            return TargetOutcome(target.key, target.object, None, skipped=True)
        tobj = live.compiled.objects[target.object]
        values = self._mapped(target, scope, ids)
        # A target pointing at a skipped one ("@opportunity" when none is created) leaves that field empty.
        if target.key in request.names and tobj.definition.name_field:
            values[tobj.definition.name_field] = request.names[target.key]
        if request.owner is not None:
            values["owner"] = request.owner
        chosen = request.use.get(target.key)
        if isinstance(chosen, int):
            self._require_readable(conn, live, actor, tobj, chosen, f"{target.key}_id")
            return TargetOutcome(target.key, target.object, chosen)
        if chosen != NEW:
            matches = self._matches(conn, live, actor, tobj, target, values, limit=1)
            if matches:
                return TargetOutcome(target.key, target.object, matches[0]["id"])
        values = {k: v for k, v in values.items() if not record_values.is_empty(v)}
        self._require_values(obj, tobj, target, values)
        try:
            created = self.records.create_in(conn, actor, tobj.name, values)
        except RecordInvalid as exc:
            errors = [{**e, "field": f"{target.key}.{e['field']}"} for e in exc.extra.get("errors", [])]
            raise RecordInvalid(f"The {target.key} could not be created, so nothing was converted: {exc.detail}",
                                errors=errors) from None
        return TargetOutcome(target.key, target.object, created["id"], created=True)

    @staticmethod
    def _require_values(obj: CompiledObject, tobj: CompiledObject, target: ConversionTargetDef,
                        values: Mapping[str, Any]) -> None:
        """A required field the mapping leaves empty: name the target, the field and where it comes from."""
        errors = []
        for f in tobj.fields.values():
            d = f.definition
            if d.required and d.default is None and d.name not in values and d.type not in ("autonumber", "formula",
                                                                                           "rollup"):
                source = target.fields.get(d.name)
                origin = f" (mapped from {source})" if source is not None else ""
                errors.append({"field": f"{target.key}.{d.name}", "code": "required",
                               "message": f"the {tobj.definition.label.lower()} needs {d.label.lower()}, and the "
                                          f"{obj.definition.label.lower()} gives none{origin}"})
        if errors:
            raise Unprocessable(f"The {target.key} cannot be created: required values are missing "
                                f"({', '.join(e['field'] for e in errors)})", errors=errors)

    def _require_readable(self, conn: Connection, live: LiveSchema, actor: Actor, tobj: CompiledObject,
                          rid: int, option: str) -> None:
        try:
            row_access.load(conn, live, tobj, rid)
            row_access.require_access(self.records.hooks, conn, live, tobj, actor, rid, "read")
        except RecordNotFound:
            raise Unprocessable(f"{tobj.definition.label} #{rid} does not exist",
                                errors=[{"field": option, "code": "not_found",
                                         "message": f"{tobj.definition.label} #{rid} does not exist"}]) from None

    def _matches(self, conn: Connection, live: LiveSchema, actor: Actor, tobj: CompiledObject,
                 target: ConversionTargetDef, values: Mapping[str, Any], limit: int = MAX_MATCHES
                 ) -> list[dict[str, Any]]:
        """Existing records the first rule with matches finds (oldest first), among those ``actor`` can read."""
        table = live.tables[tobj.name]
        clauses = self.records.hooks.row_clauses(actor, live, tobj, "read")
        name_field = tobj.definition.name_field
        for rule in target.match:
            terms = []
            for field_name in rule:
                value = values.get(field_name)
                if record_values.is_empty(value):
                    break
                column = table.c[field_name]
                if tobj.fields[field_name].definition.type in TEXT_TYPES and isinstance(value, str):
                    terms.append(sa.func.lower(column) == value.strip().lower())
                else:
                    terms.append(column == value)
            else:
                shown = [table.c.id] + ([table.c[name_field]] if name_field else [])
                found = conn.execute(sa.select(*shown).where(*terms, *clauses, table.c.deleted_at.is_(None))
                                     .order_by(table.c.id).limit(limit)).all()
                if found:
                    return [{"id": r[0], "name": r[1] if name_field else f"#{r[0]}", "rule": list(rule)}
                            for r in found]
        return []

    @staticmethod
    def _link(conv: ConversionDef, outcomes: Mapping[str, TargetOutcome], status: str | None) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if conv.status_field:
            changes[conv.status_field] = status
        if conv.flag_field:
            changes[conv.flag_field] = True
        if conv.date_field:
            changes[conv.date_field] = helpers.today()
        for target in conv.targets:
            if target.link_field and outcomes[target.key].id is not None:
                changes[target.link_field] = outcomes[target.key].id
        return changes

    def _reparent(self, conn: Connection, live: LiveSchema, platform: Actor, obj: CompiledObject,
                  conv: ConversionDef, source: Mapping[str, Any], outcomes: Mapping[str, TargetOutcome],
                  scope: Mapping[str, Any], ids: Mapping[str, int | None]) -> dict[str, int]:
        moved: dict[str, int] = {}
        for rule in conv.reparent:
            robj = live.compiled.objects[rule.object]
            f = robj.fields[rule.field].definition
            changes: dict[str, Any] = {}
            if rule.to:
                target = outcomes[rule.to]
                if target.id is None:
                    continue  # the target was skipped: the records stay with the source
                changes[rule.field] = {"object": target.object, "id": target.id}
            for name, value in rule.set.items():
                key = reference_key(value)
                changes[name] = ids.get(key) if key is not None else value_of(value, scope)
            table = live.tables[robj.name]
            if f.type == "polymorphic_lookup":
                where = [table.c[f"{f.name}_object"] == obj.name, table.c[f"{f.name}_id"] == source["id"]]
            else:
                where = [table.c[f.name] == source["id"]]
            rids = list(conn.execute(sa.select(table.c.id).where(*where, table.c.deleted_at.is_(None))
                                     .order_by(table.c.id).limit(MAX_REPARENT)).scalars())
            for rid in rids:
                self.records.update_in(conn, platform, robj.name, rid, changes)
            moved[robj.name] = moved.get(robj.name, 0) + len(rids)
        return moved


def _find(obj: CompiledObject, name: str) -> ConversionDef | None:
    return next((c for c in getattr(obj.definition, "conversions", ()) if c.name == name), None)
