"""Git Fusion's LFS rules for pushes (reference §8.4, §8.0 items 1 and 9), read from the
reference on their own: what counts as a pointer, and whether a path is tracked."""
import re

POINTER_MAX = 3000
OID_LINE = re.compile(r"oid sha256:([0-9a-f]{64})")


def pointer_oid(blob):
    """The object id Git Fusion reads in `blob` (bytes), or None for an ordinary file: at
    most 3000 bytes, UTF-8, and a line holding `oid sha256:` with 64 lower-case hex digits."""
    if len(blob) > POINTER_MAX:
        return None
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        return None
    found = None
    for line in text.splitlines():
        m = OID_LINE.search(line)
        if m:
            found = m.group(1)
    return found


def lfs_lines(content):
    """[(tracked, pattern)] of a .gitattributes file, in file order: for each line, its last
    filter=lfs / -filter=lfs element decides."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return []
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        for word in reversed(words[1:]):
            if word in ("filter=lfs", "-filter=lfs"):
                out.append((word == "filter=lfs", words[0]))
                break
    return out


def _glob_regex(pattern, star_crosses):
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            j = i
            while j < len(pattern) and pattern[j] == "*":
                j += 1
            out += ".*" if (star_crosses or j - i > 1) else "[^/]*"
            i = j
            continue
        if c == "?":
            out += "."
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1:i + 2] in ("!", "]") else i + 1)
            if pattern[i + 1:i + 3] == "!]":
                end = pattern.find("]", i + 3)
            if end == -1:
                out += re.escape(c)
            else:
                body = pattern[i + 1:end]
                body = "^" + body[1:] if body.startswith("!") else body
                out += "[" + body.replace("\\", "\\\\") + "]"
                i = end
        else:
            out += re.escape(c)
        i += 1
    return out


def matches(path, pattern):
    if pattern.endswith("/"):
        return False
    if "/" in pattern:
        return re.fullmatch(_glob_regex(pattern, False), path, re.S) is not None
    return re.fullmatch("(.*/)?" + _glob_regex(pattern, True), path, re.S) is not None


def is_tracked(path, read_attributes):
    """Whether `path` is tracked: `read_attributes(dir)` gives the bytes of dir/.gitattributes
    in the pushed commit (None when absent). The file's own directory is asked first, then
    each parent; in a file, the last matching line decides."""
    directory = path.rsplit("/", 1)[0] if "/" in path else ""
    while True:
        content = read_attributes(directory)
        if content is not None:
            for tracked, pattern in reversed(lfs_lines(content)):
                if matches(path, pattern):
                    return tracked
        if directory == "":
            return False
        directory = directory.rsplit("/", 1)[0] if "/" in directory else ""
