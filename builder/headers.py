"""The HTTP headers a static server should send with the site, declared once.

``deploy/nginx.conf`` sends exactly these (a test checks that it does); a meta tag cannot
carry ``frame-ancestors`` or ``X-Robots-Tag``, so an internal site needs them as headers.
"""

from __future__ import annotations

from .sphinx_ext.site import CONTENT_SECURITY_POLICY

#: Sent with every response.
HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY + "; frame-ancestors 'none'",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

#: Cache-Control by kind of file: pages revalidate; static files and PDFs are cached for a day.
CACHE_CONTROL = {"html": "no-cache", "static": "public, max-age=86400"}


def headers_for(path: str) -> dict[str, str]:
    kind = "html" if path.endswith((".html", "/")) or "." not in path.rsplit("/", 1)[-1] else "static"
    return {**HEADERS, "Cache-Control": CACHE_CONTROL[kind]}
