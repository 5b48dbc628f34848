"""Tests: testing."""
