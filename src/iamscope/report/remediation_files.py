"""The files remediation commands read (``--policy-document file://trust.json``), made for each finding.

A command that says ``file://NAME`` is only useful with that file. For every (check, NAME) that
the check prose or a check's commands use, a maker here writes the content from what the finding
knows: the trust or resource policy it flagged with the narrowing condition added to the
offending statements, the SCP or EventBridge pattern of the check's prose, the AWS Config rule.
Files land in ``remediation/`` of ``assess --output-dir``; a name used by several findings with
different content gets the resource's name (``trust-debug-anyone.json``), and each finding's
commands are rewritten to the path (relative to the output directory) that was written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from iamscope.model.arn import parse_arn
from iamscope.model.document import JsonObject, JsonValue
from iamscope.model.findings import Finding
from iamscope.model.snapshot import Snapshot

__all__ = [
    "DIRECTORY",
    "MAKERS",
    "FileKind",
    "RemediationFile",
    "RemediationFiles",
    "file_references",
    "plan_remediation_files",
]

DIRECTORY = "remediation"
FileKind = Literal[
    "trust-policy", "scp", "resource-policy", "queue-attributes", "event-pattern", "config-rule"
]
_REFERENCE = re.compile(r"file://([A-Za-z0-9._-]+)")
_ORG_PLACEHOLDER = "<o-your-organization-id>"
_EXTERNAL_ID_PLACEHOLDER = "<agreed-external-id>"


def file_references(command: str) -> list[str]:
    """The bare file names a command reads with ``file://`` (``trust.json``)."""
    return _REFERENCE.findall(command)


@dataclass(frozen=True, slots=True)
class RemediationFile:
    """One file to write: its path relative to the output directory, its JSON, and what to check."""

    path: str
    kind: FileKind
    content: str
    note: str


@dataclass(frozen=True, slots=True)
class _Draft:
    kind: FileKind
    value: JsonValue
    note: str


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What a maker may read besides the finding."""

    organization_id: str | None


_Maker = Callable[[Finding, _Inputs], _Draft | None]


def _principals(statement: Mapping[str, JsonValue], key: str) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"] if key == "AWS" else []
    if not isinstance(principal, dict):
        return []
    value = principal.get(key)
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _narrowed(
    document: JsonValue, wanted: Callable[[Mapping[str, JsonValue]], bool], key: str, value: str
) -> tuple[JsonValue, int]:
    """A copy of ``document`` with ``StringEquals {key: value}`` added to each Allow statement wanted."""
    if not isinstance(document, dict):
        return document, 0
    raw = document.get("Statement")
    statements = [raw] if isinstance(raw, dict) else list(raw) if isinstance(raw, list) else []
    changed = 0
    out: list[JsonValue] = []
    for statement in statements:
        if isinstance(statement, dict) and statement.get("Effect") == "Allow" and wanted(statement):
            condition = statement.get("Condition")
            merged: JsonObject = dict(condition) if isinstance(condition, dict) else {}
            equals = merged.get("StringEquals")
            block: JsonObject = dict(equals) if isinstance(equals, dict) else {}
            block[key] = value
            merged["StringEquals"] = block
            out.append({**statement, "Condition": merged})
            changed += 1
        else:
            out.append(statement)
    return {**document, "Statement": out}, changed


def _evidence_strings(item: Finding, key: str) -> set[str]:
    """The strings of a list in the finding's evidence (the accounts or services it names)."""
    value = item.evidence.get(key)
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def _organization(inputs: _Inputs) -> tuple[str, str]:
    if inputs.organization_id:
        return inputs.organization_id, ""
    return _ORG_PLACEHOLDER, f" Replace {_ORG_PLACEHOLDER} with your organization id."


def _public_trust(item: Finding, inputs: _Inputs) -> _Draft | None:
    org, todo = _organization(inputs)
    document, changed = _narrowed(
        item.evidence.get("trust_policy"),
        lambda s: "*" in _principals(s, "AWS"),
        "aws:PrincipalOrgID",
        org,
    )
    if not changed:
        return None
    note = (
        "The role's trust policy with aws:PrincipalOrgID added to the statements that trust anyone: "
        f"only principals of your organization may assume it.{todo} Better still, name the principals."
    )
    return _Draft("trust-policy", document, note)


def _external_id_trust(item: Finding, inputs: _Inputs) -> _Draft | None:
    outside = _evidence_strings(item, "accounts")

    def trusts_outside(statement: Mapping[str, JsonValue]) -> bool:
        for principal in _principals(statement, "AWS"):
            parsed = parse_arn(principal)
            if (parsed.account if parsed is not None else principal) in outside:
                return True
        return False

    document, changed = _narrowed(
        item.evidence.get("trust_policy"), trusts_outside, "sts:ExternalId", _EXTERNAL_ID_PLACEHOLDER
    )
    if not changed:
        return None
    note = (
        "The role's trust policy with an sts:ExternalId condition on the statements that trust "
        f"{', '.join(sorted(outside))}. Replace {_EXTERNAL_ID_PLACEHOLDER} with the id agreed with them."
    )
    return _Draft("trust-policy", document, note)


def _source_account_trust(item: Finding, inputs: _Inputs) -> _Draft | None:
    named = _evidence_strings(item, "services")
    document, changed = _narrowed(
        item.evidence.get("trust_policy"),
        lambda s: bool(named & set(_principals(s, "Service"))),
        "aws:SourceAccount",
        item.account_id,
    )
    if not changed:
        return None
    note = (
        f"The role's trust policy with aws:SourceAccount {item.account_id} on the statements that trust "
        f"{', '.join(sorted(named))}: the service may assume it only for this account."
    )
    return _Draft("trust-policy", document, note)


def _support_trust(item: Finding, inputs: _Inputs) -> _Draft | None:
    document: JsonObject = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ResponderAssumeWithMfa",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{item.account_id}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ],
    }
    note = (
        f"Trust for the support role: principals of {item.account_id} that IAM allows sts:AssumeRole "
        "on it, signed in with MFA."
    )
    return _Draft("trust-policy", document, note)


def _snippet(kind: FileKind, note: str) -> _Maker:
    """A maker that writes the check's policy snippet, which is a whole document."""

    def make(item: Finding, inputs: _Inputs) -> _Draft | None:
        if item.remediation.policy_snippet is None:
            return None
        try:
            value: JsonValue = json.loads(item.remediation.policy_snippet)
        except json.JSONDecodeError:
            return None
        return _Draft(kind, value, note)

    return make


def _password_rule(item: Finding, inputs: _Inputs) -> _Draft | None:
    parameters = {
        "RequireUppercaseCharacters": "true",
        "RequireLowercaseCharacters": "true",
        "RequireSymbols": "true",
        "RequireNumbers": "true",
        "MinimumPasswordLength": "14",
        "PasswordReusePrevention": "24",
        "MaxPasswordAge": "90",
    }
    rule: JsonObject = {
        "ConfigRuleName": "iam-password-policy",
        "Description": "Checks the account password policy (CIS 1.8: 14 characters, 1.9: 24 remembered).",
        "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_PASSWORD_POLICY"},
        "InputParameters": json.dumps(parameters, separators=(",", ":")),
        "MaximumExecutionFrequency": "TwentyFour_Hours",
    }
    note = "The AWS managed Config rule iam-password-policy with the CIS thresholds."
    return _Draft("config-rule", rule, note)


def _outside_statement(statement: Mapping[str, JsonValue]) -> bool:
    return "*" in _principals(statement, "AWS")


def _unsourced_service(statement: Mapping[str, JsonValue]) -> bool:
    condition = statement.get("Condition")
    text = json.dumps(condition).lower() if condition is not None else ""
    sourced = "aws:sourceaccount" in text or "aws:sourcearn" in text
    return bool(_principals(statement, "Service")) and not sourced


def _public_resource_policy(item: Finding, inputs: _Inputs) -> _Draft | None:
    return _narrowed_resource_policy(item, inputs, item.evidence.get("policy"))


def _blocked_bucket_policy(item: Finding, inputs: _Inputs) -> _Draft | None:
    """A bucket that Block Public Access keeps private: its policy made private on its own."""
    return _narrowed_resource_policy(item, inputs, item.evidence.get("document"))


def _narrowed_resource_policy(item: Finding, inputs: _Inputs, collected: JsonValue) -> _Draft | None:
    org, _ = _organization(inputs)
    document, public = _narrowed(collected, _outside_statement, "aws:PrincipalOrgID", org)
    document, services = _narrowed(document, _unsourced_service, "aws:SourceAccount", item.account_id)
    added = []
    if public:
        fill = "" if inputs.organization_id else f" (replace {_ORG_PLACEHOLDER} with your organization id)"
        added.append(f"aws:PrincipalOrgID on the statements open to any principal{fill}")
    if services:
        added.append(f"aws:SourceAccount {item.account_id} on service statements without a source condition")
    if not added:
        return None
    note = (
        f"The resource policy with {' and '.join(added)}. "
        "If nobody outside needs access, delete the statement instead."
    )
    return _Draft("resource-policy", document, note)


def _public_queue_attributes(item: Finding, inputs: _Inputs) -> _Draft | None:
    draft = _public_resource_policy(item, inputs)
    if draft is None:
        return None
    return _Draft("queue-attributes", {"Policy": json.dumps(draft.value)}, draft.note)


_SHARED_NOTE = (
    "The resource policy as collected: narrow the statements that name outside accounts to the exact "
    "role ARNs and actions needed (or delete them) before applying it."
)


def _shared_resource_policy(item: Finding, inputs: _Inputs) -> _Draft | None:
    document = item.evidence.get("policy")
    return _Draft("resource-policy", document, _SHARED_NOTE) if isinstance(document, dict) else None


def _shared_queue_attributes(item: Finding, inputs: _Inputs) -> _Draft | None:
    document = item.evidence.get("policy")
    if not isinstance(document, dict):
        return None
    return _Draft("queue-attributes", {"Policy": json.dumps(document)}, _SHARED_NOTE)


# (check, file name in its commands) -> maker. A test proves every file:// reference has one.
MAKERS: Mapping[tuple[str, str], _Maker] = {
    ("support-role-missing", "trust.json"): _support_trust,
    ("role-trust-public", "trust.json"): _public_trust,
    ("role-trust-cross-account-no-external-id", "trust.json"): _external_id_trust,
    ("role-trust-service-no-source", "trust.json"): _source_account_trust,
    ("mfa-scp-missing", "require-mfa.json"): _snippet(
        "scp", "SCP denying everything but MFA set-up to IAM users signed in without MFA."
    ),
    ("root-use-alerting-missing", "root-activity.json"): _snippet(
        "event-pattern", "EventBridge pattern matching API calls and console sign-ins by the root user."
    ),
    ("iam-policy-change-alerting-missing", "iam-policy-changes.json"): _snippet(
        "event-pattern", "EventBridge pattern matching IAM policy changes (CIS 4.4)."
    ),
    ("config-rules-missing", "iam-password-policy-rule.json"): _password_rule,
    ("resource-policy-public", "policy.json"): _public_resource_policy,
    ("resource-policy-public", "attributes.json"): _public_queue_attributes,
    ("s3-public-access-blocked", "policy.json"): _blocked_bucket_policy,
    ("resource-policy-cross-account", "policy.json"): _shared_resource_policy,
    ("resource-policy-cross-account", "attributes.json"): _shared_queue_attributes,
}


def _slug(item: Finding) -> str:
    parsed = parse_arn(item.resource)
    name = parsed.resource_name if parsed is not None and parsed.resource_name else item.account_id
    if name == "root":
        name = item.account_id
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or item.account_id


def _is_account(arn: str) -> bool:
    parsed = parse_arn(arn)
    return parsed is not None and parsed.service == "iam" and parsed.resource == "root"


def _text(value: JsonValue) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True, slots=True)
class RemediationFiles:
    """The files of an assessment's remediation commands and where each finding's references point."""

    by_path: Mapping[str, RemediationFile]
    paths: Mapping[str, Mapping[str, str]]  # finding id -> referenced name -> written path

    @property
    def files(self) -> tuple[RemediationFile, ...]:
        """Every file, in the order findings first referenced them."""
        return tuple(self.by_path.values())

    def commands(self, item: Finding) -> tuple[str, ...]:
        """The finding's commands with ``file://NAME`` pointing at the written file."""
        mapping = self.paths.get(item.id)
        if not mapping:
            return item.remediation.commands
        return tuple(
            _REFERENCE.sub(lambda m: f"file://{mapping.get(m.group(1), m.group(1))}", command)
            for command in item.remediation.commands
        )

    def files_of(self, item: Finding) -> tuple[RemediationFile, ...]:
        """The files the finding's commands read."""
        wanted = dict.fromkeys(self.paths.get(item.id, {}).values())
        return tuple(self.by_path[path] for path in wanted)


def plan_remediation_files(findings: Sequence[Finding], snapshot: Snapshot | None) -> RemediationFiles:
    """Make every referenced file; one file per distinct content of a name."""
    inputs = _Inputs(snapshot.organization.id if snapshot and snapshot.organization else None)
    drafts: dict[str, list[tuple[Finding, _Draft]]] = {}
    for item in findings:
        for command in item.remediation.commands:
            for name in file_references(command):
                maker = MAKERS.get((item.check, name))
                draft = maker(item, inputs) if maker is not None else None
                if draft is not None and all(f.id != item.id for f, _ in drafts.get(name, [])):
                    drafts.setdefault(name, []).append((item, draft))
    files: dict[str, RemediationFile] = {}
    paths: dict[str, dict[str, str]] = {}
    for name, made in drafts.items():
        # One plain-named file when every finding about an account wants the same content
        # (the SCP, the event patterns); a file per resource otherwise.
        accounts_only = all(_is_account(item.resource) for item, _ in made)
        shared = accounts_only and len({_text(d.value) for _, d in made}) == 1
        stem, dot, ext = name.rpartition(".")
        for item, draft in made:
            path = f"{DIRECTORY}/{name}"
            if not shared:
                path = f"{DIRECTORY}/{stem}-{_slug(item)}{dot}{ext}"
                if path in files and files[path].content != _text(draft.value):
                    path = f"{DIRECTORY}/{stem}-{_slug(item)}-{item.account_id}{dot}{ext}"
            files.setdefault(path, RemediationFile(path, draft.kind, _text(draft.value), draft.note))
            paths.setdefault(item.id, {})[name] = path
    return RemediationFiles(files, paths)
