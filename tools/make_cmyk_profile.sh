#!/usr/bin/env bash
# Regenerate the CMYK output profile of print files (site_builder/theme/print/profiles/):
# an ICC profile built by ArgyllCMS's colprof from Fogra's FOGRA39L characterization data
# as Debian's icc-profiles-free ships it (zlib licence). The tools are only used here,
# never at build time: ArgyllCMS is AGPL, its output (the profile) is data.
# Run as root on Debian: bash tools/make_cmyk_profile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=site_builder/theme/print/profiles
if ! command -v colprof >/dev/null 2>&1 || [ ! -f /usr/share/color/icc/FOGRA39L.ti3 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends argyll icc-profiles-free
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp /usr/share/color/icc/FOGRA39L.ti3 "$work/"
# -qm: medium quality; -kr: black generation as a ramp (GCR); -l330: total ink limit
# 330 %; -L100: black limit 100 %; -D/-C: the description and copyright tags.
(cd "$work" && colprof -qm -kr -l330 -L100 \
  -A "country-briefs" -M "FOGRA39L" \
  -D "country-briefs CMYK (FOGRA39L, coated offset)" \
  -C "Profile data from FOGRA39L characterization data (c) Kai-Uwe Behrmann, zlib licence" \
  FOGRA39L >/dev/null)
cp "$work/FOGRA39L.icc" "$out/country-briefs-FOGRA39L.icc"
echo "wrote $out/country-briefs-FOGRA39L.icc"
