"""Database: the declarative base, column types, the engine and sessions."""

from baton.db.base import Base, TimestampMixin, UTCDateTime, utcnow
from baton.db.engine import Database

__all__ = ["Base", "Database", "TimestampMixin", "UTCDateTime", "utcnow"]
