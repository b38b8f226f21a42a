"""State machines of an object, drawn: ``/admin/objects/<object>/state-machines/`` (read-only).

Each machine (one per picklist field) is shown as a server-drawn SVG
(``state_diagram``, pure) beside a table of its transitions and states, so
an admin sees the process — who may move a record where, under which
condition, which states lock it — without reading its JSON. Changing a
machine still goes through the object's JSON import (plan → apply).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from markupsafe import Markup

from . import state_diagram
from .editor_flow import metadata, object_document
from .guard import admin_required

bp = Blueprint("admin_state_machines", __name__, url_prefix="/admin/objects/<object_name>/state-machines",
               template_folder="templates")


def machine_view(obj: Any, machine: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of one machine: its field, drawing, arrows and states."""
    field = obj.field(machine.get("field", ""))
    choices = list(field.option_values) if field is not None else []
    label = field.label if field is not None else machine.get("field", "")
    return {"field": machine.get("field", ""), "label": label, "initial": machine.get("initial"),
            "svg": Markup(state_diagram.render_svg(choices, machine, title=f"{obj.label}: {label}")),
            "edges": state_diagram.edges(machine), "tooltip": state_diagram.tooltip,
            "states": [(s, (machine.get("states") or {}).get(s) or {})
                       for s in state_diagram.state_order(choices, machine) if s != state_diagram.ANY]}


@bp.get("/")
@admin_required
def index(object_name: str) -> Any:
    document = object_document(object_name)  # 404 for an unknown object
    obj = metadata().current().compiled.object(object_name).definition
    machines = [machine_view(obj, m) for m in document.get("state_machines", [])]
    return render_template("admin/state_machines.html", obj=obj, machines=machines)
