#!/usr/bin/env bash
# Refreshes the vendored front-end files from the npm registry. The results are committed, so
# neither `make run` nor a browser ever fetches them from elsewhere.
set -euo pipefail
PICO=2.1.1
HTMX=2.0.11
LEAFLET=1.9.4
cd "$(dirname "$0")/.."
dest=weh/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@picocss/pico@$PICO" "htmx.org@$HTMX" "leaflet@$LEAFLET" >/dev/null)
for f in "$work"/*.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
mkdir -p "$dest/pico" "$dest/htmx" "$dest/leaflet/images"
cp "$work/picocss-pico-$PICO/package/css/pico.green.min.css" "$work/picocss-pico-$PICO/package/LICENSE.md" "$dest/pico/"
cp "$work/htmx.org-$HTMX/package/dist/htmx.min.js" "$work/htmx.org-$HTMX/package/LICENSE" "$dest/htmx/"
cp "$work/leaflet-$LEAFLET/package/dist/leaflet.js" "$work/leaflet-$LEAFLET/package/dist/leaflet.css" \
   "$work/leaflet-$LEAFLET/package/LICENSE" "$dest/leaflet/"
cp "$work/leaflet-$LEAFLET/package/dist/images/"* "$dest/leaflet/images/"
# Source maps are not shipped: drop the references so the hashed static storage finds every file.
sed -i '/^\/\/# sourceMappingURL=/d' "$dest/leaflet/leaflet.js" "$dest/htmx/htmx.min.js"
echo "vendored pico $PICO, htmx $HTMX, leaflet $LEAFLET into $dest"
