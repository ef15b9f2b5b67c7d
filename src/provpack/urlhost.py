"""A URL's host as the WHATWG URL standard reads it: as browsers read it, and the proxies that follow them.

Its percent-escapes are decoded as UTF-8 (`localhost%2e` is `localhost.`, `%6c%6fcalhost` is `localhost`), a
non-ASCII host is mapped to ASCII by IDNA with UTS 46 (`127。0。0。1` is `127.0.0.1`), and a host whose last
label is a number is an IPv4 address in any form the standard reads: decimal, octal after a leading 0, hexadecimal
after 0x, in fewer than four parts (`0177.0.0.1`, `0x7f.1`, `127.1`, `2130706433`; `0x` is 0.0.0.0). What the
standard refuses as a host is a ValueError saying why: escapes that decode to no UTF-8 text, a character no host may
hold once decoded (`a%2fb`), a host that ends in a number but is no IPv4 address (`1.2.3.09`, `4294967296`).
requests passes a host on as written, but for the escapes of letters, digits and `-._~`, which it decodes.
"""

from __future__ import annotations

import re

__all__ = ["idna_host", "ipv4_address", "read_host"]

_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")
# What no domain may hold, once decoded (the standard's forbidden domain code points): the C0 controls, space,
# # % / : < > ? @ [ \ ] ^ | and DEL.
_FORBIDDEN = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")
_RADIX_DIGITS = {10: frozenset("0123456789"), 8: frozenset("01234567"), 16: frozenset("0123456789abcdefABCDEF")}
_TOO_MANY_DIGITS = 12   # (past leading zeros: 8**11 and more, over 32 bits in any radix)


def read_host(host: str) -> str:
    """`host` (a URL's, without its port, not an IPv6 address in brackets) as the WHATWG URL standard reads it,
    an IPv4 address as written: percent-decoded, in IDNA if not ASCII, in lower case. A ValueError saying why when
    the standard reads no host there."""
    decoded = _percent_decoded(host)
    domain = idna_host(decoded, shown=_shown(host, decoded)) if not decoded.isascii() else decoded.lower()
    bad = _FORBIDDEN.search(domain)
    if bad is not None:
        once = " once its percent-escapes are decoded" * (decoded != host)
        raise ValueError(f"the host {host!r} holds {bad.group()!r}{once}, which no host name may")
    try:
        ipv4_address(domain)
    except ValueError as exc:
        raise ValueError(f"the host {_shown(host, domain)} ends in a number but is not an IPv4 address as browsers "
                         f"read one: {exc}") from None
    return domain


def ipv4_address(domain: str) -> str | None:
    """The IPv4 address (four decimal numbers) an ASCII host names when its last label (before one trailing dot) is
    a number, as the WHATWG URL standard reads one; None for a host that does not end in a number; a ValueError
    saying why for one that ends in a number but is no IPv4 address."""
    parts = domain.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    last = parts[-1]
    if not (last.isascii() and last.isdigit()) and _number(last) is None:
        return None
    if len(parts) > 4:
        raise ValueError(f"it has {len(parts)} parts, and an IPv4 address at most 4")
    numbers: list[int] = []
    for part in parts:
        number = _number(part)
        if number is None:
            raise ValueError(f"{part!r} is not a number (decimal, octal after a leading 0, hexadecimal after 0x)"
                             if part else "a part is empty")
        numbers.append(number)
    for part, number in zip(parts[:-1], numbers[:-1]):
        if number > 255:
            raise ValueError(f"{part!r} is more than 255")
    bits = 8 * (5 - len(parts))
    if numbers[-1] >= 1 << bits:
        raise ValueError(f"its last part, {last!r}, is more than {bits} bits hold")
    value = numbers[-1] + sum(number << (8 * (3 - at)) for at, number in enumerate(numbers[:-1]))
    return ".".join(str((value >> shift) & 255) for shift in (24, 16, 8, 0))


def idna_host(host: str, *, shown: str | None = None) -> str:
    """The non-ASCII host in IDNA 2008 with UTS 46 mapping; ValueError naming a host IDNA refuses (as `shown`)."""
    import idna   # requests' own dependency

    try:
        return str(idna.encode(host, uts46=True).decode("ascii"))
    except idna.IDNAError as exc:
        raise ValueError(f"the host {shown or repr(host)} is not a valid internationalized domain name "
                         f"({exc})") from exc


def _number(part: str) -> int | None:
    """A part of an IPv4 address as the standard reads it (0x: hexadecimal, a leading 0: octal, else decimal; `0x`
    alone is 0), or None; 2**32 for one of more digits than 32 bits hold in any radix."""
    radix = 10
    if part[:2] in ("0x", "0X"):
        part, radix = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        part, radix = part[1:], 8
    elif not part:
        return None
    if not set(part) <= _RADIX_DIGITS[radix]:
        return None
    digits = part.lstrip("0")
    return 1 << 32 if len(digits) > _TOO_MANY_DIGITS else int(digits or "0", radix)


def _percent_decoded(host: str) -> str:
    """`host` with its %XX escapes decoded and read as UTF-8 (a % not followed by two hex digits kept as it is); a
    ValueError when they decode to no UTF-8 text."""
    if "%" not in host:
        return host
    try:
        written = host.encode("utf-8")
    except UnicodeEncodeError as exc:   # a lone surrogate: no UTF-8 form
        raise ValueError(f"the host {host!r} holds {host[exc.start]!r}, which is not a Unicode character") from None
    raw = _ESCAPE.sub(lambda match: bytes((int(match.group(1), 16),)), written)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the host {host!r} is not UTF-8 text once its percent-escapes are decoded "
                         f"(%{raw[exc.start]:02X} is not UTF-8 where it stands)") from None


def _shown(host: str, read: str) -> str:
    """The host in a message: as written, and as read when that differs but for case."""
    return repr(host) if read == host.lower() else f"{host!r} (read as {read!r})"
