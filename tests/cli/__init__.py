"""Tests of iamscope.cli."""
