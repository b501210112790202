"""Sync by file: export bundles and their import and merge. No Qt.

Builds on the operation log (``store.models.OperationRow``) and the device keys held in the
vault header; the bundle format is described in ARCHITECTURE.md.
"""
