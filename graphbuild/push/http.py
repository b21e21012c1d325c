"""The HTTP side of a push: one keep-alive client, credentials read from the environment or a
netrc file (never from the command line, where `ps` and shell history would show them), the
server's own choice of Basic or Digest, and retries with exponential backoff for what a busy
or restarting server answers."""

from __future__ import annotations

import netrc
import os
import time
from collections.abc import Callable, Generator
from pathlib import Path
from urllib.parse import urlsplit

import httpx

__all__ = [
    "PASSWORD_ENV",
    "RETRY_STATUSES",
    "USER_ENV",
    "ChallengeAuth",
    "PushError",
    "Sender",
    "credentials",
]

USER_ENV = "GRAPHBUILD_PUSH_USER"
PASSWORD_ENV = "GRAPHBUILD_PUSH_PASSWORD"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class PushError(RuntimeError):
    """A request the server refused, or that kept failing after every retry."""


def credentials(url: str, environ: dict[str, str] | None = None) -> tuple[str, str] | None:
    """(user, password) for `url`: `GRAPHBUILD_PUSH_USER` / `GRAPHBUILD_PUSH_PASSWORD`, else the
    netrc entry of the URL's host (`$NETRC`, else ~/.netrc); None when neither has one."""
    env = os.environ if environ is None else environ
    user = env.get(USER_ENV)
    if user:
        return user, env.get(PASSWORD_ENV, "")
    path = Path(env.get("NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(urlsplit(url).hostname or "")
    except (netrc.NetrcParseError, OSError) as exc:
        raise PushError(f"{path}: {exc}") from exc
    if entry is None:
        return None
    login, _account, password = entry
    return login, password or ""


class ChallengeAuth(httpx.Auth):
    """Basic or Digest, whichever the server's first 401 asks for; then that one throughout
    (Virtuoso's authenticated endpoints want Digest, most proxies Basic)."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self.user = user
        self.password = password
        self.inner: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.inner is not None:
            yield from self.inner.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "")
        if challenge.lower().startswith("digest"):
            self.inner = httpx.DigestAuth(self.user, self.password)
            flow = self.inner.auth_flow(request)
            next(flow)  # Digest's first, challenge-less attempt: answered by the 401 we hold
            try:
                retry = flow.send(response)
                response = yield retry
                flow.send(response)
            except StopIteration:
                return
        else:
            self.inner = httpx.BasicAuth(self.user, self.password)
            yield from self.inner.auth_flow(request)


class Sender:
    """Sends requests with retries: a connection error, a timeout or a 408/429/5xx answer is
    tried again after 0.5 s, 1 s, 2 s ... (or the server's Retry-After), up to `retries` more
    times; any other 4xx fails at once with the server's message."""

    def __init__(
        self,
        url: str,
        *,
        retries: int = 5,
        timeout: float = 120.0,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        creds = credentials(url)
        auth = ChallengeAuth(*creds) if creds else None
        self.client = httpx.Client(auth=auth, timeout=timeout, trust_env=False)
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.requests = 0
        self.retried = 0

    def send(
        self, method: str, url: str, *, allow: frozenset[int] = frozenset(), **kwargs: object
    ) -> httpx.Response:
        """The response to `method url`, a success or a status in `allow`."""
        attempt = 0
        while True:
            self.requests += 1
            try:
                response = self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
                wait = None
            else:
                if response.is_success or response.status_code in allow:
                    return response
                problem = f"HTTP {response.status_code}: {response.text.strip()[:500]}"
                if response.status_code not in RETRY_STATUSES:
                    raise PushError(f"{method} {url}: {problem}")
                wait = _retry_after(response)
            if attempt >= self.retries:
                raise PushError(f"{method} {url}: {problem} (after {attempt + 1} attempts)")
            self.retried += 1
            self.sleep(wait if wait is not None else min(self.backoff * 2**attempt, 30.0))
            attempt += 1

    def close(self) -> None:
        self.client.close()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return min(float(value), 60.0) if value.isdigit() else None
