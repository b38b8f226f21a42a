"""Record-level access: which records of an object an actor may read or edit, as one SQL predicate.

Object permissions (``permissions.py``) say *what kind* of records a role may
touch; this module says *which ones*. It builds a SQLAlchemy Core expression
that the reader adds to every list, count, group, search, related list and
recycle-bin query, and that the record service runs against a single id
before a get, update, delete or restore. Filtering in SQL (never after
fetching) is what keeps counts, group totals and pages from leaking records.

The predicate for a user on an object, in Salesforce's terms:

* ``sharing`` (the organisation-wide default) ``public_read_write`` opens
  everything, ``public_read`` opens reading only, ``private`` neither;
* ``modify_all`` on the object opens reading and editing, ``view_all``
  reading;
* otherwise a record is open when the user owns it, when a user holding a
  role below one of theirs in the hierarchy owns it, when a sharing rule for
  one of their roles matches it, or when it is shared with them (or one of
  their roles) or they are on its team — with edit access for editing;
* a deny (ethical wall) closes a record to a user whatever opens it, admins
  included; only the SYSTEM actor passes;
* portal users only reach objects that declare ``portal`` and only records
  whose ``via`` field holds their user id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from metacrm.metadata.compiled import CompiledObject, CompiledSchema
from metacrm.metadata.definitions import RoleDef, SharingRuleDef

from ..errors import Forbidden
from ..query import Query, parse_query
from ..query.sqlexpr import Sources, condition_sql
from ..records.actor import Actor
from ..records.errors import RecordNotFound
from ..records.hooks import AccessRequest
from ..schema_cache import LiveSchema
from ..storage.platform_tables import record_deny, record_share, record_team, user_role
from .permissions import actor_roles

READ, EDIT = "read", "edit"
#: Record actions that need edit access to the record (besides the object permission).
EDIT_ACTIONS = ("update", "delete", "restore", "purge")
_CRITERIA_CACHE_SIZE = 512


def subordinate_roles(roles: Mapping[str, RoleDef], held: Iterable[str]) -> frozenset[str]:
    """Every role below the held ones in the ``reports_to`` tree (not the held roles themselves)."""
    children: dict[str, list[str]] = {}
    for role in roles.values():
        if role.reports_to:
            children.setdefault(role.reports_to, []).append(role.name)
    found: set[str] = set()
    frontier = [r for r in held if r in roles]
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in found:  # metadata checks refuse cycles; this guard keeps a bad snapshot finite
                found.add(child)
                frontier.append(child)
    return frozenset(found - set(held))


def parse_criteria(obj: CompiledObject, schema: CompiledSchema, rule: SharingRuleDef, today: dt.date) -> Query:
    """A sharing rule's criteria as a parsed query (raises QueryError when they do not fit the object)."""
    return parse_query(obj, schema, dict(rule.criteria), today=today, passthrough=())


def criteria_sql(live: LiveSchema, query: Query) -> ColumnElement[bool]:
    """The criteria's conditions on the object's own table (criteria never hop through lookups)."""
    src = Sources(live, query.object)
    terms = [condition_sql(src, c) for c in query.filters]
    terms += [sa.or_(*[condition_sql(src, c) for c in group.alternatives]) for group in query.any_of]
    if src.joins:  # refused when metadata is planned; a stale rule grants nothing rather than too much
        return sa.false()
    return sa.and_(*terms)


class RecordAccess:
    """The record-level layer, installed as a row filter, an authorize hook, a hidden-fields hook and a redact step."""

    def __init__(self, today: Any = dt.date.today):
        self.today = today
        self._criteria: dict[tuple[int, str, str, dt.date], Query | None] = {}

    # --- the predicate ---------------------------------------------------------------------
    def clause(self, actor: Actor, live: LiveSchema, obj: CompiledObject, mode: str) -> ColumnElement[bool] | None:
        """The records of ``obj`` the actor may read (``mode="read"``) or edit; None when nothing is closed."""
        if actor.is_system:
            return None
        table = live.tables[obj.name]
        deny = self._not_denied(actor, obj, table)
        if actor.is_portal:
            return sa.and_(self._portal(actor, live, obj, mode), deny)
        if actor.is_admin:
            return deny
        roles = actor_roles(actor, live.compiled)
        sharing = obj.definition.sharing
        if any(r.grants(obj.name, "modify_all") for r in roles):
            return deny
        if mode == READ and (sharing != "private" or any(r.grants(obj.name, "view_all") for r in roles)):
            return deny
        if mode == EDIT and sharing == "public_read_write":
            return deny
        return sa.and_(sa.or_(*self._grants(actor, live, obj, mode)), deny)

    def _not_denied(self, actor: Actor, obj: CompiledObject, table: sa.Table) -> ColumnElement[bool]:
        if actor.id is None:
            return sa.true()
        walled = sa.select(record_deny.c.record_id).where(record_deny.c.user_id == actor.id,
                                                          record_deny.c.object == obj.name)
        return table.c.id.not_in(walled)

    def _grants(self, actor: Actor, live: LiveSchema, obj: CompiledObject, mode: str) -> list[ColumnElement[bool]]:
        table = live.tables[obj.name]
        grants: list[ColumnElement[bool]] = []
        below = subordinate_roles(live.compiled.roles, actor.roles)
        if below:  # one IN over "me and everyone below me": one probe per row instead of two terms
            holders = sa.select(user_role.c.user_id).where(user_role.c.role.in_(sorted(below)))
            if actor.id is not None:
                holders = sa.union(sa.select(sa.literal(actor.id, sa.BigInteger())), holders)
            grants.append(table.c.owner.in_(holders))
        elif actor.id is not None:
            grants.append(table.c.owner == actor.id)
        for rule in obj.definition.sharing_rules:
            if set(rule.roles) & actor.roles and (mode == READ or rule.access == EDIT):
                query = self._rule_query(live.compiled, obj, rule)
                if query is not None:
                    grants.append(criteria_sql(live, query))
        shared_with = [record_share.c.user_id == actor.id] if actor.id is not None else []
        if actor.roles:
            shared_with.append(record_share.c.role.in_(sorted(actor.roles)))
        if shared_with:
            shares = sa.select(record_share.c.record_id).where(record_share.c.object == obj.name, sa.or_(*shared_with))
            if mode == EDIT:
                shares = shares.where(record_share.c.access == EDIT)
            grants.append(table.c.id.in_(shares))
        if actor.id is not None:
            team = sa.select(record_team.c.record_id).where(record_team.c.user_id == actor.id,
                                                            record_team.c.object == obj.name)
            if mode == EDIT:
                team = team.where(record_team.c.access == EDIT)
            grants.append(table.c.id.in_(team))
        return grants or [sa.false()]

    def _rule_query(self, schema: CompiledSchema, obj: CompiledObject, rule: SharingRuleDef) -> Query | None:
        """Parsed once per metadata version and day (relative dates in criteria move with the day)."""
        today = self.today()
        key = (schema.version, obj.name, rule.name, today)
        if key not in self._criteria:
            if len(self._criteria) > _CRITERIA_CACHE_SIZE:
                self._criteria.clear()
            try:
                self._criteria[key] = parse_criteria(obj, schema, rule, today)
            except Exception:  # refused at plan time; a rule that no longer parses grants nothing
                self._criteria[key] = None
        return self._criteria[key]

    def _portal(self, actor: Actor, live: LiveSchema, obj: CompiledObject, mode: str) -> ColumnElement[bool]:
        portal = obj.definition.portal
        if portal is None or actor.id is None or (mode == EDIT and portal.access != EDIT):
            return sa.false()
        table = live.tables[obj.name]
        head, _, tail = portal.via.partition("__")
        if not tail:
            return table.c[head] == actor.id
        target = live.tables[obj.fields[head].definition.target or ""]
        linked = sa.select(target.c.id).where(target.c[tail] == actor.id, target.c.deleted_at.is_(None))
        return table.c[head].in_(linked)

    def refusal(self, actor: Actor, obj: CompiledObject, record_id: int, action: str) -> str:
        """Why a readable record may not be changed, phrased so the user knows whom to ask."""
        label = obj.definition.label
        verb = {"update": "edit", "delete": "delete", "restore": "restore", "purge": "purge"}.get(action, action)
        if actor.is_portal:
            return f"your portal access to {label} records is read-only; contact us to change {label} #{record_id}"
        return (f"you can read {label} #{record_id} but not {verb} it: it is owned by another user and not shared "
                "with you for editing; ask its owner, their manager or an admin to share it with you with edit "
                "access")

    # --- hooks beside the predicate ----------------------------------------------------------
    def authorize(self, request: AccessRequest) -> None:
        """Portal limits and ownership transfer: what the row filter cannot express."""
        actor, obj = request.actor, request.obj
        if actor.is_system:
            return
        if actor.is_portal:
            self._authorize_portal(request)
        if actor.is_admin or "owner" not in request.fields:
            return
        roles = actor_roles(actor, request.schema)
        if any(r.grants(obj.name, "modify_all") for r in roles):
            return
        label = obj.definition.label
        if request.action == "create":
            if any(isinstance(v, Mapping) and "owner" in v and _owner_value(v) != actor.id for v in request.values):
                raise Forbidden(f"you may only create {label} records owned by yourself; leave owner out, or ask "
                                f"an admin or a user with modify_all on {obj.name} to assign them",
                                object=obj.name, action="create", fields=["owner"])
        elif request.action == "update" and request.record is not None:
            wanted = _owner_value(request.values[0]) if request.values else None
            if wanted != request.record.get("owner") and request.record.get("owner") != actor.id:
                raise Forbidden(f"only the owner of {label} #{request.record.get('id')}, users with modify_all on "
                                f"{obj.name} and admins may transfer it to someone else",
                                object=obj.name, action="update", fields=["owner"])

    def _authorize_portal(self, request: AccessRequest) -> None:
        obj = request.obj
        portal = obj.definition.portal
        if portal is None:  # invisible: answer as for an object that does not exist
            raise RecordNotFound(f'there is no object "{obj.name}"')
        label = obj.definition.label
        if request.action != "read" and portal.access != EDIT:
            raise Forbidden(f"your portal access to {label} records is read-only", object=obj.name,
                            action=request.action)
        hidden = [f for f in request.fields if f not in obj.fields or not obj.fields[f].definition.portal_visible]
        if request.action in ("create", "update") and hidden:
            raise Forbidden(f"you may not set {', '.join(hidden)} on {label} records", object=obj.name,
                            action=request.action, fields=hidden)

    def hidden(self, actor: Actor, schema: CompiledSchema | None, obj: CompiledObject) -> frozenset[str]:
        """Portal users see only fields marked ``portal_visible``."""
        if not actor.is_portal or actor.is_system:
            return frozenset()
        return frozenset(name for name, f in obj.fields.items() if not f.definition.portal_visible)

    def redact(self, actor: Actor, schema: CompiledSchema | None, obj: CompiledObject,
               records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        hidden = self.hidden(actor, schema, obj)
        if not hidden:
            return records
        return [{k: v for k, v in r.items() if k not in hidden} for r in records]


def _owner_value(values: Mapping[str, Any]) -> Any:
    raw = values.get("owner") if isinstance(values, Mapping) else None
    try:
        return int(str(raw)) if raw is not None and not isinstance(raw, bool) else None
    except ValueError:
        return raw  # not an id: the record service reports it as invalid
