"""Job kinds and the service that runs each. Apps register theirs in AppConfig.ready()."""

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}


def job_handler(kind: str):
    """Register `fn(job, progress)`: it does the work, calls progress(0-100), returns a result dict."""

    def register(fn):
        HANDLERS[kind] = fn
        return fn

    return register
