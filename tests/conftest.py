"""Fixture modules under tests/fixtures/ are data checked by the plugin, not tests."""

collect_ignore_glob = ["fixtures/*"]
