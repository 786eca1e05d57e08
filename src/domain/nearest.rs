//! Merging nearest-first lists read from different indexes (places by their hours, places by
//! their live reports) into one list that is exact up to where every list is known.

/// One list, nearest first by `(distance, id)`, and whether it holds every match (`complete`)
/// or was cut at its last item.
pub struct Prefix<T> {
    pub items: Vec<T>,
    pub complete: bool,
}

/// Merges the lists by `(distance, id)`, dropping repeats of an id, and keeps only what lies up
/// to the nearest cut of an incomplete list: past it, an unread item of that list could come
/// first. Returns the merged items and whether the merge holds every match.
pub fn merge<T>(lists: Vec<Prefix<T>>, key: impl Fn(&T) -> (f64, i64)) -> (Vec<T>, bool) {
    let cut = lists
        .iter()
        .filter(|l| !l.complete)
        .filter_map(|l| l.items.last().map(&key))
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    // An incomplete empty list read nothing, which cannot happen with a positive limit; it
    // counts as cut before everything.
    let cut_before_all = lists.iter().any(|l| !l.complete && l.items.is_empty());
    let complete = cut.is_none() && !cut_before_all;
    let mut all: Vec<T> = lists.into_iter().flat_map(|l| l.items).collect();
    all.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.total_cmp(&kb.0).then(ka.1.cmp(&kb.1))
    });
    all.dedup_by(|a, b| key(a).1 == key(b).1);
    if cut_before_all {
        all.clear();
    } else if let Some((d, id)) = cut {
        all.retain(|x| {
            let (xd, xid) = key(x);
            xd < d || (xd == d && xid <= id)
        });
    }
    (all, complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix(items: &[(f64, i64)], complete: bool) -> Prefix<(f64, i64)> {
        Prefix {
            items: items.to_vec(),
            complete,
        }
    }

    #[test]
    fn the_merge_stops_at_the_nearest_cut_of_an_incomplete_list() {
        let hours = prefix(&[(10.0, 1), (20.0, 2), (30.0, 3)], false);
        let reports = prefix(&[(15.0, 9), (25.0, 2), (40.0, 8)], true);
        let (merged, complete) = merge(vec![hours, reports], |x| *x);
        assert_eq!(merged, vec![(10.0, 1), (15.0, 9), (20.0, 2), (30.0, 3)]);
        assert!(!complete);
    }

    #[test]
    fn complete_lists_merge_whole_and_ties_go_by_id() {
        let a = prefix(&[(10.0, 5)], true);
        let b = prefix(&[(10.0, 4), (50.0, 6)], true);
        let (merged, complete) = merge(vec![a, b], |x| *x);
        assert_eq!(merged, vec![(10.0, 4), (10.0, 5), (50.0, 6)]);
        assert!(complete);
    }

    #[test]
    fn an_item_tied_with_the_cut_is_kept_only_up_to_its_id() {
        let a = prefix(&[(10.0, 5)], false);
        let b = prefix(&[(10.0, 4), (10.0, 6)], true);
        let (merged, _) = merge(vec![a, b], |x| *x);
        assert_eq!(merged, vec![(10.0, 4), (10.0, 5)]);
    }
}
