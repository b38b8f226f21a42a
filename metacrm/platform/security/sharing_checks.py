"""Plan-time checks of sharing-rule criteria against the query language.

The metadata package cannot import the query parser (it stays free of the
runtime), so it checks only that criteria name fields; here, when a change
is planned, every rule is parsed exactly as the access predicate will parse
it, and each problem becomes an issue at the criterion's JSON path. A plan
that would leave a rule meaningless (a field removed or retyped under it)
is refused the same way.
"""

from __future__ import annotations

import datetime as dt

from metacrm.metadata.compiled import compile_schema
from metacrm.metadata.definitions import MetadataBundle
from metacrm.metadata.errors import MetadataIssue

from ..query import QueryError
from .record_access import parse_criteria


def check_sharing_criteria(bundle: MetadataBundle, today: dt.date | None = None) -> list[MetadataIssue]:
    """Issues of every sharing rule whose criteria do not parse, or hop through a lookup."""
    schema = compile_schema(bundle, 0)
    issues: list[MetadataIssue] = []
    for name in sorted(bundle.objects):
        obj = schema.objects[name]
        for i, rule in enumerate(obj.definition.sharing_rules):
            path = f'objects["{name}"].sharing_rules[{i}].criteria'
            try:
                query = parse_criteria(obj, schema, rule, today or dt.date.today())
            except QueryError as exc:
                for err in exc.extra.get("errors", []) or [{"parameter": "", "message": exc.detail}]:
                    param = err.get("parameter") or ""
                    issues.append(MetadataIssue(f"{path}.{param}" if param else path, err.get("message", ""),
                                                "invalid_criteria"))
                continue
            refs = [c.ref for c in query.filters] + [c.ref for g in query.any_of for c in g.alternatives]
            for ref in refs:
                if ref.via is not None:
                    issues.append(MetadataIssue(f"{path}.{ref.name}", "sharing criteria may only use fields of "
                                                f"{name} itself, not of records it points at", "invalid_criteria"))
    return issues
