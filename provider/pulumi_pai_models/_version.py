"""The package version, written once (the wheel metadata, the user agent and `--version` read it)."""

__version__ = "0.1.0"
