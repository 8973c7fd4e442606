//! What Git Fusion does with a pushed tag (docs/git-fusion.md, p4gf_tag.py): the names it refuses
//! (and with them the whole push), and what it keeps. Pure.

/// Returns Git Fusion's refusal of tag `name`, or `None` when it takes the name: a name
/// holding `@ # * ,`, `...` or `%%`, or starting with `-`, fails the whole push.
pub fn name_refusal(name: &str) -> Option<String> {
    let bad = name.contains(['*', '@', '#', ','])
        || name.contains("...")
        || name.contains("%%")
        || name.starts_with('-');
    bad.then(|| format!("illegal characters (@#*,...%%) in tag name: '{name}'"))
}
