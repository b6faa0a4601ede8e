"""The report formats by name, with the files they get: the one table the CLI reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from iamscope.report.asff import asff_batch_files, render_asff
from iamscope.report.csv_table import render_csv
from iamscope.report.html import render_html
from iamscope.report.json_doc import render_json
from iamscope.report.markdown import render_markdown
from iamscope.report.ocsf import render_ocsf
from iamscope.report.sarif import render_sarif
from iamscope.report.text import render_text
from iamscope.report.view import Renderer, ReportView

__all__ = ["FORMATS", "Format"]

FileRenderer = Callable[[ReportView], list[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class Format:
    """A report format: its renderer (standard output) and what it writes in an output directory.

    Most formats write one file, ``filename``; ``files`` renders several when a format must be
    split (ASFF: one file per BatchImportFindings call), each name starting with ``filename``'s stem.
    """

    name: str
    render: Renderer
    filename: str
    files: FileRenderer | None = None

    def output_files(self, view: ReportView) -> list[tuple[str, str]]:
        """(file name, content) pairs to write in an output directory."""
        if self.files is not None:
            return self.files(view)
        return [(self.filename, self.render(view))]


FORMATS: Mapping[str, Format] = {
    f.name: f
    for f in (
        Format("text", render_text, "report.txt"),
        Format("json", render_json, "findings.json"),
        Format("html", render_html, "report.html"),
        Format("sarif", render_sarif, "findings.sarif"),
        Format("csv", render_csv, "findings.csv"),
        Format("ocsf", render_ocsf, "findings.ocsf.json"),
        Format("asff", render_asff, "findings.asff-ACCOUNT-REGION-NNN.json", asff_batch_files),
        Format("markdown", render_markdown, "report.md"),
    )
}
