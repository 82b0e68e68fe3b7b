"""Uploads a file to a pre-allocated upload URL with tuspy, the Python TUS client.

    python3 tuspy_upload.py API_KEY UPLOAD_URL FILE CHUNK_BYTES [STOP_AT]

Prints the offset the upload started from (what HEAD reported) and the offset
it reached. STOP_AT stops the upload there (to interrupt it on purpose).
"""
import sys

from tusclient import client

api_key, upload_url, path, chunk_size = sys.argv[1:5]
stop_at = int(sys.argv[5]) if len(sys.argv) > 5 else None

tus = client.TusClient(upload_url.rsplit("/", 1)[0], headers={"Authorization": f"Bearer {api_key}"})
uploader = tus.uploader(file_path=path, url=upload_url, chunk_size=int(chunk_size))
print(f"start {uploader.offset}")
uploader.upload(stop_at=stop_at)
print(f"end {uploader.offset}")
