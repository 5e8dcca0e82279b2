"""The audit log: who changed what in the workspace's administration, and how."""
