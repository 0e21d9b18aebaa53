#!/usr/bin/env bash
# Renders a venue page (an HTML file from `venue generate --format html` or `venue demo`) in
# headless Chromium: writes a PNG screenshot at phone width and the rendered DOM beside it.
#
# Usage: scripts/screenshot-venue.sh PAGE.html [OUT.png]      (default OUT: PAGE.png; DOM: OUT.dom.html)
# Needs Debian's `chromium` (apt-get install chromium); prints the PNG path.
set -euo pipefail
page=$(realpath "$1")
out=${2:-${page%.html}.png}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[[ -n $browser ]] || { echo "screenshot-venue: chromium is not installed (apt-get install chromium)" >&2; exit 3; }
profile=$(mktemp -d)                      # a throwaway Chromium profile, removed on exit
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --no-first-run
       --user-data-dir="$profile" --window-size=420,1600)
"$browser" "${flags[@]}" --screenshot="$out" "file://$page" >/dev/null 2>&1
"$browser" "${flags[@]}" --dump-dom "file://$page" > "${out%.png}.dom.html" 2>/dev/null
echo "$out"
