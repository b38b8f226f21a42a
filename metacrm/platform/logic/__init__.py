"""Business logic without code: formulas, validation rules, defaults and server scripts in a sandbox.

Layers (each measured in ``bench/bench_logic.py``): ``policy`` compiles with
RestrictedPython plus MetaCRM's refusals and size/step rewrites; ``guards``
and ``sandbox`` run expressions in-process under allow-list guards, size
checks, a recursion limit and a deadline; ``worker``/``worker_client`` run
server scripts in a persistent, rlimited child process with no database
handle, killed by the parent on timeout. ``record_logic`` plugs it all into
the record service's before-save hooks. This package's modules import no
database code except ``record_logic`` (the worker imports only the sandbox).
"""
