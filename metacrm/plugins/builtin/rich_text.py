"""Rich text: the ``rich_text`` field type (sanitised HTML) and its editor widget in generated forms.

The type class stays in the metadata language (``metacrm.metadata.field_types``)
because definitions are validated without any platform (``metacrm metadata
plan``, pack readers); registering the same class again is a no-op, so this
plugin is where forms learn its widget and where the report shows who adds it.
"""

from __future__ import annotations

from typing import Any

from metacrm.metadata.field_types import RichTextType

from ..context import PluginContext


def editor(field_def: Any, compiled_object: Any) -> Any:
    """A textarea the rich-text editor script enhances (``data-widget="rich-text"``)."""
    from metacrm.platform.web.forms import text  # noqa: PLC0415  (web imports at the edge)

    return text.rich(field_def)


def setup(ctx: PluginContext) -> None:
    ctx.add_field_type(RichTextType, widget=editor)
