"""iamscope: who can do what in AWS accounts, what is dangerous about it, and how to reach least privilege."""

from __future__ import annotations

__version__ = "0.1.0"
