"""`pai-models policy-pack`: where the policy pack is, for `pulumi preview|up --policy-pack <that>`.

    pulumi preview --policy-pack "$(pai-models policy-pack)"           # the installed executable (--print-path)
    pulumi up --policy-pack "$(pai-models policy-pack --write .policy)" --policy-pack-config pack.json

The pack is an executable the CLI starts directly (Pulumi CLI >= 3.255): the console script `pai-models-policy-pack`
of this package, or a launcher that `--write DIR` puts in DIR (with a `PulumiPolicy.yaml` giving the CLI the pack's
name, version and description, and a `__main__.py` for CLIs that run a folder pack through their Python language host).
Either way the pack runs in the Python `pai-models` runs in, whatever the language of the program it checks.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shlex
import stat
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

from .._version import __version__
from .config import INSTALL, PACK_DESCRIPTION, PACK_NAME

__all__ = ["EXECUTABLE", "main", "write_pack"]

#: The console script that serves the pack (`[project.scripts]` in pyproject.toml).
EXECUTABLE = "pai-models-policy-pack"


def installed_executable() -> Path | None:
    """The console script `pai-models-policy-pack` of this Python's environment, if it is there."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / EXECUTABLE
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def write_pack(folder: Path) -> Path:
    """Write the pack into `folder` (created if missing; the pack's own files replaced); returns the executable's path."""
    folder.mkdir(parents=True, exist_ok=True)
    launcher = folder / EXECUTABLE
    launcher.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m pulumi_pai_models.policy "$@"\n', encoding="utf-8")
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    runtime = "  name: python\n"
    if sys.prefix != sys.base_prefix:  # a virtual environment: the folder form runs the pack in it
        runtime += f"  options:\n    virtualenv: {json.dumps(sys.prefix)}\n"  # a JSON string is a YAML string
    (folder / "PulumiPolicy.yaml").write_text(
        f"name: {PACK_NAME}\nversion: {__version__}\n"
        f"description: {PACK_DESCRIPTION}\n"
        f"runtime:\n{runtime}",
        encoding="utf-8",
    )
    (folder / "__main__.py").write_text("from pulumi_pai_models.policy.__main__ import main\n\nmain()\n", encoding="utf-8")
    return launcher


def main(argv: Sequence[str], prog: str = "pai-models policy-pack") -> int:
    """Print (or write and print) the pack's executable; 0 on success, 2 when it cannot be had."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Print the path of the PAI model policy pack, for pulumi preview|up --policy-pack <path>.",
        epilog='examples:\n  pulumi preview --policy-pack "$(pai-models policy-pack)"\n'
        '  pulumi up --policy-pack "$(pai-models policy-pack --write .policy)" --policy-pack-config pack.json\n\n'
        "The policies, their config and what a run costs: docs/guardrails.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--print-path", action="store_true", help=f"print the path of the installed {EXECUTABLE} (the default)")
    where.add_argument("--write", metavar="DIR", help="write the pack into DIR and print the path of its executable")
    args = parser.parse_args(list(argv))
    if importlib.util.find_spec("pulumi_policy") is None:
        return _fail(f"the policy pack needs pulumi-policy, which is not installed in {sys.prefix}: {INSTALL}")
    if args.write:
        try:
            path = write_pack(Path(args.write).resolve())
        except OSError as error:
            return _fail(f"cannot write the pack into {args.write!r} ({error.strerror or error})")
    else:
        found = installed_executable()
        if found is None:
            return _fail(f"{EXECUTABLE} is not installed next to {sys.executable}: reinstall the package, or use --write DIR")
        path = found
    sys.stdout.write(f"{path}\n")
    return 0


def _fail(message: str) -> int:
    sys.stderr.write(f"pai-models policy-pack: {message}\n")
    return 2
