"""The timeline tool: the storyteller's history as events and periods on a time axis.

``service`` (Qt-free) reads and writes events through the vault; ``layout`` (Qt-free) works out
the picture's geometry (time scale, ticks, placing, clusters, the lifeline, what a drag means);
``qt`` draws that layout and turns gestures into edits.
"""
