"""Live, read-only collection through boto3 into a bundle: accounts or a whole organization."""

from __future__ import annotations

from iamscope.collect.aws.options import CollectOptions, Progress
from iamscope.collect.aws.run import CollectResult, collect, failure_summary

__all__ = ["CollectOptions", "CollectResult", "Progress", "collect", "failure_summary"]
