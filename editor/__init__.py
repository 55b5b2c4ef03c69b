"""Strata: a desktop text-and-shape editor in which every change is undoable."""

__version__ = "0.1.0"
