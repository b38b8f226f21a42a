"""Two gunicorn workers: a metadata change made through one is used by the other at once."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from metacrm.platform.runtime import Platform
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AUTH = "Basic " + base64.b64encode(f"{ADMIN_EMAIL}:{ADMIN_PASSWORD}".encode()).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": AUTH, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def start_gunicorn(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str] | None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--access-logfile", str(log),
         "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return server, base
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                server.wait(timeout=30)
                return None
            time.sleep(0.2)


@pytest.fixture
def workers(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    platform = Platform.from_url(database_url, migrate=True)
    platform.users.create(ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True)
    platform.engine.dispose()
    log = tmp_path / "access.log"
    env = {**os.environ, "METACRM_DATABASE_URL": database_url, "METACRM_INSTANCE_PATH": str(tmp_path),
           "METACRM_SECRET_KEY": "test-secret"}
    for _attempt in range(3):  # a free port can be taken by another process before gunicorn binds it
        started = start_gunicorn(env, log)
        if started is not None:
            break
    else:
        pytest.fail("gunicorn did not start")
    server, base = started
    yield base, log
    server.terminate()
    server.wait(timeout=30)


def test_every_worker_uses_a_new_object_on_its_next_request(workers: tuple[str, Path]) -> None:
    base, log = workers
    status, _ = call(base, "PUT", "/api/v1/metadata/objects/deal",
                     {"name": "deal", "fields": [{"name": "title", "type": "text", "required": True}]})
    assert status == 201
    served_by: set[str] = set()
    for batch in range(10):  # the kernel spreads connections between workers; give it a few chances
        statuses = [call(base, "POST", "/api/v1/records/deal", {"title": f"deal {batch}-{i}"})[0] for i in range(20)]
        assert statuses == [201] * 20
        time.sleep(0.2)  # the access log line is written after the response
        served_by = {m.group(1) for m in re.finditer(r"^<(\d+)> POST /api/v1/records/deal 201$", log.read_text(), re.M)}
        if len(served_by) == 2:
            break
    assert len(served_by) == 2, "both workers should have served records of the new object"
