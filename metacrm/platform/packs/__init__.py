"""Packs: versioned folders of metadata and demo data, installed through plan/apply.

``source`` reads a folder or .zip, ``registry`` remembers what is installed,
``service`` installs, upgrades and uninstalls, ``demo`` loads demo records.
"""

from .demo import DemoLoader, DemoResult
from .registry import InstalledPack
from .service import PackResult, PackService
from .source import BUILTIN_DIR, PackSource, builtin_packs, open_pack, read_pack

__all__ = ["DemoLoader", "DemoResult", "InstalledPack", "PackResult", "PackService", "BUILTIN_DIR",
           "PackSource", "builtin_packs", "open_pack", "read_pack"]
