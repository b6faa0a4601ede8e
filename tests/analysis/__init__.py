"""Tests of iamscope.analysis."""
