"""The Textual UI: thin screens over the checks in ``wizard``."""
