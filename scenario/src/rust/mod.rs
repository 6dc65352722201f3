//! The Rust importer (placeholder while the module is written).
