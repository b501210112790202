"""The window's "Add a photo…": where the photo goes, from what is in view.

The photo strips themselves (adding, dropping, thumbnails, taking away) are
``storycapture.qtkit.photos``, embedded by the timeline's moment panel and the Story tab.
"""

from __future__ import annotations

from storycapture.gui.stories import StorytellerPage


def add_photo_to(page: StorytellerPage) -> None:
    """To the moment chosen on the timeline, when the timeline is in view; otherwise to the
    story, on the Story tab."""
    if page.current_tool() is page.timeline and page.timeline.add_photo():
        return
    if page.story.photos is not None:
        page.show_tool(page.story)
        page.story.photos.add_from_picker()
