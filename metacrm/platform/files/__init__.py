"""The file store: uploaded bytes kept in the database, attached to records through ``file`` fields.

All state lives in the database (no local disk), so every web worker serves
every file. A record's ``file`` field holds only a small reference
(``{"key", "name", "size", "content_type"}``); the bytes are read back through
the record, so record- and field-level security decide who may download them.
"""
