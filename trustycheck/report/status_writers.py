"""The writer of each ``status`` format (each imported only when asked for)."""

from __future__ import annotations

from trustycheck.report.status import Emit, StatusWriter


def make_writer(output_format: str, emit: Emit, *, mapped: bool, long_form: bool, roots: list[str], color: bool,
                evidence: bool) -> StatusWriter:
    if output_format == "json":
        from trustycheck.report.status import JsonWriter

        return JsonWriter(emit, mapped)
    if output_format == "csv":
        if long_form:
            from trustycheck.report.status_long import LongCsvWriter

            return LongCsvWriter(emit, mapped)
        from trustycheck.report.status import CsvWriter

        return CsvWriter(emit, mapped)
    if output_format == "jsonl":
        from trustycheck.report.status_long import JsonLinesWriter

        return JsonLinesWriter(emit, mapped)
    if output_format == "markdown":
        from trustycheck.report.status_markdown import MarkdownWriter

        return MarkdownWriter(emit, mapped)
    if output_format == "html":
        from trustycheck.report.status_html import HtmlWriter

        return HtmlWriter(emit, mapped)
    from trustycheck.report.status import TextWriter, text_width

    return TextWriter(emit, mapped, width=text_width(roots), color=color, evidence=evidence)
