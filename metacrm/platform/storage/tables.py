"""SQLAlchemy ``Table`` objects for a compiled schema, used by every query.

Built once per metadata version and cached with the compiled schema; DDL
does not use them (the operation handlers own DDL), so they carry no
indexes or constraints beyond the primary key.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import sqlalchemy as sa

from metacrm.metadata.compiled import CompiledObject, CompiledSchema

from .columns import sql_column, system_columns
from .naming import table_name


@dataclass(frozen=True)
class SchemaTables:
    metadata: sa.MetaData
    tables: Mapping[str, sa.Table]  # object name -> table

    def __getitem__(self, object_name: str) -> sa.Table:
        return self.tables[object_name]


def object_table(obj: CompiledObject, metadata: sa.MetaData) -> sa.Table:
    name = table_name(obj.name)
    columns = system_columns(obj.definition.multi_currency)
    columns += [sql_column(c, name, with_fk=False) for c in obj.columns]
    return sa.Table(name, metadata, *columns)


def build_tables(schema: CompiledSchema) -> SchemaTables:
    metadata = sa.MetaData()
    tables = {name: object_table(obj, metadata) for name, obj in schema.objects.items()}
    return SchemaTables(metadata, MappingProxyType(tables))
