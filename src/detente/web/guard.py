"""What stands between the network and the web app: one ASGI layer that every request passes.

It answers, before the app sees the request:

* a Host header not on the allow-list: 400 (a page on another site that re-points its own domain
  at 127.0.0.1, "DNS rebinding", would otherwise read the run store);
* no access token, when the app was started with one: 401 (``?token=`` on the first visit sets a
  cookie, or ``Authorization: Bearer TOKEN`` for scripts);
* a state-changing request sent from another site (its ``Origin`` or ``Sec-Fetch-Site`` says so):
  403, so a page the analyst visits cannot start runs or overwrite saved scenarios;
* a body that is not what the route reads (JSON, or a multipart form for the upload): 415;
* a body over the size cap, counted while it streams in (so a chunked body without a
  Content-Length is capped too): 413.

Every response, the app's own included, gets security headers (a Content-Security-Policy that
allows nothing from outside, no framing, no MIME sniffing, no referrer). No error message quotes
the request body.
"""

from __future__ import annotations

import hmac
import json
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable, Iterable
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.exceptions import HTTPException

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
TOKEN_COOKIE = "detente_token"
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
UPLOAD_PATHS = {"/api/upload"}

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        b"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
"""Plotly draws its charts with inline styles (hence ``style-src 'unsafe-inline'``); no inline script runs."""


class BodyTooLarge(HTTPException):
    """The request body went past the cap while it was being read."""

    def __init__(self, limit: int):
        super().__init__(status_code=413, detail=f"the request is larger than {limit // 2**20} MB")


def host_name(host_header: str) -> str:
    """The host part of a Host header, lower case, without port; IPv6 literals without brackets."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """The ASGI layer described in the module docstring; wraps the whole app (outermost)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        allowed_hosts: Iterable[str] | None = LOOPBACK_HOSTS,
        token: str | None = None,
    ):
        self.app = app
        self.max_body = max_body
        self.allowed_hosts = None if allowed_hosts is None else {host_name(h) for h in allowed_hosts}
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_security_headers(send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            status, message = refusal
            await _send_json(send, status, {"error": message})
            return
        if self.token is not None and self._token_in_query(scope) and scope["method"] == "GET":
            await self._set_cookie_and_redirect(scope, send)
            return
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, self._capped(receive), tracked_send)
        except BodyTooLarge as error:
            if started:
                raise
            await _send_json(send, 413, {"error": error.detail})

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        host = host_name(headers.get("host", ""))
        if self.allowed_hosts is not None and host not in self.allowed_hosts:
            return 400, "this server does not answer to that host name (start it with --allow-host NAME to add one)"
        if self.token is not None and not self._has_token(scope, headers):
            return 401, "this detente server needs its access token: open the address with ?token=… that it printed when it started"
        method = scope["method"]
        if method in STATE_CHANGING:
            if headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
                return 403, "a request from another site was refused"
            origin = headers.get("origin")
            if origin is not None and (origin == "null" or urlsplit(origin).netloc.lower() != headers.get("host", "").lower()):
                return 403, "a request from another site was refused"
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body:
                return 413, f"the request is larger than {self.max_body // 2**20} MB"
            if method != "DELETE" and _has_body(headers):
                kind = headers.get("content-type", "").split(";")[0].strip().lower()
                wanted = "multipart/form-data" if scope["path"] in UPLOAD_PATHS else "application/json"
                if kind != wanted:
                    return 415, f"send the request body as {wanted}"
        return None

    def _has_token(self, scope: Scope, headers: dict[str, str]) -> bool:
        offered = []
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            offered.append(authorization[7:].strip())
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header carries no token
            cookie = SimpleCookie()
        if TOKEN_COOKIE in cookie:
            offered.append(cookie[TOKEN_COOKIE].value)
        offered.extend(self._query_tokens(scope))
        return any(hmac.compare_digest(candidate.encode(), self.token.encode()) for candidate in offered)

    @staticmethod
    def _query_tokens(scope: Scope) -> list[str]:
        return parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])

    def _token_in_query(self, scope: Scope) -> bool:
        return bool(self._query_tokens(scope))

    async def _set_cookie_and_redirect(self, scope: Scope, send: Send) -> None:
        """The first visit's ``?token=`` becomes a cookie, and the address bar loses the token."""
        query = {k: v for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items() if k != "token"}
        location = scope["path"] + (f"?{urlencode(query, doseq=True)}" if query else "")
        cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
        await send({"type": "http.response.start", "status": 303, "headers": [(b"location", location.encode()), (b"set-cookie", cookie.encode()), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    def _capped(self, receive: Receive) -> Receive:
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        return capped_receive

    @staticmethod
    def _with_security_headers(send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return send_with_headers


def _has_body(headers: dict[str, str]) -> bool:
    return headers.get("content-length", "0") not in {"", "0"} or "transfer-encoding" in headers


async def _send_json(send: Send, status: int, content: dict[str, Any]) -> None:
    body = json.dumps(content).encode()
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def is_loopback(host: str) -> bool:
    return host_name(host) in LOOPBACK_HOSTS or host_name(host).startswith("127.")


def access_settings(bind: str, token: str | None, extra_hosts: Iterable[str] = ()) -> tuple[str | None, list[str] | None]:
    """The token and Host allow-list for serving on ``bind``.

    On loopback: no token unless given, and only loopback names (plus ``extra_hosts``). On any
    other address a token is required (a new random one when none is given), and the allow-list is
    the bound address, the loopback names and ``extra_hosts``; bound to every address (0.0.0.0,
    ::) without ``extra_hosts``, any Host name is answered, since the token already guards it.
    """
    import secrets

    extra = [h for h in extra_hosts if h]
    if is_loopback(bind):
        return token, [*LOOPBACK_HOSTS, bind, *extra]
    token = token or secrets.token_urlsafe(24)
    if bind in {"0.0.0.0", "::", ""} and not extra:
        return token, None
    return token, [*LOOPBACK_HOSTS, *([bind] if bind not in {"0.0.0.0", "::"} else []), *extra]
