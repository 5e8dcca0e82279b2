"""Workspace settings: typed, validated keys that admins change at run time."""
