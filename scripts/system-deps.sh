#!/usr/bin/env bash
# Debian packages Berth needs to show a window (Qt's xcb plugin, fonts with Korean)
# and to make a virtual environment. Installs only what is missing.
set -euo pipefail
pkgs=(python3-venv libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
      libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
      libxcb-xinerama0 libxcb-xkb1 libxcb-shape0 libxcb-randr0 libxcb-shm0 libxcb-sync1
      libxcb-xfixes0 libxrender1 fonts-noto-cjk fonts-dejavu-core xvfb xauth curl iproute2 openssh-client "$@")
missing=()
for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "Berth needs these Debian packages: ${missing[*]}" >&2
        echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
