"""What is done with the model: sweeps, the stylized facts, Granovetter's check, lessons, reports.

This layer imports ``model`` (and ``agents`` through it); ``model`` never imports it.
See docs/ARCHITECTURE.md.
"""
