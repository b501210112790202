"""StoryCapture: gather life stories safely, offline, encrypted on the laptop."""

__version__ = "0.1.0"
