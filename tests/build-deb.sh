#!/bin/bash
# build-deb.sh [BUILD]: builds pppkit_<version>_<arch>.deb into BUILD
# (default: build/) with dpkg-buildpackage, and nothing else.
#
# dpkg-buildpackage works in the source tree (debian/pppkit, debian/files,
# ...) and writes its results to the parent directory. So that it disturbs
# neither the working tree nor its parent, the build runs in a copy of the
# source (the files git knows about, committed or not) under
# BUILD/deb-src/, and only the .deb (and the build log) come back to BUILD.
# PPPKIT_DEB_FROM=HEAD builds the last commit instead of the working tree.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${BUILD:-build}}
case $build in /*) ;; *) build=$top/$build ;; esac
cd "$top"

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
work=$build/deb-src
src=$work/pppkit-$version
deb=pppkit_${version}_${arch}.deb

rm -rf "$work"
mkdir -p "$src"
if [ "${PPPKIT_DEB_FROM:-}" = HEAD ]; then
    # the last commit only (a shared working tree may hold half-done edits)
    git -C "$top" archive HEAD | tar -C "$src" -xf -
elif git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # tracked and untracked-but-not-ignored files that exist in the tree
    # (minus other build directories, build-*/, that .gitignore may not list)
    git -C "$top" ls-files -z --cached --others --exclude-standard | grep -zv '^build' |
        (cd "$top" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
        tar -C "$top" --null -T - -cf - | tar -C "$src" -xf -
else
    tar -C "$top" --exclude='./build*' --exclude=./.git --exclude='./debian/pppkit' -cf - . | tar -C "$src" -xf -
fi

log=$build/deb-build.log
echo "make deb: building $deb in $src (log: $log)"
start=$(date +%s)
# -b: binary only (native source, nothing to upload); -us -uc: no signing.
if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
        dpkg-buildpackage -b -us -uc) >"$log" 2>&1; then
    tail -n 25 "$log" >&2
    echo "make deb: dpkg-buildpackage failed, full log: $log" >&2
    exit 1
fi
mv -f "$work/$deb" "$build/$deb"
rm -rf "$work"
echo "make deb: $build/$deb ($(($(date +%s) - start))s)"
