"""The rule catalogue is executable: every document's Bad example must trigger
its rule and every Good example must not; documents and registry must agree."""

from __future__ import annotations

import pytest

from mllint.engine.catalogue import load_catalogue
from mllint.engine.rules import Scope
from mllint.plugins import builtin_rules
from mllint.project.layout import describe_roles
from mllint.testkit import lint_tree, materialise

DOCS = load_catalogue()
RULES = builtin_rules()
REQUIRED_SECTIONS = ("What", "Why", "Bad", "Good", "Fix")
#: ML000 reports a crash of mllint itself: no example can trigger it on purpose.
UNTRIGGERABLE = {"ML000"}


def test_every_registered_rule_has_a_document():
    assert sorted(set(RULES) - set(DOCS)) == []


def test_every_document_has_a_registered_rule():
    assert sorted(set(DOCS) - set(RULES)) == []


@pytest.mark.parametrize("code", sorted(DOCS))
def test_document_metadata_matches_the_registry(code):
    doc, rule = DOCS[code], RULES[code]
    assert doc.path.stem == code
    assert doc.meta.get("name") == rule.name
    assert doc.meta.get("category") == rule.category()
    assert doc.meta.get("severity") == rule.severity.value
    assert doc.meta.get("scope") == rule.scope.value
    assert doc.meta.get("practice"), "every rule traces to a practice"
    roles = "the project as a whole" if rule.scope == Scope.PROJECT else describe_roles(rule.roles)
    assert doc.meta.get("roles") == roles, "the document says which files the rule applies to"
    for section in REQUIRED_SECTIONS:
        assert doc.sections.get(section, "").strip(), f"{code}: section {section} is empty"


EXAMPLES = [
    (code, section)
    for code in sorted(DOCS)
    if code not in UNTRIGGERABLE
    for section in ("Bad", "Good")
]


@pytest.mark.parametrize(("code", "section"), EXAMPLES, ids=[f"{c}-{s}" for c, s in EXAMPLES])
def test_document_example(tmp_path, code, section):
    doc = DOCS[code]
    blocks = doc.blocks(section)
    assert blocks, f"{code}: no code block under {section}"
    materialise(blocks, tmp_path, commit=bool(doc.meta.get("example-git")))
    found = [f.code for f in lint_tree(tmp_path, select=[code])]
    if section == "Bad":
        assert code in found, f"{code}: the Bad example does not trigger the rule"
    else:
        assert code not in found, f"{code}: the Good example triggers the rule"
