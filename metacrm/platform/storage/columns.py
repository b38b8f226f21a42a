"""From abstract storage columns to SQLAlchemy columns.

Money must stay exact on both databases. PostgreSQL has NUMERIC; SQLite
would store a Decimal as a binary float, so there the value is kept as a
scaled integer (cents for a 2-decimal currency): exact, sortable, and summed
correctly by SQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from metacrm.metadata.field_types import StorageColumn

from .naming import fk_name, table_name

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class ExactDecimal(TypeDecorator):
    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int):
        super().__init__()
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        value = Decimal(value) if not isinstance(value, Decimal) else value
        if dialect.name == "sqlite":
            return int(value.scaleb(self.scale).to_integral_value())
        return value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale)
        return Decimal(value)

    @property
    def python_type(self) -> type:
        return Decimal


def sql_type(col: StorageColumn) -> Any:
    kind = col.kind
    if kind == "string":
        return sa.String(col.length or 255)
    if kind == "text":
        return sa.Text()
    if kind in ("integer", "reference"):
        return ID_TYPE if kind == "reference" else sa.BigInteger()
    if kind == "decimal":
        return ExactDecimal(col.precision or 18, col.scale if col.scale is not None else 4)
    if kind == "date":
        return sa.Date()
    if kind == "datetime":
        return sa.DateTime(timezone=True)
    if kind == "boolean":
        return sa.Boolean()
    if kind == "json":
        return sa.JSON()
    raise ValueError(f"unknown storage kind {kind!r}")


def sql_column(col: StorageColumn, table: str, *, with_fk: bool, name: str | None = None) -> sa.Column:
    """A column for ``table``. Foreign keys only where the database can add them (PostgreSQL)."""
    args: list[Any] = []
    if col.kind == "reference" and with_fk and col.target:
        ondelete = {"restrict": "RESTRICT", "set_null": "SET NULL", "cascade": "CASCADE"}[col.on_delete or "restrict"]
        args.append(sa.ForeignKey(f"{table_name(col.target)}.id", name=fk_name(table, name or col.name),
                                  ondelete=ondelete))
    return sa.Column(name or col.name, sql_type(col), *args, nullable=True)


def system_columns(multi_currency: bool) -> list[sa.Column]:
    cols = [
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", ID_TYPE, nullable=True),
        sa.Column("updated_by", ID_TYPE, nullable=True),
        sa.Column("owner", ID_TYPE, nullable=True, index=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", ID_TYPE, nullable=True),
    ]
    if multi_currency:
        cols.append(sa.Column("currency_code", sa.String(3), nullable=True))
    return cols
