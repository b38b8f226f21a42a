"""The file store and the record hooks: what is stored, who may attach an upload, and pruning orphans."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, Callable

import pytest
import sqlalchemy as sa

from metacrm.platform.files.policy import FileRejected, FileTooLarge
from metacrm.platform.files.store import FileStore
from metacrm.platform.files.tables import file as file_table
from metacrm.platform.records import SYSTEM, Actor
from metacrm.platform.records.errors import RecordInvalid
from metacrm.platform.runtime import Platform
from tests.conftest import fld, make_object

ANN = Actor(id=1, email="ann@example.com", is_admin=True)
BOB = Actor(id=2, email="bob@example.com", is_admin=True)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def contacts(apply: Callable[..., Any]) -> None:
    apply(make_object("contact", fld("name", required=True), fld("photo", "file"), fld("cv", "file")))


def errors_of(caught: pytest.ExceptionInfo[RecordInvalid]) -> dict[str, str]:
    return {e.field: e.code for e in caught.value.field_errors}


def test_an_upload_is_stored_whole_with_its_checksum_and_handed_back_as_a_reference(platform: Platform) -> None:
    stored = platform.files.put(ANN, "../me.png", PNG)
    assert stored.reference() == {"key": stored.key, "name": "me.png", "size": len(PNG), "content_type": "image/png"}
    assert len(stored.key) >= 40 and stored.created_by == ANN.id and stored.attached_at is None
    info, data = platform.files.content(stored.key)  # type: ignore[misc]
    assert data == PNG and info.sha256 == "%064x" % int.from_bytes(__import__("hashlib").sha256(PNG).digest(), "big")


def test_keys_are_random_and_unknown_or_malformed_keys_find_nothing(platform: Platform) -> None:
    keys = {platform.files.put(ANN, "a.txt", b"same bytes").key for _ in range(3)}
    assert len(keys) == 3
    for key in ("x" * 43, "../../etc/passwd", "", None, 42):
        assert platform.files.info(key) is None and platform.files.content(key) is None  # type: ignore[arg-type]


def test_empty_and_too_large_uploads_are_refused_and_nothing_is_stored(platform: Platform) -> None:
    small = FileStore(platform.engine, max_bytes=10)
    with pytest.raises(FileRejected, match="empty"):
        small.put(ANN, "a.txt", b"")
    with pytest.raises(FileTooLarge) as caught:
        small.put(ANN, "a.txt", b"x" * 11)
    assert caught.value.status == 413
    with pytest.raises(FileTooLarge):
        small.read_limited(io.BytesIO(b"x" * 11))
    assert small.read_limited(io.BytesIO(b"x" * 10)) == b"x" * 10
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(file_table)).scalar() == 0


def test_saving_a_reference_attaches_the_file_and_stores_what_the_store_recorded(platform: Platform) -> None:
    stored = platform.files.put(ANN, "me.png", PNG)
    record = platform.records.create(ANN, "contact", {
        "name": "Ann", "photo": {"key": stored.key, "name": "evil.html", "size": 1, "content_type": "text/html"}})
    assert record["photo"] == stored.reference()
    assert platform.files.info(stored.key).attached_at is not None  # type: ignore[union-attr]


def test_a_bare_key_is_a_reference_too(platform: Platform) -> None:
    stored = platform.files.put(ANN, "cv.txt", b"my career")
    record = platform.records.create(ANN, "contact", {"name": "Ann", "cv": stored.key})
    assert record["cv"]["name"] == "cv.txt"


def test_nobody_can_attach_a_file_someone_else_uploaded_or_one_that_does_not_exist(platform: Platform) -> None:
    anns = platform.files.put(ANN, "me.png", PNG)
    with pytest.raises(RecordInvalid) as caught:
        platform.records.create(BOB, "contact", {"name": "Bob", "photo": {"key": anns.key}, "cv": {"key": "k" * 43}})
    assert errors_of(caught) == {"photo": "file_not_found", "cv": "file_not_found"}
    messages = {e.message for e in caught.value.field_errors}
    assert len(messages) == 1, "an unknown key and someone else's key read the same (no existence oracle)"
    assert caught.value.status == 422
    assert platform.files.info(anns.key).attached_at is None  # type: ignore[union-attr]


def test_an_attached_file_cannot_be_attached_again_elsewhere_but_the_platform_may_copy_it(platform: Platform) -> None:
    stored = platform.files.put(ANN, "me.png", PNG)
    first = platform.records.create(ANN, "contact", {"name": "Ann", "photo": {"key": stored.key}})
    with pytest.raises(RecordInvalid) as caught:
        platform.records.create(ANN, "contact", {"name": "Ann again", "photo": {"key": stored.key}})
    assert errors_of(caught) == {"photo": "file_not_found"}
    copy = platform.records.create(SYSTEM, "contact", {"name": "Imported", "photo": first["photo"]})
    assert copy["photo"] == stored.reference()


def test_an_unchanged_reference_saves_for_anyone_who_may_edit_the_record(platform: Platform) -> None:
    stored = platform.files.put(ANN, "me.png", PNG)
    record = platform.records.create(ANN, "contact", {"name": "Ann", "photo": {"key": stored.key}})
    saved = platform.records.update(BOB, "contact", record["id"], {"name": "Ann B.", "photo": record["photo"],
                                                                    "version": record["version"]})
    assert saved["photo"] == stored.reference() and saved["name"] == "Ann B."


def test_a_failed_save_leaves_the_upload_unattached(platform: Platform) -> None:
    stored = platform.files.put(ANN, "me.png", PNG)
    with pytest.raises(RecordInvalid):
        platform.records.create(ANN, "contact", {"name": "", "photo": {"key": stored.key}})
    assert platform.files.info(stored.key).attached_at is None  # type: ignore[union-attr]
    platform.records.create(ANN, "contact", {"name": "Ann", "photo": {"key": stored.key}})  # still attachable


def test_prune_deletes_only_orphans_older_than_a_day(platform: Platform) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    old = FileStore(platform.engine, clock=lambda: now - dt.timedelta(days=2))
    orphan = old.put(ANN, "old.txt", b"forgotten")
    kept_old = old.put(ANN, "kept.txt", b"saved")
    platform.records.create(ANN, "contact", {"name": "Ann", "cv": {"key": kept_old.key}})
    fresh = platform.files.put(ANN, "new.txt", b"just uploaded")
    assert [f.key for f in platform.files.prune(dry_run=True)] == [orphan.key]
    assert platform.files.info(orphan.key) is not None
    assert [f.key for f in platform.files.prune()] == [orphan.key]
    assert platform.files.info(orphan.key) is None
    assert platform.files.info(kept_old.key) is not None and platform.files.info(fresh.key) is not None
