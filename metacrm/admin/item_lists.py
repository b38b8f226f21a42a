"""An object document's named item lists (validation rules, list views, layouts, workflows), edited by name.

Pure: the editors build the new item from their forms and put it in place here,
so every editor replaces items the same way.
"""

from __future__ import annotations

from typing import Any


def with_item(document: dict[str, Any], key: str, original: str, item: dict[str, Any]) -> dict[str, Any]:
    """The object ``document`` with ``item`` in place of its ``key`` item named ``original`` (or added last).

    A replaced item keeps its ``owner``: a rule or workflow a pack added to this object stays the
    pack's when an admin edits it, so the pack's upgrades and uninstall still find it.
    """
    items = list(document.get(key, []))
    at = next((i for i, doc in enumerate(items) if original and doc.get("name") == original), None)
    if at is None:
        items.append(item)
    else:
        if "owner" in items[at] and "owner" not in item:
            item = {**item, "owner": items[at]["owner"]}
        items[at] = item
    return {**document, key: items}
