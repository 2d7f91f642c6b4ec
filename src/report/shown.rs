//! Which units the page shows when a panel has too many to show them all: the top
//! and the bottom of the ranking.

/// Up to this many units, every chart and the ranking show every unit.
pub(super) const ALL_UNITS_UP_TO: usize = 40;
/// Past it, charts show this many units at each end of the ranking...
pub(super) const CHART_AT_EACH_END: usize = 10;
/// ... and the ranking table this many.
pub(super) const TABLE_AT_EACH_END: usize = 15;

/// The first and last `each` items when there are more than [`ALL_UNITS_UP_TO`]; else all.
pub(super) fn ends<T: Copy>(items: &[T], each: usize) -> Vec<T> {
    if items.len() <= ALL_UNITS_UP_TO.max(2 * each) {
        return items.to_vec();
    }
    items[..each]
        .iter()
        .chain(&items[items.len() - each..])
        .copied()
        .collect()
}
