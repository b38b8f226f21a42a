"""Whole-tenant backup and restore (docs/data.md): one zip of JSON lines per table and a manifest."""

from .restore import RestoreRefused, restore_backup
from .write import write_backup

__all__ = ["RestoreRefused", "restore_backup", "write_backup"]
