"""Analytics over conversations and messages, and streamed exports."""
