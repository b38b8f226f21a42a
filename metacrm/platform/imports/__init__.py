"""Importing CSV and Excel files (and a pack's own formats) into an object, every row accounted for.

See docs/import.md. ``register_import_format(name, reader)`` is the plugin
interface for new formats; the service is in ``service``, the job in ``job``.
(Kept light: the platform's table declarations import ``tables`` from here.)
"""

from __future__ import annotations

from .formats import ImportFileError, SourceRow, SourceTable, known_formats, register_import_format

__all__ = ["ImportFileError", "SourceRow", "SourceTable", "known_formats", "register_import_format"]
