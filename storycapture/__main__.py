"""``python -m storycapture`` is the same as the ``storycapture`` command."""

from storycapture.cli import main

raise SystemExit(main())
