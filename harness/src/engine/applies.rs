//! Which engine can run which structure and workload: an unsynchronised structure under loom
//! and shuttle only, a third-party one on real threads only, a weak-memory mutant out of shuttle's
//! reach, a drop-in map only once it is seen creating drop-in values, and no model that calls an
//! operation the structure declares absent.

use super::{Engine, Subject, Workload};
use crate::structure::{Ops, Structure};
use std::sync::Mutex;

/// Why `engine` cannot run structure `S`, or `None` when it can: an unsynchronised structure runs
/// under loom and shuttle only, a third-party one (an adapter) on real threads only, and a mutant
/// whose bug is a weak-memory reordering is out of shuttle's reach.
pub fn not_applicable<S: Structure>(engine: &Engine) -> Option<String> {
    not_applicable_to(&Subject::of::<S>(), engine)
}

/// [`not_applicable`] for a structure given as a [`Subject`].
pub fn not_applicable_to(subject: &Subject, engine: &Engine) -> Option<String> {
    let name = subject.name();
    let shuttle = matches!(
        engine,
        Engine::ShuttleRandom { .. } | Engine::ShuttlePct { .. } | Engine::ShuttleDfs
    );
    if subject.weak_memory_only && shuttle {
        return Some(format!(
            "{}'s planted bug is a weak-memory reordering; shuttle runs one task at a time with \
             sequentially consistent memory, so no schedule of {} can reach it (loom can)",
            name,
            engine.family()
        ));
    }
    if subject.claims.info.unsynchronised && engine.real_threads() {
        return Some(format!(
            "{name} is unsynchronised on purpose; it runs under loom and shuttle only"
        ));
    }
    if subject.drop_in && !engine.real_threads() {
        if let Some(reason) = invisible_drop_in(subject) {
            return Some(reason);
        }
    }
    if subject.real_threads_only && !engine.real_threads() {
        return Some(format!(
            "{name} is a third-party crate that does not use the runtime facade; {} cannot see its \
             synchronisation, so it runs on real threads only",
            engine.family()
        ));
    }
    None
}

/// Why `workload` cannot run on structure `S`, or `None` when it can: it calls operations the
/// structure declares absent from its API ([`Structure::SUPPORTS`]). The same under every engine.
pub fn absent<S: Structure>(workload: &Workload) -> Option<String> {
    absent_from(S::INFO.name, S::SUPPORTS, workload.operations())
}

/// [`absent`] for a structure given as a [`Subject`].
pub(crate) fn absent_in(subject: &Subject, workload: &Workload) -> Option<String> {
    absent_from(subject.name(), subject.supports, workload.operations())
}

/// Why a workload that calls `needed` cannot run on structure `name`, which supports `supports`.
pub fn absent_from(name: &str, supports: Ops, needed: Ops) -> Option<String> {
    let missing = needed.without(supports);
    (!missing.is_empty()).then(|| format!("{name} declares no {missing} {ABSENT}"))
}

/// What every reason of [`absent_from`] says after the operations it names.
const ABSENT: &str = "(absent from its API), which this model calls";

/// Whether a not-applicable `reason` is [`absent_from`]'s: one model, not the engine, cannot run.
pub fn is_absent(reason: &str) -> bool {
    reason.ends_with(ABSENT)
}

/// Why loom and shuttle cannot explore the drop-in structure of `subject`: it created no drop-in value (see
/// [`crate::sync`]) when it was built and one key was inserted, read and removed on the calling
/// thread, so its synchronisation is still `std::sync`'s and an exploration would order nothing
/// inside it (and pass without having looked). Found once per process and structure. A probe that
/// panics says nothing: the engines' own runs report the panic.
fn invisible_drop_in(subject: &Subject) -> Option<String> {
    use std::any::TypeId;
    use std::collections::HashMap;
    static SEEN: Mutex<Option<HashMap<TypeId, bool>>> = Mutex::new(None);
    let id = subject.id;
    let known = SEEN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .get(&id)
        .copied();
    let visible = known.unwrap_or_else(|| {
        let before = crate::sync::created();
        let (ran, _) = crate::quiet::quietly(|| {
            let map = subject.new_map::<crate::rt::Std>();
            map.insert(0, 0);
            map.get(0);
            map.remove(0);
        });
        let visible = ran.is_none() || crate::sync::created() != before;
        SEEN.lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(HashMap::new)
            .insert(id, visible);
        visible
    });
    (!visible).then(|| {
        format!(
            "{} created no mapcheck::sync value when it was built and used: its locks and atomics are \
             std's, which loom and shuttle cannot see, so it runs on real threads only (point its \
             `use` lines at mapcheck::sync in test builds)",
            subject.name()
        )
    })
}
