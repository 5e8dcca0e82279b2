"""Canned responses: saved replies an agent inserts with ``/shortcut`` in the composer."""
