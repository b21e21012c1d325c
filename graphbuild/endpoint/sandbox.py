"""Defence in depth for the worker processes: take them off the network where the system
allows it, so even a query the guard somehow let through could reach no host.

A worker calls `drop_network()` first thing, while it is still single-threaded: it moves into
a new user and network namespace (Linux, unprivileged user namespaces), where the only
interface is a loopback that is down. Where that is not allowed (another OS, a locked-down
kernel) nothing changes and the guard (`guard`: SERVICE refused in the parsed query) is the
protection; the pool reports which case holds (`WorkerPool.stats().isolated`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def drop_network() -> bool:
    """Leave every network behind; True when it worked."""
    if not sys.platform.startswith("linux"):
        return False
    unshare = getattr(os, "unshare", None)  # Python 3.12+
    try:
        if unshare is not None:
            unshare(CLONE_NEWUSER | CLONE_NEWNET)
            return True
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False
