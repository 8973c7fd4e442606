"""Who Git Fusion makes the owner of a commit's changelist: the emulator's reading of
../shared/reference/git-fusion.md §2.2 and §9 (§9 wins where they differ).

Written from the reference, not from gfbridge's Rust code: tests are only worth something if
the two could disagree. One `Push` object is one push's user map: it remembers hits and
answers per (address, name) pair, so commits must be mapped in the order the push reads them.
"""
import configparser
import re

UNKNOWN_GIT = "unknown_git"        # a constant of Git Fusion's code (§9), not a setting
GIT_FUSION_USER = "git-fusion-user"


class UsermapError(Exception):
    """Git Fusion cannot read p4gf_usermap; raised only when a lookup first needs it."""


def author_of(raw_commit):
    """(name, address) as Git Fusion's fast-export parser reads the author line (§9.10):
    the name runs to the first " <", the address to the next blank; <> stripped at the ends."""
    for line in raw_commit.split("\n"):
        if not line:
            break
        if line.startswith("author "):
            rest = line[len("author "):]
            cut = rest.find(" <")
            if cut < 0:
                return rest, ""
            name, after = rest[:cut], rest[cut + 1:]
            return name, after.split(" ")[0].strip("<>")
    return "", ""


def sources_of(value):
    """author-source entries (§9.2): None (unset, none, empty) means git-email; otherwise the
    comma-separated entries, stripped, that are exactly one of the three known names."""
    if value is None:
        return ["git-email"]
    known = ("git-email", "git-email-account", "git-user")
    return [s.strip() for s in value.split(",") if s.strip() in known]


def is_true(raw):
    """getboolean()'s result tested for truth (§9.5): boolean words are booleans, other
    non-empty text is true, empty or missing is false."""
    if raw is None or raw == "":
        return False
    return configparser.ConfigParser.BOOLEAN_STATES.get(raw.lower(), True)


class Push:
    """One push's author mapping.

    users: `p4 users -a` records (User, Email, Type); usermap_text: the file or None;
    sources: from sources_of(); email_case: is_true() of email-case-sensitivity;
    folding: the server is case-insensitive."""

    def __init__(self, users, usermap_text, sources, email_case, folding):
        self.all_users = users
        self.usermap_text = usermap_text
        self.sources = sources
        self.email_case = email_case
        self.folding = folding
        # `p4 users` without -a: no service or operator users (§9.1).
        self.visible = [(self.fold(u["User"]), u.get("Email", ""))
                        for u in users if u.get("Type", "standard") == "standard"]
        self.listed = None      # usermap entries, then hits on `p4 users` (§9.4)
        self.answers = {}       # (address, name) -> user or None (§9.3)

    def fold(self, user):
        return user.casefold() if self.folding else user

    def same_address(self, a, b):
        if not self.email_case:
            return a.lower() == b.lower()

        def split(address):
            at = address.rfind("@")  # -1 without one: Python slicing as Git Fusion does it
            return address[:at], address[at + 1:].lower()
        return split(a) == split(b)

    def read_usermap(self):
        entries = []
        if self.usermap_text is None:
            return entries
        for line in self.usermap_text.split("\n"):
            line = line.strip()
            if not line or line.startswith("#"):   # §9.9: stripped first
                continue
            m = re.search(r'([^ \t]+)[ \t]+([^ \t]+)[ \t]+"?([^"]+)"?', line)
            if not m:
                continue
            user, address = self.fold(m.group(1)), m.group(2)
            for c in "<>,":
                if c in address:
                    raise UsermapError(f"Unable to read 'p4gf_usermap'. Illegal character '{c}' in email address '{address}'")
            if user == GIT_FUSION_USER:
                continue
            spec = next((u for u in self.all_users if self.fold(u["User"]) == user), None)
            if spec is not None and spec.get("Type", "standard") != "standard":
                continue
            entries.append((user, address))
        return entries

    def find(self, by_address, value):
        if self.listed is None:
            self.listed = self.read_usermap()   # lazily (§9.8); may raise UsermapError
        match = (lambda e: self.same_address(e[1], value)) if by_address else (lambda e: e[0] == value)
        for entry in self.listed:
            if match(entry):
                return entry[0]
        for entry in self.visible:
            if match(entry):
                self.listed.append(entry)
                return entry[0]
        return None

    def owner(self, name, address):
        """The user Git Fusion makes the owner, or None (the push is refused)."""
        key = (address, name)
        if key not in self.answers:
            self.answers[key] = self.lookup(name, address)
        return self.answers[key]

    def lookup(self, name, address):
        found = None
        for source in self.sources:
            if source == "git-email":
                at = address.rfind("@")
                if at > 0:  # §9.6: no candidates without an @ (or with one at the front)
                    parts = address[at + 1:].split(".")
                    for i in range(len(parts)):
                        found = self.find(True, address[:at + 1] + ".".join(parts[i:]))
                        if found:
                            break
            elif source == "git-email-account":
                found = self.find(False, self.fold(address.split("@", 1)[0]))
            else:
                found = self.find(False, self.fold(name))
            if found:
                break
        if not found:
            found = UNKNOWN_GIT
        return found if any(u == self.fold(found) for u, _ in self.visible) else None
