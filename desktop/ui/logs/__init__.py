"""Logs: a viewer per container that follows, searches and keeps up with a flood."""
