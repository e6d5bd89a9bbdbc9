#!/usr/bin/env bash
# Can another package depend on this one at a version? SwiftPM refuses a versioned
# dependency whose product's targets carry unsafe build flags ("the target 'BPE' in product
# 'BPE' contains unsafe build flags"). The command lines link Swift's standard library
# statically with such a flag (Package.swift, `staticStandardLibrary`), which is allowed only
# because no library product contains them; this check fails if one ever does.
#
# It tags a clone of HEAD (with the working tree's Package.swift) in a temporary folder,
# makes a package that depends on it by version through every library product, and runs
# `swift build` until the build plan is made: SwiftPM reports unsafe flags before it
# compiles anything, so the build is stopped once "Building for" appears.
#
# Usage: scripts/check_dependents.sh        (about ten seconds; exit 1 on a refusal)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work" 2>/dev/null || true' EXIT

git clone -q "$root" "$work/dep"
cp "$root/Package.swift" "$work/dep/Package.swift"
(cd "$work/dep" && git add Package.swift &&
    git -c user.email=ci@localhost -c user.name=ci commit -qm "check" --allow-empty && git tag 99.0.0)

# Every library product of the manifest, by name.
products=$(cd "$root" && swift package dump-package |
    python3 -c 'import json,sys; print(" ".join(p["name"] for p in json.load(sys.stdin)["products"] if "library" in p["type"]))')
[ -n "$products" ] || { echo "check_dependents: no library products found" >&2; exit 1; }
deps=""
for p in $products; do deps+=".product(name: \"$p\", package: \"dep\"), "; done

mkdir -p "$work/user/Sources/User"
cat > "$work/user/Package.swift" <<EOF
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "user",
    dependencies: [.package(url: "file://$work/dep", exact: "99.0.0")],
    targets: [.executableTarget(name: "User", dependencies: [$deps])]
)
EOF
echo 'print("user")' > "$work/user/Sources/User/main.swift"

log="$work/build.log"
# In a session of its own, so that the whole build (swift-build and its compilers) can be stopped.
setsid bash -c 'cd "$1" && exec swift build' _ "$work/user" > "$log" 2>&1 &
pid=$!
# Until the plan is made (or the build ends), at most five minutes.
for _ in $(seq 600); do
    if grep -q "Building for" "$log" || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.5
done
kill -- -"$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true

if grep -q "unsafe build flags" "$log"; then
    grep "unsafe build flags" "$log" >&2
    echo "check_dependents: a library product carries unsafe flags; keep them on executable targets only" >&2
    exit 1
fi
if ! grep -q "Building for" "$log"; then
    cat "$log" >&2
    echo "check_dependents: the dependent package did not get as far as its build plan" >&2
    exit 1
fi
echo "check_dependents: a package can depend on $products by version"
