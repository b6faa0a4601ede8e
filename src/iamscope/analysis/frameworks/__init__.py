"""Compliance frameworks as data files (control id -> check ids, many to many), one per benchmark version."""
