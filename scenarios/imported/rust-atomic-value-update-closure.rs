// Source: https://github.com/majiayu000/litellm-rs/issues/89 ("AtomicValue::update() has non-atomic
// read-modify-write race": update() does a separate load() then store(), so concurrent updates
// are lost).
// Hazard: S4 and failure classes 1-2, copy-on-write published without compare-and-swap loses a write.
// mapcheck-expect: cow-nocas
use arc_swap::ArcSwap;
use std::collections::HashMap;
use std::sync::Arc;
use std::thread;

pub struct AtomicValue<T> {
    inner: ArcSwap<T>,
}

impl<T: Clone> AtomicValue<T> {
    pub fn new(v: T) -> Self {
        AtomicValue { inner: ArcSwap::from_pointee(v) }
    }

    pub fn update<F: FnOnce(&mut T)>(&self, f: F) {
        let mut value = (**self.inner.load()).clone();
        f(&mut value);
        self.inner.store(Arc::new(value));
    }

    pub fn load(&self) -> Arc<T> {
        self.inner.load_full()
    }
}

fn main() {
    let models: Arc<AtomicValue<HashMap<u32, u32>>> = Arc::new(AtomicValue::new(HashMap::new()));
    let handles: Vec<_> = (1..=2)
        .map(|i| {
            let models = models.clone();
            thread::spawn(move || {
                models.update(|m| {
                    m.insert(i, i);
                });
                assert!(models.load().contains_key(&i));
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}
