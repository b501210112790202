"""The story-sharing room's window parts (PySide6)."""
