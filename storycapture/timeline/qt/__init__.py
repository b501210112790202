"""The timeline's Qt views. They draw the plain model; they never own the state.

``tool.TimelineTool`` is the composite the window embeds: ``scene``/``items`` draw the layout,
``view`` handles pointer, touch and keyboard, ``panel`` edits one moment, ``event_list`` is the
accessible list of the same moments.
"""
