//! Parsing of the command line's durations (`--timeout 500ms`) and sizes (`--max-memory 64Mi`).

use std::time::Duration;

/// A duration: a number followed by `ms`, `s`, `m` or `h` (`500ms`, `2s`, `1.5m`); a bare
/// number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let seconds_per_unit = match unit {
        "ms" => 0.001,
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return Err(format!("unknown unit `{unit}`: use ms, s, m or h")),
    };
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 500ms, 2s or 1m"))?;
    Duration::try_from_secs_f64(number * seconds_per_unit).map_err(|e| format!("`{text}`: {e}"))
}

/// A size in bytes: a whole number, optionally followed by `K`, `M`, `G` (powers of 1000) or
/// `Ki`, `Mi`, `Gi` (powers of 1024), and optionally `B` (`65536`, `64Ki`, `16MiB`, `1G`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit = unit.strip_suffix('B').unwrap_or(unit);
    let multiplier: u64 = match unit {
        "" => 1,
        "K" | "k" => 1000,
        "M" => 1000 * 1000,
        "G" => 1000 * 1000 * 1000,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        _ => return Err(format!("unknown unit `{unit}`: use K, M, G, Ki, Mi or Gi")),
    };
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as 65536, 64Ki or 16Mi"))?;
    number
        .checked_mul(multiplier)
        .ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("2 s").is_err());
        assert!(parse_duration("2d").is_err());
        assert!(parse_duration("ms").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("64Ki"), Ok(65536));
        assert_eq!(parse_size("64KiB"), Ok(65536));
        assert_eq!(parse_size("2M"), Ok(2_000_000));
        assert_eq!(parse_size("16Mi"), Ok(16 << 20));
        assert_eq!(parse_size("1Gi"), Ok(1 << 30));
        assert!(parse_size("1Ti").is_err());
        assert!(parse_size("Mi").is_err());
        assert!(parse_size("99999999999999999999").is_err());
        assert!(parse_size("99999999999Gi").is_err());
    }
}
