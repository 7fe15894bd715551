"""Byte counts for humans, in binary units (1 KiB = 1024 bytes)."""

import re

UNITS = ["B", "KiB", "MiB", "GiB", "TiB"]


def format_size(n):
    """Formats a byte count: 512 -> "512 B", 1536 -> "1.5 KiB"."""
    if n < 0:
        raise ValueError("size must not be negative")
    value = float(n)
    unit = 0
    while value > 1024 and unit < len(UNITS) - 1:
        value /= 1024
        unit += 1
    if unit == 0:
        return f"{int(value)} B"
    return f"{value:.1f} {UNITS[unit]}"


def parse_size(text):
    """Parses "1.5 KiB", "20MiB" or "512" (bytes) into a byte count."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text)
    if not match or (match.group(2) and match.group(2) not in UNITS):
        raise ValueError(f"not a size: {text!r}")
    factor = 1024 ** UNITS.index(match.group(2) or "B")
    return int(float(match.group(1)) * factor)
