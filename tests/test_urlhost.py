"""provpack.urlhost: a URL's host as the WHATWG URL standard reads it (as browsers, and proxies that follow them)."""

from __future__ import annotations

import pytest

from provpack.urlhost import idna_host, ipv4_address, read_host

# Each read as Node 20's URL parser (the WHATWG standard's) reads the hostname of `http://HOST/`, but for an IPv4
# address, kept as written (ipv4_address reads it: Node gives 127.0.0.1 for the three here).
READ = [
    ("example.org", "example.org"),
    ("EXAMPLE.org", "example.org"),
    ("localhost%2e", "localhost."),
    ("%6c%6fcalhost", "localhost"),
    ("%4C%4FCALHOST", "localhost"),
    ("127.0.0.1%2e", "127.0.0.1."),
    ("%31%32%37.0.0.1", "127.0.0.1"),
    ("127.0.0.1%ef%bc%8e", "127.0.0.1."),            # a full-width full stop, escaped: UTS 46 makes it a dot
    ("%ef%bd%8cocalhost", "localhost"),               # a full-width l, escaped
    ("127\u30020\u30020\u30021", "127.0.0.1"),        # ideographic full stops
    ("%C3%A9xample.org", "xn--xample-9ua.org"),
    ("\u00e9xample.org", "xn--xample-9ua.org"),
    ("a%21b.org", "a!b.org"),                         # a sub-delim: no host code point the standard forbids
    ("a_b.example", "a_b.example"),
    ("0x7f.1", "0x7f.1"),
    ("1.2.3.09..", "1.2.3.09.."),                     # (its last label is empty: a name, not an IPv4 address)
]


@pytest.mark.parametrize(("host", "read"), READ)
def test_read_host_decodes_maps_and_lowers_as_browsers_do(host: str, read: str) -> None:
    """Percent-escapes are decoded as UTF-8, a non-ASCII host goes through UTS 46 to IDNA, ASCII is lower-cased."""
    assert read_host(host) == read


# What Node 20's URL parser gives as the hostname of `http://HOST/`: the standard's IPv4 parser, four decimal numbers.
IPV4 = [
    ("127.0.0.1", "127.0.0.1"),
    ("127.0.0.1.", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("0X7F.0.0.1", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("127.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("0x7f000001", "127.0.0.1"),
    ("017700000001", "127.0.0.1"),
    ("0x", "0.0.0.0"),
    ("0x.0x.0x.0x", "0.0.0.0"),
    ("0", "0.0.0.0"),
    ("00000000000000000000000000127.1", "87.0.0.1"),   # (octal: many leading zeros, 0127 is 87)
    ("4294967295", "255.255.255.255"),
    ("0xffffffff", "255.255.255.255"),
    ("10.0x10000", "10.1.0.0"),
    ("169.254.0x0a9fe", "169.254.169.254"),
]


@pytest.mark.parametrize(("host", "address"), IPV4)
def test_a_host_ending_in_a_number_is_an_ipv4_address_in_any_form_the_standard_reads(host: str,
                                                                                       address: str) -> None:
    """Decimal, octal after a leading 0, hexadecimal after 0x (`0x` alone is 0), one to four parts, the last
    filling the bytes left; a trailing dot is dropped."""
    assert ipv4_address(read_host(host)) == address


@pytest.mark.parametrize("host", ["example.org", "localhost.", "1.2.3.09..", "0x7g", "a.0xg", "127.0.0.1x"])
def test_a_host_that_does_not_end_in_a_number_is_a_name(host: str) -> None:
    assert ipv4_address(host) is None


REFUSED = [
    ("a%ffb", "the host 'a%ffb' is not UTF-8 text once its percent-escapes are decoded (%FF is not UTF-8 where it "
              "stands)"),
    ("%c3", "the host '%c3' is not UTF-8 text once its percent-escapes are decoded (%C3 is not UTF-8 where it "
            "stands)"),
    ("a%2fb", "the host 'a%2fb' holds '/' once its percent-escapes are decoded, which no host name may"),
    ("a%00b", "the host 'a%00b' holds '\\x00' once its percent-escapes are decoded, which no host name may"),
    ("a%25b", "the host 'a%25b' holds '%' once its percent-escapes are decoded, which no host name may"),
    ("a%3a80", "the host 'a%3a80' holds ':' once its percent-escapes are decoded, which no host name may"),
    ("a%20b", "the host 'a%20b' holds ' ' once its percent-escapes are decoded, which no host name may"),
    ("a%zz", "the host 'a%zz' holds '%', which no host name may"),
    ("a^b", "the host 'a^b' holds '^', which no host name may"),
    ("a\ud800%41", "the host 'a\\ud800%41' holds '\\ud800', which is not a Unicode character"),
    ("a..%E4%BE%8B", "the host 'a..%E4%BE%8B' (read as 'a..\u4f8b') is not a valid internationalized domain name "
                     "(Empty Label)"),
    ("1.2.3.09", "the host '1.2.3.09' ends in a number but is not an IPv4 address as browsers read one: '09' is not "
                 "a number (decimal, octal after a leading 0, hexadecimal after 0x)"),
    ("1..2", "the host '1..2' ends in a number but is not an IPv4 address as browsers read one: a part is empty"),
    ("example.123", "the host 'example.123' ends in a number but is not an IPv4 address as browsers read one: "
                    "'example' is not a number (decimal, octal after a leading 0, hexadecimal after 0x)"),
    ("1.2.3.4.5", "the host '1.2.3.4.5' ends in a number but is not an IPv4 address as browsers read one: it has 5 "
                  "parts, and an IPv4 address at most 4"),
    ("256.0.0.1", "the host '256.0.0.1' ends in a number but is not an IPv4 address as browsers read one: '256' is "
                  "more than 255"),
    ("4294967296", "the host '4294967296' ends in a number but is not an IPv4 address as browsers read one: its last "
                   "part, '4294967296', is more than 32 bits hold"),
    ("127.0.65536", "the host '127.0.65536' ends in a number but is not an IPv4 address as browsers read one: its "
                    "last part, '65536', is more than 16 bits hold"),
    ("1." + "9" * 5000, f"the host '1.{'9' * 5000}' ends in a number but is not an IPv4 address as browsers read "
                        f"one: its last part, '{'9' * 5000}', is more than 24 bits hold"),
    ("%31.2.3.09", "the host '%31.2.3.09' (read as '1.2.3.09') ends in a number but is not an IPv4 address as browsers "
                   "read one: '09' is not a number (decimal, octal after a leading 0, hexadecimal after 0x)"),
]


@pytest.mark.parametrize(("host", "message"), REFUSED)
def test_what_the_standard_reads_as_no_host_is_a_value_error_saying_why(host: str, message: str) -> None:
    """Escapes that decode to no UTF-8 text, a character no host may hold once decoded, a host ending in a number that
    is no IPv4 address: Node's URL parser refuses each (`Invalid URL`), but for the empty label, which its UTS 46
    takes and IDNA 2008 (the idna package, as for a sidecar's URL) refuses."""
    with pytest.raises(ValueError) as caught:
        read_host(host)
    assert str(caught.value) == message


def test_idna_host_names_the_host_it_refuses() -> None:
    with pytest.raises(ValueError) as caught:
        idna_host("a..\u4f8b")
    assert str(caught.value) == ("the host 'a..\u4f8b' is not a valid internationalized domain name (Empty Label)")


def test_exported_names_exist() -> None:
    """__all__ names what the module defines."""
    from provpack import urlhost
    assert urlhost.__all__ == ["idna_host", "ipv4_address", "read_host"]
    assert all(callable(getattr(urlhost, name)) for name in urlhost.__all__)
