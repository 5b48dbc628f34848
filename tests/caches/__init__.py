"""Tests: caches."""
