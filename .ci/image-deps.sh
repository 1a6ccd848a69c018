#!/usr/bin/env bash
# Installs ImageMagick (Debian's imagemagick), which the preview decoders'
# tests use to make the JPEG variants Go cannot encode (progressive, CMYK,
# 4:1:1 with restart markers). Nothing if it is there already. It looks for
# Debian's own binary: a `convert` earlier on PATH may be a stand-in that
# only reads PNGs.
set -euo pipefail
if [ ! -x /usr/bin/convert ]; then
  echo "image-deps: installing Debian's imagemagick"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends imagemagick
fi
convert -version | head -1
