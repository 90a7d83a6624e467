"""Shell command lines as programs: splitting, unwrapping and test-runner recognition.

Every source of commands (CI files, scripts, tox, Makefiles) yields shell text;
this module turns it into logical lines and then into argv lists of the
programs that really run (``FOO=1 sudo -E timeout 5m pytest`` -> ``pytest``),
and decides whether one such program runs tests. Following indirections is the
resolver's job (``mllint.project.ci.resolver``).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable

Argv = list[str]

# ---------------------------------------------------------------- shell lines


def _logical_commands(physical: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Shell lines with continuations joined, without blank and comment lines."""
    stripped = ((line, text.strip()) for line, text in _join_continuations(physical))
    return [(line, text) for line, text in stripped if text and not _is_comment(text)]


def _join_continuations(physical: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join each line ending in a backslash with the next; keep the first line's number."""
    joined: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for line, raw in physical:
        text = raw.rstrip()
        if pending is not None:
            line, text = pending[0], f"{pending[1]} {text.strip()}"
            pending = None
        if text.endswith("\\"):
            pending = (line, text[:-1].rstrip())
        else:
            joined.append((line, text))
    if pending is not None:
        joined.append(pending)
    return joined


def _is_comment(text: str) -> bool:
    lowered = text.lower()
    return text.startswith(("#", "::", "//")) or lowered == "rem" or lowered.startswith("rem ")


# ------------------------------------------------------------ shell splitting


_SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", ";;", "|&"}
_SHELL_KEYWORDS = {"then", "do", "else", "elif", "if", "while", "until", "!", "{", "}", "time",
                   "exec", "nohup", "command", "builtin", "sudo", "env"}
_WRAPPERS_WITH_ARG = {"timeout"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


#: A CI system's template expression (GitHub/Azure ``${{ matrix.env }}``): one word
#: once the CI system has filled it in, whatever spaces it holds.
_TEMPLATE_EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}")


def _segments(command: str) -> list[Argv]:
    """Split a shell line into simple commands (``a && b; c | d`` -> three or four argvs)."""
    command = _TEMPLATE_EXPRESSION.sub("TEMPLATE", command)
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: fall back to whitespace splitting
        tokens = command.split()
    segments: list[Argv] = [[]]
    for token in tokens:
        if token.startswith("#"):
            break
        if token in _SEPARATORS:
            segments.append([])
        else:
            segments[-1].append(token)
    return [_unwrap(segment) for segment in segments if segment]


def _unwrap(argv: Argv) -> Argv:
    """Drop what precedes the real program: ``FOO=1``, ``then``, ``sudo -E``, ``timeout 5m``."""
    index = 0
    while index < len(argv):
        word = argv[index]
        name = posixpath.basename(word)
        if name in _SHELL_KEYWORDS or _ASSIGNMENT.match(word):
            index += 1
        elif name in _WRAPPERS_WITH_ARG:
            index += 2
        elif name == "xvfb-run":
            index += 1
            while index < len(argv) and argv[index].startswith("-"):
                index += 1
        elif index > 0 and word.startswith("-") and _program(argv[index - 1 :]) in ("sudo", "env"):
            index += 1  # an option of sudo/env, e.g. `sudo -E`
        else:
            break
    return argv[index:]


def _program(argv: Argv) -> str:
    name = posixpath.basename(argv[0].replace("\\", "/")).lower()
    return name[:-4] if name.endswith(".exe") else name


def _positional(args: Argv, with_value: frozenset[str] = frozenset()) -> tuple[int, str | None]:
    """Index and value of the first non-option argument, skipping option values."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            return (index + 1, args[index + 1]) if index + 1 < len(args) else (index + 1, None)
        if arg in with_value:
            index += 2
        elif arg.startswith("-"):
            index += 1
        else:
            return index, arg
    return index, None


def _before_posargs(args: Argv) -> Argv:
    """Arguments before ``--``; what follows is passed on to the test runner."""
    return args[: args.index("--")] if "--" in args else args


def _option_values(args: Argv, names: tuple[str, ...], many: bool = False) -> list[str]:
    """Values of ``-e X``, ``-eX``, ``--env=X`` (and ``-s a b`` when *many*)."""
    values: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        for name in names:
            if arg == name:
                while index < len(args) and not args[index].startswith("-"):
                    values.append(args[index])
                    index += 1
                    if not many:
                        break
            elif arg.startswith(f"{name}="):
                values.append(arg[len(name) + 1 :])
            elif len(name) == 2 and arg.startswith(name) and len(arg) > 2:  # `-eNAME`
                values.append(arg[2:])
    return values


def _plain_arguments(args: Argv, with_value: frozenset[str]) -> list[str]:
    """Non-option arguments (make targets); ``-j 4`` takes an optional number."""
    plain: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in with_value:
            index += 2
            continue
        job_count = index > 0 and args[index - 1] == "-j" and arg.isdigit()
        if not arg.startswith("-") and not job_count:
            plain.append(arg)
        index += 1
    return plain


# --------------------------------------------------------------- classifying

_TEST_RUNNERS = {"pytest", "py.test", "unittest", "nose2", "nosetests", "green", "trial",
                 "stestr", "ward", "tox", "nox"}
_INFO_FLAGS = {"--version", "-V", "--help", "-h", "--collect-only", "--co", "--fixtures",
               "--markers"}
"""Options that make a test runner report something instead of running tests."""
_TEST_LEAF: Argv = ["pytest"]
"""Stands for "tests run here" when an indirection (a script, a Makefile without
the target's recipe) proves it without yielding a concrete command."""


def _leaf_runs_tests(argv: Argv) -> bool:
    program = _program(argv)
    args = argv[1:]
    if _INFO_FLAGS.intersection(args):
        return False
    if program in _TEST_RUNNERS:
        return True
    if program == "hatch":
        return _positional(args, frozenset({"-e", "--env"}))[1] == "test"
    return False
