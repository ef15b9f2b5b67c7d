"""The public API: __all__ and what the package exports agree."""

from __future__ import annotations

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
