"""File names as the archive holds them, UTF-8 text whatever the locale, and back as the os takes them.

A file name on POSIX is bytes. Python decodes it (os.listdir, sys.argv) with the file system encoding, which
follows the locale: in a Latin-1 locale the UTF-8 name café.txt comes as 'cafÃ©.txt', in a C locale with the
UTF-8 coercions off as 'caf\\udcc3\\udca9.txt'. What the archive records of a name (a document's name, its
sidecar's, WARC-Filename) is its bytes read as UTF-8 instead, so the archive is the same in every locale, and a
name whose bytes are not UTF-8 is said to be so truthfully. Files are still opened by the name the os gave.

A value on the command line is bytes too, decoded by Python with the locale's encoding: a document's name is looked
for both as the locale reads it and as its bytes read as UTF-8 (`utf8_reading`), and other text is read as UTF-8 only
where the locale cannot read its bytes (`command_text`: a C locale's ASCII), since nothing tells its two readings apart.
"""

from __future__ import annotations

import codecs
import os
import sys

# (on POSIX the file system's errors are surrogateescape: a name's bytes that are not UTF-8 are lone surrogates)
ENCODING = codecs.lookup(sys.getfilesystemencoding()).name   # (the locale's: 'iso8859-1', 'ascii' in a C locale)
NATIVE = ENCODING == "utf-8"   # (then text_name and os_name change nothing, and a value has one reading)


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


def utf8_reading(value: str) -> str | None:
    """A command-line value's bytes read as UTF-8, where that is another text than the locale's reading of them
    (`value`): in a Latin-1 locale 'cafÃ©' for café's UTF-8 bytes gives 'café', in a C locale 'caf\\udcc3\\udca9'
    does. None in a UTF-8 locale, for ASCII, for bytes that are not UTF-8, and for a character the locale has no
    bytes for (a value given to main() as text, not on a command line)."""
    if NATIVE or value.isascii():
        return None
    data = command_line_bytes(value)
    try:
        reading = None if data is None else data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if reading == value else reading


def command_line_bytes(value: str) -> bytes | None:
    """The bytes a command-line value was read from: os.fsencode's, or, for a character Python's codec has no bytes
    for, the C library's (wcrtomb), which read the command line (mbrtowc): glibc's EUC-JP reads a byte 0x80 to 0x9F
    alone as U+0080 to U+009F, Python's euc_jp encodes none of them, and UTF-8 holds such bytes (日 is E6 97 A5).
    None when neither has bytes for it."""
    try:
        return os.fsencode(value)
    except UnicodeEncodeError:
        pass
    try:
        import ctypes

        wcrtomb = ctypes.CDLL(None).wcrtomb
    except (ImportError, OSError, AttributeError):   # (no ctypes, no C library to ask)
        return None
    wcrtomb.argtypes = (ctypes.c_char_p, ctypes.c_wchar, ctypes.c_void_p)
    wcrtomb.restype = ctypes.c_size_t
    failed = ctypes.c_size_t(-1).value
    buffer = ctypes.create_string_buffer(16)   # (MB_LEN_MAX)
    data = bytearray()
    for char in value:
        if "\udc80" <= char <= "\udcff":   # (a byte the C library could not read: surrogateescape's)
            data.append(ord(char) - 0xDC00)
            continue
        size = wcrtomb(buffer, char, None)
        if size == failed:
            return None
        data += buffer.raw[:size]
    return bytes(data)


def command_text(value: str) -> str:
    """A command-line value of free text (a description, a title) as the locale reads it, unless the locale could not
    read its bytes (a lone surrogate U+DC80 to U+DCFF stands for one) and they are UTF-8: then as UTF-8. A C locale
    reads only ASCII, and UTF-8 is then what the bytes are (as Python's own UTF-8 mode takes them there); a Latin-1
    locale reads every byte, and its reading is the one kept (café typed in a Latin-1 terminal is 0xE9)."""
    if NATIVE or value.isascii() or not any("\udc80" <= char <= "\udcff" for char in value):
        return value
    reading = utf8_reading(value)
    return value if reading is None else reading
