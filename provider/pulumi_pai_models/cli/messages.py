"""What the command says when something goes wrong: exit codes, and each error in the command's terms (flags).

The library's errors carry their facts as fields; here they are worded with the flags a person typed,
not the keyword arguments of the Python API. Every message is one line on stderr, scrubbed of any
secret this process knows.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from ..contract import SETTINGS
from ..doors import CLI
from ..errors import ApiError, PaiModelsError, on_one_line
from ..settings import SECRET_FIELDS

__all__ = ["EXIT_CODES", "fail", "message", "scrub"]

PROG = "pai-models"

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_NO_MATCH = 3
EXIT_AMBIGUOUS = 4
EXIT_API = 5
EXIT_BEHIND = 6
EXIT_FAILED = 7
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

EXIT_CODES = {
    EXIT_OK: "found (list: also when nothing matched, with an empty table or []); outdated: every lookup is current, or "
    "the state has none",
    EXIT_INTERNAL: "an unexpected internal error (a bug; rerun with --verbose)",
    EXIT_BAD_INPUT: "bad input: invalid flag or filter value, or bad settings (region, endpoint, credentials)",
    EXIT_NO_MATCH: "get: no model matched, or the model has no such version",
    EXIT_AMBIGUOUS: "get: several models matched and --most-recent was not given",
    EXIT_API: "PAI answered with an error or could not be reached (including authentication failures)",
    EXIT_BEHIND: "outdated: at least one lookup is behind its newest match (and none failed)",
    EXIT_FAILED: "outdated: at least one lookup's query no longer resolves, or cannot be re-run from the export",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_BROKEN_PIPE: "the reader of stdout went away (e.g. | head -1); nothing more is written",
}

_AUTH_CODES = ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurityToken", "Forbidden", "NoPermission")


def message(error: PaiModelsError) -> str:
    """`error` worded for the command line."""
    if isinstance(error, ApiError) and error.code and error.code.startswith(_AUTH_CODES):
        return (
            f"{error} -- check the credentials ({CLI.where('access_key_id', 'access_key_secret')}, or the profile "
            "or role of Alibaba's default chain) and their RAM permissions"
        )
    return error.explain(CLI)


def _secrets(environ: Mapping[str, str]) -> list[str]:
    """Secret values known to this process (to scrub from any message, belt and braces)."""
    names = [env for s in SETTINGS if s.name in SECRET_FIELDS for env in s.env]
    return sorted({environ[n] for n in names if len(environ.get(n) or "") >= 4}, key=len, reverse=True)


def scrub(text: str) -> str:
    """`text` on one line, with any secret this process knows replaced by ***."""
    for secret in _secrets(os.environ):
        text = text.replace(secret, "***")
    return on_one_line(text)


def fail(code: int, text: str) -> int:
    """Write `pai-models: error: <text>` on stderr; return `code`."""
    try:
        sys.stderr.write(f"{PROG}: error: {scrub(text)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return code
