"""pinsandbox: a stateful local implementation of Pinterest's REST API v5 (5.12.0)."""

__version__ = "0.1.0"
SPEC_VERSION = "5.12.0"
