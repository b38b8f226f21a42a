"""Duplicate rules at run time: finding probable duplicates, blocking creates, merging two records.

The rules themselves (declaration, normalised comparison) are metadata
(``metacrm/metadata/duplicates.py``); docs/import.md describes the whole feature.
"""

from .finder import DuplicateFinder, Match
from .on_create import BlockDuplicates

__all__ = ["BlockDuplicates", "DuplicateFinder", "Match"]
