"""MetaCRM: a CRM whose objects, fields, forms and logic are data.

This top-level module stays import-light on purpose: ``metacrm.metadata`` is
pure and must be importable without Flask or a database driver, so nothing
here may pull those in. The Flask app factory lives in :mod:`metacrm.app`.
"""

__version__ = "0.1.0"
