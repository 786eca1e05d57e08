//! A reader for Mapbox Vector Tiles (protocol buffers, spec 2.1), enough for tests to see the
//! layers, the features, their properties and their first point.

use std::collections::BTreeMap;

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Layer {
    pub name: String,
    pub extent: u32,
    pub features: Vec<Feature>,
}

#[derive(Debug, Clone)]
pub struct Feature {
    pub id: Option<u64>,
    /// 1 point, 2 line, 3 polygon.
    pub kind: u32,
    pub props: BTreeMap<String, Value>,
    /// The first vertex, in tile coordinates (0..extent).
    pub first: (i64, i64),
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }
    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.buf[self.pos];
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
        }
        v
    }
    fn bytes(&mut self) -> &'a [u8] {
        let n = self.varint() as usize;
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        out
    }
    /// The next field's number and wire type.
    fn key(&mut self) -> (u64, u64) {
        let k = self.varint();
        (k >> 3, k & 7)
    }
    fn skip(&mut self, wire: u64) {
        match wire {
            0 => {
                self.varint();
            }
            1 => self.pos += 8,
            2 => {
                self.bytes();
            }
            5 => self.pos += 4,
            other => panic!("unknown wire type {other}"),
        }
    }
    fn packed(&mut self) -> Vec<u64> {
        let mut inner = Reader::new(self.bytes());
        let mut out = Vec::new();
        while !inner.done() {
            out.push(inner.varint());
        }
        out
    }
}

fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn value(buf: &[u8]) -> Value {
    let mut r = Reader::new(buf);
    let (field, wire) = r.key();
    match (field, wire) {
        (1, 2) => Value::String(String::from_utf8(r.bytes().to_vec()).unwrap()),
        (2, 5) => {
            let b: [u8; 4] = r.buf[r.pos..r.pos + 4].try_into().unwrap();
            serde_json::json!(f32::from_le_bytes(b))
        }
        (3, 1) => {
            let b: [u8; 8] = r.buf[r.pos..r.pos + 8].try_into().unwrap();
            serde_json::json!(f64::from_le_bytes(b))
        }
        (4, 0) => serde_json::json!(r.varint() as i64),
        (5, 0) => serde_json::json!(r.varint()),
        (6, 0) => serde_json::json!(zigzag(r.varint())),
        (7, 0) => Value::Bool(r.varint() != 0),
        other => panic!("unknown value field {other:?}"),
    }
}

pub fn decode(tile: &[u8]) -> Vec<Layer> {
    let mut r = Reader::new(tile);
    let mut layers = Vec::new();
    while !r.done() {
        let (field, wire) = r.key();
        if field != 3 {
            r.skip(wire);
            continue;
        }
        let mut l = Reader::new(r.bytes());
        let (mut name, mut extent) = (String::new(), 4096);
        let (mut keys, mut values, mut raw) = (Vec::new(), Vec::new(), Vec::new());
        while !l.done() {
            match l.key() {
                (1, 2) => name = String::from_utf8(l.bytes().to_vec()).unwrap(),
                (2, 2) => raw.push(l.bytes()),
                (3, 2) => keys.push(String::from_utf8(l.bytes().to_vec()).unwrap()),
                (4, 2) => values.push(value(l.bytes())),
                (5, 0) => extent = l.varint() as u32,
                (_, wire) => l.skip(wire),
            }
        }
        let features = raw
            .into_iter()
            .map(|buf| {
                let mut f = Reader::new(buf);
                let mut feature = Feature {
                    id: None,
                    kind: 0,
                    props: BTreeMap::new(),
                    first: (0, 0),
                };
                while !f.done() {
                    match f.key() {
                        (1, 0) => feature.id = Some(f.varint()),
                        (2, 2) => {
                            for pair in f.packed().chunks(2) {
                                feature.props.insert(
                                    keys[pair[0] as usize].clone(),
                                    values[pair[1] as usize].clone(),
                                );
                            }
                        }
                        (3, 0) => feature.kind = f.varint() as u32,
                        (4, 2) => {
                            let g = f.packed();
                            feature.first = (zigzag(g[1]), zigzag(g[2]));
                        }
                        (_, wire) => f.skip(wire),
                    }
                }
                feature
            })
            .collect();
        layers.push(Layer {
            name,
            extent,
            features,
        });
    }
    layers
}
