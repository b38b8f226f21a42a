"""Applying declared contributions: once per process for registries, once per platform for the rest.

One path serves built-in and third-party plugins. Process-wide registries
(field types, form widgets, workflow actions, pack folders) are filled
idempotently; a platform gets its listeners, before-save hooks and job kinds
and remembers which plugins it applied in ``platform.plugins``, so a
:class:`~metacrm.platform.jobs.Jobs` created later (tests swap in a manual one)
takes its job kinds from there (:func:`plugin_jobs`) instead of hard-coding them.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, Iterator

from metacrm.metadata.field_types import FIELD_TYPES

from .context import PluginContext

log = logging.getLogger(__name__)


def apply_process(ctx: PluginContext) -> None:
    """Registries shared by every platform in the process (re-applying changes nothing)."""
    from metacrm.platform.packs import source  # noqa: PLC0415  (platform imports stay at the edge)
    from metacrm.platform.web.forms.factory import FORMS  # noqa: PLC0415
    from metacrm.platform.workflows.actions import register_action  # noqa: PLC0415

    for c in ctx.field_types:
        FIELD_TYPES.register(c.cls)
        if c.widget is not None:
            FORMS.register(c.cls.name, c.widget)
    for folder in ctx.pack_folders:
        source.add_pack_folder(folder)
    for action_type, action in ctx.workflow_actions.items():
        register_action(action_type, action.handler, keys=set(action.keys), required=action.required)


def apply_platform(platform: Any, contexts: Iterable[PluginContext]) -> None:
    """Apply each plugin not yet applied to ``platform`` (listeners, hooks, jobs) and record it."""
    applied = platform.plugins
    for ctx in contexts:
        if any(done is ctx for done in applied):
            continue
        apply_process(ctx)
        for listener in ctx.listeners:
            platform.records.bus.listen(listener.event, listener.handler, phase=listener.phase)
        platform.records.hooks.before_save.extend(ctx.before_save)
        jobs = getattr(platform, "jobs", None)
        for kind, handler in ctx.jobs.items():
            if jobs is None:
                log.warning("plugin %s adds job %s but this platform runs no jobs", ctx.plugin, kind)
            else:
                jobs.register(kind, handler)
        applied.append(ctx)


def plugin_jobs(platform: Any) -> Iterator[tuple[str, Callable[..., Any]]]:
    """The job kinds of the plugins applied to ``platform`` (the built-ins when none was yet)."""
    from .builtin import builtin_contexts  # noqa: PLC0415

    contexts = list(getattr(platform, "plugins", None) or ())
    for ctx in builtin_contexts():
        if not any(c is ctx for c in contexts):
            contexts.insert(0, ctx)
    for ctx in contexts:
        yield from ctx.jobs.items()
