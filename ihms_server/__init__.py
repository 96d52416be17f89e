"""The IHMS state server: receives desks' stock events, serves the catalogue, shows the district dashboard."""

__version__ = "0.1.0"
