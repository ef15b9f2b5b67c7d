"""provpack: package quoted excerpts, their elisions and provenance into verifiable WARC files.

    >>> result = provpack.package("seeds/", out="out/seeds.warc.gz", force=True)
    >>> report = provpack.verify(result.warc_path)
    >>> report.ok
    True

The names below are imported on first use, so that `provpack verify` does not pay for
requests, warcio, surt, cryptography and rich, which only the other commands need.
"""

from __future__ import annotations

import importlib
import logging
import sys
import types
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import ArchiveError, CaptureError, InputError, IntegrityError, ProvpackError

# A library's logger gets only a NullHandler (the logging HOWTO's advice): its warnings reach whatever
# the application configures, and never stderr through logging's last-resort handler on their own.
logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from .bag import make_bag
    from .cdxj import CdxjLine, index, write_index
    from .model import DocumentSummary, FetchFailure, PackageResult, Totals, UnalignedOriginal, UnmatchedOriginal
    from .package import package
    from .reader import ArchivedDocument, extract, read_archive
    from .verify import FileReport, Problem, Status, VerifyReport, verify
    from .wacz import make_wacz

__all__ = [
    "ArchiveError",
    "ArchivedDocument",
    "CaptureError",
    "CdxjLine",
    "DocumentSummary",
    "FetchFailure",
    "FileReport",
    "InputError",
    "IntegrityError",
    "PackageResult",
    "Problem",
    "ProvpackError",
    "Status",
    "Totals",
    "UnalignedOriginal",
    "UnmatchedOriginal",
    "VerifyReport",
    "__version__",
    "extract",
    "index",
    "make_bag",
    "make_wacz",
    "package",
    "read_archive",
    "verify",
    "write_index",
]

# public name -> the module that defines it
_LAZY = {
    "make_bag": "bag",
    "CdxjLine": "cdxj",
    "index": "cdxj",
    "write_index": "cdxj",
    "DocumentSummary": "model",
    "FetchFailure": "model",
    "PackageResult": "model",
    "Totals": "model",
    "UnalignedOriginal": "model",
    "UnmatchedOriginal": "model",
    "package": "package",
    "ArchivedDocument": "reader",
    "extract": "reader",
    "read_archive": "reader",
    "FileReport": "verify",
    "Problem": "verify",
    "Status": "verify",
    "VerifyReport": "verify",
    "verify": "verify",
    "make_wacz": "wacz",
}


if not TYPE_CHECKING:   # (a module __getattr__ seen by a type checker makes every `provpack.X` Any, misspelt too)
    def __getattr__(name: str) -> Any:
        """Import a public name's module on first use."""
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    """The public names, loaded or not."""
    return sorted(set(__all__) | {name for name in globals() if name.startswith("__")})


class _Provpack(types.ModuleType):
    """The package module: a submodule import must not replace the function of the same name.

    `provpack.verify` and `provpack.package` are functions, and also modules; importing the
    module `provpack.verify` would otherwise bind the module over the function.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Provpack
