#!/usr/bin/env bash
# Build Berth for macOS: the PyInstaller bundle as Berth.app, in a .dmg.
#
#   bash packaging/build-macos.sh
#
# Run in a Python 3.11+ environment where Berth is installed with the "package"
# extra (pip install -e ".[package]"), or set PYTHON. Output:
#   dist/Berth.app                               the app (ad-hoc signed by PyInstaller)
#   dist/berth-<version>-macos-<arch>.dmg        a disk image: Berth.app and an Applications link
#
# The build machine's architecture decides the app's (arm64 on Apple silicon runners,
# x86_64 on Intel). To sign for distribution, set BERTH_CODESIGN_IDENTITY (and
# BERTH_ENTITLEMENTS if needed) before building; notarizing is a separate step
# (xcrun notarytool submit ... --wait; xcrun stapler staple), see packaging/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ "$(uname -s)" = Darwin ] || { echo "build-macos.sh runs on macOS" >&2; exit 1; }
VERSION=$("$PYTHON" -c "import runpy; print(runpy.run_path('desktop/__init__.py')['__version__'])")
ARCH=$(uname -m)

"$PYTHON" -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/berth.spec
APP=dist/Berth.app
[ -x "$APP/Contents/MacOS/berth" ] || { echo "no $APP after PyInstaller" >&2; exit 1; }

# The bundle's self-check (packaging/rthook_selfcheck.py) and the version, from the app itself.
BERTH_SELF_CHECK=1 QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/berth"
"$APP/Contents/MacOS/berth" --version
codesign --verify --deep --strict "$APP"
plutil -lint "$APP/Contents/Info.plist"

# The disk image: the app next to a link to /Applications, to drag it onto.
STAGE=build/dmg
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
DMG=dist/berth-$VERSION-macos-$ARCH.dmg
rm -f "$DMG"
hdiutil create -volname "Berth $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
hdiutil verify "$DMG"
echo "wrote $DMG ($(du -h "$DMG" | cut -f1)); app $(du -sh "$APP" | cut -f1)"
