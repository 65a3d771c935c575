"""Berth's packages, found rather than listed: every package under desktop/, and
desktop.resources, which lives in the top-level resources/ folder (see pyproject.toml,
where everything else about the build is)."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["desktop", "desktop.*"]), "desktop.resources"])
