"""fastjson: orjson imported with SIGINT, SIGTERM and SIGHUP held (an interrupt inside its init crashed)."""

from __future__ import annotations

import builtins
import signal
from typing import Any

import pytest

from provpack import fastjson

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no signal masks here")


def test_orjson_is_imported_with_interrupts_held_and_the_mask_put_back(monkeypatch: pytest.MonkeyPatch) -> None:
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    seen: list[set[signal.Signals]] = []
    real = builtins.__import__

    def watching(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "orjson":
            seen.append(set(signal.pthread_sigmask(signal.SIG_BLOCK, [])))
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", watching)
    module = fastjson._load()
    assert seen and {signal.SIGINT, signal.SIGTERM, signal.SIGHUP} <= seen[0]
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
    assert module is fastjson.orjson


def test_without_orjson_it_is_none_and_the_mask_is_put_back(monkeypatch: pytest.MonkeyPatch) -> None:
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    real = builtins.__import__

    def missing(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "orjson":
            raise ImportError("no orjson")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", missing)
    assert fastjson._load() is None
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
