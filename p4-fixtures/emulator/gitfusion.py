#!/usr/bin/env python3
"""Git Fusion's git side, emulated for gfbridge's tests (../shared/reference/git-fusion.md).

Run as a repository's pre-receive and post-receive hook (see ../make-fusion-repo). This is an
independent reading of the reference, written apart from gfbridge's own rules on purpose: the
tests only prove something if the two could disagree.

pre-receive:  hands out a push id, prints `Commencing push <N> processing...`, then runs each
              rule in RULES; the first refusal prints Git Fusion's message and rejects the push.
post-receive: records every commit Git Fusion did not have yet as a changelist in
              fusion/changelists.jsonl (change number, sha1, branch, owner, push id).

Settings come from files in <repo>/fusion/, never from the pusher's environment.
"""
import fcntl
import json
import os
import subprocess
import sys

ZERO = "0" * 40


class Repo:
    """The bare repository the hook runs in, and its emulator files under fusion/."""

    def __init__(self, git_dir):
        self.git_dir = git_dir
        self.dir = os.path.join(git_dir, "fusion")

    def path(self, name):
        return os.path.join(self.dir, name)

    def settings(self):
        with open(self.path("settings.json")) as f:
            return json.load(f)

    def git(self, *args):
        out = subprocess.run(["git", "--git-dir", self.git_dir, *args], check=True,
                             stdout=subprocess.PIPE, text=True)
        return out.stdout

    def bump(self, counter, count=1):
        """Reserves `count` values of a counter file and returns the first, safely across
        concurrent hooks."""
        with open(self.path("lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                with open(self.path(counter)) as f:
                    last = int(f.read().strip() or 0)
            except FileNotFoundError:
                last = 0
            with open(self.path(counter), "w") as f:
                f.write(f"{last + count}\n")
            return last + 1


def read_updates():
    """Returns the hook's stdin as (old, new, ref) tuples."""
    return [tuple(line.split()) for line in sys.stdin.read().splitlines() if line.strip()]


# --- Rules: each takes (repo, settings, updates) and returns Git Fusion's message, or None.

def rule_read_only_instance(repo, settings, updates):
    # A Git Fusion instance configured READ_ONLY refuses every push (reference §3 table).
    if settings.get("read_only_instance"):
        return "Push to read-only instance prohibited"
    return None


RULES = [
    rule_read_only_instance,
]


def pre_receive(repo):
    updates = read_updates()
    push_id = repo.bump("push-id")
    print(f"Commencing push {push_id} processing...", file=sys.stderr)
    settings = repo.settings()
    for rule in RULES:
        message = rule(repo, settings, updates)
        if message:
            print(message, file=sys.stderr)
            return 1
    with open(repo.path("current-push"), "w") as f:
        f.write(f"{push_id}\n")
    return 0


def recorded_commits(repo):
    with open(repo.path("changelists.jsonl")) as f:
        return {json.loads(line)["sha1"] for line in f if line.strip()}


def post_receive(repo):
    updates = read_updates()
    with open(repo.path("current-push")) as f:
        push_id = int(f.read().strip())
    known = recorded_commits(repo)
    records = []
    for old, new, ref in updates:
        if new == ZERO or not ref.startswith("refs/heads/"):
            continue  # Deletions are allowed and make no changelist; tags are not changelists.
        branch = ref[len("refs/heads/"):]
        log = repo.git("log", "--reverse", "--topo-order", "--format=%H %ae", new)
        for line in log.splitlines():
            sha1, email = line.split(" ", 1)
            if sha1 in known:
                continue
            known.add(sha1)
            records.append({"sha1": sha1, "branch": branch, "owner": email, "push": push_id})
    first = repo.bump("change-counter", len(records)) if records else 0
    with open(repo.path("changelists.jsonl"), "a") as f:
        for number, record in enumerate(records, start=first):
            f.write(json.dumps({"change": number, **record}) + "\n")
    return 0


def main():
    hook = sys.argv[1]
    repo = Repo(os.environ.get("GIT_DIR", "."))
    sys.exit({"pre-receive": pre_receive, "post-receive": post_receive}[hook](repo))


if __name__ == "__main__":
    main()
