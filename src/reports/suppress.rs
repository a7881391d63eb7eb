//! Small-cell suppression with complementary suppression, as plain
//! functions over a grid of counts (no database, no GraphQL).
//!
//! The grid is the report's body (one row per group, one column per count)
//! plus its total row. The rules, applied until nothing changes:
//! 1. **Primary**: a count from 1 to `threshold - 1` is hidden (0 is shown:
//!    it discloses nobody).
//! 2. **Columns**: within a *slice* of body rows whose cells add up to a
//!    marginal a reader can know (the whole column with the report's total;
//!    with several group dimensions also every set of rows that differ in
//!    one dimension only, whose sum another report shows), exactly one
//!    hidden cell could be recomputed by subtraction, so the smallest shown
//!    cell of the slice is hidden too (the total itself when the slice has
//!    no other body cell).
//! 3. **Rows**: within a group of columns that add up (the report's
//!    ENROLLED ⊇ ACTIVE + COMPLETED), exactly one hidden cell in a row is
//!    complemented by the row's smallest shown cell of the group.
//!
//! Counts here are unduplicated participants, so a row sum may exceed the
//! total (a youth in two programs); the rules then protect more than needed,
//! never less.

/// Counts to protect: `body[row][column]` and `total[column]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grid {
    pub body: Vec<Vec<i64>>,
    pub total: Vec<i64>,
}

/// Which cells are hidden, in the grid's shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hidden {
    pub body: Vec<Vec<bool>>,
    pub total: Vec<bool>,
}

impl Hidden {
    /// Every cell of `grid` hidden (`true`) or shown.
    pub fn all(grid: &Grid, hidden: bool) -> Hidden {
        Hidden {
            body: grid
                .body
                .iter()
                .map(|row| vec![hidden; row.len()])
                .collect(),
            total: vec![hidden; grid.total.len()],
        }
    }
}

/// How the grid's cells relate, which decides the complementary rules.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// Sets of body rows whose column sums a reader may know (besides the
    /// whole body, which always adds up to the total row).
    pub slices: Vec<Vec<usize>>,
    /// Sets of columns that add up within a row.
    pub row_groups: Vec<Vec<usize>>,
}

/// Whether a count is a small cell under `threshold`.
pub fn is_small(value: i64, threshold: i64) -> bool {
    value >= 1 && value < threshold
}

/// Decides which cells of `grid` to hide. `hide_all` hides every cell (a
/// population under the threshold, or one a filter could difference out).
pub fn suppress(grid: &Grid, shape: &Shape, threshold: i64, hide_all: bool) -> Hidden {
    suppress_with(grid, shape, threshold, hide_all, &Hidden::default())
}

/// [`suppress`], with the cells of `forced` hidden from the start whatever
/// their value (cells the release ledger withholds); complements are then
/// found for them too. `forced` may be smaller than the grid (missing
/// cells are not forced).
pub fn suppress_with(
    grid: &Grid,
    shape: &Shape,
    threshold: i64,
    hide_all: bool,
    forced: &Hidden,
) -> Hidden {
    if hide_all {
        return Hidden::all(grid, true);
    }
    let mut hidden = Hidden::all(grid, false);
    let is_forced = |row: Option<&Vec<bool>>, c: usize| {
        row.and_then(|row| row.get(c)).copied().unwrap_or(false)
    };
    for (r, row) in grid.body.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            hidden.body[r][c] = is_small(*value, threshold) || is_forced(forced.body.get(r), c);
        }
    }
    for (c, value) in grid.total.iter().enumerate() {
        hidden.total[c] =
            is_small(*value, threshold) || forced.total.get(c).copied().unwrap_or(false);
    }
    let all_rows: Vec<usize> = (0..grid.body.len()).collect();
    loop {
        let mut changed = false;
        for c in 0..grid.total.len() {
            changed |= complement_column(grid, &mut hidden, &all_rows, c, true);
            for slice in &shape.slices {
                changed |= complement_column(grid, &mut hidden, slice, c, false);
            }
        }
        for group in &shape.row_groups {
            for r in 0..grid.body.len() {
                changed |= complement_row(&grid.body[r], &mut hidden.body[r], group);
            }
            changed |= complement_row(&grid.total, &mut hidden.total, group);
        }
        if !changed {
            return hidden;
        }
    }
}

/// Rule 2 for column `c` over the body rows `rows` (with the total row as
/// the marginal when `with_total`). Returns whether a cell was hidden.
fn complement_column(
    grid: &Grid,
    hidden: &mut Hidden,
    rows: &[usize],
    c: usize,
    with_total: bool,
) -> bool {
    let value = |r: usize| grid.body.get(r).and_then(|row| row.get(c)).copied();
    let mut count = rows
        .iter()
        .filter(|r| hidden.body.get(**r).and_then(|h| h.get(c)) == Some(&true))
        .count();
    if with_total && hidden.total.get(c) == Some(&true) {
        count += 1;
    }
    if count != 1 {
        return false;
    }
    let candidate = rows
        .iter()
        .copied()
        .filter(|r| hidden.body.get(*r).and_then(|h| h.get(c)) == Some(&false))
        .filter_map(|r| value(r).map(|v| (v, r)))
        .min();
    match candidate {
        Some((_, r)) => {
            hidden.body[r][c] = true;
            true
        }
        None if with_total && hidden.total.get(c) == Some(&false) => {
            hidden.total[c] = true;
            true
        }
        None => false,
    }
}

/// Rule 3 for one row over the columns of `group`.
fn complement_row(values: &[i64], hidden: &mut [bool], group: &[usize]) -> bool {
    let count = group
        .iter()
        .filter(|c| hidden.get(**c) == Some(&true))
        .count();
    if count != 1 {
        return false;
    }
    let candidate = group
        .iter()
        .copied()
        .filter(|c| hidden.get(*c) == Some(&false))
        .filter_map(|c| values.get(c).map(|v| (*v, c)))
        .min();
    match candidate {
        Some((_, c)) => {
            hidden[c] = true;
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(body: &[&[i64]], total: &[i64]) -> Grid {
        Grid {
            body: body.iter().map(|r| r.to_vec()).collect(),
            total: total.to_vec(),
        }
    }

    #[test]
    fn a_cell_of_3_and_its_complement_are_hidden() {
        // Three programs; total 58 = 3 + 20 + 35. Hiding only the 3 would
        // let anyone compute 58 - 20 - 35 = 3.
        let g = grid(&[&[3], &[20], &[35]], &[58]);
        let h = suppress(&g, &Shape::default(), 11, false);
        assert_eq!(h.body, vec![vec![true], vec![true], vec![false]]);
        assert_eq!(h.total, vec![false]);
    }

    #[test]
    fn zero_is_shown_and_two_hidden_cells_need_no_complement() {
        let g = grid(&[&[0], &[4], &[5], &[30]], &[39]);
        let h = suppress(&g, &Shape::default(), 11, false);
        assert_eq!(
            h.body,
            vec![vec![false], vec![true], vec![true], vec![false]]
        );
        let g = grid(&[&[0], &[40]], &[40]);
        assert_eq!(
            suppress(&g, &Shape::default(), 11, false).body,
            vec![vec![false], vec![false]]
        );
    }

    #[test]
    fn threshold_is_the_smallest_shown_count() {
        let g = grid(&[&[10], &[11], &[12]], &[33]);
        let h = suppress(&g, &Shape::default(), 11, false);
        // 10 is small; 11 is its complement (the smallest shown).
        assert_eq!(h.body, vec![vec![true], vec![true], vec![false]]);
    }

    #[test]
    fn a_hidden_total_with_one_group_hides_the_group() {
        let g = grid(&[&[7]], &[7]);
        let h = suppress(&g, &Shape::default(), 11, false);
        assert_eq!(h.body, vec![vec![true]]);
        assert_eq!(h.total, vec![true]);
        // With a row group, complements spread over rows and columns.
        let g = grid(&[&[40, 5, 35], &[20, 20, 0]], &[60, 25, 35]);
        let shape = Shape {
            slices: Vec::new(),
            row_groups: vec![vec![0, 1, 2]],
        };
        let h = suppress(&g, &shape, 11, false);
        assert!(h.body[0][1], "the 5 is small");
        let hidden_in_row0 = h.body[0].iter().filter(|x| **x).count();
        assert!(hidden_in_row0 >= 2, "{h:?}");
        for c in 0..3 {
            let n = h.body.iter().filter(|row| row[c]).count() + usize::from(h.total[c]);
            assert_ne!(n, 1, "column {c} has one hidden cell: {h:?}");
        }
    }

    #[test]
    fn rows_complement_within_their_group() {
        // ENROLLED 40 = ACTIVE 3 + COMPLETED 37: hiding the 3 alone leaks it.
        let g = grid(&[&[40, 3, 37], &[50, 25, 25]], &[90, 28, 62]);
        let shape = Shape {
            slices: Vec::new(),
            row_groups: vec![vec![0, 1, 2]],
        };
        let h = suppress(&g, &shape, 11, false);
        assert!(h.body[0][1]);
        // Column ACTIVE: 3 hidden → 25 hidden (its only other cell).
        assert!(h.body[1][1]);
        // No row group or column ends with exactly one hidden cell.
        for r in 0..2 {
            assert_ne!(h.body[r].iter().filter(|x| **x).count(), 1, "{h:?}");
        }
        for c in 0..3 {
            let n = h.body.iter().filter(|row| row[c]).count() + usize::from(h.total[c]);
            assert_ne!(n, 1, "{h:?}");
        }
    }

    #[test]
    fn slices_of_a_two_dimension_report_are_complemented() {
        // Rows: (A,Q1)=3 (A,Q2)=30 (B,Q1)=40 (B,Q2)=50; program A's sum is
        // known from a report grouped by program only.
        let g = grid(&[&[3], &[30], &[40], &[50]], &[123]);
        let shape = Shape {
            slices: vec![vec![0, 1], vec![2, 3], vec![0, 2], vec![1, 3]],
            row_groups: Vec::new(),
        };
        let h = suppress(&g, &shape, 11, false);
        assert!(h.body[0][0] && h.body[1][0], "{h:?}");
        assert!(h.body[2][0], "slice Q1 complemented too: {h:?}");
        assert!(h.body[3][0], "and then slice B / Q2: {h:?}");
    }

    #[test]
    fn hide_all_hides_everything() {
        let g = grid(&[&[30], &[40]], &[70]);
        let h = suppress(&g, &Shape::default(), 11, true);
        assert_eq!(h.body, vec![vec![true], vec![true]]);
        assert_eq!(h.total, vec![true]);
    }
}
