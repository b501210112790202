"""The strengths tool: cards for strengths, talents, hopes, desires, and life now, on a board.

``service`` (Qt-free) reads and writes cards through the vault; ``qt`` draws the board.
"""
