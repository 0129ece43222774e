"""JointOps: planning and intelligence exchange for multinational operations."""

__version__ = "0.1.0"
