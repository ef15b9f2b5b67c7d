"""provpack: package quoted excerpts, their elisions and provenance into verifiable WARC files.

    >>> result = provpack.package("seeds/", out="archive/seeds.warc.gz")
    >>> report = provpack.verify(result.warc_path)
    >>> report.ok
    True
"""

from ._version import __version__
from .bag import make_bag
from .cdxj import index, write_index
from .errors import ArchiveError, CaptureError, InputError, IntegrityError, ProvpackError
from .model import DocumentSummary, FetchFailure, PackageResult
from .package import package
from .reader import ArchivedDocument, extract, read_archive
from .verify import FileReport, Problem, Status, VerifyReport, verify
from .wacz import make_wacz

__all__ = [
    "ArchiveError",
    "ArchivedDocument",
    "CaptureError",
    "DocumentSummary",
    "FetchFailure",
    "FileReport",
    "InputError",
    "IntegrityError",
    "PackageResult",
    "Problem",
    "ProvpackError",
    "Status",
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
