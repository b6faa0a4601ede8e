"""Least privilege from recorded activity: generate, compare (unused), replay and right-size."""
