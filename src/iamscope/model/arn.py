"""ARNs split into their six parts, because matching and attribution work per segment."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Arn", "parse_arn"]


@dataclass(frozen=True, slots=True)
class Arn:
    """An Amazon Resource Name: arn:partition:service:region:account:resource."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        """The part of the resource before the first '/' or ':' (``user``, ``role``, ``key``...)."""
        for index, char in enumerate(self.resource):
            if char in "/:":
                return self.resource[:index]
        return self.resource

    @property
    def resource_name(self) -> str:
        """The last path element of the resource (a user, role or bucket name)."""
        for sep in ("/", ":"):
            if sep in self.resource:
                return self.resource.rsplit(sep, 1)[1]
        return self.resource


def parse_arn(text: str) -> Arn | None:
    """Split an ARN into its parts; None when ``text`` is not an ARN."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])
