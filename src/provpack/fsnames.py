"""File names as the archive holds them, UTF-8 text whatever the locale, and back as the os takes them.

A file name on POSIX is bytes. Python decodes it (os.listdir, sys.argv) with the file system encoding, which
follows the locale: in a Latin-1 locale the UTF-8 name café.txt comes as 'cafÃ©.txt', in a C locale with the
UTF-8 coercions off as 'caf\\udcc3\\udca9.txt'. What the archive records of a name (a document's name, its
sidecar's, WARC-Filename) is its bytes read as UTF-8 instead, so the archive is the same in every locale, and a
name whose bytes are not UTF-8 is said to be so truthfully. Files are still opened by the name the os gave.
"""

from __future__ import annotations

import codecs
import os
import sys

# (on POSIX the file system's errors are surrogateescape: a name's bytes that are not UTF-8 are lone surrogates)
NATIVE = codecs.lookup(sys.getfilesystemencoding()).name == "utf-8"   # (then text_name and os_name change nothing)


def text_name(name: str) -> str:
    """A name as the os gave it, as UTF-8 text: its bytes decoded as UTF-8, each byte that is not UTF-8 a lone
    surrogate U+DC80 to U+DCFF (surrogateescape's), as a UTF-8 locale gives it."""
    if NATIVE or name.isascii():
        return name
    return os.fsencode(name).decode("utf-8", "surrogateescape")


def os_name(name: str) -> str:
    """A name in UTF-8 text (`text_name`'s) as the os takes it; a name with no bytes (a lone surrogate other than
    surrogateescape's) as it is, for the os to refuse."""
    if NATIVE or name.isascii():
        return name
    try:
        return os.fsdecode(name.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:
        return name
