"""Fixtures for pack tests: small packs written to temporary folders, and the pack service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from metacrm.platform.packs import PackService, open_pack
from metacrm.platform.runtime import Platform

MakePack = Callable[..., Path]


@pytest.fixture
def make_pack(tmp_path: Path) -> MakePack:
    """make_pack("crm", "1.0.0", objects=[...], extensions=[...], roles=[...], demo={"10_x": {...}}) → folder."""

    def _make(name: str, version: str, *, objects: list[dict[str, Any]] = (), extensions: list[dict[str, Any]] = (),
              roles: list[dict[str, Any]] = (), demo: dict[str, Any] | None = None, requires: dict[str, str] | None = None,
              manifest: dict[str, Any] | None = None) -> Path:
        root = tmp_path / f"{name}-{version}"
        root.mkdir()
        doc = manifest if manifest is not None else {"name": name, "label": name.title(), "version": version,
                                                     **({"requires": requires} if requires else {})}
        (root / "pack.json").write_text(json.dumps(doc), "utf-8")
        for folder, docs in (("objects", objects), ("extensions", extensions), ("roles", roles)):
            if docs:
                (root / folder).mkdir()
                for i, d in enumerate(docs):
                    (root / folder / f"{i:02d}_{d.get('name') or d.get('object')}.json").write_text(json.dumps(d), "utf-8")
        if demo:
            (root / "demo").mkdir()
            for file, d in demo.items():
                (root / "demo" / f"{file}.json").write_text(json.dumps(d), "utf-8")
        return root

    return _make


@pytest.fixture
def packs(platform: Platform) -> PackService:
    return PackService(platform.metadata, platform.records)


@pytest.fixture
def install(packs: PackService) -> Callable[..., Any]:
    def _install(path: Any, **kwargs: Any) -> Any:
        with open_pack(str(path)) as source:
            return packs.install(source, **kwargs)
    return _install


@pytest.fixture
def upgrade(packs: PackService) -> Callable[..., Any]:
    def _upgrade(path: Any, **kwargs: Any) -> Any:
        with open_pack(str(path)) as source:
            return packs.upgrade(source, **kwargs)
    return _upgrade


COMPANY = {"name": "company", "label": "Company", "fields": [
    {"name": "name", "type": "text", "required": True},
    {"name": "industry", "type": "picklist", "options": ["Tech", "Retail"]},
    {"name": "parent", "type": "lookup", "target": "company", "on_delete": "set_null"}]}
PERSON = {"name": "person", "fields": [
    {"name": "name", "type": "text", "required": True},
    {"name": "company", "type": "lookup", "target": "company", "on_delete": "set_null"},
    {"name": "met_on", "type": "date"}]}
DEMO = {
    "10_company": {"object": "company", "records": [
        {"_id": "sub", "name": "Acme EMEA", "parent": {"_ref": "company:acme"}},
        {"_id": "acme", "name": "Acme", "industry": "Tech"}]},
    "20_person": {"object": "person", "records": [
        {"_id": "ann", "name": "Ann", "company": {"_ref": "company:acme"}, "met_on": {"_days_from_today": -3}}]},
}
