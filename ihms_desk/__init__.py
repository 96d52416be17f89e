"""IHMS Desk: the offline-first medicine counter program for Rajasthan's CHCs."""

__version__ = "0.1.0"
