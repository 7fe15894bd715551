"""A small INI reader: sections, key = value pairs, full-line and inline comments."""

import re

# An inline comment starts at ";" or "#" preceded by whitespace; "a;b" or
# "#ff0000" at the start of a value are values, not comments.
_INLINE_COMMENT = re.compile(r"\s+[;#].*$")


class IniError(ValueError):
    """Raised for a line that is neither a section, a pair, a comment nor blank."""


def parse_ini(text):
    """Returns {section: {key: value}}; keys before any section go to ""."""
    sections = {"": {}}
    current = sections[""]
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in ";#":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), {})
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise IniError(f"line {number}: expected key = value, got {raw!r}")
        current[key.strip()] = _INLINE_COMMENT.sub("", value.strip())
    return sections
