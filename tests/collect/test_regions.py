"""Region names are checked against botocore's partition data, offline, before any call is made."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamscope.cli.main import main
from iamscope.collect.aws.regions import RegionError, check_regions, partition_regions
from iamscope.user_error import UserError


def test_every_partition_lists_real_regions() -> None:
    partitions = partition_regions()
    assert "us-east-1" in partitions["aws"]
    assert "cn-north-1" in partitions["aws-cn"]
    assert "us-gov-west-1" in partitions["aws-us-gov"]
    assert not any(name.endswith("-global") for names in partitions.values() for name in names)


def test_known_regions_pass_and_name_their_partition() -> None:
    assert check_regions("us-east-1", ("eu-west-1", "ap-southeast-2")) == "aws"
    assert check_regions("cn-northwest-1", ("cn-north-1",)) == "aws-cn"


@pytest.mark.parametrize(
    ("home", "regions", "message"),
    [
        ("us-east-1", ("us-eats-1",), "'us-eats-1' is not a region of partition aws known to botocore"),
        ("us-east-1", ("us-eats-1",), "did you mean us-east-1?"),
        ("eu-wst-1", (), "'eu-wst-1' is not a region of any partition"),
        ("eu-wst-1", (), "did you mean eu-west-1?"),
        ("us-east-1", ("cn-north-1",), "'cn-north-1' is a region of partition aws-cn, not of aws"),
        ("us-gov-west-1", ("us-east-1",), "'us-east-1' is a region of partition aws, not of aws-us-gov"),
    ],
)
def test_unknown_regions_are_refused_with_the_nearest(
    home: str, regions: tuple[str, ...], message: str
) -> None:
    with pytest.raises(RegionError) as raised:
        check_regions(home, regions)
    assert message in str(raised.value)
    assert isinstance(raised.value, UserError)


def test_collect_refuses_a_mistyped_region_before_calling_aws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Nothing listens on port 9: a call would fail as "cannot identify the caller", not like this.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    out = tmp_path / "bundle"
    assert (
        main(["collect", "--out", str(out), "--region", "us-east-1", "--regions", "us-east-1,us-eats-1"]) == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("iamscope: error: 'us-eats-1' is not a region of partition aws")
    assert "did you mean us-east-1?" in err
    assert not out.exists()
