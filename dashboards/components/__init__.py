"""Solara components of the dashboard."""
