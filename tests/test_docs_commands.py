"""Every command the README and the guides in docs/ show is one that runs: each `pai-models` line parses with the
command's own parser (the emulator's subcommands with theirs), each `pulumi` line names a real subcommand and only
flags that subcommand has (asked of the CLI), each script exists. Blocks that run here are run elsewhere: the README's
quick start and pipeline lines (tests/test_quickstart.py), its YAML program and the languages guide's
(tests/test_yaml.py), the emulator guide (tests/test_emulator_admin_cli.py), the two commands (CI itself)."""

from __future__ import annotations

import functools
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from engine import REPO, pulumi_bin_dir
from pulumi_pai_models.cli import build_parser
from pulumi_pai_models.emulator import cli as emulator_cli
from pulumi_pai_models.emulator import drive

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SHELL = re.compile(r"```(?:sh|bash|shell)\n(.*?)```", re.S)


def command_lines(path: Path) -> list[str]:
    """The command lines of a document's shell blocks (continuations joined, comments and heredoc bodies dropped)."""
    lines: list[str] = []
    for block in SHELL.findall(path.read_text(encoding="utf-8")):
        joined = block.replace("\\\n", " ")
        heredoc = None
        for line in joined.splitlines():
            if heredoc is not None:
                heredoc = None if line.strip() == heredoc else heredoc
                continue
            found = re.search(r"<<'?(\w+)'?", line)
            if found:
                heredoc = found.group(1)
            text = line.split(" #", 1)[0].strip()
            if text and not text.startswith("#"):
                lines.append(text)
    return lines


def commands(line: str) -> list[list[str]]:
    """The simple commands of a line: `URI=$(pai-models get ...)` and `a | b` give each command's words."""
    line = re.sub(r"\$\((.*)\)", r"\1", line.replace('"$(pai-models policy-pack)"', "PACK"))
    found = []
    for part in re.split(r"\s*(?:\||&&|;)\s*", line):
        words = shlex.split(re.sub(r"\s[<>]\s?\S+", "", part.rstrip("&").strip()))
        while words and re.match(r"^\w+=", words[0]):
            words = words[1:]
        if words:
            found.append(words)
    return found


ALL = [(path, words) for path in DOCUMENTS for line in command_lines(path) for words in commands(line)]
PAI = [(p, w) for p, w in ALL if Path(w[0]).name == "pai-models"]
PULUMI = [(p, w) for p, w in ALL if w[0] == "pulumi"]
SCRIPTS = [(p, w) for p, w in ALL if w[0].startswith("./scripts/") or w[0].startswith("scripts/")]


def ids(cases: list[tuple[Path, list[str]]]) -> list[str]:
    return [f"{p.name}:{' '.join(w)[:60]}" for p, w in cases]


def test_the_documents_show_commands():
    assert len(PAI) >= 15 and len(PULUMI) >= 15 and SCRIPTS


@pytest.mark.parametrize("path, words", PAI, ids=ids(PAI))
def test_each_pai_models_line_parses(path, words):
    argv = [w for w in words[1:] if not re.fullmatch(r"\[.*\]", w)]  # `[--catalog FILE]` marks an optional flag
    argv = [w.strip("[]") for w in argv]
    if argv and argv[0] == "emulator":
        sub = argv[1] if len(argv) > 1 else None
        if sub in drive.COMMANDS:
            drive.build_parser(drive.COMMANDS[sub], "pai-models emulator").parse_args(argv[2:])
        else:
            emulator_cli.build_parser().parse_args(argv[1:] if sub != "serve" else argv[2:])
        return
    if argv and argv[0] == "policy-pack":
        return  # the pack's own command: tests/test_policy.py runs each form
    build_parser().parse_args(argv)


@functools.cache
def pulumi_help(subcommand: tuple[str, ...]) -> str:
    done = subprocess.run([str(pulumi_bin_dir() / "pulumi"), *subcommand, "--help"], capture_output=True, text=True, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 0, (subcommand, done.stderr)
    return done.stdout


@pytest.mark.shell
@pytest.mark.parametrize("path, words", PULUMI, ids=ids(PULUMI))
def test_each_pulumi_line_names_a_real_subcommand_and_its_flags(path, words):
    subcommand = tuple(w for w in words[1:3] if not w.startswith("-") and w in ("config", "set", "stack", "login", "up", "preview",
                                                                                 "export", "init", "refresh", "destroy"))
    text = pulumi_help(subcommand)
    for flag in (w.split("=", 1)[0] for w in words if w.startswith("--")):
        assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text), (path.name, words, flag)


@pytest.mark.parametrize("path, words", SCRIPTS, ids=ids(SCRIPTS))
def test_each_script_exists(path, words):
    assert (REPO / words[0]).is_file(), (path.name, words)
