//! The decision table (`plan::decide`), row by row, and properties over random commit graphs.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

use gfbridge::oid::Oid;
use gfbridge::plan::{decide, Action, Ancestry, Side, Tips};
use proptest::prelude::*;

/// A commit graph given as parent lists; node `i` is the commit id with `i` in every byte.
#[derive(Clone, Debug)]
struct Graph {
    parents: BTreeMap<u8, Vec<u8>>,
}

fn oid(n: u8) -> Oid {
    format!("{n:02x}").repeat(20).parse().expect("40 hex")
}

impl Graph {
    fn new(edges: &[(u8, &[u8])]) -> Graph {
        Graph { parents: edges.iter().map(|(n, ps)| (*n, ps.to_vec())).collect() }
    }

    fn ancestors(&self, n: u8) -> BTreeSet<u8> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![n];
        while let Some(x) = todo.pop() {
            if seen.insert(x) {
                todo.extend(self.parents.get(&x).into_iter().flatten());
            }
        }
        seen
    }

    fn node(&self, o: Oid) -> u8 {
        *self.parents.keys().find(|n| oid(**n) == o).expect("known node")
    }
}

impl Ancestry for Graph {
    type Error = Infallible;
    fn is_ancestor(&self, a: Oid, d: Oid) -> Result<bool, Infallible> {
        Ok(self.ancestors(self.node(d)).contains(&self.node(a)))
    }
}

/// 1 ← 2 ← 3 (a line) and 2 ← 4 (a fork), 5 unrelated.
fn sample() -> Graph {
    Graph::new(&[(1, &[]), (2, &[1]), (3, &[2]), (4, &[2]), (5, &[])])
}

fn tips(l: Option<u8>, f: Option<u8>, b: Option<u8>) -> Tips {
    Tips { gitlab: l.map(oid), fusion: f.map(oid), base: b.map(oid) }
}

/// L, F, B (as graph nodes), the expected action, and which rule the row exercises.
type Row = (Option<u8>, Option<u8>, Option<u8>, Action, &'static str);

#[test]
fn decision_table_rows_in_order() {
    use Action::*;
    let g = sample();
    let rows: &[Row] = &[
        (Some(3), Some(3), None, InSync, "1: equal, no base"),
        (Some(3), Some(3), Some(1), InSync, "1: equal wins over everything"),
        (None, Some(2), Some(2), Deleted { side: Side::Gitlab }, "2: gone from gitlab"),
        (Some(2), None, Some(2), Deleted { side: Side::Fusion }, "2: gone from fusion"),
        (None, Some(3), Some(2), Deleted { side: Side::Gitlab }, "2: deletion beats fast-forward"),
        (
            Some(4),
            Some(3),
            Some(3),
            Rewritten { side: Side::Gitlab },
            "3: gitlab moved off the base",
        ),
        (Some(1), Some(2), Some(2), Rewritten { side: Side::Gitlab }, "3: gitlab rewound"),
        (
            Some(3),
            Some(4),
            Some(3),
            Rewritten { side: Side::Fusion },
            "4: fusion moved off the base",
        ),
        (
            Some(5),
            Some(1),
            Some(2),
            Rewritten { side: Side::Gitlab },
            "3 before 4 when both rewrote",
        ),
        (
            Some(3),
            Some(2),
            Some(2),
            PushToFusion { new_branch: false },
            "5: fast-forward to fusion",
        ),
        (Some(3), None, None, PushToFusion { new_branch: true }, "5: new branch on fusion"),
        (Some(3), Some(1), None, PushToFusion { new_branch: false }, "5: no base, fusion behind"),
        (
            Some(2),
            Some(3),
            Some(2),
            PushToGitlab { new_branch: false },
            "6: fast-forward to gitlab",
        ),
        (None, Some(3), None, PushToGitlab { new_branch: true }, "6: new branch on gitlab"),
        (Some(3), Some(4), Some(2), Diverged, "7: both moved on from the base"),
        (Some(3), Some(4), None, Diverged, "7: no base, forked"),
        (Some(5), Some(3), None, Diverged, "7: no base, unrelated histories"),
    ];
    for (l, f, b, expected, why) in rows {
        let got = decide(tips(*l, *f, *b), &g).expect("infallible");
        assert_eq!(got, *expected, "row `{why}`: L={l:?} F={f:?} B={b:?}");
    }
}

/// Random DAGs: node i (1..=n) has up to two parents among the nodes before it.
fn dag() -> impl Strategy<Value = Graph> {
    (2u8..12).prop_flat_map(|n| {
        let parents = (1..=n)
            .map(|i| proptest::collection::vec(1..i.max(2), 0..=if i == 1 { 0 } else { 2 }))
            .collect::<Vec<_>>();
        parents.prop_map(move |lists| {
            let mut g = Graph { parents: BTreeMap::new() };
            for (i, ps) in lists.into_iter().enumerate() {
                let i = i as u8 + 1;
                g.parents.insert(i, ps.into_iter().filter(|p| *p < i).collect());
            }
            g
        })
    })
}

fn pick(g: &Graph) -> impl Strategy<Value = Option<u8>> {
    let n = g.parents.len() as u8;
    proptest::option::of(1..=n)
}

proptest! {
    #[test]
    fn no_action_moves_a_branch_backwards_or_sideways(
        (g, l, f, b) in dag().prop_flat_map(|g| { let (a, b, c) = (pick(&g), pick(&g), pick(&g)); (Just(g), a, b, c) })
    ) {
        let t = tips(l, f, b);
        let action = decide(t, &g).expect("infallible");
        let anc = |a: u8, d: u8| g.ancestors(d).contains(&a);
        match action {
            Action::PushToFusion { new_branch } => {
                let l = l.expect("pushing needs a gitlab tip");
                prop_assert_eq!(new_branch, f.is_none());
                if let Some(f) = f { prop_assert!(anc(f, l), "fusion {f} must be an ancestor of {l}"); }
            }
            Action::PushToGitlab { new_branch } => {
                let f = f.expect("pushing needs a fusion tip");
                prop_assert_eq!(new_branch, l.is_none());
                if let Some(l) = l { prop_assert!(anc(l, f), "gitlab {l} must be an ancestor of {f}"); }
            }
            Action::Rewritten { side } => {
                let b = b.expect("rewritten only with a base");
                let tip = t.on(side).map(|o| g.node(o)).expect("rewritten side has a tip");
                prop_assert!(!anc(b, tip));
            }
            Action::Deleted { side } => {
                prop_assert!(b.is_some(), "deleted only with a base");
                prop_assert!(t.on(side).is_none());
            }
            Action::InSync | Action::Diverged => {}
        }
        prop_assert_eq!(action == Action::InSync, l == f, "in_sync iff equal");
    }
}
