"""Identical findings read as one issue in text and Markdown, one record per resource elsewhere."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.model.document import JsonValue
from iamscope.report.asff import asff_batches
from iamscope.report.csv_table import render_csv
from iamscope.report.json_doc import render_json
from iamscope.report.markdown import render_markdown
from iamscope.report.ocsf import render_ocsf
from iamscope.report.text import render_text
from iamscope.report.view import ReportView, build_view
from tests.builders import ADMIN_DOC, AS_OF, compliant_account, role, snapshot

ADMINS = ("ops-1", "ops-2", "ops-3")
CHECK = "admin-equivalent-principal"
PUBLIC_TRUST: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}


def _view() -> ReportView:
    account = compliant_account()
    admins = tuple(role(name, inline={"all": ADMIN_DOC}) for name in ADMINS)
    public = role("debug-anyone", trust=PUBLIC_TRUST)
    account = replace(account, roles=(*(account.roles or ()), *admins, public))
    return build_view(assess(snapshot(account), AssessConfig(as_of=AS_OF)))


def test_text_shows_one_counted_block_with_every_resource() -> None:
    view = _view()
    findings = [f for f in view.findings if f.check == CHECK]
    assert len(findings) == len(ADMINS)
    text = render_text(view)
    label = view.labels[findings[0].id]
    assert {view.labels[f.id] for f in findings} == {label}
    assert f"[{label}] 3 roles are administrator-equivalent\n" in text
    assert "Principal is administrator-equivalent\n" not in text  # no per-role block
    assert text.count("Remediation: Replace the broad grant") == 1
    for item in findings:
        assert f"111111111111 role/{item.resource.rsplit('/', 1)[1]}  [{item.id}]" in text
    # The commands are shown once, for the first role, and said to apply to the others.
    assert "Commands for role/ops-1 (likewise, with its own name, for the 2 others):" in text
    assert text.count("--role-name ops-2") == 0


def test_markdown_shows_one_section_with_a_table_of_resources() -> None:
    view = _view()
    markdown = render_markdown(view)
    findings = [f for f in view.findings if f.check == CHECK]
    label = view.labels[findings[0].id]
    assert markdown.count(f"#### {label} ") == 1
    assert f"#### {label} 3 roles are administrator-equivalent" in markdown
    for item in findings:
        assert f"| `111111111111` | role/{item.resource.rsplit('/', 1)[1]} | `{item.id}` |" in markdown


def test_machine_formats_keep_one_record_per_resource() -> None:
    view = _view()
    expected = {f.id for f in view.findings if f.check == CHECK}
    document = json.loads(render_json(view))
    assert {f["id"] for f in document["findings"] if f["check"] == CHECK} == expected
    rows = csv.DictReader(io.StringIO(render_csv(view)))
    assert {r["id"] for r in rows if r["check"] == CHECK} == expected
    events = json.loads(render_ocsf(view))
    assert {e["finding_info"]["uid"] for e in events if e["finding_info"]["types"] == [CHECK]} == expected
    asff = [f for b in asff_batches(view) for f in b.findings if f["GeneratorId"] == f"iamscope/{CHECK}"]
    assert {f["Id"] for f in asff} == expected


def test_a_single_finding_keeps_its_own_block() -> None:
    view = _view()
    public = next(f for f in view.findings if f.check == "role-trust-public")
    text = render_text(view)
    block = text[text.index(f"[{view.labels[public.id]}] ") :].splitlines()
    assert block[:3] == [
        f"[{view.labels[public.id]}] Role assumable by anyone",
        "  - Account: 111111111111",
        "  - Resource: arn:aws:iam::111111111111:role/debug-anyone",
    ]
