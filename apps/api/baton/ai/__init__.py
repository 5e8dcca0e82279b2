"""AI replies: a fleet of providers with streaming and failover, auto-replies, accuracy logs."""
