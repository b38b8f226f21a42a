"""The before-save hook: a ``block`` rule that matches refuses the create with a field error.

Installed once in ``runtime.py``, so every writer (forms, API, imports, workflows) meets it;
a bulk create or an import gets the error on the row, the other rows go on. ``warn`` rules
cost nothing here: the form asks for them after the save (``record_views.new``) and the API
offers ``GET …/duplicates``, so bulk writes and imports stay silent about them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records.errors import FieldError
from ..records.hooks import SaveContext
from .finder import DuplicateFinder

if TYPE_CHECKING:
    from ..records import RecordService


class BlockDuplicates:
    def __init__(self, records: "RecordService"):
        self.finder = DuplicateFinder(records)

    def before_save(self, ctx: SaveContext) -> None:
        """Append one error per matching block rule, on its first field, naming the record it duplicates."""
        if ctx.operation != "create":
            return
        rules = [r for r in ctx.obj.definition.duplicate_rules if r.action == "block"]
        if not rules:
            return
        matches = self.finder.find(ctx.actor, ctx.obj.name, ctx.values, rules=rules, conn=ctx.conn,
                                   live=ctx.live, per_rule=1)
        failed = {e.field for e in ctx.errors}
        for match in matches:
            labels = [ctx.obj.fields[n].definition.label if n in ctx.obj.fields else n for n in match.rule.fields]
            same = "the same" if match.rule.match == "exact" else "a similar"
            field = next((n for n in match.rule.fields if n not in failed), match.rule.fields[0])
            ctx.errors.append(FieldError(field, "duplicate", f"{match.title} (#{match.id}) has {same} "
                                         f"{_join(labels).lower()}"))


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
