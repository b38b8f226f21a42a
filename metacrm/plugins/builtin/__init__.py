"""MetaCRM's own features written as plugins: the same ``setup(ctx)`` interface third parties use.

Email and webhooks (jobs ``email.send``/``webhook.call``, workflow actions
``send_email``/``call_webhook``) and the rich-text field type with its editor
widget are declared here rather than wired into the job runner, the workflow
engine and the form factory. Every :class:`~metacrm.platform.runtime.Platform`
applies them (``Platform.from_url`` does, with or without a Flask app), and the
plugin report lists them as ``builtin``. Declaring is pure, so the contexts are
built once per process and shared by every platform.
"""

from __future__ import annotations

import functools
import importlib

from ..context import PluginContext

#: The built-in plugins, by module name in this package (also their plugin names).
BUILTIN = ("messaging", "rich_text")


@functools.cache
def builtin_contexts() -> tuple[PluginContext, ...]:
    """The contributions of every built-in plugin (a built-in that fails to set up is a bug: it raises)."""
    found = []
    for name in BUILTIN:
        ctx = PluginContext(plugin=name, builtin=True)
        importlib.import_module(f"{__name__}.{name}").setup(ctx)
        found.append(ctx)
    return tuple(found)


def describe(name: str) -> str:
    """The first line of a built-in plugin's docstring, for the plugin report."""
    doc = importlib.import_module(f"{__name__}.{name}").__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""
