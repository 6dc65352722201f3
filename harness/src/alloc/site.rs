//! Where a leaked allocation was made: the frames of its call stack that belong to the structure,
//! found in the text `std::backtrace::Backtrace` prints.

use std::path::Path;

/// Frames kept for a call site.
const SITE_FRAMES: usize = 3;

/// The call site of an allocation, from its call stack as `std::backtrace::Backtrace` prints it:
/// the innermost frames of the structure's own code (its crate and the crates it calls), each
/// `function (file:line)`, innermost first: past the allocator and the standard library, and
/// before the harness's call into the structure. Frames are told apart by their source file where
/// the binary has debug information (an inlined frame is printed with its bare name), by their
/// name otherwise.
pub(super) fn site(stack: &str) -> Vec<String> {
    let harness = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut frames = Vec::new();
    let mut lines = stack.lines().map(str::trim).peekable();
    while let Some(line) = lines.next() {
        // "12: crate::module::function" then, with debug information, "at path:line:col".
        let Some((index, name)) = line.split_once(": ") else {
            continue;
        };
        if index.parse::<usize>().is_err() {
            continue;
        }
        let at = lines
            .peek()
            .and_then(|l| l.strip_prefix("at "))
            .map(str::to_string);
        if at.is_some() {
            lines.next();
        }
        let file = at.as_deref().map(|a| {
            let path = strip_line(a);
            match path.strip_prefix("./") {
                Some(rel) => cwd.join(rel),
                None => Path::new(path).to_path_buf(),
            }
        });
        match frame_kind(name, file.as_deref(), &harness) {
            Frame::Library => {}
            // The allocator's own frames come first; the harness's next frame called the structure.
            Frame::Harness if frames.is_empty() => {}
            Frame::Harness => break,
            Frame::Structure => {
                let name = short_name(name);
                frames.push(match &at {
                    Some(at) => format!("{name} ({})", location(at, &cwd)),
                    None => name,
                });
                if frames.len() == SITE_FRAMES {
                    break;
                }
            }
        }
    }
    frames
}

enum Frame {
    /// The standard library, or the harness's runtime facade: skipped.
    Library,
    /// The harness: its allocator (before the structure's frames), or its call into the structure.
    Harness,
    /// The structure's own code, or a crate it calls.
    Structure,
}

fn frame_kind(name: &str, file: Option<&Path>, harness: &Path) -> Frame {
    // The global allocator's shims (`__rust_alloc`, `__rdl_alloc`, ...) are placed at the
    // `#[global_allocator]` line of whichever crate installs it.
    if name.starts_with("__") || name.starts_with("_Unwind") {
        return Frame::Library;
    }
    if let Some(file) = file {
        let text = file.to_string_lossy();
        if text.starts_with("/rustc/") || text.starts_with("/rust/deps/") {
            return Frame::Library;
        }
        if let Ok(rel) = file.strip_prefix(harness) {
            return if rel.starts_with("rt") {
                Frame::Library
            } else {
                Frame::Harness
            };
        }
        return Frame::Structure;
    }
    let path = name
        .trim_start_matches(['<', '&', '*'])
        .trim_start_matches("dyn ")
        .trim_start_matches("mut ");
    // `<T as Trait>::f` is the code of `T`'s impl: a primitive's (`<u8 as
    // alloc::vec::spec_from_elem::SpecFromElem>::from_elem`, std code instantiated in the caller's
    // crate, with no file of its own) is the standard library's.
    if let Some((ty, _)) = path.split_once(" as ") {
        let ty = ty
            .trim_start_matches(['[', '(', '&', '*'])
            .trim_start_matches("mut ");
        if !ty.contains("::") && PRIMITIVES.iter().any(|p| ty.starts_with(p)) {
            return Frame::Library;
        }
    }
    let krate = path.split("::").next().unwrap_or(path);
    match krate {
        "std" | "core" | "alloc" | "hashbrown" => Frame::Library,
        _ if krate.starts_with("__") || krate.starts_with("_Unwind") || krate.is_empty() => Frame::Library,
        "mapcheck_harness" if path.starts_with("mapcheck_harness::rt::") => Frame::Library,
        "mapcheck_harness" => Frame::Harness,
        _ => Frame::Structure,
    }
}

/// The primitive types, whose impls are the standard library's.
const PRIMITIVES: &[&str] = &[
    "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64",
    "bool", "char", "str", "()",
];

/// A function's name without the generic arguments of its types (`Map<R>::insert` becomes
/// `Map::insert`); a qualified path (`<A as B>::f`) keeps its brackets.
fn short_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0;
    let mut prev = ' ';
    for c in name.chars() {
        if depth > 0 {
            match c {
                '<' => depth += 1,
                '>' => depth -= 1,
                _ => {}
            }
            continue;
        }
        if c == '<' && (prev.is_alphanumeric() || prev == '_') {
            depth = 1;
            continue;
        }
        out.push(c);
        prev = c;
    }
    out
}

/// `path:line:col` without the column (and `path:line` without the line).
fn strip_line(at: &str) -> &str {
    let mut path = at.trim();
    for _ in 0..2 {
        match path.rsplit_once(':') {
            Some((p, n)) if n.parse::<u32>().is_ok() => path = p,
            _ => break,
        }
    }
    path
}

/// `path:line:col` shortened to `path:line`: a registry path to `crate-version/...`, one under the
/// current directory relative to it.
fn location(at: &str, cwd: &Path) -> String {
    let at = at.trim();
    let at = at
        .rsplit_once(':')
        .filter(|(_, col)| col.parse::<u32>().is_ok())
        .map_or(at, |(p, _)| p);
    let at = match at.find("/registry/src/") {
        Some(i) => {
            let rest = &at[i + "/registry/src/".len()..];
            rest.split_once('/').map_or(rest, |(_, r)| r)
        }
        None => at,
    };
    let cwd = cwd.to_string_lossy();
    let at = at
        .strip_prefix(cwd.as_ref())
        .map_or(at, |r| r.trim_start_matches('/'));
    at.trim_start_matches("./").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stack as std prints it, with debug information: the capture, the allocator, the standard
    /// library, the structure (a registry crate and two frames of its own), then the harness.
    fn stack(harness: &str) -> String {
        format!(
            "   0: std::backtrace::Backtrace::force_capture
             at /rustc/abc/library/std/src/backtrace.rs:312:9
   1: {{closure#0}}
             at {harness}/src/alloc/mod.rs:98:42
   2: record
             at {harness}/src/alloc/mod.rs:95:5
   3: __rust_alloc
             at ./tests/suite.rs:6:1
   4: <alloc::raw_vec::RawVecInner>::try_allocate_in
   5: alloc::vec::from_elem
   6: sdd::collector::Collector::alloc<my_map::Node<u64>>
             at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sdd-4.8.11/src/collector.rs:88:13
   7: tombstone
             at /work/my_map/src/lib.rs:25:9
   8: <my_map::Map<R> as mapcheck_harness::structure::Map>::remove
             at /work/my_map/src/lib.rs:37:9
   9: {{closure#1}}
             at {harness}/src/history.rs:500:40
  10: with_scope<u64>
             at {harness}/src/alloc/mod.rs:443:5
"
        )
    }

    #[test]
    fn the_site_is_the_structures_frames_innermost_first() {
        assert_eq!(
            site(&stack(env!("CARGO_MANIFEST_DIR"))),
            vec![
                "sdd::collector::Collector::alloc (sdd-4.8.11/src/collector.rs:88)".to_string(),
                "tombstone (/work/my_map/src/lib.rs:25)".into(),
                "<my_map::Map as mapcheck_harness::structure::Map>::remove (/work/my_map/src/lib.rs:37)"
                    .into(),
            ]
        );
    }

    #[test]
    fn the_site_ends_at_the_harness() {
        let short = stack(env!("CARGO_MANIFEST_DIR")).replace(
            "sdd::collector::Collector::alloc<my_map::Node<u64>>",
            "__rdl_alloc",
        );
        assert_eq!(
            site(&short),
            vec![
                "tombstone (/work/my_map/src/lib.rs:25)".to_string(),
                "<my_map::Map as mapcheck_harness::structure::Map>::remove (/work/my_map/src/lib.rs:37)"
                    .into(),
            ],
            "the frame in the harness's history.rs ends it"
        );
    }

    #[test]
    fn without_debug_information_frames_are_told_apart_by_name() {
        let stack = "   0: std::backtrace::Backtrace::force_capture
   1: mapcheck_harness::alloc::record
   2: <mapcheck_harness::alloc::Counting as core::alloc::global::GlobalAlloc>::alloc
   3: __rust_alloc
   4: mapcheck_harness::rt::Arc<R,T>::new
   5: my_map::Map<R>::insert
   6: mapcheck_harness::history::Recorder::apply
   7: my_map::Map<R>::not_reached
";
        assert_eq!(site(stack), vec!["my_map::Map::insert".to_string()]);
    }

    #[test]
    fn a_primitives_impl_of_a_std_trait_is_the_standard_librarys() {
        let stack = "   0: std::backtrace::Backtrace::force_capture
   1: mapcheck_harness::alloc::record
   2: __rust_alloc
   3: <u8 as alloc::vec::spec_from_elem::SpecFromElem>::from_elem
   4: <[u64] as alloc::slice::hack::ConvertVec>::to_vec
   5: <my_map::Node as core::clone::Clone>::clone
   6: my_map::leak_one
   7: mapcheck_harness::history::Recorder::apply
";
        assert_eq!(
            site(stack),
            vec![
                "<my_map::Node as core::clone::Clone>::clone".to_string(),
                "my_map::leak_one".into()
            ]
        );
    }

    #[test]
    fn a_stack_with_no_frame_of_the_structure_has_no_site() {
        assert!(site("").is_empty());
        assert!(site("   0: std::backtrace::Backtrace::force_capture\n").is_empty());
    }

    #[test]
    fn generic_arguments_are_dropped_and_qualified_paths_kept() {
        assert_eq!(short_name("a::Map<R, T>::insert<K>"), "a::Map::insert");
        assert_eq!(short_name("<a::B<C> as d::E>::f"), "<a::B as d::E>::f");
        assert_eq!(strip_line("src/lib.rs:25:9"), "src/lib.rs");
        assert_eq!(location("./src/lib.rs:25:9", Path::new("/x")), "src/lib.rs:25");
        assert_eq!(location("/x/y/src/lib.rs:3:1", Path::new("/x")), "y/src/lib.rs:3");
    }
}
