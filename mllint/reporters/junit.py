"""``--format junit``: JUnit XML for the test-report views of CI systems
(Jenkins, GitLab, Azure Pipelines, anything that reads pytest's ``--junitxml``).

A rule is a test: it fails once per file it has findings in, with one
``<failure>`` per finding, and passes when it checked something and found
nothing, so the report view shows which practices hold as well as which do
not. Rules that checked nothing (no notebook to look at, not applicable) are
left out rather than shown as passing. One ``<testsuite>`` per category.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from mllint.engine.findings import Finding
from mllint.engine.registry import Registry
from mllint.engine.runner import LintResult
from mllint.reporters.base import ReportOptions
from mllint.reporters.sarif import anchor_file, message_text
from mllint.reporters.text import location

#: Characters XML 1.0 cannot hold, even escaped; ElementTree would write them as they are.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _testcase(code: str, path: str | None, findings: list[Finding], rules: Registry) -> ET.Element:
    rule = rules[code]
    name = f"{code} {rule.name}" + (f" {path}" if path is not None else "")
    attributes = {"classname": f"mllint.{rule.category()}", "name": name}
    if path is not None:  # a file CI can link to, also for findings about the project
        attributes["file"] = anchor_file(path)
    case = ET.Element("testcase", {key: _xml_safe(value) for key, value in attributes.items()})
    for finding in findings:
        failure = ET.SubElement(case, "failure", {"message": _xml_safe(message_text(finding)), "type": finding.severity.value})
        failure.text = _xml_safe(f"{location(finding)}: {code} {rule.name} {finding.message}")
    return case


def _counted(element: ET.Element, cases: list[ET.Element]) -> ET.Element:
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(1 for case in cases if case.find("failure") is not None)))
    element.set("errors", "0")
    return element


def render(result: LintResult, options: ReportOptions) -> str:
    """Test suites per category: failing cases per rule and file, passing ones per rule that checked something."""
    failing: dict[tuple[str, str | None], list[Finding]] = {}
    for finding in result.findings:
        failing.setdefault((finding.code, finding.path), []).append(finding)
    found = {code for code, _ in failing}
    passing = {(code, None): [] for code in result.selected if result.applied[code] and code not in found and code in result.rules}
    cases: dict[str, list[ET.Element]] = {}
    for (code, path), findings in sorted({**failing, **passing}.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        cases.setdefault(result.rules[code].category(), []).append(_testcase(code, path, findings, result.rules))
    root = ET.Element("testsuites", {"name": "mllint"})
    for category, suite_cases in cases.items():
        suite = _counted(ET.SubElement(root, "testsuite", {"name": category}), suite_cases)
        suite.set("skipped", "0")
        suite.extend(suite_cases)
    _counted(root, [case for suite_cases in cases.values() for case in suite_cases])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
