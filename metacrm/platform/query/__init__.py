"""The safe filter/sort/search language of record lists, compiled to SQL.

``parse_query`` (pure) checks URL parameters against the compiled schema and
returns a frozen :class:`Query`; ``compile_select``/``compile_count``/
``compile_groups`` turn it into SQLAlchemy Core with bound parameters only,
and ``run_query`` executes it. See ``parse`` for the language itself.
"""

from .compile import QueryResult, compile_count, compile_groups, compile_select, run_query
from .errors import QueryError
from .model import Aggregate, AnyOf, Condition, FieldRef, GroupSort, Query, SortKey
from .parse import parse_query

__all__ = [
    "Aggregate", "AnyOf", "Condition", "FieldRef", "GroupSort", "Query", "QueryError", "QueryResult", "SortKey",
    "compile_count", "compile_groups", "compile_select", "parse_query", "run_query",
]
