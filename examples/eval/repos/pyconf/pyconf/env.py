"""Expands environment variable references in configuration values."""

import re

_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def expand(text, env):
    """Replaces $NAME and ${NAME} with env[NAME]; an unset name becomes ""."""

    def replace(match):
        name = match.group(1) or match.group(2)
        return env.get(name, "")

    return _REFERENCE.sub(replace, text)
