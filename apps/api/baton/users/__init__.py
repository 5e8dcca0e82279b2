"""Users: agents and admins, their roles, presence and management."""
