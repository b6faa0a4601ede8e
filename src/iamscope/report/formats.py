"""The report formats by name, with their file extensions: the one table the CLI reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from iamscope.report.asff import render_asff
from iamscope.report.csv_table import render_csv
from iamscope.report.html import render_html
from iamscope.report.json_doc import render_json
from iamscope.report.markdown import render_markdown
from iamscope.report.ocsf import render_ocsf
from iamscope.report.sarif import render_sarif
from iamscope.report.text import render_text
from iamscope.report.view import Renderer

__all__ = ["FORMATS", "Format"]


@dataclass(frozen=True, slots=True)
class Format:
    """A report format: its renderer and the file name it gets in an output directory."""

    name: str
    render: Renderer
    filename: str


FORMATS: Mapping[str, Format] = {
    f.name: f
    for f in (
        Format("text", render_text, "report.txt"),
        Format("json", render_json, "findings.json"),
        Format("html", render_html, "report.html"),
        Format("sarif", render_sarif, "findings.sarif"),
        Format("csv", render_csv, "findings.csv"),
        Format("ocsf", render_ocsf, "findings.ocsf.json"),
        Format("asff", render_asff, "findings.asff.json"),
        Format("markdown", render_markdown, "report.md"),
    )
}
