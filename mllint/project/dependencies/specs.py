"""Requirement strings: which project a PEP 508 line, URL or bare version names, and
whether it is exact.

Every declaration format (requirements files, pyproject, setup.py/cfg, Pipfile,
conda's pip section) ends in the same question, "is this string pinned?", so the
answer lives here once. The rules are listed in the package docstring.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, urlsplit

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
# One whitespace run per position: two ``\s*`` around an optional group backtrack quadratically.
_NAMED = re.compile(rf"^({_NAME})\s*(?:\[[^\]]*\]\s*)?(.*)$", re.S)
_NAMED_URL = re.compile(rf"^({_NAME})\s*(?:\[[^\]]*\]\s*)?@\s*(.+)$", re.S)
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_VCS_SCHEME = re.compile(r"^(git|hg|svn|bzr)\+", re.I)
FULL_COMMIT = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")
_HASH_FRAGMENT = re.compile(r"(?:^|&)(?:sha1|sha224|sha256|sha384|sha512|md5)=", re.I)
BARE_VERSION = re.compile(r"v?\d[A-Za-z0-9.+!_-]*")


#: ``scheme://userinfo@``: the credentials a URL carries (``user:password``, or a token alone).
_URL_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]{0,30}://)[^\s/@'\"<>]+@")


def mask_credentials(text: str) -> str:
    """*text* with the user information of every URL in it replaced by ``****``:
    requirement lines are quoted in messages and reports, which must not carry a
    private index's password or a token along (``git+https://oauth2:ghp_...@github.com``)."""
    return _URL_USERINFO.sub(r"\1****@", text)


def normalize_name(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Spec:
    """What one requirement string says: its name (if knowable) and whether it is exact."""

    name: str | None
    pinned: bool


def _specifier_pinned(specifier: str) -> bool:
    """``==V`` (no wildcard) or ``===V`` in any comma-separated clause."""
    for clause in specifier.strip().strip("()").split(","):
        clause = clause.strip()
        if clause.startswith("==="):
            return bool(clause[3:].strip())
        if clause.startswith("==") and clause[2:].strip() and "*" not in clause:
            return True
    return False


def _split_url(url: str) -> SplitResult | None:
    """``urlsplit`` that answers None for malformed URLs (e.g. an unclosed ``[``)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def url_pinned(url: str) -> bool:
    """A VCS URL at a full commit, or a URL of one exact distribution file."""
    if _VCS_SCHEME.match(url):
        parts = _split_url(url[url.index("+") + 1 :])
        if parts is None or "@" not in parts.path:
            return False
        return bool(FULL_COMMIT.fullmatch(parts.path.rsplit("@", 1)[1]))
    parts = _split_url(url)
    if parts is None:
        return False
    return bool(_HASH_FRAGMENT.search(parts.fragment)) or parts.path.lower().endswith(_ARCHIVE_SUFFIXES)


def _name_from_url(url: str) -> str | None:
    """``#egg=name`` or the distribution file name; None when the URL does not say."""
    parts = _split_url(url)
    if parts is None:
        return None
    egg = parse_qs(parts.fragment).get("egg")
    if egg and re.fullmatch(_NAME, egg[0]):
        return normalize_name(egg[0])
    filename = posixpath.basename(parts.path)
    if filename.lower().endswith(".whl"):
        return normalize_name(filename.split("-", 1)[0])
    for suffix in _ARCHIVE_SUFFIXES:
        if filename.lower().endswith(suffix) and "-" in filename:
            return normalize_name(filename[: -len(suffix)].rsplit("-", 1)[0])
    return None


def _is_local(target: str) -> bool:
    """A path on disk (the project itself or vendored code), pip's way of telling."""
    return (
        target.startswith((".", "/", "~", "file:"))
        or "/" in target
        or "\\" in target
        or bool(re.match(r"^[A-Za-z]:", target))
        or target.lower().endswith(_ARCHIVE_SUFFIXES)
    )


def parse_spec(text: str) -> Spec | None:
    """Read one PEP 508 requirement, bare URL or local path; None for local paths."""
    text = text.strip()
    named_url = _NAMED_URL.match(text)
    if named_url:
        url = cut_after_space(named_url.group(2), ";").strip()
        if url.startswith("file:"):
            return None
        return Spec(normalize_name(named_url.group(1)), url_pinned(url))
    if URL_SCHEME.match(text) or _VCS_SCHEME.match(text):
        url = cut_after_space(text, ";").strip()
        if url.startswith("file:"):
            return None
        return Spec(_name_from_url(url), url_pinned(url))
    if _is_local(text.split(";", 1)[0].strip()):
        return None
    named = _NAMED.match(text)
    if not named:
        return Spec(None, False)
    return Spec(normalize_name(named.group(1)), _specifier_pinned(named.group(2).split(";", 1)[0]))


def bare_version_pinned(constraint: str) -> bool:
    """Poetry/Pipfile version string: a bare version is exact, else PEP 440 rules."""
    constraint = constraint.strip()
    if BARE_VERSION.fullmatch(constraint):
        return True
    return _specifier_pinned(constraint)


def cut_after_space(text: str, marker: str, at_start: bool = False) -> str:
    """*text* up to the first *marker* that follows whitespace (or opens the text,
    if *at_start*): how pip finds comments (``#``) and URL markers (`` ;``), which
    may otherwise appear inside URLs (``#egg=``, ``;``)."""
    index = text.find(marker)
    while index != -1:
        if (index == 0 and at_start) or (index > 0 and text[index - 1].isspace()):
            return text[:index]
        index = text.find(marker, index + 1)
    return text
