//! Memory and table types: index types (memory64, table64), page sizes (custom-page-sizes)
//! and size bounds, with the feature checks of those proposals.

use super::Features;
use crate::error::{Error, ValidationError};
use crate::value::{MemoryType, TableType};

fn invalid(message: impl Into<String>) -> Error {
    Error::Invalid(ValidationError::new(message, 0))
}

/// A defined or imported memory's type.
pub(super) fn check_memory(ty: &MemoryType, features: Features) -> Result<(), Error> {
    if ty.is_64 && !features.memory64 {
        return Err(invalid(
            "a 64-bit memory requires the memory64 feature, which is disabled",
        ));
    }
    if ty.page_size_log2 != 16 {
        if !features.custom_page_sizes {
            return Err(invalid(
                "a custom page size requires the custom-page-sizes feature, which is disabled",
            ));
        }
        if ty.page_size_log2 != 0 {
            return Err(invalid("invalid custom page size"));
        }
    }
    let most = ty.max_pages_allowed();
    if ty.limits.min > most || ty.limits.max.is_some_and(|m| m > most) {
        return Err(invalid(if !ty.is_64 && ty.page_size_log2 == 16 {
            "memory size must be at most 65536 pages (4GiB)".to_string()
        } else {
            format!("memory size must be at most {most} pages")
        }));
    }
    super::module::check_min_max(ty.limits)
}

/// A defined or imported table's type.
pub(super) fn check_table(ty: &TableType, features: Features) -> Result<(), Error> {
    if ty.is_64 && !features.memory64 {
        return Err(invalid(
            "a 64-bit table requires the memory64 feature, which is disabled",
        ));
    }
    let most = if ty.is_64 {
        u64::MAX
    } else {
        u64::from(u32::MAX)
    };
    if ty.limits.min > most || ty.limits.max.is_some_and(|m| m > most) {
        return Err(invalid("table size must be at most 2^32-1"));
    }
    super::module::check_min_max(ty.limits)
}
