"""Email and webhook templates: ``{{ record.name }}``, ``{{ owner.email }}`` in a sandboxed Jinja.

Jinja's ``ImmutableSandboxedEnvironment`` refuses attribute access to
anything unsafe and any mutation, so an admin's template can read the merge
fields it is given and nothing else. Plain-text parts are rendered without
escaping; the ``html`` part escapes every value (autoescape), so a record's
text cannot inject markup into a message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_TEMPLATE = 20_000

_text = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)
_html = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)


class TemplateFailed(Exception):
    """A template could not be rendered (an unknown merge field, a syntax error)."""


@lru_cache(maxsize=512)
def _compiled(source: str, html: bool) -> Any:
    return (_html if html else _text).from_string(source)


def render(source: str, context: Mapping[str, Any], *, html: bool = False) -> str:
    if len(source) > MAX_TEMPLATE:
        raise TemplateFailed(f"the template is longer than {MAX_TEMPLATE:,} characters")
    try:
        return _compiled(source, html).render(**context)
    except TemplateError as exc:
        raise TemplateFailed(f"the template could not be rendered: {exc}") from None
