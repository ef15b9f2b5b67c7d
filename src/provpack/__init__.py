"""provpack: package quoted excerpts, their elisions and provenance into verifiable WARC files.

    >>> result = provpack.package("seeds/", out="archive/seeds.warc.gz")
    >>> report = provpack.verify(result.warc_path)
    >>> report.ok
    True
"""

from ._version import __version__
from .errors import ArchiveError, CaptureError, InputError, ProvpackError
from .model import DocumentSummary, PackageResult
from .package import package
from .reader import ArchivedDocument, extract, read_archive
from .verify import FileReport, Problem, Status, VerifyReport, verify

__all__ = [
    "ArchiveError",
    "ArchivedDocument",
    "CaptureError",
    "DocumentSummary",
    "FileReport",
    "InputError",
    "PackageResult",
    "Problem",
    "ProvpackError",
    "Status",
    "VerifyReport",
    "__version__",
    "extract",
    "package",
    "read_archive",
    "verify",
]
