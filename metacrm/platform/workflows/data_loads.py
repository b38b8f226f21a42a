"""Data loads: writes that bring records in as they already are, without automations meant for people.

A pack's demo records (and any loader that asks for it) are history, not
events: routing them round-robin, emailing their owners or opening follow-up
calls would be wrong, and a demo opportunity is created straight at its stage.
A transaction marked with :func:`mark` is a data load: the workflow engine runs
no record-triggered workflow (nor plans time triggers) for writes in it, and
state machines accept a new record in any state and run no ``on_enter`` actions.
Validation, permissions, formulas, roll-ups and audit still apply: only
automations are off. The mark belongs to the transaction, so it ends with it.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

_KEY = "metacrm.data_load"


def mark(conn: Connection) -> None:
    """Make the transaction in progress on ``conn`` a data load (call it first thing in the transaction)."""
    conn.info[_KEY] = conn.get_transaction()


def is_data_load(conn: Connection | None) -> bool:
    if conn is None:
        return False
    held = conn.info.get(_KEY)
    return held is not None and held is conn.get_transaction()
