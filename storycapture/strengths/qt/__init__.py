"""The strengths board drawn with Qt: models over the service's cards, the board, the deck
panel, the side editor, and the tool that joins them and makes every edit one undo step."""
