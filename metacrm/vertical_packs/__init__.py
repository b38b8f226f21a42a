"""Vertical packs: folders of metadata and demo data (``pack.json`` + definitions), no code."""
