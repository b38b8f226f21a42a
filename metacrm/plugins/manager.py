"""Finding, loading and applying plugins (entry-point group ``metacrm.plugins``).

A plugin is a Python distribution declaring an entry point in that group; the
entry point names an object with a ``setup(ctx)`` callable (a module, an
instance or a class) and, optionally, ``name``/``version``/``description``.
Built-in features use the same interface: MetaCRM's own plugins
(``metacrm.plugins.builtin``: email, webhooks, rich text) are set up first by
every manager, reported as built-in, and applied to every platform through
the same path (``metacrm.plugins.apply``).

A plugin that fails to import or to set up is reported (log at start-up, the
admin plugins endpoint) and contributes nothing; the app still starts. The
manager lives in ``app.extensions["metacrm_plugins"]``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from typing import Any, Iterable

from flask import Flask

from metacrm.metadata.field_types import FIELD_TYPES

from .context import PluginContext

log = logging.getLogger(__name__)
GROUP = "metacrm.plugins"


@dataclass(frozen=True)
class PluginReport:
    name: str
    entry_point: str
    status: str  # loaded | failed
    version: str = ""
    description: str = ""
    error: str = ""
    contributes: tuple[str, ...] = ()
    builtin: bool = False  # one of MetaCRM's own (``metacrm.plugins.builtin``)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "entry_point": self.entry_point, "status": self.status,
                "version": self.version, "description": self.description, "error": self.error,
                "contributes": list(self.contributes), "builtin": self.builtin}


def _summary(ctx: PluginContext) -> tuple[str, ...]:
    return tuple(
        [f"field type {c.cls.name}" for c in ctx.field_types]
        + [f"listener {x.event} ({x.phase})" for x in ctx.listeners]
        + [f"blueprint {b.name}" for b in ctx.blueprints]
        + [f"pack folder {p.name}" for p in ctx.pack_folders]
        + [f"workflow action {a}" for a in ctx.workflow_actions]
        + [f"job {j}" for j in ctx.jobs]
        + [f"before-save hook {getattr(h, '__name__', h)}" for h in ctx.before_save])


class PluginManager:
    def __init__(self) -> None:
        self.reports: list[PluginReport] = []
        self.contexts: list[PluginContext] = []
        self._load_builtins()

    def _load_builtins(self) -> None:
        """MetaCRM's own plugins come first, so a third-party one cannot take their names."""
        from metacrm import __version__  # noqa: PLC0415

        from .builtin import builtin_contexts, describe  # noqa: PLC0415

        for ctx in builtin_contexts():
            self.contexts.append(ctx)
            self.reports.append(PluginReport(ctx.plugin, f"metacrm.plugins.builtin.{ctx.plugin}", "loaded",
                                             __version__, describe(ctx.plugin), contributes=_summary(ctx),
                                             builtin=True))

    # --- loading -------------------------------------------------------------------------
    def load(self, entry_points: Iterable[Any] | None = None) -> None:
        """Import and set up every plugin; failures are reported, never raised."""
        found = entry_points if entry_points is not None else importlib_metadata.entry_points(group=GROUP)
        for ep in sorted(found, key=lambda e: e.name):
            ctx = PluginContext(plugin=ep.name)
            version = getattr(getattr(ep, "dist", None), "version", "") or ""
            try:
                target = ep.load()
                setup = getattr(target, "setup", None)
                if not callable(setup):
                    raise TypeError(f"{ep.value} has no setup(ctx) callable")
                setup(ctx)
                self._check(ctx)
            except Exception as exc:  # noqa: BLE001 - one broken plugin must not stop the app
                log.error("plugin %s (%s) failed to load: %s: %s", ep.name, ep.value, type(exc).__name__, exc)
                self.reports.append(PluginReport(ep.name, ep.value, "failed", version,
                                                 error=f"{type(exc).__name__}: {exc}"))
                continue
            self.contexts.append(ctx)
            self.reports.append(PluginReport(
                getattr(target, "name", ep.name), ep.value, "loaded",
                str(getattr(target, "version", "") or version), str(getattr(target, "description", "") or ""),
                contributes=_summary(ctx)))
            log.info("plugin %s loaded: %s", ep.name, ", ".join(_summary(ctx)) or "nothing")

    def _check(self, ctx: PluginContext) -> None:
        """Refuse contributions that would clash, before anything is applied."""
        for c in ctx.field_types:
            if c.cls.name in FIELD_TYPES and type(FIELD_TYPES.get(c.cls.name)) is not c.cls:
                raise ValueError(f'field type "{c.cls.name}" is already registered')
        from metacrm.platform.workflows.actions import ACTIONS  # noqa: PLC0415

        taken = {a for other in self.contexts for a in other.workflow_actions}
        for name, action in ctx.workflow_actions.items():
            if name in taken or ACTIONS.get(name, action.handler) is not action.handler:
                raise ValueError(f'workflow action "{name}" is already registered')

    # --- applying ------------------------------------------------------------------------
    def register_types(self) -> None:
        """Field types must exist before any metadata is compiled: called before the platform is built.

        A type the registry refuses (it was frozen by an app already serving in this process) fails
        its plugin like any other load error."""
        for ctx in list(self.contexts):
            try:
                for c in ctx.field_types:
                    FIELD_TYPES.register(c.cls)
            except (RuntimeError, ValueError) as exc:
                log.error("plugin %s failed to register its field types: %s", ctx.plugin, exc)
                self.contexts.remove(ctx)
                self.reports = [r if r.entry_point != ctx.plugin and r.name != ctx.plugin else
                                PluginReport(r.name, r.entry_point, "failed", r.version, error=str(exc))
                                for r in self.reports]

    def init_app(self, app: Flask, platform: Any) -> None:
        """Apply every loaded plugin to ``platform`` (those it already has are skipped) and the app."""
        from .apply import apply_platform  # noqa: PLC0415

        apply_platform(platform, self.contexts)
        for ctx in self.contexts:
            for blueprint in ctx.blueprints:
                app.register_blueprint(blueprint)
        app.extensions["metacrm_plugins"] = self

    @property
    def failed(self) -> list[PluginReport]:
        return [r for r in self.reports if r.status == "failed"]
