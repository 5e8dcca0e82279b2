"""Encryption at rest: the workspace's data keys, the blind search index, rotation."""
