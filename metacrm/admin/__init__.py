"""The no-code builder: a client of the metadata service, never a second way to write schema."""
