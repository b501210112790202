"""Plain value types and rules of the storyteller's world. Standard library only."""
