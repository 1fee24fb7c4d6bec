#!/bin/sh
# Build the lab images as one OCI image-layout tar, without any registry and
# without a Docker daemon: the node image build runs this in a build stage,
# and the node's init imports the tar into containerd's k8s.io namespace.
#
# usage: build-oci.sh SRC_DIR OUT_TAR
#   needs: gcc + libc6-dev (static), busybox-static, jq, sha256sum, tar
#
# Layers are plain (uncompressed) tars written deterministically, so the
# same sources give the same digests. Images share the busybox layer.
set -eu
SRC="$1"
OUT="$2"
WORK="$(mktemp -d)"
OCI="$WORK/oci"
BLOBS="$OCI/blobs/sha256"
mkdir -p "$BLOBS"

# --- root filesystems -------------------------------------------------------
BB="$WORK/busybox"            # busybox + applet links + minimal /etc
mkdir -p "$BB/bin" "$BB/etc" "$BB/tmp" "$BB/proc" "$BB/sys" "$BB/dev" "$BB/root"
cp /bin/busybox "$BB/bin/busybox"
for applet in $("$BB/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$BB/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$BB/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$BB/etc/group"
chmod 1777 "$BB/tmp"

PAUSE="$WORK/pause"
mkdir -p "$PAUSE"
gcc -static -O2 -s -o "$PAUSE/pause" "$SRC/pause.c"

MEMHOG="$WORK/memhog"
mkdir -p "$MEMHOG/usr/local/bin"
gcc -static -O2 -s -o "$MEMHOG/usr/local/bin/memhog" "$SRC/memhog.c"

WEB="$WORK/web"
mkdir -p "$WEB/www"
cp "$SRC/web/index.html" "$WEB/www/index.html"

# --- helpers ------------------------------------------------------------------
# layer DIR -> prints "digest size" of a deterministic tar blob of DIR.
layer() {
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$1" -cf "$WORK/layer.tar" .
  put "$WORK/layer.tar"
}
# put FILE -> moves FILE into the blob store, prints "digest size".
put() {
  d="$(sha256sum "$1" | cut -d' ' -f1)"
  s="$(stat -c %s "$1")"
  mv "$1" "$BLOBS/$d"
  echo "$d $s"
}

INDEX='[]'
# image NAME CONFIG_JSON LAYER_SPEC... where LAYER_SPEC is "digest size".
image() {
  name="$1"; cfg="$2"; shift 2
  layers='[]'; diffs='[]'
  for l in "$@"; do
    d="${l% *}"; s="${l#* }"
    layers="$(echo "$layers" | jq -c --arg d "sha256:$d" --argjson s "$s" \
      '. + [{mediaType:"application/vnd.oci.image.layer.v1.tar",digest:$d,size:$s}]')"
    diffs="$(echo "$diffs" | jq -c --arg d "sha256:$d" '. + [$d]')"
  done
  jq -cn --argjson c "$cfg" --argjson diffs "$diffs" \
    '{architecture:"amd64",os:"linux",created:"1970-01-01T00:00:00Z",config:$c,rootfs:{type:"layers",diff_ids:$diffs}}' >"$WORK/config.json"
  set -- $(put "$WORK/config.json")
  jq -cn --arg d "sha256:$1" --argjson s "$2" --argjson layers "$layers" \
    '{schemaVersion:2,mediaType:"application/vnd.oci.image.manifest.v1+json",config:{mediaType:"application/vnd.oci.image.config.v1+json",digest:$d,size:$s},layers:$layers}' >"$WORK/manifest.json"
  set -- $(put "$WORK/manifest.json")
  INDEX="$(echo "$INDEX" | jq -c --arg d "sha256:$1" --argjson s "$2" --arg n "$name" \
    '. + [{mediaType:"application/vnd.oci.image.manifest.v1+json",digest:$d,size:$s,platform:{architecture:"amd64",os:"linux"},annotations:{"io.containerd.image.name":$n,"org.opencontainers.image.ref.name":($n|split(":")|last)}}]')"
  echo "image $name"
}

PATHENV='"PATH=/usr/local/bin:/bin"'
L_BB="$(layer "$BB")"
L_PAUSE="$(layer "$PAUSE")"
L_MEMHOG="$(layer "$MEMHOG")"
L_WEB="$(layer "$WEB")"

image localhost/labs/pause:1  "{\"Env\":[$PATHENV],\"Entrypoint\":[\"/pause\"]}" "$L_PAUSE"
image localhost/labs/shell:1  "{\"Env\":[$PATHENV],\"Cmd\":[\"sh\"]}" "$L_BB"
image localhost/labs/memhog:1 "{\"Env\":[$PATHENV],\"Entrypoint\":[\"/usr/local/bin/memhog\"],\"Cmd\":[\"64\"]}" "$L_BB" "$L_MEMHOG"
image localhost/labs/web:1    "{\"Env\":[$PATHENV],\"Cmd\":[\"httpd\",\"-f\",\"-v\",\"-p\",\"8080\",\"-h\",\"/www\"],\"ExposedPorts\":{\"8080/tcp\":{}}}" "$L_BB" "$L_WEB"

echo '{"imageLayoutVersion":"1.0.0"}' >"$OCI/oci-layout"
jq -n --argjson m "$INDEX" '{schemaVersion:2,manifests:$m}' >"$OCI/index.json"
mkdir -p "$(dirname "$OUT")"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$OCI" -cf "$OUT" oci-layout index.json blobs
rm -rf "$WORK"
echo "wrote $OUT ($(stat -c %s "$OUT") bytes)"
