"""The check registry and its topic modules; each check's prose lives once, in ``checks.yaml``."""
