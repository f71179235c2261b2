"""Reads a .docx with python-docx, as another program would, and prints as JSON what
crates/report/tests/docx.rs compares with the report's Doc: the body's blocks in order
(paragraphs with their style's name, text and pictures; tables with their cells, whether
the first row repeats as a header and whether its text is bold), the page header's
paragraphs, and the title and language of the core properties.

Exits with 3 when python-docx is not installed, so the test can tell that from a failure.
"""

import json
import sys

try:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph
except ImportError:
    print("python-docx is not installed", file=sys.stderr)
    sys.exit(3)


def paragraph(p):
    return {
        "kind": "paragraph",
        "style": p.style.name,
        "text": p.text,
        "pictures": [
            {"name": d.get("name"), "descr": d.get("descr")}
            for d in p._p.xpath(".//wp:inline/wp:docPr")
        ],
    }


def table(t):
    first = t.rows[0]
    return {
        "kind": "table",
        "cells": [[c.text for c in row.cells] for row in t.rows],
        # Cells whose every paragraph is a quote (Table 2's examples).
        "quoted": [
            [all(p.style.name == "Quote" for p in c.paragraphs) for c in row.cells]
            for row in t.rows
        ],
        "header_repeats": bool(first._tr.xpath("./w:trPr/w:tblHeader")),
        "header_bold": all(
            r.bold for c in first.cells for p in c.paragraphs for r in p.runs
        ),
    }


document = docx.Document(sys.argv[1])
blocks = []
for element in document.element.body.iterchildren():
    tag = element.tag.rsplit("}", 1)[-1]
    if tag == "p":
        blocks.append(paragraph(Paragraph(element, document)))
    elif tag == "tbl":
        blocks.append(table(Table(element, document)))

section = document.sections[0]
json.dump(
    {
        "blocks": blocks,
        "header": [p.text for p in section.header.paragraphs],
        "header_linked": section.header.is_linked_to_previous,
        "inline_shapes": len(document.inline_shapes),
        "title": document.core_properties.title,
        "language": document.core_properties.language,
    },
    sys.stdout,
    ensure_ascii=False,
)
