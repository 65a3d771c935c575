"""Berth: a native desktop application for managing Docker."""

__version__ = "0.1.0"
