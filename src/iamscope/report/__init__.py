"""Renders an Assessment: a shared view plus one module per output format."""
