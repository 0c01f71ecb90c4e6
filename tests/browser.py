"""Helpers for real-browser tests: a local HTTP server and Debian's headless Chromium."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Flags that keep Chromium from reaching the network on its own (no network here but loopback).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def wait_for_search(page: object, timeout: float = 30.0) -> str:
    """Wait until Sphinx's search has finished (polled from Python: the site's CSP forbids eval)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        summary = page.locator("#search-results .search-summary, #search-progress")  # type: ignore[attr-defined]
        text = summary.first.inner_text() if summary.count() else ""
        if "found" in text.lower() or "finished" in text.lower():
            return text
        time.sleep(0.2)
    raise AssertionError("the search did not finish")
