"""The timeline tool: the storyteller's history as events and periods on a time axis.

``service`` (Qt-free) reads and writes events through the vault; ``qt`` draws them.
"""
