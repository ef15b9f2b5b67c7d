"""The public API: __all__ and what the package exports agree."""

from __future__ import annotations

import sys

import provpack


def test_all_matches_exports() -> None:
    """Every name in __all__ exists, and every public top-level name is in __all__."""
    public = {name for name in dir(provpack) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(provpack, name)).__name__ == "module"}
    assert set(provpack.__all__) - {"__version__"} == public - modules
    assert all(hasattr(provpack, name) for name in provpack.__all__)


def test_errors_share_one_base() -> None:
    """Every error provpack raises on purpose is a ProvpackError with an exit code."""
    for error in (provpack.InputError, provpack.ArchiveError, provpack.CaptureError):
        assert issubclass(error, provpack.ProvpackError)
    assert provpack.ProvpackError.exit_code == 2


def test_types_the_public_functions_return_are_exported() -> None:
    """A class that a public function returns, or that a returned object holds or returns, is importable from
    provpack: `provpack.index` yields CdxjLine, `PackageResult.summed()` gives Totals."""
    import dataclasses
    import inspect
    import typing

    for name in provpack.__all__:
        getattr(provpack, name)   # load every public module, so that annotations naming their classes resolve
    names: dict[str, object] = {}
    for module in [m for m in sys.modules.values() if m is not None and m.__name__.startswith("provpack")]:
        names.update(vars(module))
    found: set[type] = set()

    def returned(function: object) -> object:
        hint = inspect.get_annotations(function).get("return")  # type: ignore[arg-type]
        return eval(hint, getattr(function, "__globals__", {}), names) if isinstance(hint, str) else hint

    def walk(hint: object) -> None:
        for arg in typing.get_args(hint):
            walk(arg)
        if isinstance(hint, type) and hint.__module__.startswith("provpack.") and hint not in found:
            found.add(hint)
            if dataclasses.is_dataclass(hint):
                for field_hint in typing.get_type_hints(hint, localns=names).values():
                    walk(field_hint)
            for name, member in inspect.getmembers(hint, inspect.isfunction):
                if not name.startswith("_"):
                    walk(returned(member))
            for name, member in inspect.getmembers(hint, lambda m: isinstance(m, property)):
                walk(returned(member.fget))

    for name in provpack.__all__:
        value = getattr(provpack, name)
        if inspect.isfunction(value):
            walk(returned(value))
    assert {"VerifyReport", "ArchivedDocument"} <= {cls.__name__ for cls in found}
    missing = sorted(cls.__name__ for cls in found if cls.__name__ not in provpack.__all__)
    assert missing == []
