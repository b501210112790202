"""What a photo may be: the kinds of picture StoryCapture keeps, told from a file's first bytes
(never from its name), and the largest it keeps."""

from __future__ import annotations

PHOTO_LIMIT_BYTES = 200 * 1024 * 1024
SNIFF_BYTES = 32  # enough of a file's start to tell which kind of picture it is
# What a picture file starts with, by kind: the bytes decide, never the file's name.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (8, b"WEBP", "image/webp"),  # after "RIFF" and a size
    (0, b"BM", "image/bmp"),
)
# Every kind of picture a photo may be (what sniff_photo_type can say).
PHOTO_TYPES = frozenset({*(kind for _, _, kind in _SIGNATURES), "image/heic"})
_HEIC_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1")


def sniff_photo_type(head: bytes) -> str | None:
    """The kind of picture ``head`` (the first bytes of a file) begins, or None if it is not
    one of the kinds StoryCapture keeps."""
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "image/heic"
    for offset, signature, media_type in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if media_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            if media_type == "image/bmp" and head[6:10] != bytes(4):  # its reserved zeros
                continue
            return media_type
    return None
