//! Disclosure control: what a published table or chart may break down by, so that no
//! figure narrows its people below `k` (k-anonymity over the attributes it shows).
//!
//! A breakdown by a shown attribute (a group, a service, a role, a combination) splits
//! people into classes, one per value. A class of fewer than `k` people is not shown on its
//! own: such classes are pooled into one column of at least `k` people. A pool that is still
//! smaller than `k` takes the smallest shown classes with it (complementary suppression):
//! otherwise the total minus the shown columns would give the small pool back. When all
//! classes together are fewer than `k`, nothing is broken down at all.
//!
//! The counts inside a class (how many of its people said something) are not limited: the
//! class is the set a reader could pick a person out of, and it has at least `k` members.

/// The least number of people a shown class may hold, unless a study says otherwise.
pub const DEFAULT_K: usize = 3;

/// How a breakdown is published: each class shown on its own, pooled, or withheld. Every
/// class given is in exactly one of the three.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown<K> {
    /// Classes shown on their own (each of at least `k` people), in the order given.
    pub shown: Vec<K>,
    /// Classes shown together as one column, in the order given: at least `k` people
    /// together, or empty.
    pub pooled: Vec<K>,
    /// Classes not shown at all: those of no one, or every class when all together are
    /// fewer than `k` people.
    pub withheld: Vec<K>,
}

impl<K> Breakdown<K> {
    /// Whether anything was held back from a plain breakdown (a note says so).
    pub fn suppressed(&self) -> bool {
        !self.pooled.is_empty() || !self.withheld.is_empty()
    }
}

/// How to publish a breakdown into `classes`, each a key and the number of distinct
/// people in it (classes are disjoint: each person is in one), so that every column shown
/// holds at least `k` people and no column can be worked out from the others and a total.
pub fn breakdown<K: Clone>(classes: &[(K, usize)], k: usize) -> Breakdown<K> {
    let total: usize = classes.iter().map(|(_, n)| n).sum();
    if total < k {
        return Breakdown {
            shown: Vec::new(),
            pooled: Vec::new(),
            withheld: classes.iter().map(|(key, _)| key.clone()).collect(),
        };
    }
    // A class of no one tells nothing and is left out; the rest of fewer than k are pooled.
    let mut pooled: Vec<bool> = classes.iter().map(|(_, n)| *n > 0 && *n < k).collect();
    let mut pool: usize = classes
        .iter()
        .zip(&pooled)
        .filter(|(_, p)| **p)
        .map(|((_, n), _)| n)
        .sum();
    // A pool of fewer than k (but more than none) is given back by the total minus the
    // shown columns: the smallest shown classes join it until it is large enough. The
    // total is at least k, so this ends.
    while pool > 0 && pool < k {
        let smallest = classes
            .iter()
            .enumerate()
            .filter(|(i, (_, n))| !pooled[*i] && *n > 0)
            .min_by_key(|(i, (_, n))| (*n, std::cmp::Reverse(*i)))
            .map(|(i, _)| i)
            .expect("the total is at least k, so some class is still shown");
        pooled[smallest] = true;
        pool += classes[smallest].1;
    }
    let pick = |keep: &dyn Fn(usize, bool) -> bool| {
        classes
            .iter()
            .zip(&pooled)
            .filter(|((_, n), p)| keep(*n, **p))
            .map(|((key, _), _)| key.clone())
            .collect::<Vec<_>>()
    };
    Breakdown {
        shown: pick(&|n, p| n > 0 && !p),
        pooled: pick(&|_, p| p),
        withheld: pick(&|n, _| n == 0),
    }
}

/// Whether a quote may be printed where what is shown beside or near it narrows its
/// speakers to a class of `class_size` people.
pub fn quote_may_show(class_size: usize, k: usize) -> bool {
    class_size >= k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(sizes: &[(&'static str, usize)], k: usize) -> Breakdown<&'static str> {
        breakdown(sizes, k)
    }

    #[test]
    fn classes_of_k_or_more_are_shown_as_they_are() {
        let b = of(&[("G1", 4), ("G2", 3)], 3);
        assert_eq!(b.shown, ["G1", "G2"]);
        assert!(!b.suppressed());
    }

    #[test]
    fn small_classes_are_pooled_when_the_pool_reaches_k() {
        // The thesis's case: group 2 had two informants.
        let b = of(&[("G1", 4), ("G2", 2), ("G3", 1), ("G4", 5)], 3);
        assert_eq!(b.shown, ["G1", "G4"]);
        assert_eq!(b.pooled, ["G2", "G3"]);
        assert!(b.suppressed());
    }

    #[test]
    fn a_pool_below_k_takes_the_smallest_shown_class_with_it() {
        // Showing G1 and the total would give G2's two people away.
        let b = of(&[("G1", 4), ("G2", 2)], 3);
        assert_eq!(b.shown, Vec::<&str>::new());
        assert_eq!(b.pooled, ["G1", "G2"]);
        // Of two shown classes, the smaller goes; on a tie, the later.
        let b = of(&[("G1", 5), ("G2", 3), ("G3", 3), ("G4", 1)], 3);
        assert_eq!(b.shown, ["G1", "G2"]);
        assert_eq!(b.pooled, ["G3", "G4"]);
    }

    #[test]
    fn fewer_than_k_people_in_all_are_not_broken_down() {
        let b = of(&[("G1", 1), ("G2", 1)], 3);
        assert!(b.shown.is_empty() && b.pooled.is_empty());
        assert_eq!(b.withheld, ["G1", "G2"]);
        let b = of(&[], 3);
        assert!(b.shown.is_empty() && b.pooled.is_empty() && b.withheld.is_empty());
        // A class of no one is left out, not pooled.
        let b = of(&[("G1", 4), ("G2", 0)], 3);
        assert_eq!(
            (b.shown, b.pooled, b.withheld),
            (vec!["G1"], vec![], vec!["G2"])
        );
    }

    #[test]
    fn every_class_lands_once_and_every_column_holds_k() {
        // Exhaustive over small cases: each class in exactly one place; each shown class
        // and the pool at least k; the pool never alone below k.
        for k in 1..=4 {
            for a in 0..6 {
                for b in 0..6 {
                    for c in 0..6 {
                        let sizes = [("a", a), ("b", b), ("c", c)];
                        let out = of(&sizes, k);
                        let size = |key: &&str| sizes.iter().find(|(x, _)| x == key).unwrap().1;
                        let mut all: Vec<&str> = out
                            .shown
                            .iter()
                            .chain(&out.pooled)
                            .chain(&out.withheld)
                            .copied()
                            .collect();
                        all.sort_unstable();
                        assert_eq!(all, ["a", "b", "c"], "{sizes:?} k={k}");
                        assert!(out.shown.iter().all(|s| size(s) >= k), "{sizes:?} k={k}");
                        let pool: usize = out.pooled.iter().map(size).sum();
                        assert!(pool == 0 || pool >= k, "{sizes:?} k={k}: pool {pool}");
                        if a + b + c >= k {
                            assert!(out.withheld.iter().all(|w| size(w) == 0), "{sizes:?} k={k}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_quote_shows_only_beside_a_class_of_k() {
        assert!(quote_may_show(3, 3));
        assert!(!quote_may_show(2, 3));
    }
}
