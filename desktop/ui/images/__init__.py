"""Images: the ``docker images`` table, pulling, tagging and removing images."""
