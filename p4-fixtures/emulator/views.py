"""Branch views as Git Fusion applies them: the emulator's reading of
../shared/reference/git-fusion.md §8.1 and Perforce's documentation of views (later lines
win, `-` excludes, `+` overlays, one file maps to one place). Written from those texts, not
from gfbridge's code. Right sides carry no client name, as in p4gf_config."""
import re
import shlex

EMPTY_PLACEHOLDER = ".p4gf_empty_changelist_placeholder"


def escape(path):
    """p4gf_util.escape_path: % first, then # @ *."""
    return path.replace("%", "%25").replace("#", "%23").replace("@", "%40").replace("*", "%2A")


def _regex(side):
    """(compiled regex, [group names in order]) for one side of a mapping."""
    parts, names, counts = [], [], {"d": 0, "s": 0}
    i = 0
    while i < len(side):
        if side.startswith("...", i):
            name = f"d{counts['d']}"; counts["d"] += 1
            parts.append(f"(?P<{name}>.*)"); names.append(name); i += 3
        elif side[i] == "*":
            name = f"s{counts['s']}"; counts["s"] += 1
            parts.append(f"(?P<{name}>[^/]*)"); names.append(name); i += 1
        elif side.startswith("%%", i) and i + 2 < len(side) and side[i + 2].isdigit():
            name = f"p{side[i + 2]}"
            parts.append(f"(?P<{name}>[^/]*)"); names.append(name); i += 3
        else:
            parts.append(re.escape(side[i])); names.append(None); i += 1
    return re.compile("".join(parts) + r"\Z", re.S), side


def _fill(side, groups):
    out, counts, i = [], {"d": 0, "s": 0}, 0
    while i < len(side):
        if side.startswith("...", i):
            out.append(groups[f"d{counts['d']}"]); counts["d"] += 1; i += 3
        elif side[i] == "*":
            out.append(groups[f"s{counts['s']}"]); counts["s"] += 1; i += 1
        elif side.startswith("%%", i) and i + 2 < len(side) and side[i + 2].isdigit():
            out.append(groups[f"p{side[i + 2]}"]); i += 3
        else:
            out.append(side[i]); i += 1
    return "".join(out)


def parse(text):
    """[(kind, depot side, client side)], kind '' / '-' / '+'."""
    lines = []
    for raw in text.replace("\t", " ").split("\n"):
        if not raw.strip():
            continue
        depot, client = shlex.split(raw)
        kind = depot[0] if depot[0] in "-+" else ""
        lines.append((kind, depot.lstrip("-+"), client.lstrip("/")))
    return lines


def depot_path(lines, git_path):
    """The depot path of a git path, or None when the view does not map it."""
    client = escape(git_path)
    for i in range(len(lines) - 1, -1, -1):
        kind, depot_side, client_side = lines[i]
        m = _regex(client_side)[0].match(client)
        if not m:
            continue
        if kind == "-":
            return None
        depot = _fill(depot_side, m.groupdict())
        # One-to-one: a later line that takes this depot file elsewhere (or excludes it) wins.
        for later_kind, later_depot, later_client in lines[i + 1:]:
            back = _regex(later_depot)[0].match(depot)
            if later_kind == "+" or not back:
                continue
            if later_kind == "-" or _fill(later_client, back.groupdict()) != client:
                return None
        return depot
    return None


def depot_paths(lines, git_path):
    """Every depot path a git path has in the view when Git Fusion joins it with write
    permissions (reference §10.1): the visible one first, then the ones it shadows through
    overlay (`+`) lines: going up from the line that gives the visible path, each earlier line
    that maps the same client path adds its depot path, until a line that is not an overlay
    (a plain mapping hides what is above it on the client side) or an exclusion."""
    visible = depot_path(lines, git_path)
    if visible is None:
        return []
    client = escape(git_path)
    found = [visible]
    matching = [(kind, depot, m) for kind, depot, client_side in lines
                for m in [_regex(client_side)[0].match(client)] if m]
    # From the last matching line upwards: overlays let the lines above them show through.
    for (kind, depot_side, m), (above_kind, above_depot, above_m) in zip(matching[::-1], matching[-2::-1]):
        if kind != "+" or above_kind == "-":
            break
        path = _fill(above_depot, above_m.groupdict())
        if path not in found:
            found.append(path)
    return found
