"""Code behind scripts/cluster and scripts/bench (local cluster, load generators, reports)."""
