"""The protections table as the emulated server and Git Fusion read it: the emulator's
reading of ../shared/reference/git-fusion.md §8.3 and §8.0 item 3, and of Perforce's own
rules for selecting a user's lines (groups and subgroups, hosts). Written from those texts,
not from gfbridge's code.

Files in the server directory: protects.jsonl (`p4 -ztag -Mj protects -a` records: perm,
host, user, isgroup, depotFile, unmap) and groups.jsonl (`p4 -ztag -Mj groups` records:
group, user, isSubGroup). Without protects.jsonl every user has super on //... (a server
with no protections table)."""
import fnmatch
import json
import os
import re

OPEN_TABLE = [{"perm": "super", "host": "*", "user": "*", "depotFile": "//..."}]
WRITE_MODES = ("write", "admin", "super", "=write")


def _records(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def table(server_dir):
    return _records(os.path.join(server_dir, "protects.jsonl")) or OPEN_TABLE


def groups_of(server_dir, user):
    """Every group `user` is in, through subgroups too."""
    records = _records(os.path.join(server_dir, "groups.jsonl")) or []
    found = {r["group"] for r in records if r.get("isSubGroup", "0") != "1" and r["user"] == user}
    while True:
        more = {r["group"] for r in records
                if r.get("isSubGroup") == "1" and r["user"] in found and r["group"] not in found}
        if not more:
            return found
        found |= more


def lines_for(server_dir, user, host):
    """The lines `p4 protects -u user -h host` shows: the user's own, its groups', `*`'s."""
    groups = groups_of(server_dir, user)
    picked = []
    for line in table(server_dir):
        who = line.get("user", "*")
        if "isgroup" in line:
            if who not in groups:
                continue
        elif not fnmatch.fnmatchcase(user, who):
            continue
        if not fnmatch.fnmatchcase(host, line.get("host", "*")):
            continue
        picked.append(line)
    return picked


def _pattern(depot_file):
    out, i = [], 0
    while i < len(depot_file):
        if depot_file.startswith("...", i):
            out.append(".*"); i += 3
        elif depot_file[i] == "*":
            out.append("[^/]*"); i += 1
        else:
            out.append(re.escape(depot_file[i])); i += 1
    return re.compile("".join(out) + r"\Z", re.S)


def may_write(lines, depot_path):
    """Git Fusion's write map: write-granting inclusions add, every exclusion removes, the
    last line matching the path decides; a read line takes nothing away."""
    verdict = False
    for line in lines:
        path = line["depotFile"]
        exclusion = "unmap" in line or path.startswith("-")
        if not exclusion and line.get("perm") not in WRITE_MODES:
            continue
        if _pattern(path.lstrip("-")).match(depot_path):
            verdict = not exclusion
    return verdict
