"""Findings of one check and severity read as one issue: "15 roles are administrator-equivalent".

The text and Markdown reports show each group once (title, remediation, the list of resources);
the machine formats (JSON, CSV, OCSF, ASFF, SARIF) keep one record per resource. A group's title
says how many of what: ``GROUP_TITLES`` holds one phrase per check, with ``{subjects}`` ("15
roles", "2 users and 3 roles") and ``{n}``; a check without a phrase gets "<title> (<subjects>)".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from iamscope.model.arn import parse_arn
from iamscope.model.findings import Finding, Severity

__all__ = ["GROUP_TITLES", "FindingGroup", "group_findings", "likewise", "short_resource", "subjects"]

GROUP_TITLES: Mapping[str, str] = {
    "root-access-key": "Root user has active access keys in {n} accounts",
    "root-mfa-disabled": "Root user has no MFA in {n} accounts",
    "root-hardware-mfa-missing": "Root user MFA is not a hardware device in {n} accounts",
    "root-used-recently": "Root user used recently in {n} accounts",
    "password-policy-min-length": (
        "Password policy allows passwords shorter than 14 characters in {n} accounts"
    ),
    "password-policy-reuse": "Password policy does not prevent password reuse in {n} accounts",
    "console-user-without-mfa": "{subjects} have a console password and no MFA",
    "access-key-created-at-setup": "{subjects} have an access key created with the user and never used",
    "console-password-unused": "{subjects} have a console password unused for 45 days or more",
    "access-key-unused": "{subjects} have an access key unused for 45 days or more",
    "multiple-active-access-keys": "{subjects} have more than one active access key",
    "access-key-not-rotated": "{subjects} have an access key not rotated in 90 days",
    "user-password-and-access-keys": "{subjects} have both a console password and access keys",
    "unused-user": "{subjects} unused for 90 days",
    "user-direct-policies": "{subjects} have policies of their own instead of through groups",
    "full-admin-policy-attached": '"*:*" is allowed by {subjects} that are attached',
    "support-role-missing": "No role for AWS Support incidents in {n} accounts",
    "cloudshell-full-access-attached": "AWSCloudShellFullAccess is attached to {subjects}",
    "unused-role": "{subjects} unused for 90 days",
    "server-certificate-expired": "{subjects} expired and still stored in IAM",
    "access-analyzer-disabled": "IAM Access Analyzer not enabled in {n} regions",
    "root-use-alerting-missing": "No alert on root user activity in {n} accounts",
    "iam-policy-change-alerting-missing": "No alert on IAM policy changes in {n} accounts",
    "config-rules-missing": "AWS Config rules for IAM are missing in {n} accounts",
    "admin-equivalent-principal": "{subjects} are administrator-equivalent",
    "privilege-escalation-actions": "{subjects} may escalate privileges on any resource",
    "data-exfiltration-actions": "{subjects} may read sensitive data on any resource",
    "resource-exposure-actions": "{subjects} may change resource policies on any resource",
    "credentials-exposure-actions": "{subjects} may create or reveal credentials on any resource",
    "infrastructure-modification-actions": "{subjects} may modify infrastructure on any resource",
    "passrole-unscoped": "{subjects} may call iam:PassRole on any role",
    "assume-role-unscoped": "{subjects} may call sts:AssumeRole on any role",
    "lambda-invoke-unscoped": "{subjects} may call lambda:InvokeFunction on any function",
    "role-trust-public": "{subjects} assumable by anyone",
    "role-trust-cross-account-no-external-id": (
        "{subjects} assumable from another account without narrowing conditions"
    ),
    "role-trust-service-no-source": "{subjects} trust a service without aws:SourceAccount or aws:SourceArn",
    "resource-policy-public": "{subjects} open to anyone through their resource policies",
    "resource-policy-cross-account": "{subjects} shared with accounts outside the organization",
    "mfa-scp-missing": "No SCP enforces MFA in {n} accounts",
}

# (service, resource type) -> (singular, plural); the service alone where ARNs carry no type.
_NOUNS: Mapping[tuple[str, str], tuple[str, str]] = {
    ("iam", "user"): ("user", "users"),
    ("iam", "role"): ("role", "roles"),
    ("iam", "group"): ("group", "groups"),
    ("iam", "policy"): ("policy", "policies"),
    ("iam", "root"): ("account", "accounts"),
    ("iam", "server-certificate"): ("server certificate", "server certificates"),
    ("s3", ""): ("bucket", "buckets"),
    ("sqs", ""): ("queue", "queues"),
    ("sns", ""): ("topic", "topics"),
    ("lambda", "function"): ("function", "functions"),
    ("kms", "key"): ("key", "keys"),
    ("secretsmanager", "secret"): ("secret", "secrets"),
    ("ecr", "repository"): ("repository", "repositories"),
    ("access-analyzer", "analyzer"): ("region", "regions"),
}
_OTHER = ("resource", "resources")


def _noun(arn: str) -> tuple[str, str]:
    parsed = parse_arn(arn)
    if parsed is None:
        return _OTHER
    kind = parsed.resource_type if parsed.service not in ("s3", "sqs", "sns") else ""
    return _NOUNS.get((parsed.service, kind), _OTHER)


def subjects(resources: Sequence[str]) -> str:
    """``15 roles``, ``2 users and 3 roles``, ``1 user, 2 roles and 1 policy`` (first-seen order)."""
    counts: dict[tuple[str, str], int] = {}
    for arn in resources:
        noun = _noun(arn)
        counts[noun] = counts.get(noun, 0) + 1
    parts = [f"{n} {noun[0] if n == 1 else noun[1]}" for noun, n in counts.items()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def likewise(sharing: int) -> str:
    """`` (likewise, with its own name, for the 3 others)`` after a command example shared by 4."""
    if sharing <= 1:
        return ""
    others = "the other" if sharing == 2 else f"the {sharing - 1} others"
    return f" (likewise, with its own name, for {others})"


def short_resource(arn: str) -> str:
    """``role/developer-01`` from a role ARN, the bucket name from an S3 ARN, the ARN otherwise."""
    parsed = parse_arn(arn)
    return arn if parsed is None or not parsed.resource else parsed.resource


@dataclass(frozen=True, slots=True)
class FindingGroup:
    """Findings of one check with one severity and title, in report order."""

    label: str  # C-001, H-002...: shared by every finding of the group
    check: str
    severity: Severity
    title: str  # the check's title (one finding) or the counted group title
    findings: tuple[Finding, ...]

    @property
    def single(self) -> Finding | None:
        """The finding when the group has only one."""
        return self.findings[0] if len(self.findings) == 1 else None

    def uniform_message(self) -> bool:
        """Whether the findings' messages differ only by the resource's name and kind."""
        return len({_shape(item, item.message) for item in self.findings}) == 1

    def command_examples(self) -> list[tuple[Finding, int]]:
        """One finding per distinct shape of remediation commands, with how many findings share it."""
        shapes: dict[str, list[Finding]] = {}
        for item in self.findings:
            if item.remediation.commands:
                key = _shape(item, "\n".join(item.remediation.commands))
                shapes.setdefault(key, []).append(item)
        return [(items[0], len(items)) for items in shapes.values()]


def _shape(item: Finding, text: str) -> str:
    """``text`` with the finding's resource name and kind blanked out, to compare across resources."""
    parsed = parse_arn(item.resource)
    if parsed is None:
        return text
    if parsed.resource_name:
        text = text.replace(parsed.resource_name, "\x00")
    if parsed.resource_type:  # the kind once: "The role x may pass any role"
        text = text.replace(parsed.resource_type, "\x01", 1)
    return text


def _group_title(check: str, title: str, findings: Sequence[Finding]) -> str:
    if len(findings) == 1:
        return title
    who = subjects([f.resource for f in findings])
    phrase = GROUP_TITLES.get(check)
    if phrase is None:
        return f"{title} ({who})"
    return phrase.format(subjects=who, n=len(findings))


def group_findings(findings: Sequence[Finding], prefixes: Mapping[Severity, str]) -> tuple[FindingGroup, ...]:
    """Findings grouped by (severity, check, title) in first-seen order, labelled per severity."""
    keyed: dict[tuple[Severity, str, str], list[Finding]] = {}
    for item in findings:
        keyed.setdefault((item.severity, item.check, item.title), []).append(item)
    counters: dict[Severity, int] = {}
    groups: list[FindingGroup] = []
    for (severity, check, title), items in sorted(keyed.items(), key=lambda kv: kv[0][0].rank):
        counters[severity] = counters.get(severity, 0) + 1
        label = f"{prefixes[severity]}-{counters[severity]:03d}"
        groups.append(FindingGroup(label, check, severity, _group_title(check, title, items), tuple(items)))
    return tuple(groups)
