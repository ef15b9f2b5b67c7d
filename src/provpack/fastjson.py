"""orjson, where its wheel is installed (None elsewhere: the standard library's json then does the work).

Imported with SIGINT, SIGTERM and SIGHUP blocked: an interrupt landing inside orjson's module initialisation
(the imports it makes itself) crashed the process with SIGSEGV, exit 139, instead of 130 or 143 (about 1 in 40
of the Ctrl-Cs that came 60 to 120 ms after a command started). A signal sent meanwhile arrives once the
import is done.
"""

from __future__ import annotations

import signal
import threading
from types import ModuleType

_HELD = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def _load() -> ModuleType | None:
    blocking = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD) if blocking else None
    try:
        import orjson
    except ImportError:   # no wheel for this platform
        return None
    finally:
        if previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    return orjson


orjson = _load()
