"""One bundle file: written in a single streaming pass, and read and checked completely before
anything in it is used.

A bundle is an age file (X25519 recipients; ``age -d -i key.txt`` opens it) whose plaintext is
a POSIX ustar archive holding, in this order:

- ``operations.jsonl``: one canonical JSON object per line, each a change or an erasure;
- ``media/<storyteller-uuid>/<photo-uuid>``: the plaintext of each photo the changes bring;
- ``manifest.json``: canonical JSON naming the sender, the bundle's place in the sender's
  sequence and every member above with its size and SHA-256;
- ``manifest.sig``: the sender's 64-byte Ed25519 signature over the bytes of manifest.json.

The manifest comes last so that writing is one pass (each member is hashed as it streams by);
a bundle's identity is the SHA-256 of its manifest. Nothing here knows the vault's tables:
the caller chooses what goes in, says whom each incoming photo is encrypted to, and decides
whether it trusts the sender.

Nothing in plaintext touches the disk. Writing streams photos from their readers through the
archive into age; reading decrypts into memory, re-encrypting each photo on the fly to the
recipient the caller names, so what lands in the staging folder is ciphertext. A bundle that
fails any check leaves nothing behind: no staged file, and on export no partial file.
"""

from storycapture.sync.archive import is_bundle_member_name
from storycapture.sync.bundle.format import (
    DEFAULT_LIMITS,
    FORMAT,
    FORMAT_VERSION,
    MAX_RECIPIENTS,
    BundleRefused,
    Entry,
    Limits,
    Manifest,
    MediaItem,
    WrittenBundle,
    bundle_file_name,
    device_name_problem,
    operation_problem,
)
from storycapture.sync.bundle.read import OpenedBundle, read_bundle, verify_bundle
from storycapture.sync.bundle.write import write_bundle

__all__ = [
    "DEFAULT_LIMITS",
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_RECIPIENTS",
    "BundleRefused",
    "Entry",
    "Limits",
    "Manifest",
    "MediaItem",
    "OpenedBundle",
    "WrittenBundle",
    "bundle_file_name",
    "device_name_problem",
    "is_bundle_member_name",
    "operation_problem",
    "read_bundle",
    "verify_bundle",
    "write_bundle",
]
