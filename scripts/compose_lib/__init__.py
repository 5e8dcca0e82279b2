"""scripts/compose-test: the compose stack on stand-in base images, driven for real."""
