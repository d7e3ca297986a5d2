"""Benchmarks of the portal (``make bench``): dashboard, sync and growth. Not part of the tests."""
