"""The extension API (entry-point group ``metacrm.plugins``) and the built-in plugins.

See ``docs/plugins.md``: a plugin's ``setup(ctx)`` declares field types (with
their form widgets), record-event listeners, before-save hooks, Flask
blueprints, pack folders, workflow actions and job kinds on a
:class:`PluginContext`; the :class:`PluginManager` applies them at start-up.
MetaCRM's own email, webhook and rich-text features are plugins too
(``metacrm.plugins.builtin``), applied to every platform (``metacrm.plugins.apply``).
"""

from .context import PluginContext
from .manager import GROUP, PluginManager, PluginReport

__all__ = ["GROUP", "PluginContext", "PluginManager", "PluginReport"]
