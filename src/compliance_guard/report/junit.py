"""``--format junit``: JUnit XML for CI dashboards. One test suite per file, one failing test
case per finding (its type is the severity), an ``error`` for a file that could not be read and
one passing case for a clean file; a file not fully checked (a pattern timed out) has an
``error`` case per reason."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from compliance_guard.report import advice


def document(results) -> ET.Element:
    root = ET.Element("testsuites", name="cguard")
    total = failures = errors = 0
    for r in results:
        suite = ET.SubElement(root, "testsuite", name=r.path)
        if r.error is not None:
            case = ET.SubElement(suite, "testcase", name=r.path, classname="cguard")
            ET.SubElement(case, "error", message=r.error, type="unreadable").text = r.error
            counts = (1, 0, 1)
        elif not r.findings and not r.warnings:
            ET.SubElement(suite, "testcase", name=r.path, classname="cguard")
            counts = (1, 0, 0)
        else:
            for w in r.warnings:
                case = ET.SubElement(suite, "testcase", name=f"not fully checked {r.path}", classname="cguard")
                ET.SubElement(case, "error", message=w, type="incomplete").text = w
            for f in r.findings:
                case = ET.SubElement(suite, "testcase", name=f"{f.rule} {r.path}:{f.line}:{f.column}",
                                     classname=f"cguard.{f.category}")
                body = [f"{r.path}:{f.line}:{f.column}: {f.severity.value} {f.rule} {f.message}", f"text: {f.text}"]
                body += advice.lines(f.suggestions, f.source)
                ET.SubElement(case, "failure", message=f.message, type=f.severity.value).text = "\n".join(body)
            counts = (len(r.findings) + len(r.warnings), len(r.findings), len(r.warnings))
        suite.set("tests", str(counts[0]))
        suite.set("failures", str(counts[1]))
        suite.set("errors", str(counts[2]))
        total, failures, errors = total + counts[0], failures + counts[1], errors + counts[2]
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    return root


def write(results, out, **_):
    tree = ET.ElementTree(document(results))
    ET.indent(tree)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(tree.getroot(), encoding="unicode"))
    out.write("\n")
