"""Exports of records: the format registry, full-object exports as the caller, and the XLSX writer."""
