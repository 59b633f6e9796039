//! Page tokens. A token names the last item of the previous page (not an offset), so a page
//! never repeats or skips an item that existed through the whole listing even if others are
//! added or deleted between calls. Tokens are hex so clients treat them as opaque.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde_json::Value;

use super::input::opt_str;
use crate::protocol::ApiError;

fn encode(cursor: &str) -> String {
    cursor.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode(token: &str) -> Option<String> {
    if token.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| {
            token
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    String::from_utf8(bytes?).ok()
}

/// A map key that can be written into a page token.
pub trait Cursor: Ord + Sized {
    const TAG: &'static str;
    fn write(&self) -> String;
    fn read(s: &str) -> Option<Self>;
}

impl Cursor for String {
    const TAG: &'static str = "n";
    fn write(&self) -> String {
        self.clone()
    }
    fn read(s: &str) -> Option<String> {
        Some(s.to_string())
    }
}

impl Cursor for u64 {
    const TAG: &'static str = "k";
    fn write(&self) -> String {
        self.to_string()
    }
    fn read(s: &str) -> Option<u64> {
        s.parse().ok()
    }
}

/// The cursor of the request's `pageToken`, if any.
pub fn cursor<K: Cursor>(input: &Value) -> Result<Option<K>, ApiError> {
    let Some(token) = opt_str(input, "pageToken")? else {
        return Ok(None);
    };
    if token.is_empty() {
        return Ok(None);
    }
    read_token(token)
        .map(Some)
        .ok_or_else(|| ApiError::invalid("The pageToken is invalid."))
}

/// The cursor a token this module issued names; `None` for any other text.
pub fn read_token<K: Cursor>(token: &str) -> Option<K> {
    decode(token).and_then(|c| c.strip_prefix(&format!("{}:", K::TAG)).and_then(K::read))
}

fn token<K: Cursor>(key: &K) -> String {
    encode(&format!("{}:{}", K::TAG, key.write()))
}

/// One page of the items of `map` (ascending key order) that pass `keep`, after `after`.
pub fn page<'a, K: Cursor, V>(
    map: &'a BTreeMap<K, V>,
    after: Option<&K>,
    size: usize,
    keep: impl Fn(&V) -> bool,
) -> (Vec<&'a V>, Option<String>) {
    let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
    let mut items = Vec::with_capacity(size);
    let mut last = None;
    let mut more = false;
    for (k, v) in map.range((lower, Bound::Unbounded)) {
        if !keep(v) {
            continue;
        }
        if items.len() == size {
            more = true;
            break;
        }
        items.push(v);
        last = Some(k);
    }
    (items, if more { last.map(token) } else { None })
}

/// Like [`page`] but newest first (descending keys), for operations.
pub fn page_desc<'a, K: Cursor, V>(
    map: &'a BTreeMap<K, V>,
    before: Option<&K>,
    size: usize,
) -> (Vec<&'a V>, Option<String>) {
    let upper = before.map_or(Bound::Unbounded, Bound::Excluded);
    let mut it = map.range((Bound::Unbounded, upper)).rev();
    let items: Vec<(&K, &V)> = it.by_ref().take(size).collect();
    let next = match (items.last(), it.next()) {
        (Some((k, _)), Some(_)) => Some(token(*k)),
        _ => None,
    };
    (items.into_iter().map(|(_, v)| v).collect(), next)
}
