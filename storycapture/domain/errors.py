"""The errors a person can cause, each with one plain sentence to show them.

The GUI shows ``str(error)`` in the window; the CLI prints it and exits with code 2.
Nothing that raises one of these may leave anything half-written behind.
"""

from __future__ import annotations


class StoryCaptureError(Exception):
    """Base of every error we expect a person to see. The message is the plain sentence."""


class InvalidInput(StoryCaptureError):
    """Something typed or chosen that cannot be kept as it is (too long, out of range, unknown)."""


class InvalidFuzzyDate(InvalidInput):
    """A date as typed that we cannot understand."""


class WrongPassphrase(StoryCaptureError):
    """The passphrase or recovery key does not open this vault."""


class VaultNotFound(StoryCaptureError):
    """There is no vault in the chosen folder."""


class VaultAlreadyExists(StoryCaptureError):
    """A vault already exists where a new one was to be created."""


class VaultInUse(StoryCaptureError):
    """Another StoryCapture window or command already has this vault open."""


class VaultLocked(StoryCaptureError):
    """The vault is locked; unlock it first."""


class VaultDamaged(StoryCaptureError):
    """The vault's files have been damaged or altered; nothing from them is shown."""


class StorageUnavailable(StoryCaptureError):
    """The data folder cannot be written (no permission, or the disk is full)."""


class NotFound(StoryCaptureError):
    """The storyteller, visit or item asked for does not exist (any more)."""


class ConsentMissing(StoryCaptureError):
    """The storyteller has not agreed to what is being asked."""
