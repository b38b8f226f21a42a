"""Installing from a .zip: validated before extraction, never writing outside its temporary folder."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path
from typing import Any, Callable

import pytest

from metacrm.platform.errors import Unprocessable
from metacrm.platform.packs import PackService
from metacrm.platform.runtime import Platform
from tests.platform.packs.conftest import COMPANY, MakePack

Run = Callable[..., Any]


def _zip(folder: Path, archive: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                zf.write(file, prefix + file.relative_to(folder).as_posix())
    return archive


@pytest.mark.parametrize("prefix", ["", "crm-1.0.0/"])
def test_install_from_a_zip_with_the_pack_at_its_root_or_in_one_folder(platform: Platform, make_pack: MakePack,
                                                                       install: Run, tmp_path: Path,
                                                                       prefix: str) -> None:
    archive = _zip(make_pack("crm", "1.0.0", objects=[COMPANY]), tmp_path / "crm.zip", prefix)
    result = install(archive)
    assert result.action == "installed"
    assert "company" in platform.schema.get().compiled.bundle.objects


@pytest.mark.parametrize("evil", ["../evil.json", "/tmp/evil.json", "objects/../../evil.json", "C:/evil.json"])
def test_a_zip_with_a_path_outside_the_pack_is_refused_before_extraction(make_pack: MakePack, install: Run,
                                                                         tmp_path: Path, packs: PackService,
                                                                         evil: str) -> None:
    archive = _zip(make_pack("crm", "1.0.0", objects=[COMPANY]), tmp_path / "crm.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(evil, "{}")
    with pytest.raises(Unprocessable, match="unsafe") as exc:
        install(archive)
    assert exc.value.extra["errors"][0]["code"] == "unsafe_path"
    assert not (tmp_path.parent / "evil.json").exists() and not Path("/tmp/evil.json").exists()
    assert packs.installed() == []


def test_a_zip_with_a_symbolic_link_is_refused(make_pack: MakePack, install: Run, tmp_path: Path) -> None:
    archive = _zip(make_pack("crm", "1.0.0", objects=[COMPANY]), tmp_path / "crm.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        link = zipfile.ZipInfo("objects/link.json")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(Unprocessable, match="unsafe"):
        install(archive)


def test_a_zip_without_a_manifest_is_refused(tmp_path: Path, install: Run) -> None:
    archive = tmp_path / "empty.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("objects/company.json", "{}")
    with pytest.raises(Unprocessable) as exc:
        install(archive)
    assert exc.value.extra["errors"][0]["code"] == "no_manifest"
