"""Containers: the ``docker ps -a`` table, what can be done to a container, the run dialog."""
