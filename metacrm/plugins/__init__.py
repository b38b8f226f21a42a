"""The extension API (entry-point group ``metacrm.plugins``) and the built-in plugins."""
