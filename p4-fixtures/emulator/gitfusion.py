#!/usr/bin/env python3
"""Git Fusion's git side, emulated for gfbridge's tests (../shared/reference/git-fusion.md).

Run as a repository's pre-receive and post-receive hook (see ../make-fusion-repo). This is an
independent reading of the reference, written apart from gfbridge's own rules on purpose: the
tests only prove something if the two could disagree. Config files are read with Python's
configparser, as Git Fusion itself reads them.

pre-receive:  hands out a push id, prints `Commencing push <N> processing...`, then runs each
              rule in RULES; the first refusal prints Git Fusion's message and rejects the push.
post-receive: the "background copy": records every commit Git Fusion did not have yet as a
              changelist owned per change-owner, submits Git Fusion's commit object for each
              (reference §10.2: depot/.git-fusion/objects/repos/<repo>/commits/aa/bb/<rest>-
              <branch id>,<change>, itself submitted in a later change of its own, listed in
              object-changes.json), and writes the git-fusion-status-* keys the fake p4 serves. settings.json "background" = "fail" or "hang" makes it fail
              (nothing recorded, `Push N failed: ...`) or never finish (`Push N started`).

Everything is read from <repo>/fusion/ (the fake p4's server directory), never from the
pusher's environment: settings.json, info.json, users.jsonl, depot/.git-fusion/... files.
"""
import configparser
import fcntl
import hashlib
import functools
import json
import os
import re
import subprocess
import sys
import time

import authors
import lfs
import protects
import views

ZERO = "0" * 40


class Repo:
    """The bare repository the hook runs in, and the emulator files under fusion/."""

    def __init__(self, git_dir):
        self.git_dir = git_dir
        self.dir = os.path.join(git_dir, "fusion")
        with open(self.path("settings.json")) as f:
            self.settings = json.load(f)
        self.name = self.settings.get("repo", "repo")
        self.encoded = self.name.replace("/", "_0xS_").replace(":", "_0xC_")

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def git(self, *args):
        return subprocess.run(["git", "--git-dir", self.git_dir, *args], check=True,
                              stdout=subprocess.PIPE).stdout.decode("utf-8", "surrogateescape")

    def bump(self, counter, count=1):
        """Reserves `count` values of a counter file and returns the first."""
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

    def set_keys(self, values):
        with open(self.path("lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                with open(self.path("keys.json")) as f:
                    keys = json.load(f)
            except FileNotFoundError:
                keys = {}
            keys.update(values)
            with open(self.path("keys.json"), "w") as f:
                json.dump(keys, f, indent=1)

    # --- Git Fusion's configuration (reference §1.3) ---

    @functools.lru_cache(maxsize=None)  # one hook run reads each file once
    def ini(self, *depot_path):
        parser = configparser.ConfigParser(interpolation=None)
        path = self.path("depot", ".git-fusion", *depot_path)
        if os.path.exists(path):
            with open(path) as f:
                parser.read_file(f)
        return parser

    def config_raw(self, section, key):
        """The text Git Fusion finds: the repo file's [@repo] whenever it has the key, else the
        global section (reference §1.3, §9.7: a [@repo] none or empty does not fall through)."""
        repo = self.ini("repos", self.encoded, "p4gf_config")
        if repo.has_section("@repo") and repo.has_option("@repo", key):
            return repo.get("@repo", key)
        glob = self.ini("p4gf_config")
        if glob.has_section(section) and glob.has_option(section, key):
            return glob.get(section, key)
        return None

    def config_value(self, section, key, default):
        """The value after the cascade; empty and `none` mean unset, so `default`."""
        value = self.config_raw(section, key)
        if value is None or value.strip() == "" or value.strip().lower() == "none":
            return default
        return value.strip()

    def config_flag(self, section, key, default):
        value = self.config_value(section, key, None)
        if value is None:
            return default
        return configparser.ConfigParser.BOOLEAN_STATES.get(value.lower(), default)

    def branch_sections(self):
        repo = self.ini("repos", self.encoded, "p4gf_config")
        globals_ = {"repo-creation", "git-to-perforce", "perforce-to-git", "@features",
                    "authentication", "quota", "undoc", "@repo"}
        return [(s, repo[s]) for s in repo.sections() if not s.startswith("@") and s not in globals_]

    def branch_view(self, branch):
        """The view lines Git Fusion uses for `branch`: its section's, else (a new branch,
        made lightweight) the first branch section's (reference §8.2, simplified: the
        parent's branch is taken to be the first one). None without any view."""
        sections = [s for _, s in self.branch_sections() if s.get("view")]
        own = [s for s in sections if s.get("git-branch-name") == branch]
        # An existing lightweight branch keeps the view p4gf_config2 records for it.
        lightweight = self.ini("repos", self.encoded, "p4gf_config2")
        own = own or [lightweight[n] for n in lightweight.sections()
                      if lightweight[n].get("git-branch-name") == branch
                      and lightweight[n].get("view")
                      and not lightweight[n].getboolean("deleted", fallback=False)]
        chosen = own or sections
        return views.parse(chosen[0]["view"]) if chosen else None

    def lfs_enabled(self):
        return self.config_flag("perforce-to-git", "git-lfs-enable", False)

    def blob(self, sha1):
        return subprocess.run(["git", "--git-dir", self.git_dir, "cat-file", "blob", sha1],
                              check=True, stdout=subprocess.PIPE).stdout

    def blob_size(self, sha1):
        return int(self.git("cat-file", "-s", sha1).strip())

    def attributes_reader(self, commit):
        def read(directory):
            path = f"{directory}/.gitattributes" if directory else ".gitattributes"
            found = subprocess.run(["git", "--git-dir", self.git_dir, "cat-file", "blob", f"{commit}:{path}"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            return found.stdout if found.returncode == 0 else None
        return read

    def pointer_at(self, blob_sha1):
        """The LFS object id Git Fusion reads in a blob, or None."""
        if self.blob_size(blob_sha1) > lfs.POINTER_MAX:
            return None
        return lfs.pointer_oid(self.blob(blob_sha1))

    def repo_read_only(self):
        repo = self.ini("repos", self.encoded, "p4gf_config")
        return repo.has_option("@repo", "read-only") and repo.getboolean("@repo", "read-only")

    @functools.lru_cache(maxsize=None)
    def change_owner(self):
        return "pusher" if self.config_value("git-to-perforce", "change-owner", "author").lower() == "pusher" else "author"

    @functools.lru_cache(maxsize=None)
    def case_insensitive(self):
        with open(self.path("info.json")) as f:
            return json.load(f).get("caseHandling", "sensitive") != "sensitive"

    # --- Authors (reference §2.2, §9): see authors.py ---

    @functools.lru_cache(maxsize=None)
    def users(self):
        with open(self.path("users.jsonl")) as f:
            return [json.loads(line) for line in f if line.strip()]

    def author_map(self):
        """A fresh user map for one push."""
        path = self.path("depot", ".git-fusion", "users", "p4gf_usermap")
        text = open(path).read() if os.path.exists(path) else None
        sources = authors.sources_of(self.config_value("authentication", "author-source", None))
        email_case = authors.is_true(self.config_raw("authentication", "email-case-sensitivity"))
        return authors.Push(self.users(), text, sources, email_case, self.case_insensitive())

    def author(self, sha1):
        return authors.author_of(self.git("cat-file", "commit", sha1))


def read_updates():
    return [tuple(line.split()) for line in sys.stdin.read().splitlines() if line.strip()]


def new_commits(repo, new):
    """Commits of `new` that Git Fusion does not have yet (pre-receive: refs not yet moved)."""
    out = repo.git("rev-list", "--reverse", "--topo-order", "--parents", new, "--not", "--all")
    return [line.split() for line in out.splitlines()]


def changed_entries(repo, sha1, parents, deletions=False, blobs=False):
    """(mode, path, status[, blob]) of entries the commit adds or modifies against its first parent
    (and deletes, with `deletions`: what fast-export lists, reference §8.0 item 9)."""
    base = parents[0] if parents else "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    out = repo.git("diff-tree", "-r", "--no-renames", "-z", "--raw", base, sha1)
    fields = out.split("\0")
    entries = []
    for i in range(0, len(fields) - 1, 2):
        meta, path = fields[i], fields[i + 1]
        parts = meta.lstrip(":").split()
        if len(parts) >= 5 and parts[4][0] in ("AMTD" if deletions else "AMT"):
            entries.append((parts[1], path, parts[4], parts[3]) if blobs else (parts[1], path, parts[4]))
    return entries


# --- Rules: each takes (repo, updates) and returns Git Fusion's message, or None. ---

def rule_read_only_instance(repo, updates):
    if repo.settings.get("read_only_instance"):
        return "Push to read-only instance prohibited"


def heads(updates):
    """The updates of branches (refs/heads/...): everything else is a tag (reference §8.5)."""
    return [u for u in updates if u[2].startswith("refs/heads/")]


def rule_read_only(repo, updates):
    if repo.repo_read_only():
        return f"Push to repo {repo.name} prohibited."
    for old, new, ref in heads(updates):
        branch = ref[len("refs/heads/"):]
        for _, section in repo.branch_sections():
            if section.get("git-branch-name") == branch and section.getboolean("read-only", fallback=False):
                return f"Push to branch {branch} prohibited."


def rule_branch_creation(repo, updates):
    """Reference §8.2 and §8.0 item 5: depot-branch creation runs first (`all`: every new
    branch becomes fully populated; `explicit`: only depot-branch/<x>); then, with branch
    creation off, every pushed ref that no p4gf_config section defines is refused, new or
    not (an existing undefined branch is a lightweight one)."""
    mode = str(repo.config_value("git-to-perforce", "depot-branch-creation-enable", "no")).lower()
    updates = heads(updates)
    for old, new, ref in updates:
        if old == ZERO and ref.startswith("refs/heads/depot-branch/") and mode != "explicit":
            return f"depot-branch creation disabled: {ref}"
    if repo.config_flag("git-to-perforce", "enable-git-branch-creation", True):
        return None
    repo_file = repo.path("depot", ".git-fusion", "repos", repo.encoded, "p4gf_config")
    if not os.path.exists(repo_file):
        return None  # a repo without its own file: nothing is defined yet (not emulated)
    defined = {s.get("git-branch-name") for _, s in repo.branch_sections()}
    for old, new, ref in updates:
        if new == ZERO:
            continue
        created_full = old == ZERO and (mode == "all" or ref.startswith("refs/heads/depot-branch/"))
        if ref[len("refs/heads/"):] not in defined and not created_full:
            return f"Branch creation is not authorized for this repo.\nRejecting push of '{ref}'."


def rule_commits(repo, updates):
    merges_ok = repo.config_flag("git-to-perforce", "enable-git-merge-commits", True)
    submodules_ok = repo.config_flag("git-to-perforce", "enable-git-submodules", True)
    by_author = repo.change_owner() == "author"
    owners = repo.author_map()
    for old, new, ref in heads(updates):
        if new == ZERO:
            continue
        view = repo.branch_view(ref[len("refs/heads/"):])
        for sha1, *parents in new_commits(repo, new):
            if len(parents) > 1 and not merges_ok:
                return "Merge commits are not enabled for this repo."
            for mode, path, _ in changed_entries(repo, sha1, parents):
                if mode == "160000" and not submodules_ok:
                    return f"Git submodules not permitted: path={path} commit={sha1}"
                if "..." in path:
                    return f"Perforce: bad filename (...): '{path}'"
                bad = next((c for c in path if ord(c) < 0x20 or ord(c) == 0x7F), None)
                if bad is not None:
                    return f"Perforce: Non-printable characters not allowed in Perforce: character x{ord(bad):02X} in filepath: {path}"
            if repo.lfs_enabled():
                refusal = lfs_refusal(repo, sha1, parents)
                if refusal:
                    return refusal
            if view is not None:
                listed = changed_entries(repo, sha1, parents, deletions=True)
                if not listed and views.depot_path(view, views.EMPTY_PLACEHOLDER) is None:
                    return (f"Empty commit {sha1[:7]} not permitted. Git Fusion branch views "
                            "must include root to permit empty commits.")
                if any(views.depot_path(view, path) is None for _, path, _ in listed):
                    return "file(s) not in client view"
                denied = unauthorized(repo, owners, by_author, sha1, view, listed)
                if denied:
                    return f"user '{denied}' not authorized to submit file(s) in git commit"
            if repo.case_insensitive():
                conflict = case_conflict(repo, sha1, parents, view)
                if conflict:
                    return conflict
            if by_author:
                name, email = repo.author(sha1)
                try:
                    owner = owners.owner(name, email)
                except authors.UsermapError as e:
                    return str(e)
                if owner is None:
                    return f"User '{email}' not permitted to commit"


def lfs_content_path(repo, oid):
    """Where Git Fusion holds an LFS object: the depot path under //.git-fusion/objects, or
    the upload cache (reference §8.4); None when it has neither."""
    depot = repo.path("depot", ".git-fusion", "objects", "repos", repo.encoded, "lfs", "sha256",
                      oid[0:2], oid[2:4], oid[4:6], oid[6:8], oid[8:])
    cache = repo.path("lfs-cache", oid)
    return next((p for p in (depot, cache) if os.path.exists(p)), None)


def lfs_refusal(repo, sha1, parents):
    """Git Fusion's `_check_lfs` for one commit: each listed regular file that is a pointer
    must be tracked by the commit's own .gitattributes, and its object must be on hand."""
    for mode, path, _, blob in changed_entries(repo, sha1, parents, blobs=True):
        if mode not in ("100644", "100755"):
            continue
        oid = repo.pointer_at(blob)
        if oid is None:
            continue
        if not lfs.is_tracked(path, repo.attributes_reader(sha1)):
            return f"Push of Git LFS text pointer not tracked by LFS:\ncommit {sha1[:7]} path {path}"
        if lfs_content_path(repo, oid) is None:
            return f"Push of Git LFS text pointer missing content:\ncommit {sha1[:7]} path {path}"


def stored_files(repo, sha1):
    """What the changelist of `sha1` stores per file it adds or changes: the path, and the
    SHA-256 and size of what Perforce holds: for a tracked pointer with LFS on, the object
    (moved from the upload cache to its depot path); otherwise the blob itself."""
    parents = repo.git("rev-list", "--parents", "-n", "1", sha1).split()[1:]
    files = []
    for mode, path, _, blob in changed_entries(repo, sha1, parents, blobs=True):
        if mode not in ("100644", "100755"):
            continue
        content, oid = None, repo.pointer_at(blob) if repo.lfs_enabled() else None
        if oid is not None:
            held = lfs_content_path(repo, oid)
            depot = repo.path("depot", ".git-fusion", "objects", "repos", repo.encoded, "lfs", "sha256",
                              oid[0:2], oid[2:4], oid[4:6], oid[6:8], oid[8:])
            if held and held != depot:
                os.makedirs(os.path.dirname(depot), exist_ok=True)
                os.replace(held, depot)
            with open(depot, "rb") as f:
                content = f.read()
        else:
            content = repo.blob(blob)
        files.append({"path": path, "sha256": hashlib.sha256(content).hexdigest(),
                      "size": len(content), "lfs": oid is not None})
    return files


def unauthorized(repo, owners, by_author, sha1, view, listed):
    """The first user Git Fusion checks who may not write one of the files the joined write
    maps refuse (reference §8.3, §8.0 item 2, §10.1), or None: the owner unless
    ignore-author-permissions, the pusher when it is not the owner (or authors are ignored),
    and git-fusion-user."""
    pusher = repo.settings.get("pusher", "gitlab-mirror")
    owner = owners.owner(*repo.author(sha1)) if by_author else pusher
    ignore = repo.config_flag("git-to-perforce", "ignore-author-permissions", False)
    users = ([] if ignore or owner is None else [owner]) + ([pusher] if ignore or pusher != owner else [])
    users.append("git-fusion-user")
    with open(repo.path("info.json")) as f:
        fusion_host = json.load(f).get("clientAddress", "127.0.0.1")
    client_host = repo.settings.get("client_host", "127.0.0.1")
    def may_write(user, depot):
        host = fusion_host if user == "git-fusion-user" else client_host
        return protects.may_write(protects.lines_for(repo.dir, user, host), depot)

    for _, path, _ in listed:
        depot = views.depot_path(view, path)
        if depot.startswith("//.git-fusion/"):
            continue
        # Reference §10.1: the write maps of the users checked are joined with the view; the
        # file passes when any of its depot paths (an overlay line's shadowed ones too) is
        # writable by all of them. Only then is the culprit sought, on the visible path.
        if any(all(may_write(u, d) for u in users) for d in views.depot_paths(view, path)):
            continue
        for user in users:
            if not may_write(user, depot):
                return user
    return None


def case_conflict(repo, sha1, parents, view):
    """Two files whose Perforce paths differ only in letter case: depot paths when the branch
    has a view (files it leaves out never reach Perforce), else git paths."""
    paths = repo.git("ls-tree", "-r", "--name-only", "-z", sha1).split("\0")
    seen = {}
    for path in filter(None, paths):
        key = path if view is None else views.depot_path(view, path)
        if key is None:
            continue
        other = seen.setdefault(key.lower(), path)
        if other != path:
            return ("Case conflicts:\ncommit  git path  Perforce depot path\n"
                    f"{sha1[:7]}  {path}  {other}")


def rule_tags(repo, updates):
    """Reference §8.5 `preflight_tags`: any ref outside refs/heads/ is a tag, named by the
    ref minus its first 10 characters. A bad name, or an existing tag moved, fails the whole
    push; deleting a tag is allowed."""
    for old, new, ref in updates:
        if ref.startswith("refs/heads/"):
            continue
        tag = ref[10:]
        if re.search(r"[*@#,]", tag) or "..." in tag or "%%" in tag or tag.startswith("-"):
            return f"illegal characters (@#*,...%%) in tag name: '{tag}'"
        if old != ZERO and new != ZERO and old != new:
            return "Updates were rejected because the tag already exists in the remote."


RULES = [rule_read_only_instance, rule_read_only, rule_branch_creation, rule_tags, rule_commits]


def process_tags(repo, updates):
    """Reference §8.5 `process_tags`, after the push is recorded as completed: a tag whose
    commit no branch reaches is deleted from the repo; a tag of a tree or blob stays in git
    only; the others are stored (fusion/tags.jsonl: tag, sha1, annotated), a deleted tag is
    removed from the store."""
    branch_tips = [line.split()[0] for line in repo.git("for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/").splitlines()]
    stored = []
    for old, new, ref in updates:
        if ref.startswith("refs/heads/"):
            continue
        tag = ref[10:]
        if new == ZERO:
            stored.append({"tag": tag, "deleted": True})
            continue
        kind = repo.git("cat-file", "-t", new).strip()
        target = repo.git("rev-parse", f"{new}^{{}}").strip()
        target_kind = repo.git("cat-file", "-t", target).strip()
        if target_kind != "commit":
            continue  # kept in git only
        reached = any(subprocess.run(["git", "--git-dir", repo.git_dir, "merge-base", "--is-ancestor", target, tip]).returncode == 0
                      for tip in branch_tips)
        if not reached:
            print(f"Tag '{tag}' of unknown commit {target[:7]} not stored in Perforce nor in git.", file=sys.stderr)
            repo.git("update-ref", "-d", ref)
            continue
        stored.append({"tag": tag, "sha1": new, "annotated": kind == "tag"})
    if stored:
        with open(repo.path("tags.jsonl"), "a") as f:
            for record in stored:
                f.write(json.dumps(record) + "\n")


def pre_receive(repo):
    updates = read_updates()
    push_id = repo.bump("push-id")
    print(f"Commencing push {push_id} processing...", file=sys.stderr)
    # A slow Git Fusion (tests of interruption): the push is under way, and says so in
    # fusion/pushes-started (one line per push) before taking `pre_receive_seconds`.
    delay = float(repo.settings.get("pre_receive_seconds", 0))
    if delay:
        with open(repo.path("pushes-started"), "a") as f:
            f.write(f"{push_id}\n")
        time.sleep(delay)
    for rule in RULES:
        message = rule(repo, updates)
        if message:
            print(message, file=sys.stderr)
            repo.set_keys({f"git-fusion-status-{repo.encoded}-{push_id}": f"Push {push_id} rejected: {message}"})
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
    status_key = f"git-fusion-status-{repo.encoded}"
    background = repo.settings.get("background", "ok")
    if background == "hang":
        repo.set_keys({status_key: f"Push {push_id} started"})
        return 0
    if background == "fail":
        message = repo.settings.get("background_message", "copy to Perforce failed")
        failed = f"Push {push_id} failed: {message}"
        repo.set_keys({status_key: failed, f"{status_key}-{push_id}": failed})
        return 0
    known = recorded_commits(repo)
    pusher = repo.settings.get("pusher", "gitlab-mirror")
    by_author = repo.change_owner() == "author"
    owners = repo.author_map()
    records = []
    for old, new, ref in updates:
        if new == ZERO or not ref.startswith("refs/heads/"):
            continue  # Deletions make no changelist; tags are not changelists.
        branch = ref[len("refs/heads/"):]
        for sha1 in repo.git("rev-list", "--reverse", "--topo-order", new).split():
            if sha1 in known:
                continue
            known.add(sha1)
            owner = owners.owner(*repo.author(sha1)) if by_author else pusher
            records.append({"sha1": sha1, "branch": branch, "owner": owner, "push": push_id,
                            "files": stored_files(repo, sha1)})
    first = repo.bump("change-counter", len(records)) if records else 0
    with open(repo.path("changelists.jsonl"), "a") as f:
        for number, record in enumerate(records, start=first):
            f.write(json.dumps({"change": number, **record}) + "\n")
    if records:
        submit_commit_objects(repo, [(first + i, r) for i, r in enumerate(records)])
    repo.set_keys({status_key: f"Push {push_id} completed successfully"})
    process_tags(repo, updates)
    return 0


def branch_id(repo, branch):
    """Git Fusion's id of the branch: its p4gf_config section's name when a section defines it,
    else (a lightweight branch) an id Git Fusion makes up; here a UUID derived from the name,
    with dashes, so that readers must split `<rest>-<branch id>,<change>` with care."""
    for name, section in repo.branch_sections():
        if section.get("git-branch-name") == branch:
            return name
    import uuid
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{repo.name}/{branch}"))


def submit_commit_objects(repo, numbered):
    """Reference §10.2: one object file per copied commit, named by its SHA-1, branch id and the
    change that holds its files. Git Fusion submits the object files in a change of its own,
    after the commits' changes: `p4 files` shows that change, not the commit's."""
    objects_change = repo.bump("change-counter")
    base = repo.path("depot", ".git-fusion", "objects", "repos", repo.encoded, "commits")
    listed = {}
    for change, record in numbered:
        sha1 = record["sha1"]
        folder = os.path.join(base, sha1[0:2], sha1[2:4])
        os.makedirs(folder, exist_ok=True)
        name = f"{sha1[4:]}-{branch_id(repo, record['branch'])},{change}"
        with open(os.path.join(folder, name), "w") as f:
            f.write(repo.git("cat-file", "commit", sha1))
        depot = f"//.git-fusion/objects/repos/{repo.encoded}/commits/{sha1[0:2]}/{sha1[2:4]}/{name}"
        listed[depot] = objects_change
    path = repo.path("object-changes.json")
    with open(repo.path("lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(path) as f:
                known = json.load(f)
        except FileNotFoundError:
            known = {}
        known.update(listed)
        with open(path, "w") as f:
            json.dump(known, f)


def main():
    hook = sys.argv[1]
    repo = Repo(os.environ.get("GIT_DIR", "."))
    sys.exit({"pre-receive": pre_receive, "post-receive": post_receive}[hook](repo))


if __name__ == "__main__":
    main()
