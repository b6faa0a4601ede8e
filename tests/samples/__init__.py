"""Tests of iamscope.samples."""
