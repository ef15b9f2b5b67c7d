"""Tests for provpack.typos: names written like a known one."""

from __future__ import annotations

import pytest

from provpack.typos import near_names, one_edit, swapped

KNOWN = ("title", "published", "source_url", "url", "license")


@pytest.mark.parametrize(("name", "near"), [
    ("soruce_url", ("source_url",)),   # two neighbours swapped
    ("sourc_url", ("source_url",)),    # a letter dropped
    ("titles", ("title",)),            # a letter added
    ("licence", ("license",)),         # a letter changed
    ("Title", ("title",)), ("SOURCE-URL", ("source_url",)), ("sourceurl", ("source_url",)),   # case, '-', '_'
    ("Source-Ulr", ("source_url",)),   # both
    ("uri", ("url",)),
    ("title", ()), ("url", ()),        # known
    ("isbn", ()), ("sorce_ulr", ()), ("", ()), ("u", ()),   # two edits or more
])
def test_near_names_are_the_known_ones_a_name_is_written_like(name: str, near: tuple[str, ...]) -> None:
    assert near_names(name, KNOWN) == near


def test_a_name_near_two_known_ones_gives_both_in_their_order() -> None:
    assert near_names("sha254", ("sha224", "sha256", "md5")) == ("sha224", "sha256")


@pytest.mark.parametrize(("a", "b", "near"), [
    ("abc", "abd", True), ("abc", "acb", True), ("abc", "ab", True), ("ab", "abc", True), ("abc", "xabc", True),
    ("abc", "abc", False), ("abc", "cba", False), ("abc", "a", False), ("abcd", "badc", False),
])
def test_one_edit(a: str, b: str, near: bool) -> None:
    assert one_edit(a, b) is near


@pytest.mark.parametrize(("a", "b", "near"), [
    ("ulr", "url", True), ("titel", "title", True), ("abcd", "bacd", True), ("abcd", "abdc", True),
    ("abc", "abd", False), ("abc", "abc", False), ("abc", "ab", False), ("abcd", "badc", False), ("abc", "cba", False),
])
def test_swapped(a: str, b: str, near: bool) -> None:
    assert swapped(a, b) is near
