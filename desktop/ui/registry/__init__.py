"""Registries: logging in and out."""
