"""Helpers for real-browser tests: a local HTTP server and Debian's headless Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import re
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
def serve(directory: Path, handler_class: type = _QuietHandler) -> Iterator[str]:
    """Serve ``directory`` on a free loopback port; yields the base URL."""
    handler = functools.partial(handler_class, directory=str(directory))
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


def search_from(page: object, url: str, query: str) -> list[str]:
    """Open ``url``, type ``query`` into the site's search box as a reader would, wait for the results:
    their links, best first."""
    page.goto(url)  # type: ignore[attr-defined]
    box = page.locator("input[name=q]").first  # type: ignore[attr-defined]
    box.fill(query)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\.html\?"))  # type: ignore[attr-defined]
    wait_for_search(page)
    links = page.locator("#search-results ul.search li > a")  # type: ignore[attr-defined]
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


@contextmanager
def serve_with_headers(directory: Path, headers_for: object) -> Iterator[str]:
    """Like :func:`serve`, sending ``headers_for(path)`` with every response (the nginx recipe's stand-in)."""

    class Handler(_QuietHandler):
        def end_headers(self) -> None:
            for name, value in headers_for(self.path.split("?")[0]).items():  # type: ignore[operator]
                self.send_header(name, value)
            super().end_headers()

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            page = directory / "404.html"
            if code == 404 and page.is_file():  # nginx: error_page 404 /404.html
                body = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().send_error(code, message, explain)

    with serve(directory, Handler) as url:
        yield url


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
RECIPE = Path(__file__).parents[1] / "deploy" / "nginx.conf"


def nginx_available() -> bool:
    return Path(NGINX).exists()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_config(recipe: str, site: Path, port: int, prefix: Path) -> str:
    """deploy/nginx.conf as shipped, pointed at ``site`` on a loopback ``port``, wrapped in a main config
    that keeps every file nginx writes inside ``prefix``."""
    server = recipe.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    server = re.sub(r"root [^;]+;", f"root {site};", server, count=1)
    user = "user root;\n" if os.geteuid() == 0 else ""  # a root master's workers must read pytest's 0700 tmp
    temp = " ".join(f"{kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                      "scgi"))
    return (f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'};\n"
            f"events {{ worker_connections 64; }}\n"
            f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n {temp}\n{server}\n}}\n")


@contextmanager
def serve_with_nginx(directory: Path, prefix: Path) -> Iterator[str]:
    """Serve ``directory`` with Debian's nginx running the deploy/nginx.conf recipe; yields the base URL."""
    import subprocess
    import time
    import urllib.request

    prefix.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_config(RECIPE.read_text(encoding="utf-8"), directory.resolve(), port, prefix),
                    encoding="utf-8")
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/index.html", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    log = (prefix / "error.log").read_text(encoding="utf-8", errors="replace")
                    raise AssertionError(f"nginx stopped: {log[-2000:]}") from None
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def axe_source() -> str:
    """The axe-core script, to inject into a page under test."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
