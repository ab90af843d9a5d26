"""Data objects shared between the domains; plain dataclasses, no I/O."""
