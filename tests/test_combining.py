"""The combining marks' class: Unicode 14's category M exactly, as Python 3.11's unicodedata gives it."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest

from provpack.combining import COMBINING_MARKS, UNICODE_VERSION

_CLASS = re.compile(f"[{COMBINING_MARKS}]")


def _in_class() -> set[int]:
    return {code for code in range(sys.maxunicode + 1) if _CLASS.match(chr(code))}


def test_every_character_of_the_class_is_a_combining_mark() -> None:
    """A newer Unicode may add marks, never take one away: each is category M in any Python."""
    assert all(unicodedata.category(chr(code)).startswith("M") for code in _in_class())


@pytest.mark.skipif(unicodedata.unidata_version != UNICODE_VERSION,
                    reason=f"this Python has Unicode {unicodedata.unidata_version}, the class {UNICODE_VERSION}")
def test_the_class_is_exactly_category_m_of_its_unicode_version() -> None:
    marks = {code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)).startswith("M")}
    assert _in_class() == marks
