//! Assignments: new maps (`make`, literals, `sync.Map{}`), writes to map entries (`m[k] = v`,
//! `m[k] += 1`), reads into variables (`v, ok := m[k]`), and rebuilding a map to give its memory
//! back (the rebuild design's reclamation step).

use super::ast::{dotted, Expr};
use super::eval::{map_kind, Env, Importer, MapKind, Val};
use crate::Spelling;

/// An element of a composite literal: its key, if any, and its value.
type Element = (Option<Expr>, Expr);
use mapcheck_harness::Op;

impl Importer {
    /// The kind of map an expression creates, and its literal elements.
    fn new_map_expr<'e>(&self, e: &'e Expr) -> Option<(MapKind, Option<&'e [Element]>)> {
        match e {
            Expr::Call(f, args) if dotted(f) == "make" => match args.first() {
                Some(Expr::Type(t)) => map_kind(t, &self.types).map(|k| (k, None)),
                Some(Expr::Ident(t)) => map_kind(t, &self.types).map(|k| (k, None)),
                _ => None,
            },
            Expr::Call(f, args) if dotted(f) == "new" => match args.first() {
                Some(Expr::Type(t)) if t == "sync.Map" => Some((MapKind::SyncMap, None)),
                _ => None,
            },
            Expr::Composite(t, elems) => {
                let t = t.trim_start_matches('&');
                match map_kind(t, &self.types) {
                    Some(MapKind::Plain) if t.starts_with("map[") || self.types.contains_key(t) => {
                        Some((MapKind::Plain, Some(elems.as_slice())))
                    }
                    Some(MapKind::SyncMap) => Some((MapKind::SyncMap, None)),
                    _ => None,
                }
            }
            Expr::Unary(op, x) if op == "&" => self.new_map_expr(x),
            _ => None,
        }
    }

    pub(super) fn assign_one(&mut self, name: &str, e: &Expr, env: &mut Env, line: usize, define: bool) {
        if let Some((kind, elems)) = self.new_map_expr(e) {
            if kind == MapKind::Plain {
                self.map_seen.get_or_insert(line);
            }
            let existing = self.maps.contains_key(name);
            if existing && !define && self.in_shard_loop {
                // Each shard's map replaced in a loop over the shards: the sharded map's clear.
                self.emit(Op::Clear, Spelling::Clear, line);
                return;
            }
            if existing && !self.made.contains(name) {
                // A field made for the first time (`r.items = make(...)` in a constructor).
                self.made.insert(name.to_string());
            } else if existing && !define {
                // Replacing a map with a new one gives its memory back: the rebuild design's
                // reclamation step.
                self.memory = true;
                self.note_once(format!(
                    "line {line}: replacing `{name}` with a new map is the rebuild structure's \
                     reclamation step: imported as reclaim()"
                ));
                self.emit(Op::Reclaim, Spelling::Reclaim, line);
                return;
            }
            if !existing {
                self.new_map(name, kind, line);
            }
            for (k, v) in elems.unwrap_or(&[]) {
                let Some(k) = k else { continue };
                let kv = self.eval(k, env);
                let vv = self.eval(v, env);
                let (key, value) = (self.key(kv), self.value(vv));
                self.emit(Op::Insert { key, value }, Spelling::Insert, line);
            }
            return;
        }
        self.struct_literal(e, env, line);
        self.scan_expr(e, env, line);
        let v = self.eval(e, env);
        if define {
            Self::define(env, name, v);
        } else {
            Self::set(env, name, v);
        }
    }

    /// `&Cache{items: map[string]int{"a": 1}}`: a wrapper built with its map's contents.
    fn struct_literal(&mut self, e: &Expr, env: &mut Env, line: usize) {
        let (t, elems) = match e {
            Expr::Composite(t, elems) => (t, elems),
            Expr::Unary(_, x) => match &**x {
                Expr::Composite(t, elems) => (t, elems),
                _ => return,
            },
            _ => return,
        };
        let Some(decl) = self.types.get(t.trim_start_matches('&')).cloned() else {
            return;
        };
        for (field, value) in elems {
            let Some(Expr::Ident(field)) = field else { continue };
            let Some((_, ty)) = decl.fields.iter().find(|(n, _)| n == field) else {
                continue;
            };
            let Some(kind) = map_kind(ty, &self.types) else {
                continue;
            };
            let name = format!("{}.{field}", decl.name);
            if !self.maps.contains_key(&name) {
                self.new_map(&name, kind, line);
            }
            self.made.insert(name.clone());
            if let Expr::Composite(_, entries) = value {
                for (k, v) in entries {
                    let Some(k) = k else { continue };
                    let kv = self.eval(k, env);
                    let vv = self.eval(v, env);
                    let (key, value) = (self.key(kv), self.value(vv));
                    self.emit(Op::Insert { key, value }, Spelling::Insert, line);
                }
            }
        }
    }

    pub(super) fn assign(&mut self, lhs: &[Expr], op: &str, rhs: &[Expr], env: &mut Env, line: usize) {
        let define = op == ":=";
        // `m[k] = Entry{deleted: true}`, `m[k].deleted = true`: marking the entry dead is the
        // tombstone design's delete.
        if let ([l], [r]) = (lhs, rhs) {
            if let Some((m, k)) = tombstone_write(l, r) {
                if self.map_of(m, env).is_some() {
                    let kv = self.eval(k, env);
                    let key = self.key(kv);
                    self.tombstones = true;
                    self.note_once(format!(
                        "line {line}: marking the entry as a tombstone is the tombstone design's delete: \
                         imported as delete(KEY)"
                    ));
                    self.emit(Op::Remove { key }, Spelling::Delete, line);
                    return;
                }
            }
        }
        // `m[k] = v`, `m[k] += v`
        if let ([Expr::Index(m, k)], [v]) = (lhs, rhs) {
            if !matches!(**k, Expr::Int(_)) || self.map_of(m, env).is_some() {
                self.adopt_map(m, MapKind::Plain, line, env);
            }
            if let Some((_, MapKind::Plain)) = self.map_of(m, env) {
                self.scan_expr(v, env, line);
                let kv = self.eval(k, env);
                let key = self.key(kv);
                let value = if op == "=" {
                    let vv = self.eval(v, env);
                    self.value(vv)
                } else {
                    self.note_once(format!(
                        "line {line}: `{op}` on a map entry is imported as a get then an insert"
                    ));
                    self.emit(Op::Get { key }, Spelling::Get, line);
                    self.value(Val::Opaque)
                };
                self.emit(Op::Insert { key, value }, Spelling::Insert, line);
                return;
            }
        }
        // A field write `x.f = ...` on a wrapper: `c.m = make(...)` rebuilds the map.
        if let ([l @ Expr::Selector(..)], [r]) = (lhs, rhs) {
            if let Some((name, _)) = self.map_of(l, env) {
                if self.new_map_expr(r).is_some() {
                    self.assign_one(&name, r, env, line, false);
                    return;
                }
            }
        }
        // `v, ok := <-ch`: a receive, and whether there was something to receive.
        if let ([.., _], [Expr::Unary(recv, ch)]) = (lhs, rhs) {
            if recv == "<-" {
                let (v, ok) = self.receive(ch, env);
                for (i, l) in lhs.iter().enumerate() {
                    if let Expr::Ident(n) = l {
                        let v = match i {
                            0 => v.clone(),
                            _ => Val::Int(ok as i64),
                        };
                        if define {
                            Self::define(env, n, v);
                        } else {
                            Self::set(env, n, v);
                        }
                    }
                }
                return;
            }
        }
        // `v, ok := m[k]`, `v, ok := m.Load(k)`: the read is an operation.
        if rhs.len() == 1 && lhs.len() >= 2 {
            self.scan_expr(&rhs[0], env, line);
            let first = self.eval(&rhs[0], env);
            for (i, l) in lhs.iter().enumerate() {
                if let Expr::Ident(n) = l {
                    let v = if i == 0 { first.clone() } else { Val::Opaque };
                    if define {
                        Self::define(env, n, v);
                    } else {
                        Self::set(env, n, v);
                    }
                }
            }
            return;
        }
        for (l, r) in lhs.iter().zip(rhs) {
            match l {
                Expr::Ident(n) if op == ":=" || op == "=" => self.assign_one(n, r, env, line, define),
                Expr::Ident(n) => {
                    self.scan_expr(r, env, line);
                    let cur = Self::lookup(env, n).unwrap_or(Val::Opaque);
                    let bin = op.trim_end_matches('=');
                    let e = Expr::Binary(bin.to_string(), Box::new(val_expr(cur)), Box::new(r.clone()));
                    let v = self.eval(&e, env);
                    Self::set(env, n, v);
                }
                Expr::Selector(..) if self.map_of(l, env).is_none() && self.field_type(l, env).is_none() => {
                    // A field of something the importer does not know (`s.m = make(...)`).
                    let name = dotted(l);
                    let last = name.rsplit('.').next().unwrap_or(&name).to_string();
                    if !last.is_empty() {
                        self.assign_one(&last, r, env, line, !self.maps.contains_key(&last));
                    }
                }
                _ => {
                    // `claimed[id] = q.Claim(k)`: the value is computed (its calls run), wherever
                    // it goes.
                    self.scan_expr(r, env, line);
                    if matches!(r, Expr::Call(..)) {
                        self.eval(r, env);
                    }
                }
            }
        }
    }
}

/// A value as an expression, to compute with it.
fn val_expr(v: Val) -> Expr {
    match v {
        Val::Int(n) => Expr::Int(n),
        Val::Str(s) => Expr::Str(s),
        _ => Expr::Opaque,
    }
}

/// For a write that marks a map entry dead, the map and the key.
fn tombstone_write<'e>(l: &'e Expr, r: &'e Expr) -> Option<(&'e Expr, &'e Expr)> {
    let is_true = |e: &Expr| matches!(e, Expr::Int(1));
    let tomb = |f: &str| super::loops::TOMBSTONE_FIELDS.contains(&f);
    match (l, r) {
        (Expr::Index(m, k), value) => {
            let elems = match value {
                Expr::Composite(_, e) => e,
                Expr::Unary(_, x) => match &**x {
                    Expr::Composite(_, e) => e,
                    _ => return None,
                },
                _ => return None,
            };
            let marks = elems
                .iter()
                .any(|(f, v)| matches!(f, Some(Expr::Ident(f)) if tomb(f)) && is_true(v));
            marks.then_some((&**m, &**k))
        }
        (Expr::Selector(x, f), v) if tomb(f) && is_true(v) => match &**x {
            Expr::Index(m, k) => Some((&**m, &**k)),
            _ => None,
        },
        _ => None,
    }
}
