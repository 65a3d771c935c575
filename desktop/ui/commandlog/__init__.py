"""The command log panel: every operation as the docker command that does the same."""
