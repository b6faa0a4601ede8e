"""Every ``file://`` a remediation command reads is written next to the report, as valid AWS JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamscope.analysis.checks import exposure
from iamscope.cli.assess import AssessRequest, run_assess
from iamscope.engine.parse import PolicyKind, parse_policy
from iamscope.report.remediation_files import MAKERS, file_references
from iamscope.samples.demo_org import write_demo_bundle

CHECKS_YAML = Path(exposure.__file__).with_name("checks.yaml")
_POLICY_KINDS: dict[str, PolicyKind] = {"trust-policy": "trust", "scp": "scp", "resource-policy": "resource"}


def _referenced() -> set[tuple[str, str]]:
    """(check, file name) for every file:// in checks.yaml and in the resource-policy commands."""
    prose = yaml.safe_load(CHECKS_YAML.read_text(encoding="utf-8"))
    found = {
        (check, name)
        for check, entry in prose.items()
        for command in entry["remediation"].get("commands", [])
        for name in file_references(command)
    }
    for read_write in exposure._CLI.values():
        for command in read_write:
            for name in file_references(command):
                found |= {("resource-policy-public", name), ("resource-policy-cross-account", name)}
    return found


def test_every_file_reference_has_a_maker() -> None:
    referenced = _referenced()
    assert {"require-mfa.json", "trust.json", "policy.json", "attributes.json"} <= {n for _, n in referenced}
    assert referenced - set(MAKERS) == set()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    base = tmp_path_factory.mktemp("remediation")
    out = base / "reports"
    run_assess(AssessRequest(path=write_demo_bundle(base / "demo"), output_dir=out), io.StringIO())
    return out, json.loads((out / "findings.json").read_text(encoding="utf-8"))


def _check_event_pattern(value: Any) -> None:
    """EventBridge patterns: objects whose leaves are arrays of match values."""
    assert isinstance(value, dict)
    assert value
    for child in value.values():
        if isinstance(child, dict):
            _check_event_pattern(child)
        else:
            assert isinstance(child, list)
            assert child


def _check_file(path: Path, kind: str) -> Any:
    value = json.loads(path.read_text(encoding="utf-8"))
    if kind in _POLICY_KINDS:
        parse_policy(value, _POLICY_KINDS[kind])
    elif kind == "queue-attributes":
        assert set(value) == {"Policy"}
        parse_policy(json.loads(value["Policy"]), "resource")
    elif kind == "event-pattern":
        _check_event_pattern(value)
    else:
        assert kind == "config-rule"
        assert value["Source"] == {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"}
        parameters = json.loads(value["InputParameters"])
        assert parameters["MinimumPasswordLength"] == "14"
        assert parameters["PasswordReusePrevention"] == "24"
    return value


def test_every_referenced_file_is_written_and_parses(demo: tuple[Path, dict[str, Any]]) -> None:
    out, document = demo
    seen: set[str] = set()
    for finding in (*document["findings"], *document["suppressed"]):
        files = {f["path"]: f["kind"] for f in finding["remediation"]["files"]}
        refs = [
            part.split()[0]
            for command in finding["remediation"]["commands"]
            for part in command.split("file://")[1:]
        ]
        for ref in refs:
            assert ref in files, (finding["check"], ref)
            _check_file(out / ref, files[ref])
            seen.add(ref)
    assert {p.relative_to(out).as_posix() for p in (out / "remediation").iterdir()} == seen
    assert len(seen) >= 8


def test_written_fixes_narrow_what_the_finding_flagged(demo: tuple[Path, dict[str, Any]]) -> None:
    out, document = demo
    organization = "o-demo1234567"
    public = json.loads((out / "remediation/trust-debug-anyone.json").read_text(encoding="utf-8"))
    assert public["Statement"][0]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": organization}}
    vendor = json.loads((out / "remediation/trust-vendor-monitoring.json").read_text(encoding="utf-8"))
    assert vendor["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": "<agreed-external-id>"}}
    service = json.loads((out / "remediation/trust-config-recorder.json").read_text(encoding="utf-8"))
    assert service["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": "111111111111"}}
    scp = json.loads((out / "remediation/require-mfa.json").read_text(encoding="utf-8"))
    assert scp["Statement"][0]["Effect"] == "Deny"
    commands = [c for f in document["findings"] for c in f["remediation"]["commands"]]
    assert any(c.endswith("--policy-document file://remediation/trust-debug-anyone.json") for c in commands)
