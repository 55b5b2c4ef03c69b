"""Tests of Strata's pytest plugin run pytest on small test projects in a subprocess."""

pytest_plugins = ["pytester"]
