#!/usr/bin/env python3
"""Git Fusion's `@wait@<repo>@<N>` special repository, emulated (reference git-fusion.md §5).

Usage: special_repo.py <stand-in repo dir> <url ending in @wait@<repo>@<N>>

Like Git Fusion over SSH: while push N is still running (the repo-wide status key says
`Push N started`) it blocks; then it prints the status line on stderr (the per-push key, else
the repo-wide key when N is the active push, else `Push N completed successfully`), and git
reports that the remote hung up (exit 128).
"""
import json
import os
import re
import sys
import time


def main(repo_dir, url):
    m = re.search(r"@wait@(.+)@(\d+)$", url)
    if not m:
        print("Git Fusion: unrecognized special command.", file=sys.stderr)
        return 128
    repo, push_id = m.group(1), int(m.group(2))
    encoded = repo.replace("/", "_0xS_").replace(":", "_0xC_")
    keys_path = os.path.join(repo_dir, "fusion", "keys.json")
    while True:
        try:
            with open(keys_path) as f:
                keys = json.load(f)
        except FileNotFoundError:
            keys = {}
        repo_status = keys.get(f"git-fusion-status-{encoded}", "")
        if repo_status != f"Push {push_id} started":
            break
        print(f"Waiting for push {push_id}...", file=sys.stderr, flush=True)
        time.sleep(0.1)
    line = keys.get(f"git-fusion-status-{encoded}-{push_id}")
    if line is None:
        active = repo_status.startswith(f"Push {push_id} ")
        line = repo_status if active else f"Push {push_id} completed successfully"
    print(line, file=sys.stderr)
    print("fatal: The remote end hung up unexpectedly", file=sys.stderr)
    return 128


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
