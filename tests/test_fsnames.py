"""Tests for provpack.fsnames: names and command-line values as UTF-8 text, whatever the locale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from provpack import fsnames

from conftest import C_LOCALE, EUC_JP, LATIN_1, locale_env

# Each value's bytes on the command line: café in UTF-8 and in Latin-1, 日本 in UTF-8 and in EUC-JP, plain ASCII.
VALUES = (b"caf\xc3\xa9", b"caf\xe9", "\u65e5\u672c".encode(), "\u65e5\u672c".encode("euc_jp"), b"cafe")
SCRIPT = ("import sys\nfrom provpack.fsnames import command_text, utf8_reading\n"
          "for value in sys.argv[1:]:\n    print(ascii(value), ascii(utf8_reading(value)), ascii(command_text(value)))")


@pytest.mark.parametrize("locale, read", [
    (C_LOCALE, [  # (every byte past ASCII unread: a lone surrogate; UTF-8 is then what they are, for free text too)
        "'caf\\udcc3\\udca9' 'caf\\xe9' 'caf\\xe9'",
        "'caf\\udce9' None 'caf\\udce9'",   # (not UTF-8: left for the command to refuse)
        "'\\udce6\\udc97\\udca5\\udce6\\udc9c\\udcac' '\\u65e5\\u672c' '\\u65e5\\u672c'",
        "'\\udcc6\\udcfc\\udccb\\udcdc' None '\\udcc6\\udcfc\\udccb\\udcdc'",
        "'cafe' None 'cafe'"]),
    (LATIN_1, [  # (every byte read: free text keeps the locale's reading, a name is also looked for as UTF-8)
        "'caf\\xc3\\xa9' 'caf\\xe9' 'caf\\xc3\\xa9'",
        "'caf\\xe9' None 'caf\\xe9'",
        "'\\xe6\\x97\\xa5\\xe6\\x9c\\xac' '\\u65e5\\u672c' '\\xe6\\x97\\xa5\\xe6\\x9c\\xac'",
        "'\\xc6\\xfc\\xcb\\xdc' None '\\xc6\\xfc\\xcb\\xdc'",
        "'cafe' None 'cafe'"]),
    (EUC_JP, [   # (glibc reads 0x97 and 0x9c alone as U+0097 and U+009C, which Python's euc_jp cannot encode)
        "'caf\\u8fbf' 'caf\\xe9' 'caf\\u8fbf'",
        "'caf\\udce9' None 'caf\\udce9'",
        "'\\udce6\\x97\\u30e6\\x9c\\udcac' '\\u65e5\\u672c' '\\u65e5\\u672c'",   # (A5 E6 read as one character, U+30E6)
        "'\\u65e5\\u672c' None '\\u65e5\\u672c'",
        "'cafe' None 'cafe'"]),
], ids=["C", "Latin-1", "EUC-JP"])
def test_a_command_line_value_is_read_as_utf8_where_the_locale_reads_its_bytes_otherwise(
        tmp_path: Path, locale: str, read: list[str]) -> None:
    """utf8_reading gives a value's bytes read as UTF-8 when the locale read them as other text; command_text takes
    that reading only where the locale could not read the bytes. In EUC-JP the bytes of 日本 in UTF-8 (E6 97 A5 E6 9C
    AC) are read by the C library, which Python's codec cannot undo (os.fsencode fails on U+0097): the C library's
    wcrtomb gives them back, so they are found to be 日本 (they were not)."""
    env = locale_env(tmp_path, locale)
    done = subprocess.run([sys.executable, "-c", SCRIPT, *VALUES], capture_output=True, text=True, env=env,
                          timeout=60)
    assert (done.returncode, done.stderr, done.stdout.splitlines()) == (0, "", read)


def test_a_utf8_locale_has_one_reading() -> None:
    """In a UTF-8 locale (this test's) a value is its one reading: text, or bytes that are not UTF-8, as they are."""
    if not fsnames.NATIVE:
        pytest.skip("the file system encoding here is not UTF-8")
    assert [fsnames.utf8_reading(value) for value in ("caf\u00e9", "caf\udce9", "cafe")] == [None, None, None]
    assert fsnames.command_text("caf\udce9") == "caf\udce9"
    assert fsnames.command_line_bytes("caf\u00e9\udce9") == b"caf\xc3\xa9\xe9"
