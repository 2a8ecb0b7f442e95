//! Prints the markdown tables of a benchmark run: regwasm versus wasmi per workload, the ratio,
//! and the geometric mean of the ratios, from criterion's `target/criterion/*/*/new/` files.
//!
//! ```text
//! cargo bench                                   # or --bench execute / --bench translate
//! cargo run --release --example bench_table     # [CRITERION_DIR], default target/criterion
//! ```
//!
//! Times are criterion's point estimates per iteration (the slope where criterion fitted one,
//! otherwise the mean). `regwasm/wasmi` below 1 means regwasm is faster. Groups named
//! `translate_*` (from `benches/translate.rs`) go in a second table with throughput, groups
//! named `startup_*` (a new store, instantiation and one call) in a third.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One engine's result in one group.
struct Estimate {
    /// Nanoseconds per iteration.
    ns: f64,
    /// Bytes per iteration, when the benchmark declared a throughput.
    bytes: Option<f64>,
    modified: Option<SystemTime>,
}

/// The number after `"key":` at the first match after `from`; `None` for `null` or no match.
fn number_after(json: &str, key: &str, from: usize) -> Option<(f64, usize)> {
    let pat = format!("\"{key}\":");
    let start = json[from..].find(&pat)? + from + pat.len();
    let rest = json[start..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
        .unwrap_or(rest.len());
    rest[..end].parse().ok().map(|v| (v, start))
}

/// The point estimate of `"slope"` (if not null) or else of `"mean"` in an `estimates.json`.
fn point_estimate(json: &str) -> Option<f64> {
    for key in ["slope", "mean"] {
        let pat = format!("\"{key}\":");
        if let Some(at) = json.find(&pat) {
            if json[at + pat.len()..].trim_start().starts_with("null") {
                continue;
            }
            return number_after(json, "point_estimate", at).map(|(v, _)| v);
        }
    }
    None
}

fn read_estimate(dir: &Path) -> Option<Estimate> {
    let path = dir.join("new/estimates.json");
    let json = std::fs::read_to_string(&path).ok()?;
    let ns = point_estimate(&json)?;
    let bytes = std::fs::read_to_string(dir.join("new/benchmark.json"))
        .ok()
        .and_then(|b| number_after(&b, "Bytes", 0).map(|(v, _)| v));
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    Some(Estimate {
        ns,
        bytes,
        modified,
    })
}

fn format_time(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// MB/s (10^6 bytes per second).
fn throughput(e: &Estimate) -> String {
    e.bytes
        .map(|b| format!("{:.1}", b / e.ns * 1e3))
        .unwrap_or_else(|| "—".into())
}

/// Whether the two results come from clearly different runs (more than an hour apart).
fn stale(a: &Estimate, b: &Estimate) -> bool {
    match (a.modified, b.modified) {
        (Some(x), Some(y)) => {
            let gap = x.duration_since(y).or_else(|_| y.duration_since(x));
            gap.is_ok_and(|d| d.as_secs() > 3600)
        }
        _ => false,
    }
}

fn geomean(ratios: &[f64]) -> Option<f64> {
    (!ratios.is_empty())
        .then(|| (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp())
}

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
            target.join("criterion")
        });
    let mut groups: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name != "report")
            .collect(),
        Err(e) => {
            eprintln!(
                "cannot read {}: {e}; run `cargo bench` first",
                dir.display()
            );
            std::process::exit(1);
        }
    };
    groups.sort();

    let mut exec_rows = Vec::new();
    let mut translate_rows = Vec::new();
    let mut startup_rows = Vec::new();
    let (mut exec_ratios, mut translate_ratios) = (Vec::new(), Vec::new());
    let mut stale_groups = Vec::new();
    for group in &groups {
        let regwasm = read_estimate(&dir.join(group).join("regwasm"));
        let wasmi = read_estimate(&dir.join(group).join("wasmi"));
        if regwasm.is_none() && wasmi.is_none() {
            continue;
        }
        let cell = |e: &Option<Estimate>| e.as_ref().map_or("—".into(), |e| format_time(e.ns));
        let ratio = match (&regwasm, &wasmi) {
            (Some(r), Some(w)) => {
                if stale(r, w) {
                    stale_groups.push(group.clone());
                }
                Some(r.ns / w.ns)
            }
            _ => None,
        };
        let ratio_cell = ratio.map_or("—".into(), |r| format!("{r:.2}"));
        if let Some(name) = group.strip_prefix("translate_") {
            let bytes = regwasm
                .as_ref()
                .or(wasmi.as_ref())
                .and_then(|e| e.bytes)
                .map_or("—".into(), |b| format!("{b:.0}"));
            let tp = |e: &Option<Estimate>| e.as_ref().map_or("—".into(), throughput);
            translate_rows.push(format!(
                "| {name} | {bytes} | {} | {} | {ratio_cell} | {} | {} |",
                cell(&regwasm),
                cell(&wasmi),
                tp(&regwasm),
                tp(&wasmi)
            ));
            translate_ratios.extend(ratio);
        } else if let Some(name) = group.strip_prefix("startup_") {
            startup_rows.push(format!(
                "| {name} | {} | {} | {ratio_cell} |",
                cell(&regwasm),
                cell(&wasmi)
            ));
        } else {
            exec_rows.push(format!(
                "| {group} | {} | {} | {ratio_cell} |",
                cell(&regwasm),
                cell(&wasmi)
            ));
            exec_ratios.extend(ratio);
        }
    }

    let gm = |r: &[f64]| geomean(r).map_or("—".into(), |g| format!("**{g:.2}**"));
    if !exec_rows.is_empty() {
        println!("| workload | regwasm | wasmi | regwasm/wasmi |");
        println!("| --- | ---: | ---: | ---: |");
        for row in &exec_rows {
            println!("{row}");
        }
        println!(
            "| geometric mean ({} workloads) | | | {} |",
            exec_ratios.len(),
            gm(&exec_ratios)
        );
        println!();
    }
    if !translate_rows.is_empty() {
        println!(
            "| module (translate) | code bytes | regwasm | wasmi | regwasm/wasmi | regwasm MB/s | wasmi MB/s |"
        );
        println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for row in &translate_rows {
            println!("{row}");
        }
        println!(
            "| geometric mean ({} modules) | | | | {} | | |",
            translate_ratios.len(),
            gm(&translate_ratios)
        );
        println!();
    }
    if !startup_rows.is_empty() {
        println!("| startup | regwasm | wasmi | regwasm/wasmi |");
        println!("| --- | ---: | ---: | ---: |");
        for row in &startup_rows {
            println!("{row}");
        }
        println!();
    }
    if exec_rows.is_empty() && translate_rows.is_empty() && startup_rows.is_empty() {
        eprintln!("no results under {}", dir.display());
        std::process::exit(1);
    }
    println!("Times per iteration; regwasm/wasmi < 1 means regwasm is faster.");
    if !stale_groups.is_empty() {
        println!(
            "Warning: regwasm and wasmi results more than an hour apart (not one run) in: {}",
            stale_groups.join(", ")
        );
    }
}
