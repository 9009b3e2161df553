# Generated from ../_async/__init__.py by scripts/unasync.py: edit that file, not this one.
"""Written for asyncio; `../_sync/` is generated from it by scripts/unasync.py."""
