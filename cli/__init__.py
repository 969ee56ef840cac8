"""The `morale` command line: a thin layer over ``model``, ``experiments`` and ``dashboards``."""
