"""Expands environment variable references in configuration values."""

import re

_REFERENCE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


def expand(text, env):
    """Replaces $NAME, ${NAME} and ${NAME:-default} with env[NAME] (or the default when unset)."""

    def replace(match):
        braced, default, plain = match.group(1, 2, 3)
        return env.get(braced or plain, default or "")

    return _REFERENCE.sub(replace, text)
