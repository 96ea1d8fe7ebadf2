#!/usr/bin/env bash
# refresh-binaries.sh - recompile models/en/*.bin from their ARPA files when a
# binary is missing or this build cannot load it (for example after a format
# version change), so that an existing checkout keeps working after an update.
# Loading a binary costs about a millisecond, so the check is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
"$S" --help 2>/dev/null | grep -q '^  compile ' || exit 0
for name in model spun; do
    arpa=models/en/$name.arpa.gz bin=models/en/$name.bin
    [ -s "$arpa" ] || continue
    if [ -s "$bin" ] && "$S" query -v summary "$bin" < /dev/null > /dev/null 2>&1; then
        continue
    fi
    echo "refresh-binaries: compiling $bin from $arpa" >&2
    "$S" compile "$arpa" "$bin"
done
# The model's identity (spin_detector_info(), "spinscan" in every JSON output):
# the checksum of the ARPA file in the manifest, added when missing.
m=models/en/manifest.json
if [ -s "$m" ] && [ -s models/en/model.arpa.gz ] && ! grep -q '"sha256"' "$m"; then
    sum=$(sha256sum models/en/model.arpa.gz | cut -d' ' -f1)
    node -e '
const fs = require("fs"); const m = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
m.sha256 = process.argv[2]; m.sha256_of = "model.arpa.gz";
fs.writeFileSync(process.argv[1] + ".tmp", JSON.stringify(m, null, 2) + "\n");
fs.renameSync(process.argv[1] + ".tmp", process.argv[1]);' "$m" "$sum"
    echo "refresh-binaries: added the model's sha256 to $m" >&2
fi
