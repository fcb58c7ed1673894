"""HTTP hardening of the dashboard: security headers and the session cookie's lifetime and flags.

`protect(storage_secret, idle_timeout_s)` is called once before `ui.run(storage_secret=...)` (with the
same secret). It installs the session cookie middleware itself, so that NiceGUI reuses it, and wraps
it in `SecurityHeaders`, which sees every response, the session's `Set-Cookie` included:
- `Content-Security-Policy`: only this origin; no framing (`frame-ancestors 'none'`, against
  click-jacking). NiceGUI's pages need inline and evaluated scripts and inline styles (Vue templates,
  Quasar), so `'unsafe-inline'` and `'unsafe-eval'` stay; data: and blob: are for images and downloads.
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (a one-time login URL never leaks),
  `X-Frame-Options: DENY` for browsers that ignore frame-ancestors.
- The session cookie lives as long as the idle rule (15 minutes) and is `Secure` whenever the request
  came over HTTPS (directly, or from a trusted reverse proxy's `X-Forwarded-Proto`, which uvicorn turns
  into the request's scheme). The idle rule itself is enforced on the server (`guard`).
- Under HTTPS, `Strict-Transport-Security` (a year): a browser that reached the dashboard over
  HTTPS once never sends an officer's password to this host over plain HTTP.
"""

from __future__ import annotations

from typing import Any

from nicegui import app
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "session"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self' data: blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


# Under HTTPS only: the browser then never tries this host over plain HTTP again for a year.
HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response; `Secure` session cookie under HTTPS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                present = {name.lower() for name, _ in raw}
                message["headers"] = [
                    *((n, _secure(v) if https and n.lower() == b"set-cookie" else v) for n, v in raw),
                    *((n, v) for n, v in HEADERS if n not in present),
                    *((HSTS,) if https and HSTS[0] not in present else ()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _secure(cookie: bytes) -> bytes:
    if not cookie.startswith(SESSION_COOKIE.encode() + b"=") or b"; secure" in cookie.lower():
        return cookie
    return cookie + b"; secure"


def protect(storage_secret: str, idle_timeout_s: float) -> None:
    """Install the session cookie (lifetime = the idle rule) and the security headers on NiceGUI's app."""
    options: dict[str, Any] = {
        "secret_key": storage_secret,
        "session_cookie": SESSION_COOKIE,
        "max_age": max(60, int(idle_timeout_s)),
        "same_site": "lax",
        "https_only": False,  # `Secure` is added per request, when it came over HTTPS
    }
    app.add_middleware(SessionMiddleware, **options)
    app.add_middleware(SecurityHeaders)  # outermost: it also sees the session's Set-Cookie
