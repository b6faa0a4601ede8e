"""Getting IAM data in: live collection (``collect.aws``), bundles and offline exports.

Every command reads its input through :func:`load`, which returns a
:class:`iamscope.model.snapshot.Snapshot` or raises :class:`InputError`.
"""

from __future__ import annotations

from iamscope.collect.input_error import InputError
from iamscope.collect.loader import load, load_bundle

__all__ = ["InputError", "load", "load_bundle"]
