"""All cryptography of StoryCapture: key derivation, sealing, key wrapping, signatures, age media.

This is the only package that imports ``cryptography``; age files are read and written with it
too (``agefile``). Callers get plain bytes and strings back, and one exception type,
:class:`DecryptionFailed`, for anything that does not verify.
"""

from storycapture.crypto.aead import DecryptionFailed, FieldCipher, new_key, open_sealed, seal
from storycapture.crypto.kdf import KdfParams, KdfParamsOutOfBounds, calibrate, derive_key

__all__ = [
    "DecryptionFailed",
    "FieldCipher",
    "KdfParams",
    "KdfParamsOutOfBounds",
    "calibrate",
    "derive_key",
    "new_key",
    "open_sealed",
    "seal",
]
