"""Generated policies as JSON, a Terraform snippet, or a CloudFormation template."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Literal

from iamscope.model.document import JsonObject, JsonValue

__all__ = ["PolicyFormat", "render_policies"]

PolicyFormat = Literal["json", "terraform", "cloudformation"]

_NAME = re.compile(r"[^A-Za-z0-9_]")


def _names(base: str, count: int) -> list[str]:
    clean = _NAME.sub("_", base).strip("_") or "generated"
    return [clean] if count == 1 else [f"{clean}_{i}" for i in range(1, count + 1)]


def render_policies(
    documents: Sequence[JsonObject], fmt: PolicyFormat, name: str, description: str = ""
) -> str:
    """Text for standard output: one JSON document (a JSON array when split), or a snippet."""
    if fmt == "json":
        value: JsonValue = documents[0] if len(documents) == 1 else list(documents)
        return json.dumps(value, indent=2) + "\n"
    names = _names(name, len(documents))
    if fmt == "terraform":
        blocks = []
        for resource_name, document in zip(names, documents, strict=True):
            body = json.dumps(document, indent=2)
            blocks.append(
                f'resource "aws_iam_policy" "{resource_name}" {{\n'
                f'  name        = "{resource_name.replace("_", "-")}"\n'
                f"  description = {json.dumps(description)}\n"
                f"  policy      = <<-POLICY\n"
                + "\n".join(f"    {line}" for line in body.splitlines())
                + "\n  POLICY\n}\n"
            )
        return "\n".join(blocks)
    template: JsonObject = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": description,
        "Resources": {
            "".join(p.capitalize() for p in resource_name.split("_")): {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"Description": description, "PolicyDocument": document},
            }
            for resource_name, document in zip(names, documents, strict=True)
        },
    }
    return json.dumps(template, indent=2) + "\n"
