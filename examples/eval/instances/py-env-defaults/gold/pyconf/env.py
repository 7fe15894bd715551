"""Expands environment variable references in configuration values."""

import re

_REFERENCE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


def expand(text, env):
    """Replaces $NAME, ${NAME} and ${NAME:-default} with env[NAME].

    An unset name becomes "" (or its default); with ":-" an empty value
    also gives the default, as in the shell.
    """

    def replace(match):
        braced, default, plain = match.group(1, 2, 3)
        value = env.get(braced or plain, "")
        if default is not None and value == "":
            return default
        return value

    return _REFERENCE.sub(replace, text)
