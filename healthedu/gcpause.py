"""Holding off Python's cyclic garbage collector while a large result is built."""

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """Hold off the cyclic collector inside the block: each of its full collections walks every
    object kept so far, and a block that builds hundreds of thousands of rows (an import's rows,
    a province's breakdown) would pay for it many times over. Such rows make no reference
    cycles; whatever garbage cycles there are wait until the block ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
