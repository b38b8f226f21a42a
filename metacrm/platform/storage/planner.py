"""Plans: the metadata diff plus what only the data can tell.

``make_plan`` is read-only. It diffs the current bundle against the proposed
one, runs impact analysis, and asks the database the questions that decide
whether an operation is possible (values that would not convert, duplicates
that block a unique index) or what it will cost (records that lose a choice).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metacrm.metadata.definitions import FieldDef, MetadataBundle
from metacrm.metadata.checks import check_roles, check_sharing_roles
from metacrm.metadata.diff import Operation, diff, impact
from metacrm.metadata.errors import MetadataIssue
from metacrm.metadata.field_types import FIELD_TYPES, REFERENCE_TYPES, FieldValueError
from metacrm.metadata.loader import RenameHints

from ..security.sharing_checks import check_sharing_criteria
from .naming import table_name
from .operations import columns_of, convert_value, field_table

EXAMPLES = 5


@dataclass(frozen=True)
class Plan:
    base_version: int
    bundle: MetadataBundle
    operations: tuple[Operation, ...]
    issues: tuple[MetadataIssue, ...] = ()
    renames: RenameHints = field(default_factory=RenameHints)
    restore: bool = False  # a rollback: reuse archived columns and tables where they fit

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def destructive(self) -> bool:
        return any(op.destructive for op in self.operations)

    @property
    def empty(self) -> bool:
        return not self.operations

    def to_json(self) -> dict[str, Any]:
        return {
            "base_version": self.base_version,
            "ok": self.ok,
            "destructive": self.destructive,
            "operations": [op.to_json() for op in self.operations],
            "issues": [i.to_json() for i in self.issues],
        }


def make_plan(conn: Connection, current: MetadataBundle, base_version: int, proposed: MetadataBundle,
              renames: RenameHints | None = None, *, restore: bool = False) -> Plan:
    renames = renames or RenameHints()
    current = follow_renamed_targets(current, proposed, renames)
    ops = diff(current, proposed, renames)
    issues = list(impact(current, proposed, ops))
    # Roles name objects and fields: one removed or renamed under a role is refused until the role changes too.
    issues.extend(check_roles(proposed))
    # Sharing rules name roles and filter with the query language: both must still hold in the proposal.
    issues.extend(check_sharing_roles(proposed))
    issues.extend(check_sharing_criteria(proposed))
    checked: list[Operation] = []
    for op in ops:
        check = PREFLIGHT.get(op.kind)
        findings, refusals = check(conn, op, stored(op, renames)) if check else ((), ())
        issues.extend(refusals)
        checked.append(replace(op, details=tuple(findings)) if findings else op)
    return Plan(base_version, proposed, tuple(checked), tuple(issues), renames, restore)


def follow_renamed_targets(current: MetadataBundle, proposed: MetadataBundle,
                           renames: RenameHints) -> MetadataBundle:
    """``current`` with each lookup re-pointed where the proposal moves it along with its target's rename.

    Renaming an object renames its table and keeps every id, so a lookup that
    follows the rename still holds valid references (PostgreSQL's foreign keys
    follow a renamed table by themselves). Diffed as it was, the lookup would
    get a new target: a storage change that archives its column, refused as
    soon as one record holds a value.
    """
    if not renames.objects:
        return current
    for obj in proposed.objects.values():
        prev = current.objects.get(renames.objects.get(obj.name, obj.name))
        if prev is None:
            continue
        moved: dict[str, FieldDef] = {}
        for f in obj.fields:
            old_target = renames.objects.get(f.target or "")
            if f.type not in REFERENCE_TYPES or old_target is None:
                continue
            before = prev.field(renames.fields.get((obj.name, f.name), f.name))
            if before is not None and before.type in REFERENCE_TYPES and before.target == old_target:
                moved[before.name] = replace(before, target=f.target)
        if moved:
            current = current.with_object(replace(prev, fields=tuple(moved.get(f.name, f) for f in prev.fields)))
    return current


@dataclass(frozen=True)
class Stored:
    """Where an operation's existing data is while planning.

    The diff names operations (and their ``old`` fields) after the proposal,
    but renames only happen when the plan is applied: preflight reads the
    database as it is, under the current table and column names.
    """

    table: str
    old: FieldDef | None  # the field as stored now, under its current name


def stored(op: Operation, renames: RenameHints) -> Stored:
    if op.kind == "remove_object":  # named after the old object already
        return Stored(table_name(op.object), None)
    table = table_name(renames.objects.get(op.object, op.object))
    old = op.old if isinstance(op.old, FieldDef) else None
    if old is not None and op.kind != "remove_field":  # a removed field keeps its old name
        old = replace(old, name=renames.fields.get((op.object, op.field), old.name))
    return Stored(table, old)


def _path(op: Operation) -> str:
    return f'objects["{op.object}"]' + (f'.fields["{op.field}"]' if op.field else "")


def _count(conn: Connection, table: sa.Table, *where: Any) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar() or 0


def _field_column(at: Stored) -> tuple[sa.Table, sa.Column]:
    assert at.old is not None
    table = field_table(at.table, at.old)
    return table, table.c[columns_of(at.old)[0].name]


def _holding(conn: Connection, at: Stored) -> int:
    """How many live rows hold a value in any of the stored field's columns."""
    assert at.old is not None
    cols = [sa.column(c.name) for c in columns_of(at.old)]
    t = sa.table(at.table, *cols)
    return _count(conn, t, sa.or_(*[c.is_not(None) for c in cols]))


def check_type_change(conn: Connection, op: Operation, at: Stored) -> tuple[list[str], list[MetadataIssue]]:
    old, new = at.old, op.new
    old_cols = columns_of(old)
    if not old_cols:  # a formula computed on read: no stored data to carry
        return [], []
    convertible = FIELD_TYPES.get(old.type).convertible and FIELD_TYPES.get(new.type).convertible
    if not convertible or len(old_cols) > 1 or len(columns_of(new)) != 1:
        holding = _holding(conn, at)
        if holding:
            return [], [MetadataIssue(_path(op) + ".type", f"{holding} record(s) hold a value in this {old.type} "
                                      f"field; it cannot become {new.type}. Remove the field and add a new one "
                                      "instead (its data is archived).", "not_convertible")]
        return ["no record holds a value yet"], []
    t, col = _field_column(at)
    failures, examples, total, last_id = 0, [], 0, 0
    while True:
        rows = conn.execute(sa.select(t.c.id, col).where(col.is_not(None), t.c.id > last_id)
                            .order_by(t.c.id).limit(5000)).all()
        if not rows:
            break
        for row_id, value in rows:
            total += 1
            try:
                convert_value(value, old, new)
            except (FieldValueError, ValueError) as exc:
                failures += 1
                if len(examples) < EXAMPLES:
                    examples.append(f"record {row_id}: {FIELD_TYPES.get(old.type).to_json(value, old)!r} "
                                    f"({getattr(exc, 'message', str(exc))})")
        last_id = rows[-1][0]
    if failures:
        return [], [MetadataIssue(_path(op) + ".type", f"{failures} of {total} existing value(s) cannot be "
                                  f"converted to {new.type}, e.g. " + "; ".join(examples), "conversion_failed")]
    return [f"all {total} existing value(s) convert"], []


def check_unique(conn: Connection, op: Operation, at: Stored) -> tuple[list[str], list[MetadataIssue]]:
    f: FieldDef = op.new
    if not f.unique or at.old is None:
        return [], []
    t, col = _field_column(at)
    dupes = conn.execute(sa.select(col, sa.func.count()).where(col.is_not(None)).group_by(col)
                         .having(sa.func.count() > 1).limit(EXAMPLES)).all()
    if dupes:
        shown = ", ".join(f"{FIELD_TYPES.get(op.old.type).to_json(v, op.old)!r} ({n} records)" for v, n in dupes)
        return [], [MetadataIssue(_path(op) + ".unique", f"existing records share values, so the field cannot be "
                                  f"unique: {shown}", "duplicates")]
    return [], []


def check_picklist(conn: Connection, op: Operation, at: Stored) -> tuple[list[str], list[MetadataIssue]]:
    removed = [v for v in op.old.option_values if v not in op.new.option_values]
    if not removed or op.old.type != "picklist":
        return [], []
    t, col = _field_column(at)
    rows = conn.execute(sa.select(col, sa.func.count()).where(col.in_(removed)).group_by(col)).all()
    if not rows:
        return ["no record uses the removed choices"], []
    used = ", ".join(f"{v} ({n})" for v, n in rows)
    return [f"records keep their value but must pick a current choice on their next edit: {used}"], []


def check_required(conn: Connection, op: Operation, at: Stored) -> tuple[list[str], list[MetadataIssue]]:
    if not op.new.required or op.old.required or not columns_of(op.old):
        return [], []
    t, col = _field_column(at)
    empty = _count(conn, t, col.is_(None))
    return ([f"{empty} existing record(s) have no value and must get one on their next edit"] if empty else []), []


def check_removal(conn: Connection, op: Operation, at: Stored) -> tuple[list[str], list[MetadataIssue]]:
    if op.kind == "remove_object":
        t = sa.table(at.table)
        return [f"{_count(conn, t)} record(s) are archived with the table"], []
    if not columns_of(op.old):
        return [], []
    return [f"{_holding(conn, at)} value(s) are archived with the column"], []


PREFLIGHT = {
    "change_field_type": check_type_change,
    "add_index": check_unique,
    "change_picklist": check_picklist,
    "update_field": check_required,
    "remove_field": check_removal,
    "remove_object": check_removal,
}
