"""FormFactory: WTForms classes generated at runtime from an object, a layout and what the actor may do.

Like Django's ``modelform_factory(..., formfield_callback=...)``: ``build`` walks
the layout and asks ``field_for`` for each field's widget; ``field_for`` looks
the field type up in a registry a plugin can extend (``register``), so no view
or template switches on type names. Classes are cached per (metadata version,
object, layout, the actor's hidden and read-only fields): users with the same
field security share a class, and a new metadata version (a new compiled
object) simply misses the cache.

Field names are user-chosen and could shadow WTForms' own attributes (a field
called ``data`` or ``errors``), so form attributes are ``f_<name>`` while the
HTML ``name`` stays the field's name and the ``id`` is ``f-<name>``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

from metacrm.metadata.compiled import CompiledObject
from metacrm.metadata.definitions import FieldDef
from metacrm.metadata.field_types import FIELD_TYPES
from metacrm.metadata.layouts import LAYOUT_SYSTEM_FIELDS, LayoutDef

from . import choices, dates, files, numbers, references, text
from .base import WidgetSpec

Builder = Callable[[FieldDef, CompiledObject], WidgetSpec]
ATTR_PREFIX = "f_"
CACHE_SIZE = 256

#: The widget of each built-in field type; plugins add theirs with ``FormFactory.register`` (``rich_text``'s
#: comes from the built-in plugin of that name, ``metacrm/plugins/builtin/rich_text.py``).
DEFAULT_BUILDERS: dict[str, Builder] = {
    "text": lambda f, o: text.line(f),
    "email": lambda f, o: text.line(f),
    "url": lambda f, o: text.line(f),
    "phone": lambda f, o: text.line(f),
    "long_text": lambda f, o: text.area(f),
    "integer": lambda f, o: numbers.number(f),
    "decimal": lambda f, o: numbers.number(f),
    "percent": lambda f, o: numbers.percent(f),
    "currency": lambda f, o: numbers.currency(f, o.definition.currency),
    "date": lambda f, o: dates.date(f),
    "datetime": lambda f, o: dates.datetime(f),
    "boolean": lambda f, o: choices.switch(f),
    "picklist": lambda f, o: choices.picklist(f),
    "multi_picklist": lambda f, o: choices.multi_picklist(f),
    "lookup": lambda f, o: references.lookup(f, o.name),
    "master_detail": lambda f, o: references.lookup(f, o.name),
    "polymorphic_lookup": lambda f, o: references.display(f),
    "file": lambda f, o: files.upload(f),
}


@dataclass(frozen=True)
class FormSlot:
    """One field as this form presents it."""

    name: str
    label: str
    definition: FieldDef | None  # None for a system field (owner, created_at, ...)
    spec: WidgetSpec
    read_only: bool
    help: str
    required: bool

    @property
    def attr(self) -> str:
        return ATTR_PREFIX + self.name

    @property
    def editable(self) -> bool:
        return self.spec.field is not None and not self.read_only

    @property
    def type(self) -> str:
        return self.definition.type if self.definition is not None else "system"

    @property
    def inline_editable(self) -> bool:
        """Editable in place on the record page: files need the full form (a multipart post)."""
        return self.editable and self.spec.kind != "file"


@dataclass(frozen=True)
class FormSection:
    label: str
    columns: int
    collapsed: bool
    names: tuple[str, ...]


class RecordForm(FlaskForm):
    """The base of every generated form: knows its slots and turns input into record-service values."""

    object_name: ClassVar[str] = ""
    layout: ClassVar[LayoutDef]
    slots: ClassVar[Mapping[str, FormSlot]] = {}
    sections: ClassVar[tuple[FormSection, ...]] = ()

    #: Per instance: what each file input shows besides itself (``files.states``), set by the view.
    file_states: Mapping[str, Any] = {}

    def field(self, name: str) -> Any:
        """The bound WTForms field of a record field (None for a display-only one)."""
        return self._fields.get(ATTR_PREFIX + name)

    @classmethod
    def has_files(cls) -> bool:
        """Whether the form posts ``multipart/form-data`` (it has a file input the actor may use)."""
        return any(s.spec.kind == "file" and s.editable for s in cls.slots.values())

    @classmethod
    def editable(cls) -> tuple[str, ...]:
        return tuple(n for n, s in cls.slots.items() if s.editable)

    @classmethod
    def initial(cls, record: Mapping[str, Any]) -> dict[str, Any]:
        """Form data (keyed by form attribute) from record values (keyed by field name)."""
        return {s.attr: s.spec.to_form(record.get(n)) for n, s in cls.slots.items()
                if s.spec.field is not None and n in record}

    def record_data(self, only: tuple[str, ...] | None = None) -> dict[str, Any]:
        """What the user may change, shaped for the record service (which validates it)."""
        out = {}
        for name in only or self.editable():
            slot = self.slots.get(name)
            if slot is not None and slot.editable and slot.spec.kind != "file":  # files: ``files.collect``
                out[name] = slot.spec.to_record(self._fields[slot.attr].data)
        return out

    def keep_read_only(self, record: Mapping[str, Any]) -> None:
        """After a post, read-only inputs show the stored value again (a disabled input is not sent)."""
        for name, slot in self.slots.items():
            if slot.spec.field is not None and slot.read_only:
                self._fields[slot.attr].data = slot.spec.to_form(record.get(name))


class FormFactory:
    def __init__(self) -> None:
        self._builders: dict[str, Builder] = dict(DEFAULT_BUILDERS)
        self._cache: OrderedDict[tuple[Any, ...], tuple[CompiledObject, type[RecordForm]]] = OrderedDict()
        self._lock = threading.Lock()

    def register(self, type_name: str, builder: Builder) -> None:
        """A plugin's field type gets its widget here (before serving, like the type registry)."""
        self._builders[type_name] = builder

    def field_for(self, f: FieldDef, obj: CompiledObject) -> WidgetSpec:
        """The per-field hook: computed types are displays, everything else asks its type's builder."""
        if f.type not in FIELD_TYPES or FIELD_TYPES.get(f.type).computed:
            return references.display(f)
        builder = self._builders.get(f.type)
        return builder(f, obj) if builder is not None else references.display(f)

    def build(self, obj: CompiledObject, layout: LayoutDef, *, hidden: frozenset[str] = frozenset(),
              read_only: frozenset[str] = frozenset(), version: int = 0) -> type[RecordForm]:
        """The form class for ``obj`` laid out by ``layout`` for an actor who may not see ``hidden``
        and may not change ``read_only`` (both from the record service's own security hooks)."""
        # The compiled object's identity stands for "this object in this metadata version of this
        # database": two databases served by one process (tests do it) may both be at version 3.
        # The entry keeps the object alive, so its id cannot be reused while the entry exists.
        key = (version, id(obj), obj.name, layout.name, hidden, read_only)
        with self._lock:
            found = self._cache.get(key)
            if found is not None and found[0] is obj:
                self._cache.move_to_end(key)
                return found[1]
        built = self._build(obj, layout, hidden, read_only)
        with self._lock:
            self._cache[key] = (obj, built)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return built

    def _build(self, obj: CompiledObject, layout: LayoutDef, hidden: frozenset[str],
               read_only: frozenset[str]) -> type[RecordForm]:
        attrs: dict[str, Any] = {}
        slots: dict[str, FormSlot] = {}
        sections = []
        for section in layout.sections:
            names = []
            for name in section.fields:
                slot = self._slot(obj, layout, name, hidden, read_only)
                if slot is None or name in slots:
                    continue
                slots[name] = slot
                names.append(name)
                if slot.spec.field is not None:
                    attrs[slot.attr] = _named(slot.spec.field, name, slot.read_only)
            if names:
                sections.append(FormSection(section.label, section.columns, section.collapsed, tuple(names)))
        attrs.update(object_name=obj.name, layout=layout, slots=slots, sections=tuple(sections))
        return type(f"{obj.name.title().replace('_', '')}Form", (RecordForm,), attrs)

    def _slot(self, obj: CompiledObject, layout: LayoutDef, name: str, hidden: frozenset[str],
              read_only: frozenset[str]) -> FormSlot | None:
        options = layout.options(name)
        if name in hidden or options.hidden:
            return None
        compiled = obj.fields.get(name)
        if compiled is None:
            if name not in LAYOUT_SYSTEM_FIELDS:
                return None
            return FormSlot(name, _system_label(name), None, references.display(None), True, options.help or "",
                            False)
        d = compiled.definition
        spec = self.field_for(d, obj)
        locked = name in read_only or options.read_only or spec.field is None
        return FormSlot(name, d.label, d, spec, locked, options.help or d.help_text or d.description,
                        d.required and not locked)


def _named(field: UnboundField, name: str, read_only: bool) -> UnboundField:
    """The field bound to its record field's HTML name and id; read-only ones rendered disabled."""
    kwargs = dict(field.kwargs)
    render_kw = dict(kwargs.get("render_kw") or {})
    if read_only:
        render_kw["disabled"] = True
        kwargs["validators"] = []
    kwargs.update(name=name, id=f"f-{name}", render_kw=render_kw)
    return UnboundField(field.field_class, *field.args, **kwargs)


def _system_label(name: str) -> str:
    labels = {"owner": _l("Owner"), "created_by": _l("Created by"), "created_at": _l("Created"),
              "updated_by": _l("Last modified by"), "updated_at": _l("Last modified")}
    return labels.get(name, name)  # type: ignore[return-value]


#: The process-wide factory the web views use (plugins register their widgets on it).
FORMS = FormFactory()
