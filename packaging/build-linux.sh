#!/usr/bin/env bash
# Build StoryCapture for Linux as one folder, dist/storycapture/:
#
#   dist/storycapture/storycapture        the program (the app, the command line, --self-test)
#   dist/storycapture/_internal/          Python, Qt and everything else it needs
#   dist/storycapture/share/              the desktop file, AppStream metainfo and icons, laid out
#                                         as in /usr/share (copy them there, or to ~/.local/share)
#
# Run from anywhere, with the project installed in the Python that $PYTHON names (default: the
# README's .venv if there is one, else python3), PyInstaller included: pip install -e '.[test]'.
# packaging/README.md says how to install and ship the result.
set -euo pipefail
cd "$(dirname "$0")/.."

APP_ID=org.storycapture.StoryCapture
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi

"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/storycapture.spec

bundle=dist/storycapture
share="$bundle/share"
install -D -m 644 "packaging/$APP_ID.desktop" "$share/applications/$APP_ID.desktop"
install -D -m 644 "packaging/$APP_ID.metainfo.xml" "$share/metainfo/$APP_ID.metainfo.xml"
install -D -m 644 resources/icons/storycapture.svg "$share/icons/hicolor/scalable/apps/storycapture.svg"
for png in resources/icons/hicolor/*/apps/storycapture.png; do
  install -D -m 644 "$png" "$share/icons/${png#resources/icons/}"
done

echo "Built $bundle ($(du -sm "$bundle" | cut -f1) MB): run $bundle/storycapture --self-test"
