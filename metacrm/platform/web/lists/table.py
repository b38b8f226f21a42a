"""The cells of a list table's rows as one piece of markup per row.

Why in Python and not a Jinja loop: a page has 50 rows of up to a dozen cells,
and Jinja's per-cell loop, attribute lookups and auto-escaping cost more than
formatting the values. The column formatters (:mod:`.cells`) already give
escaped markup; this joins them with the cells' tags, the record link in the
name column and a refused bulk edit's reason under it. The row itself (its
checkbox, its highlight) stays in ``_results.html``.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from markupsafe import Markup, escape

from .cells import CellFormat, Names

NUMERIC_CELL = '<td class="text-end text-nowrap">'
CELL = '<td class="">'


def row_cells(formats: Sequence[CellFormat], link_index: int, record: Mapping[str, Any], names: Names,
              link: str, fallback_title: str, error: str = "") -> Markup:
    """The ``<td>``s of one record; the ``link_index``-th is a ``<th>`` linking to ``link``.

    ``fallback_title`` names the record in the link cell when its name is empty ("Deal #12").
    """
    out = []
    for i, fmt in enumerate(formats):
        if i == link_index:
            value = record.get(fmt.column.name)
            shown = escape(fallback_title) if value is None or value == "" else fmt.html(record, names)
            out.append(f'<th scope="row" class="fw-semibold">\n            <a href="{escape(link)}">{shown}</a>')
            if error:
                out.append('<div class="small text-danger fw-normal list-row-error" role="alert">'
                           f'<i class="bi bi-exclamation-circle" aria-hidden="true"></i> {escape(error)}</div>')
            out.append("</th>")
        else:
            out.append(f"{NUMERIC_CELL if fmt.column.numeric else CELL}{fmt.html(record, names)}</td>")
    return Markup("".join(out))
