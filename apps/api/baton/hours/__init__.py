"""Business hours: when people answer, and what the widget says when they do not."""
