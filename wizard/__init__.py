"""jumpcloud-pulumi-sso: the domain side of the wizard (no Textual in here)."""

__version__ = "0.2.0"
