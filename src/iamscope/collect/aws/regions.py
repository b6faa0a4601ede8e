"""Region names checked against botocore's partition data before anything is called, offline.

A mistyped region (``us-eats-1``) would otherwise be tried call by call and recorded as a row of
connection failures. The lists come from the ``partitions`` data botocore ships, so no network is
needed; a region newer than the installed botocore is refused with a hint to upgrade boto3.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from functools import cache

from botocore import __version__ as botocore_version
from botocore.loaders import create_loader

from iamscope.user_error import UserError

__all__ = ["RegionError", "check_regions", "partition_regions"]


class RegionError(UserError):
    """A region name that is not a region of the partition; the message suggests the nearest."""


@cache
def partition_regions() -> dict[str, tuple[str, ...]]:
    """Every partition's region names, from botocore's data (its ``*-global`` pseudo regions left out)."""
    data = create_loader().load_data("partitions")
    return {
        partition["id"]: tuple(sorted(name for name in partition["regions"] if not name.endswith("-global")))
        for partition in data["partitions"]
    }


def _partition_of(region: str, partitions: dict[str, tuple[str, ...]]) -> str | None:
    return next((name for name, regions in partitions.items() if region in regions), None)


def _unknown(region: str, candidates: Sequence[str], where: str) -> RegionError:
    close = difflib.get_close_matches(region, candidates, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    return RegionError(
        f"{region!r} is not a region of {where} known to botocore {botocore_version}{hint} "
        "(a region newer than botocore needs 'pip install --upgrade boto3')"
    )


def check_regions(home_region: str, regions: Sequence[str] = ()) -> str:
    """The partition of ``home_region``; RegionError unless every region is one of its regions."""
    partitions = partition_regions()
    partition = _partition_of(home_region, partitions)
    if partition is None:
        every = [name for names in partitions.values() for name in names]
        raise _unknown(home_region, every, "any partition")
    for region in regions:
        if region in partitions[partition]:
            continue
        other = _partition_of(region, partitions)
        if other is not None:
            raise RegionError(
                f"{region!r} is a region of partition {other}, not of {partition} "
                f"(the partition of the home region {home_region}; one run collects one partition)"
            )
        raise _unknown(region, partitions[partition], f"partition {partition}")
    return partition
