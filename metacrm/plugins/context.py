"""What a plugin may add, collected before anything is applied.

A plugin's ``setup(ctx)`` only *declares* contributions on a
:class:`PluginContext`; the manager applies them once every plugin has been
set up. So a plugin that fails half-way leaves nothing behind, and the order
in which plugins load does not decide what the app looks like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from flask import Blueprint

from metacrm.metadata.field_types import FieldType


@dataclass(frozen=True)
class FieldTypeContribution:
    cls: type[FieldType]
    #: ``widget(field_def, compiled_object) -> WidgetSpec`` for generated forms (see
    #: ``metacrm.platform.web.forms``); without one the field shows read-only.
    widget: Callable[..., Any] | None = None


@dataclass(frozen=True)
class WorkflowAction:
    handler: Callable[..., Any]
    keys: frozenset[str] = frozenset()
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class Listener:
    event: str  # a record event name (``record.created`` ...) or ``*``
    handler: Callable[[Any], None]
    phase: str = "after_commit"


@dataclass
class PluginContext:
    """Handed to ``setup(ctx)``; every method records a contribution of the plugin being set up."""

    plugin: str
    #: MetaCRM's own plugins (``metacrm.plugins.builtin``), applied to every platform.
    builtin: bool = False
    field_types: list[FieldTypeContribution] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
    blueprints: list[Blueprint] = field(default_factory=list)
    pack_folders: list[Path] = field(default_factory=list)
    workflow_actions: dict[str, WorkflowAction] = field(default_factory=dict)
    jobs: dict[str, Callable[..., Any]] = field(default_factory=dict)
    before_save: list[Callable[[Any], None]] = field(default_factory=list)

    def add_field_type(self, cls: type[FieldType], *, widget: Callable[..., Any] | None = None) -> None:
        """A field type (storage, coercion, JSON Schema, conversions) and, optionally, its form widget."""
        if not (isinstance(cls, type) and issubclass(cls, FieldType)):
            raise TypeError(f"{cls!r} is not a FieldType subclass")
        self.field_types.append(FieldTypeContribution(cls, widget))

    def listen(self, event: str, handler: Callable[[Any], None], *, phase: str = "after_commit") -> None:
        """A record-event subscriber (``record.created`` ..., ``*``); ``in_transaction`` handlers share
        the write's transaction, ``after_commit`` ones see only durable changes."""
        self.listeners.append(Listener(event, handler, phase))

    def add_blueprint(self, blueprint: Blueprint) -> None:
        """UI pages or API endpoints. Blueprints are plain Flask: API views authenticate with
        ``metacrm.platform.api.auth.require_user``, pages with ``flask_login.login_required``."""
        self.blueprints.append(blueprint)

    def add_pack_folder(self, path: str | Path) -> None:
        """A folder holding pack folders (each with a ``pack.json``), listed with the built-in packs."""
        self.pack_folders.append(Path(path))

    def add_workflow_action(self, action_type: str, handler: Callable[..., Any], *,
                            keys: set[str] | None = None, required: tuple[str, ...] = ()) -> None:
        """A workflow action kind, used in workflow definitions as ``{"type": action_type, ...}``;
        ``handler(ActionContext)`` returns a small JSON detail for the run log. ``keys`` are the
        document keys it reads (the definition checks report others), ``required`` those it needs."""
        self.workflow_actions[action_type] = WorkflowAction(handler, frozenset(keys or ()), tuple(required))

    def add_job(self, kind: str, handler: Callable[..., Any]) -> None:
        """A background job kind (run on RQ or in-process, with retries)."""
        self.jobs[kind] = handler

    def add_before_save(self, hook: Callable[[Any], None]) -> None:
        """A record-pipeline hook given each save's ``SaveContext`` (it may set values or add errors)."""
        self.before_save.append(hook)
