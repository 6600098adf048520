"""What the command says when something goes wrong: exit codes, and each error in the command's terms (flags).

The library's errors carry their facts as fields; here they are worded with the flags a person typed,
not the keyword arguments of the Python API. Every message is one line on stderr, scrubbed of any
secret this process knows.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from ..contract import ARGUMENTS
from ..errors import ApiError, PaiModelsError, Terms
from ..settings import ENV_KEYS, SECRET_FIELDS

__all__ = ["EXIT_CODES", "FLAG_OF", "fail", "message", "scrub"]

PROG = "pai-models"

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_NO_MATCH = 3
EXIT_AMBIGUOUS = 4
EXIT_API = 5
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

EXIT_CODES = {
    EXIT_OK: "found (list: also when nothing matched, with an empty table or []); outdated: every lookup is current",
    EXIT_INTERNAL: "outdated: a lookup is behind; otherwise an unexpected internal error (a bug; rerun with --verbose)",
    EXIT_BAD_INPUT: "bad input: invalid flag or filter value, or bad settings (region, endpoint, credentials)",
    EXIT_NO_MATCH: "get: no model matched, or the model has no such version",
    EXIT_AMBIGUOUS: "get: several models matched and --most-recent was not given",
    EXIT_API: "PAI answered with an error or could not be reached (including authentication failures)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_BROKEN_PIPE: "the reader of stdout went away (e.g. | head -1); nothing more is written",
}

#: Argument name (as `InvalidQuery.parameter` gives it) -> the flag that sets it.
FLAG_OF: Mapping[str, str] = {a.name: a.flag for a in ARGUMENTS if a.flag} | {"exact_name": "--exact-name", "state": "--state"}

_AUTH_CODES = ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurityToken", "Forbidden", "NoPermission")


def _flag(parameter: str) -> str:
    """An argument by its flag: `conditions.value` -> `--condition value`."""
    head, _, part = parameter.partition(".")
    return FLAG_OF.get(head, head) + (f" {part}" if part else "")


#: The command's terms: flags, and the environment (credentials are never flags).
CLI_TERMS = Terms(
    argument=_flag,
    assign=lambda name, value: f"{_flag(name)} {value}",
    switch_on=lambda name: f"add {_flag(name)}",
    exact_name="--exact-name NAME",
    region="give --region (e.g. cn-hangzhou) or --endpoint, or set ALIBABA_CLOUD_REGION_ID or PAI_MODELS_ENDPOINT",
    credentials="set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (credentials are never flags), or a "
    "profile, RAM role or OIDC token that Alibaba's default chain finds",
)


def message(error: PaiModelsError) -> str:
    """`error` worded for the command line."""
    if isinstance(error, ApiError) and error.code and error.code.startswith(_AUTH_CODES):
        return (
            f"{error} -- check the credentials (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, or the profile "
            "or role of Alibaba's default chain) and their RAM permissions"
        )
    return error.explain(CLI_TERMS)


def _secrets(environ: Mapping[str, str]) -> list[str]:
    """Secret values known to this process (to scrub from any message, belt and braces)."""
    names = [key for key, name in ENV_KEYS.items() if name in SECRET_FIELDS]
    return sorted({environ[n] for n in names if len(environ.get(n) or "") >= 4}, key=len, reverse=True)


def scrub(text: str) -> str:
    """`text` on one line, with any secret this process knows replaced by ***."""
    for secret in _secrets(os.environ):
        text = text.replace(secret, "***")
    return " ".join(text.split())


def fail(code: int, text: str) -> int:
    """Write `pai-models: error: <text>` on stderr; return `code`."""
    try:
        sys.stderr.write(f"{PROG}: error: {scrub(text)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return code
