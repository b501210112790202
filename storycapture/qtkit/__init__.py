"""Small Qt pieces shared by the window and the tools' views (undo commands, palettes).

Qt is allowed here; it sits below ``timeline.qt`` and ``strengths.qt`` so both can use it
without depending on each other or on the application shell.
"""
