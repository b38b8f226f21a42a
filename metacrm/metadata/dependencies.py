"""The dependency graph: which definitions reference which objects and fields.

Impact analysis reads it before a plan removes, renames or retypes anything,
so an admin learns which formulas, lookups, rules, layouts or workflows would
break *before* they do. Each kind of definition contributes edges through an
extractor; later kinds (layouts, views, rules, workflows, reports) register
their own with :func:`register_extractor`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .definitions import MetadataBundle
from .expressions import references
from .field_types import REFERENCE_TYPES

#: A referenced or referencing item: ("object", name) or ("field", object, field).
Ref = tuple[str, ...]


def object_ref(name: str) -> Ref:
    return ("object", name)


def field_ref(obj: str, field: str) -> Ref:
    return ("field", obj, field)


@dataclass(frozen=True)
class Edge:
    source: Ref  # the dependant (whose definition contains the reference)
    target: Ref  # what it depends on
    description: str  # e.g. 'formula deal.expected_revenue reads "amount"'


Extractor = Callable[[MetadataBundle], Iterable[Edge]]
_EXTRACTORS: list[Extractor] = []


def register_extractor(fn: Extractor) -> Extractor:
    _EXTRACTORS.append(fn)
    return fn


@dataclass(frozen=True)
class DependencyGraph:
    edges: tuple[Edge, ...]

    def dependants(self, target: Ref) -> list[Edge]:
        """Edges pointing at ``target`` (for an object: at it or any of its fields)."""
        return [e for e in self.edges if e.target == target or (target[0] == "object" and e.target[:1] == ("field",)
                and e.target[1] == target[1] and e.source[1] != target[1])]

    def by_source(self) -> dict[Ref, list[Edge]]:
        grouped: dict[Ref, list[Edge]] = defaultdict(list)
        for e in self.edges:
            grouped[e.source].append(e)
        return grouped


def build_graph(bundle: MetadataBundle) -> DependencyGraph:
    return DependencyGraph(tuple(e for fn in _EXTRACTORS for e in fn(bundle)))


@register_extractor
def _object_edges(bundle: MetadataBundle) -> Iterator[Edge]:
    for obj in bundle.objects.values():
        if obj.name_field:
            yield Edge(object_ref(obj.name), field_ref(obj.name, obj.name_field), f"{obj.name}'s name field")
        for sf in obj.search_fields:
            yield Edge(object_ref(obj.name), field_ref(obj.name, sf), f"{obj.name}'s search fields")
        for f in obj.fields:
            me = field_ref(obj.name, f.name)
            if f.type in REFERENCE_TYPES and f.target:
                yield Edge(me, object_ref(f.target), f"{f.type.replace('_', '-')} {obj.name}.{f.name} → {f.target}")
            for t in f.targets:
                yield Edge(me, object_ref(t), f"polymorphic lookup {obj.name}.{f.name} → {t}")
            if f.formula:
                yield from _formula_edges(bundle, obj.name, f.name, f.formula)
            if f.rollup:
                r = f.rollup
                desc = f"rollup {obj.name}.{f.name}"
                yield Edge(me, object_ref(r.child), desc)
                yield Edge(me, field_ref(r.child, r.relationship_field), desc)
                if r.field:
                    yield Edge(me, field_ref(r.child, r.field), desc)


def _formula_edges(bundle: MetadataBundle, obj: str, name: str, formula: str) -> Iterator[Edge]:
    me = field_ref(obj, name)
    this = bundle.objects[obj]
    for chain in references(formula):
        yield Edge(me, field_ref(obj, chain[0]), f"formula {obj}.{name}")
        head = this.field(chain[0])
        if len(chain) > 1 and head is not None and head.type in REFERENCE_TYPES and head.target:
            yield Edge(me, field_ref(head.target, chain[1]), f"formula {obj}.{name}")


@dataclass(frozen=True)
class LookupRead:
    """A stored formula ``object.formula`` reading ``target.field`` through the lookup ``object.lookup``.

    The runtime recomputes such formulas on the referring records when ``target.field`` changes
    (``docs/logic.md``, "Formulas across lookups"); formulas computed when read need nothing.
    """

    object: str
    formula: str
    lookup: str
    target: str
    field: str


def lookup_reads(bundle: MetadataBundle) -> dict[tuple[str, str], tuple[LookupRead, ...]]:
    """Per (target object, field): the stored formulas of other records that read it through a lookup."""
    found: dict[tuple[str, str], list[LookupRead]] = defaultdict(list)
    for obj in bundle.objects.values():
        for f in obj.fields:
            if f.type != "formula" or not f.formula or not f.stored:
                continue
            for chain in sorted(references(f.formula)):
                head = obj.field(chain[0])
                if len(chain) > 1 and head is not None and head.type in REFERENCE_TYPES and head.target:
                    read = LookupRead(obj.name, f.name, head.name, head.target, chain[1])
                    if read not in found[(head.target, chain[1])]:
                        found[(head.target, chain[1])].append(read)
    return {key: tuple(reads) for key, reads in found.items()}
