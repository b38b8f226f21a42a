"""Jobs under test: fast retries, and real local Redis, HTTP and SMTP servers (no mocks)."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from metacrm.platform.jobs import Jobs, JobSettings
from metacrm.platform.runtime import Platform

REDIS_URL = "redis://127.0.0.1:6379/0"


def fast_settings(**overrides: Any) -> JobSettings:
    values: dict[str, Any] = dict(retry_base=0.05, retry_cap=0.2, poll_interval=0.05, redeliver_after=1.0)
    values.update(overrides)
    return JobSettings(**values)


def use_jobs(platform: Platform, settings: JobSettings, mode: str) -> Jobs:
    platform.jobs.stop()
    platform.jobs = Jobs(platform, settings, mode=mode)
    return platform.jobs


@pytest.fixture
def jobs(platform: Platform) -> Iterator[Jobs]:
    """Jobs that run only when the test drains them (``run_pending``): deterministic."""
    yield use_jobs(platform, fast_settings(), "manual")
    platform.jobs.stop()


@pytest.fixture
def thread_jobs(platform: Platform) -> Iterator[Jobs]:
    """The in-process mode: a daemon thread runs jobs after commit."""
    yield use_jobs(platform, fast_settings(), "thread")
    platform.jobs.stop()


@pytest.fixture
def redis_settings() -> Iterator[JobSettings]:
    """A fresh RQ queue name per test on the real Redis, emptied and deleted afterwards."""
    redis = pytest.importorskip("redis")
    from rq import Queue

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis not reachable: {exc}")
    name = f"metacrm-test-{uuid.uuid4().hex[:10]}"
    yield fast_settings(redis_url=REDIS_URL, queue=name)
    Queue(name, connection=connection).delete(delete_jobs=True)
    for key in connection.scan_iter(f"rq:*{name}*"):  # its registries
        connection.delete(key)
    connection.close()


@pytest.fixture
def rq_jobs(platform: Platform, redis_settings: JobSettings) -> Iterator[Jobs]:
    yield use_jobs(platform, redis_settings, "rq")
    platform.jobs.stop()


class Receiver:
    """A local HTTP endpoint recording what it receives; answers with ``statuses`` in turn, then 200."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.url = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            received.requests.append({"path": self.path, "headers": headers, "raw": raw,
                                      "json": json.loads(raw or b"null")})
            status = received.statuses.pop(0) if received.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield received
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, str]]:
    """A real SMTP server (aiosmtpd) on a free local port; yields it and its smtp:// URL."""
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, f"smtp://127.0.0.1:{port}"
    controller.stop()
