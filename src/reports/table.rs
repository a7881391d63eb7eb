//! From aggregated cells to the report's rows: labels, suppression, rates,
//! targets; and the CSV rendering of a report.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::labels::Directory;
use super::sql::{Aggregates, Cells, KeyPart};
use super::suppress::{Grid, Hidden, Shape, suppress_with};
use super::{
    Cell, Count, Group, GroupBy, GroupPart, Metric, Period, Report, ReportRequest, Row, Sum, Target,
};

fn period_part(period: Period, year: i64, sub: i64) -> (String, String) {
    match period {
        Period::Month => {
            let key = format!("{year:04}-{sub:02}");
            (key.clone(), key)
        }
        Period::Quarter => {
            let key = format!("{year:04}-Q{sub}");
            (key.clone(), key)
        }
        Period::SchoolYear => {
            let key = format!("{year:04}-{:02}", (year + 1) % 100);
            let label = format!("School year {year}–{:02}", (year + 1) % 100);
            (key, label)
        }
    }
}

fn part(directory: &Directory, period: Period, key: &KeyPart) -> GroupPart {
    let unknown = || ("UNKNOWN".to_owned(), "Unknown".to_owned());
    let (dimension, (key, label)) = match key {
        KeyPart::Program(id) => (
            GroupBy::Program,
            id.and_then(|id| directory.programs.get(&id))
                .map(|p| (p.id.to_string(), p.name.clone()))
                .unwrap_or_else(unknown),
        ),
        KeyPart::Organization(id) => (
            GroupBy::Organization,
            id.and_then(|id| directory.organizations.get(&id))
                .map(|o| (o.slug.clone(), o.name.clone()))
                .unwrap_or_else(unknown),
        ),
        KeyPart::Pathway(id) => (
            GroupBy::Pathway,
            match id.and_then(|id| directory.pathways.get(&id)) {
                Some(p) => (p.code.clone(), p.name.clone()),
                None => ("NONE".to_owned(), "No single pathway".to_owned()),
            },
        ),
        KeyPart::Period(year, sub) => (GroupBy::Period, period_part(period, *year, *sub)),
    };
    GroupPart {
        dimension,
        key,
        label,
    }
}

fn group(parts: Vec<GroupPart>) -> Group {
    if parts.is_empty() {
        return Group {
            key: "TOTAL".to_owned(),
            label: "Total".to_owned(),
            parts,
        };
    }
    Group {
        key: parts
            .iter()
            .map(|p| p.key.as_str())
            .collect::<Vec<_>>()
            .join("|"),
        label: parts
            .iter()
            .map(|p| p.label.as_str())
            .collect::<Vec<_>>()
            .join(" · "),
        parts,
    }
}

/// Rows that differ in exactly one dimension: their sums are another
/// report's cells, so they are complemented together.
fn slices(keys: &[Vec<KeyPart>]) -> Vec<Vec<usize>> {
    let dims = keys.first().map_or(0, Vec::len);
    if dims < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for d in 0..dims {
        let mut by_rest: BTreeMap<Vec<KeyPart>, Vec<usize>> = BTreeMap::new();
        for (i, key) in keys.iter().enumerate() {
            let mut rest = key.clone();
            rest.remove(d);
            by_rest.entry(rest).or_default().push(i);
        }
        out.extend(by_rest.into_values().filter(|rows| rows.len() > 1));
    }
    out
}

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

/// The cells of one row for the requested metrics.
fn cells(metrics: &[Metric], cells: &Cells, hidden: &[bool]) -> Vec<Cell> {
    let n = |c: Count| cells.counts[c as usize];
    let h = |c: Count| hidden.get(c as usize).copied().unwrap_or(true);
    let count = |metric: Metric, c: Count| Cell {
        metric,
        value: (!h(c)).then(|| n(c) as f64),
        suppressed: h(c),
    };
    let rate = |metric: Metric, num: Count, den: Count| {
        let suppressed = h(num) || h(den);
        Cell {
            metric,
            value: (!suppressed && n(den) > 0).then(|| round(n(num) as f64 / n(den) as f64, 4)),
            suppressed,
        }
    };
    let sum = |metric: Metric, s: Sum, base: Count, scale: f64| {
        let suppressed = h(base);
        Cell {
            metric,
            value: (!suppressed && n(base) > 0)
                .then(|| round(cells.sums[s as usize].unwrap_or(0.0) * scale, 2)),
            suppressed,
        }
    };
    metrics
        .iter()
        .map(|metric| match metric {
            Metric::Enrolled => count(*metric, Count::Enrolled),
            Metric::Active => count(*metric, Count::Active),
            Metric::Completed => count(*metric, Count::Completed),
            Metric::CompletionRate => rate(*metric, Count::Completed, Count::Enrolled),
            Metric::Credentials => count(*metric, Count::Credentialed),
            Metric::CredentialAttainment => rate(*metric, Count::Credentialed, Count::Enrolled),
            Metric::Graduated => count(*metric, Count::Graduated),
            Metric::GraduationRate => rate(*metric, Count::Graduated, Count::Enrolled),
            Metric::OjtHours => sum(*metric, Sum::OjtHours, Count::OjtPeople, 1.0),
            Metric::RtiHours => sum(*metric, Sum::RtiHours, Count::RtiPeople, 1.0),
            Metric::OjtRequirementMet => count(*metric, Count::OjtMet),
            Metric::RtiRequirementMet => count(*metric, Count::RtiMet),
            Metric::StipendEligible => count(*metric, Count::StipendEligible),
            Metric::Mentored => count(*metric, Count::Mentored),
            Metric::MentorshipCoverage => rate(*metric, Count::Mentored, Count::Enrolled),
            Metric::DualUnitsAttempted => sum(*metric, Sum::DualAttempted, Count::DualPeople, 1.0),
            Metric::DualUnitsEarned => sum(*metric, Sum::DualEarned, Count::DualPeople, 1.0),
            Metric::Employed => count(*metric, Count::Employed),
            Metric::UnionMembership => count(*metric, Count::UnionMember),
            Metric::MedianHourlyWage => {
                sum(*metric, Sum::MedianWageCents, Count::WageEarners, 0.01)
            }
        })
        .collect()
}

/// The targets of the program a row stands for, compared with its cells.
fn targets(directory: &Directory, program: Option<Uuid>, row: &[Cell]) -> Vec<Target> {
    let Some(program) = program.and_then(|id| directory.programs.get(&id)) else {
        return Vec::new();
    };
    let value_of = |metric: Metric| {
        row.iter()
            .find(|c| c.metric == metric)
            .and_then(|c| c.value)
    };
    let mut out: Vec<Target> = directory
        .targets
        .get(&program.id)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let metric = Metric::parse(&t.metric)?;
            Some(Target {
                metric,
                target: t.target,
                description: t
                    .note
                    .clone()
                    .unwrap_or_else(|| format!("{} target", metric.as_str())),
                met: value_of(metric).map(|v| v >= t.target),
            })
        })
        .collect();
    if let Some(hours) = program.required_ojt_hours {
        out.push(Target {
            metric: Metric::OjtRequirementMet,
            target: hours,
            description: "approved OJT hours each participant must reach".to_owned(),
            met: None,
        });
    }
    if let Some(hours) = program.required_rti_hours {
        out.push(Target {
            metric: Metric::RtiRequirementMet,
            target: hours,
            description: "approved RTI hours each participant must reach".to_owned(),
            met: None,
        });
    }
    if let Some(pct) = program.stipend_threshold_pct {
        out.push(Target {
            metric: Metric::StipendEligible,
            target: pct,
            description: "attendance, in percent of scheduled hours, that earns the stipend"
                .to_owned(),
            met: None,
        });
    }
    out.sort_by_key(|t| t.metric);
    out
}

/// A report's table before suppression: rows ordered by label, the grid
/// of counts suppression works on, and how its cells add up.
pub(super) struct Table {
    pub rows: Vec<(Vec<KeyPart>, Vec<GroupPart>, Cells)>,
    pub total: Cells,
    pub grid: Grid,
    pub shape: Shape,
}

/// Orders SQL's aggregates into a [`Table`].
pub(super) fn prepare(
    request: &ReportRequest,
    directory: &Directory,
    aggregates: Aggregates,
) -> Table {
    let mut rows: Vec<(Vec<KeyPart>, Vec<GroupPart>, Cells)> = aggregates
        .groups
        .into_iter()
        .map(|(key, cells)| {
            let parts = key
                .iter()
                .map(|k| part(directory, request.period, k))
                .collect();
            (key, parts, cells)
        })
        .collect();
    rows.sort_by(|a, b| {
        let labels = |parts: &[GroupPart]| {
            parts
                .iter()
                .map(|p| (p.label.clone(), p.key.clone()))
                .collect::<Vec<_>>()
        };
        labels(&a.1).cmp(&labels(&b.1))
    });
    let keys: Vec<Vec<KeyPart>> = rows.iter().map(|r| r.0.clone()).collect();
    let grid = Grid {
        body: rows.iter().map(|r| r.2.counts.to_vec()).collect(),
        total: aggregates.total.counts.to_vec(),
    };
    let shape = Shape {
        slices: slices(&keys),
        row_groups: vec![vec![
            Count::Enrolled as usize,
            Count::Active as usize,
            Count::Completed as usize,
        ]],
    };
    Table {
        rows,
        total: aggregates.total,
        grid,
        shape,
    }
}

/// Small-cell and complementary suppression of the table, with the cells
/// of `forced` hidden whatever their value (the release ledger's).
pub(super) fn hide(table: &Table, threshold: i64, hide_all: bool, forced: &Hidden) -> Hidden {
    suppress_with(&table.grid, &table.shape, threshold, hide_all, forced)
}

/// Builds the report from the table and the cells to hide: the requested
/// cells of every row, rates and sums over a hidden base hidden too.
pub(super) fn finish(
    request: &ReportRequest,
    directory: &Directory,
    table: Table,
    hidden: &Hidden,
    threshold: i64,
) -> Report {
    let program_of = |key: &[KeyPart]| {
        key.iter()
            .find_map(|k| match k {
                KeyPart::Program(id) => *id,
                _ => None,
            })
            .or(request.filter.program_id)
    };
    let body = table
        .rows
        .into_iter()
        .zip(hidden.body.iter())
        .map(|((key, parts, counts), hidden)| {
            let cells = cells(&request.metrics, &counts, hidden);
            Row {
                targets: targets(directory, program_of(&key), &cells),
                group: group(parts),
                cells,
            }
        })
        .collect();
    let total_cells = cells(&request.metrics, &table.total, &hidden.total);
    let total = Row {
        targets: targets(directory, request.filter.program_id, &total_cells),
        group: group(Vec::new()),
        cells: total_cells,
    };
    Report {
        metrics: request.metrics.clone(),
        group_by: request.group_by.clone(),
        period: request.period,
        bounds: super::Bounds::snap(request.period, request.from, request.to),
        rows: body,
        total,
        threshold: i32::try_from(threshold).unwrap_or(i32::MAX),
        privacy: super::privacy::ReportPrivacy::exact(threshold),
    }
}

/// What the CSV's first lines say about its figures, as `# ` comments:
/// the bounds used (whole periods), the suppression threshold and the
/// privacy mechanism with its parameters.
pub fn preamble(report: &Report) -> String {
    let bound = |d: Option<chrono::NaiveDate>| d.map_or("open".to_owned(), |d| d.to_string());
    format!(
        "# bounds: from={} to={} period={} (dates widened to whole periods)\n# threshold: counts from 1 to {} are suppressed\n# privacy: {}\n",
        bound(report.bounds.from),
        bound(report.bounds.to),
        report.bounds.period.as_str(),
        report.threshold - 1,
        report.privacy.summary(),
    )
}

/// The report as CSV: the [`preamble`]'s comment lines, a header line (`group_key`, `group_label`, one
/// `<DIMENSION>` column per group dimension, then one column per metric),
/// one line per row, the total last. A suppressed cell is `suppressed`; a
/// figure without a base is empty.
pub fn csv(report: &Report) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["group_key".into(), "group_label".into()];
    header.extend(report.group_by.iter().map(|g| g.as_str().to_owned()));
    header.extend(report.metrics.iter().map(|m| m.as_str().to_owned()));
    let mut lines = vec![header];
    for row in report.rows.iter().chain(std::iter::once(&report.total)) {
        let mut line = vec![row.group.key.clone(), row.group.label.clone()];
        for dim in &report.group_by {
            line.push(
                row.group
                    .parts
                    .iter()
                    .find(|p| p.dimension == *dim)
                    .map(|p| p.label.clone())
                    .unwrap_or_default(),
            );
        }
        line.extend(
            row.cells
                .iter()
                .map(|cell| match (cell.suppressed, cell.value) {
                    (true, _) => "suppressed".to_owned(),
                    (false, Some(v)) => format_number(v),
                    (false, None) => String::new(),
                }),
        );
        lines.push(line);
    }
    for line in lines {
        // Writing into a Vec cannot fail; a failure would only lose a line.
        let _ = out.write_record(&line);
    }
    let bytes = out.into_inner().unwrap_or_default();
    preamble(report) + &String::from_utf8(bytes).unwrap_or_default()
}

/// A figure as CSV text: integers without a decimal point.
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}
