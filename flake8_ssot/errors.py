"""The one exception the tools turn into a one-line message and exit status 2."""


class ConfigError(Exception):
    """A bad option value or configuration file; the message names it."""
