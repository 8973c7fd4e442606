//! Branch views (reference git-fusion.md §8.1): git path → depot path, table-tested against
//! the examples in Perforce's own documentation of views. Sources, cited per row:
//! - [CR-views]: P4 Command Reference, "Views"
//!   (https://www.perforce.com/manuals/v17.1/cmdref/Content/CmdRef/views.html; the same text
//!   in the 2004.2 reference, https://perforce.com/perforce/doc.042/manuals/cmdref/o.views.html)
//! - [CR-wild]: P4 Command Reference, "Wildcards"
//!   (https://www.perforce.com/manuals/v17.1/cmdref/Content/CmdRef/filespecs.synopsis.wildcards.html)
//! - [Guide-rearrange]: P4 User's Guide, "Rearrange parts of filenames with positional
//!   specifiers" (https://perforce.com/manuals/p4guide/Content/P4Guide/configuration.workspace_view.rearrange.html)
//! - [Guide-views]: P4 User's Guide, the table of sample workspace view mappings
//!   ("Full client workspace mapped to part of depot", "Some files … excluded", …).
//!
//! Right sides are written without the client name, as `p4gf_config` writes them.

use gfbridge::fusion::view::{escape_path, View};

fn depot(view: &str, git_path: &str) -> Option<String> {
    View::parse(view).expect("valid view").depot_path(git_path)
}

#[test]
fn documented_view_examples_map_as_perforce_says() {
    let rows: &[(&str, &str, &str, Option<&str>)] = &[
        ("[CR-wild] `...` maps everything below", "//depot/... ...", "jam/Makefile", Some("//depot/jam/Makefile")),
        ("[Guide-views] full workspace to part of the depot", "//depot/dir/... ...", "a/b.c", Some("//depot/dir/a/b.c")),
        (
            "[Guide-views] some files mapped to a different part of the workspace",
            "//depot/... ...\n//depot/rel1/... release1/...",
            "release1/notes.txt",
            Some("//depot/rel1/notes.txt"),
        ),
        (
            "[Guide-views] some files excluded",
            "//depot/dir/... ...\n-//depot/dir/exclude/... exclude/...",
            "exclude/secret.txt",
            None,
        ),
        (
            "[Guide-views] files beside the excluded ones stay mapped",
            "//depot/dir/... ...\n-//depot/dir/exclude/... exclude/...",
            "include/open.txt",
            Some("//depot/dir/include/open.txt"),
        ),
        (
            "[Guide-views] files mapped to different names (`*`)",
            "//depot/dir/old.* renamed/new.*",
            "renamed/new.c",
            Some("//depot/dir/old.c"),
        ),
        ("[CR-wild] `*` does not cross a slash", "//depot/dir/old.* renamed/new.*", "renamed/new.c/x", None),
        (
            "[Guide-views] portions of file names rearranged (`%%1.%%2`)",
            "//depot/dir/%%1.%%2 dir/%%2.%%1",
            "dir/c.file",
            Some("//depot/dir/file.c"),
        ),
        (
            "[Guide-rearrange] //depot/allfiles/readme.txt is filesbytype/txt/readme",
            "//depot/allfiles/%%1.%%2 filesbytype/%%2/%%1",
            "filesbytype/txt/readme",
            Some("//depot/allfiles/readme.txt"),
        ),
        (
            "[Guide-views] two lines onto one place: the second takes precedence",
            "//depot/dir1/... build/...\n//depot/dir2/... build/...",
            "build/a.c",
            Some("//depot/dir2/a.c"),
        ),
        (
            "[Guide-views] overlay: the later line maps the file",
            "//depot/dir1/... build/...\n+//depot/dir2/... build/...",
            "build/a.c",
            Some("//depot/dir2/a.c"),
        ),
        (
            "[CR-views] //depot/dir1/file.c is mapped to dir2/file.c",
            "//depot/... ...\n//depot/dir1/... dir2/...",
            "dir2/file.c",
            Some("//depot/dir1/file.c"),
        ),
        (
            "[CR-views] … so dir1/file.c comes from nowhere: the later line took its depot file",
            "//depot/... ...\n//depot/dir1/... dir2/...",
            "dir1/file.c",
            None,
        ),
        (
            "[CR-views] the same lines reversed: a later mapping always overrides an earlier one",
            "//depot/dir1/... dir2/...\n//depot/... ...",
            "dir2/file.c",
            Some("//depot/dir2/file.c"),
        ),
        (
            "[CR-views] a path with spaces is quoted",
            "//depot/dir1/... \"dir one/...\"",
            "dir one/file.c",
            Some("//depot/dir1/file.c"),
        ),
        (
            "[CR-views] an exclusion with spaces, quoted with its `-`",
            "\"//depot/document 2/...\" document2/...\n\"-//depot/document 2/file2\" document2/file2",
            "document2/file2",
            None,
        ),
        (
            "[CR-views] @ # % * in names are spelled as their ASCII expansion",
            "//depot/main/... ...",
            "docs/100%@2x#1*.png",
            Some("//depot/main/docs/100%25%402x%231%2A.png"),
        ),
        ("tabs separate like spaces, as in Git Fusion", "//depot/main/...\t...", "a", Some("//depot/main/a")),
        ("an unmapped top-level file", "//depot/main/src/... src/...", "README.md", None),
    ];
    for (why, view, path, expected) in rows {
        assert_eq!(depot(view, path).as_deref(), *expected, "{why}");
    }
}

#[test]
fn escaping_puts_percent_first_so_nothing_is_escaped_twice() {
    assert_eq!(escape_path("a%40b"), "a%2540b");
    assert_eq!(escape_path("x@#*"), "x%40%23%2A");
}

#[test]
fn a_view_perforce_would_refuse_is_an_error_naming_the_line() {
    for (view, why) in [
        ("//depot/... ... extra", "not two paths"),
        ("//depot/...", "not two paths"),
        ("\"//depot/a ...", "not closed"),
        ("depot/... ...", "does not start with //"),
        ("//depot/... *", "same wildcards"),
        ("//depot/%%1/... %%2/...", "same wildcards"),
    ] {
        let error = View::parse(view).expect_err(view);
        assert!(error.why.contains(why), "{view}: {error}");
        assert!(error.to_string().contains(view.trim()), "{error}");
    }
}
