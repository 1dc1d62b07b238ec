#!/usr/bin/env bash
# Makes a Docker base image for the simulator's Dockerfile out of this machine's Node, for machines
# that reach no container registry (../shared/MACHINE.md, "Containers"): `node:24-slim` cannot be
# pulled there, so tests and CI build with `--build-arg BASE_IMAGE=<this image>`.
#
#   scripts/base-image.sh            # prints the image's name, making it unless it exists
#
# The image holds what the Dockerfile expects of the official node image, and no more:
# - `node` (the one on the PATH, 22 or later), the shared libraries `ldd` lists for it, and the rest
#   of the C library (Debian's libc6: librt, libresolv, …), which native add-ons such as
#   @napi-rs/lzma's load and which every Debian-based node image has;
# - npm (the machine's) with `/usr/bin/env` for its `#!/usr/bin/env node` line, so that the
#   Dockerfile's dependencies stage can run `npm ci`;
# - the machine's CA bundle as NODE_EXTRA_CA_CERTS, as the machine's own npm uses it to reach the
#   registry (npm's requests from inside the build pass the same way);
# - root and the user `node` (uid 1000, as in the official image) in /etc/passwd, and /tmp.
# No shell: the Dockerfile uses the exec form throughout.
set -euo pipefail

node_bin=$(readlink -f "$(command -v node)")
version=$("$node_bin" --version)
if [ "${version:1:2}" -lt 22 ] 2>/dev/null; then
  echo "base-image: node $version is older than 22; put Node 22 or later first on the PATH" >&2
  exit 1
fi
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
image="digitalpost-base:node-${version#v}"

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# A file and every shared library it needs, at the same paths as here.
with_libraries() {
  mkdir -p "$root$(dirname "$2")"
  cp -L "$1" "$root$2"
  for library in $(ldd "$1" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$library")"
    cp -L "$library" "$root$library"
  done
}

with_libraries "$node_bin" /usr/local/bin/node
with_libraries "$(readlink -f /usr/bin/env)" /usr/bin/env
if command -v dpkg >/dev/null; then
  for library in $(dpkg -L libc6 | grep -E '/lib[^/]*\.so[.0-9]*$'); do
    mkdir -p "$root$(dirname "$library")"
    cp -L "$library" "$root$library"
  done
fi
mkdir -p "$root/usr/local/lib/node_modules"
cp -r "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
mkdir -p "$root/etc/ssl/certs"
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'node:x:1000:1000::/home/node:/sbin/nologin' \
  >"$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'node:x:1000:' >"$root/etc/group"
mkdir -p "$root/root" "$root/home/node" "$root/tmp"
chmod 1777 "$root/tmp"
chown 1000:1000 "$root/home/node"

tar -C "$root" --numeric-owner -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' \
  --message "node $version from this machine (scripts/base-image.sh)" \
  - "$image" >/dev/null
echo "$image"
