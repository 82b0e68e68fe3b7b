#!/usr/bin/env bash
# The raw shell flow of the README: create an asset, then PATCH the file chunk
# by chunk with curl, asking HEAD for the offset before each chunk (which is
# also how an interrupted upload resumes).
#
#   API=http://127.0.0.1:1080 API_KEY=... PROJECT_ID=... curl-upload.sh FILE CHUNK_BYTES [UPLOAD_URL]
#
# Prints the upload URL first. Without UPLOAD_URL a new asset is created.
# MAX_CHUNKS=N stops after N PATCHes (to interrupt an upload on purpose).
set -eu
file=$1 chunk=$2 url=${3:-}
size=$(wc -c < "$file" | tr -d ' ')
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

if [ -z "$url" ]; then
  curl -sS --fail-with-body -D "$workdir/headers.txt" -o "$workdir/asset.json" \
    -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
    -d "{\"project_id\": \"$PROJECT_ID\", \"size_bytes\": $size}" "$API/v1/assets"
  url=$(grep -i '^location:' "$workdir/headers.txt" | tr -d '\r' | cut -d' ' -f2)
fi
echo "$url"

sent=0
while :; do
  offset=$(curl -sS --fail -I -H "Authorization: Bearer $API_KEY" -H 'Tus-Resumable: 1.0.0' "$url" \
    | grep -i '^upload-offset:' | tr -d '\r' | cut -d' ' -f2)
  echo "offset $offset"
  [ "$offset" -ge "$size" ] && break
  [ -n "${MAX_CHUNKS:-}" ] && [ "$sent" -ge "$MAX_CHUNKS" ] && break
  tail -c +$((offset + 1)) "$file" | head -c "$chunk" \
    | curl -sS --fail -X PATCH -o /dev/null \
        -H "Authorization: Bearer $API_KEY" -H 'Tus-Resumable: 1.0.0' -H "Upload-Offset: $offset" \
        -H 'Content-Type: application/offset+octet-stream' --data-binary @- "$url"
  sent=$((sent + 1))
done
