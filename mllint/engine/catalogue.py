"""The rule catalogue as data: one Markdown document per rule in ``rules/``.

Front matter holds the metadata (checked against the registry by the test
suite), sections hold the user text (What / Why / Bad / Good / Fix). ``explain``
reads them, and the test suite runs the Bad and Good examples, so the
documentation cannot drift from the behaviour.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_SECTION = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)
_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class CodeBlock:
    language: str
    attributes: dict[str, str]
    content: str


@dataclass
class RuleDoc:
    path: Path
    meta: dict[str, object]
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return str(self.meta.get("code", ""))

    def blocks(self, section: str) -> list[CodeBlock]:
        return [_block(info, content) for info, content in _FENCE.findall(self.sections.get(section, ""))]

    def summary(self) -> str:
        """The first sentence of What: the short description."""
        what = " ".join(self.sections.get("What", "").split())
        end = what.find(". ")
        return what if end < 0 else what[: end + 1]


def _block(info: str, content: str) -> CodeBlock:
    words = shlex.split(info.strip()) if info.strip() else []
    language = words[0] if words and "=" not in words[0] else ""
    attributes = dict(w.split("=", 1) for w in words if "=" in w)
    return CodeBlock(language, attributes, content)


def rules_dir() -> Path:
    """``mllint/rules`` inside a wheel, the repository's ``rules/`` in a checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "rules", package.parent / "rules"):
        if candidate.is_dir():
            return candidate
    return package / "rules"


def _front_matter(text: str) -> dict[str, object]:
    """``key: value`` lines; split at the first colon so that prose values
    such as ``practice: Model integrity: protect models`` need no quoting."""
    meta: dict[str, object] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            continue
        value = value.strip().strip('"').strip("'")
        meta[key.strip()] = {"true": True, "false": False}.get(value.lower(), value)
    return meta


def parse_doc(path: Path) -> RuleDoc:
    text = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(text)
    meta = _front_matter(match.group(1)) if match else {}
    body = text[match.end():] if match else text
    doc = RuleDoc(path, meta)
    headings = list(_SECTION.finditer(body))
    for number, heading in enumerate(headings):
        end = headings[number + 1].start() if number + 1 < len(headings) else len(body)
        doc.sections[heading.group(1)] = body[heading.end():end].strip("\n")
    return doc


def load_catalogue() -> dict[str, RuleDoc]:
    docs: dict[str, RuleDoc] = {}
    for path in sorted(rules_dir().glob("ML*.md")):
        doc = parse_doc(path)
        docs[doc.code or path.stem] = doc
    return docs


def doc_for(code: str) -> RuleDoc | None:
    path = rules_dir() / f"{code}.md"
    return parse_doc(path) if path.is_file() else None
