"""The address bar keeps the run (dashboards/links.py); a Copy link button shares it."""

from __future__ import annotations

import solara


@solara.component_vue("share_link.vue", vuetify=True)
def ShareLink(query: str):
    """Writes ``query`` into the page's address (history.replaceState) and copies the link."""
