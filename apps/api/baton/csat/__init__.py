"""Customer satisfaction: one 1-5 rating (and an optional comment) per resolved conversation."""
