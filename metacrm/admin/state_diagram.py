"""A state machine drawn as inline SVG, by a pure function, so the builder shows a process at a glance.

States are boxes in one row, in the order of the picklist's choices (the
order people think of the process in); a transition is an arrow — forward
moves arc above the row, backward ones below — whose tooltip (``<title>``)
says who may make it and under which condition. ``from: "*"`` transitions
leave a dashed "any state" box placed first. The initial state has a thick
border and the locked ones are grey and say so. Server-side and without a library,
so the page needs no script and the tests can read the drawing as text.
"""

from __future__ import annotations

from html import escape
from typing import Any, Mapping, Sequence

ANY = "*"
BOX_W, BOX_H, GAP, PAD = 128, 40, 36, 16
ARC_STEP = 22  # how much higher an arc spanning one more box rises


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def edges(machine: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every (from, to) arrow of the machine's transitions, with the transition's roles and condition."""
    found = []
    for t in machine.get("transitions") or []:
        for source in _list(t.get("from")):
            for target in _list(t.get("to")):
                if source != target:
                    found.append({"from": source, "to": target, "roles": _list(t.get("roles")),
                                  "condition": t.get("condition") or "", "message": t.get("message") or ""})
    return found


def tooltip(edge: Mapping[str, Any]) -> str:
    """What an arrow's tooltip says: "New → Won · roles: sales_manager · if amount > 0"."""
    source = "any state" if edge["from"] == ANY else edge["from"]
    who = ", ".join(edge["roles"]) if edge["roles"] else "anyone who may edit"
    parts = [f"{source} → {edge['to']}", f"roles: {who}"]
    if edge["condition"]:
        parts.append(f"if {edge['condition']}")
    return " · ".join(parts)


def state_order(choices: Sequence[str], machine: Mapping[str, Any]) -> list[str]:
    """The boxes, left to right: "any state" if used, then the choices, then states only transitions name."""
    named = [e[k] for e in edges(machine) for k in ("from", "to")]
    order = ([ANY] if ANY in named else []) + list(choices)
    order += [s for s in dict.fromkeys(named) if s not in order]
    return order


def render_svg(choices: Sequence[str], machine: Mapping[str, Any], *, title: str = "") -> str:
    """The machine as an ``<svg>`` element (a string the caller marks safe; every text is escaped)."""
    order = state_order(choices, machine)
    arrows = edges(machine)
    at = {state: i for i, state in enumerate(order)}
    up = max([at[e["to"]] - at[e["from"]] for e in arrows if at[e["to"]] > at[e["from"]]] or [0])
    down = max([at[e["from"]] - at[e["to"]] for e in arrows if at[e["to"]] < at[e["from"]]] or [0])
    top = PAD + (ARC_STEP * up + 12 if up else 0)
    width = PAD * 2 + len(order) * BOX_W + max(len(order) - 1, 0) * GAP
    height = top + BOX_H + (ARC_STEP * down + 12 if down else 0) + PAD
    states = machine.get("states") or {}
    initial = machine.get("initial")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="state-diagram" role="img" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title or "State machine")}">',
           '<defs><marker id="sd-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#495057"/></marker></defs>']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    for state, i in at.items():
        x = PAD + i * (BOX_W + GAP)
        info = states.get(state) or {}
        dashed = ' stroke-dasharray="5 4"' if state == ANY else ""
        stroke = 3 if state == initial else 1.5
        fill = "#f1f3f5" if info.get("locked") else "#ffffff"
        label = "any state" if state == ANY else state
        out.append(f'<g class="sd-state" data-state="{escape(state)}"><title>{escape(_state_tip(state, info, initial))}'
                   f'</title><rect x="{x}" y="{top}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" '
                   f'stroke="#212529" stroke-width="{stroke}"{dashed}/><text x="{x + BOX_W / 2}" '
                   f'y="{top + (17 if info.get("locked") else BOX_H / 2 + 5)}" text-anchor="middle" font-size="13" '
                   f'font-family="sans-serif">{escape(_short(label))}</text>'
                   + (f'<text x="{x + BOX_W / 2}" y="{top + 33}" text-anchor="middle" font-size="10" '
                      'font-family="sans-serif" fill="#6c757d">locked</text>' if info.get("locked") else "")
                   + "</g>")
    for e in arrows:
        i, j = at[e["from"]], at[e["to"]]
        spread = min(8 + 12 * (abs(j - i) - 1), BOX_W / 2 - 8)  # longer arrows leave and land further out
        x1 = PAD + i * (BOX_W + GAP) + BOX_W / 2 + (spread if j > i else -spread)
        x2 = PAD + j * (BOX_W + GAP) + BOX_W / 2 + (-spread if j > i else spread)
        h = ARC_STEP * abs(j - i) + 12
        y, peak = (top, top - h) if j > i else (top + BOX_H, top + BOX_H + h)
        colour = "#0d6efd" if e["roles"] or e["condition"] else "#495057"
        dash = ' stroke-dasharray="4 3"' if e["condition"] else ""
        out.append(f'<g class="sd-move" data-from="{escape(e["from"])}" data-to="{escape(e["to"])}">'
                   f"<title>{escape(tooltip(e))}</title><path d=\"M{x1},{y} C{x1},{peak} {x2},{peak} {x2},{y}\" "
                   f'fill="none" stroke="{colour}" stroke-width="1.6"{dash} marker-end="url(#sd-arrow)"/></g>')
    out.append("</svg>")
    return "".join(out)


def _short(text: str, limit: int = 16) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _state_tip(state: str, info: Mapping[str, Any], initial: Any) -> str:
    if state == ANY:
        return "any state: these moves leave every state"
    parts = [state]
    if state == initial:
        parts.append("initial")
    if info.get("locked"):
        parts.append("locked")
    for key, words in (("on_enter", "on enter"), ("on_exit", "on exit")):
        if info.get(key):
            parts.append(f"{words}: " + ", ".join(str(a.get("type")) for a in info[key]))
    return " · ".join(parts)
