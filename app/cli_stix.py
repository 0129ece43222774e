"""The `jointops` commands for stix (issue 7)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Registers nothing yet: the commands are being built (issue 7)."""
