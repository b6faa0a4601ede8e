"""Tests of iamscope.report."""
