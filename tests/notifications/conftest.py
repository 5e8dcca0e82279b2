"""The AI stays silent here, as in tests/conversations: only visitors and agents speak."""

from tests.conversations.conftest import _ai_silent

__all__ = ["_ai_silent"]
