"""Login throttling for the pages: failed attempts per username and per address, in the cache."""

from django.core.cache import cache

MAX_FAILURES = 5
WINDOW_SECONDS = 300


def _keys(request, username: str) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "")
    return [f"login-fail:user:{username.lower()}", f"login-fail:addr:{address}"]


def login_blocked(request, username: str) -> bool:
    return any((cache.get(key) or 0) >= MAX_FAILURES for key in _keys(request, username))


def login_failed(request, username: str) -> None:
    for key in _keys(request, username):
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)


def login_succeeded(request, username: str) -> None:
    cache.delete_many(_keys(request, username))
