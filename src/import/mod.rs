//! OpenStreetMap import: reads Overpass API JSON (from a file or an Overpass endpoint) as a
//! stream, maps tags to categories, places ways and relations at the centre of their members'
//! bounding box (Overpass's `center`), copies the places into a staging table and merges them
//! into `places` by `type/id` in one statement, all in one transaction.

mod read;

pub use read::{parse, read, Parsed, Passed};

use std::collections::{BTreeMap, HashMap};

use anyhow::{anyhow, bail, Context};
use sqlx::PgPool;

use crate::db::bulk::{self, CopyIn, CopyRows, Table};
use crate::db::import_staging;
use crate::db::places::{self as db_places, NewPlace};
use crate::domain::categories;
use crate::domain::geo::BBox;
use crate::domain::hours;

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub inserted: u64,
    pub updated: u64,
    /// Stored places the file gives exactly as they are.
    pub unchanged: u64,
    pub skipped: BTreeMap<String, u64>,
    /// Stored places whose element no longer carries a mapped tag. They are kept, not deleted.
    pub lost_tag: Vec<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "inserted:  {}", self.inserted)?;
        writeln!(f, "updated:   {}", self.updated)?;
        writeln!(f, "unchanged: {}", self.unchanged)?;
        let skipped: u64 = self.skipped.values().sum();
        writeln!(f, "skipped:   {skipped}")?;
        for (reason, n) in &self.skipped {
            writeln!(f, "  {n} {reason}")?;
        }
        if !self.lost_tag.is_empty() {
            writeln!(
                f,
                "stored places that lost their tag (kept): {}",
                self.lost_tag.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Places as staging rows, in chunks for `COPY`, with each distinct `opening_hours` value's
/// weekly minutes computed once.
struct Stager {
    rows: CopyRows,
    weeks: HashMap<String, Option<String>>,
    staged: u64,
    /// Hashes of the sources staged, to know whether any came twice (a collision only costs
    /// the slower merge).
    sources: std::collections::HashSet<u64>,
    repeats: bool,
}

/// Rows per `COPY` chunk.
const CHUNK: u64 = 10_000;

impl Stager {
    fn new() -> Self {
        Stager {
            rows: CopyRows::new(),
            weeks: HashMap::new(),
            staged: 0,
            sources: std::collections::HashSet::new(),
            repeats: false,
        }
    }

    fn add(&mut self, p: &NewPlace) {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(&p.source);
        self.repeats |= !self.sources.insert(hash);
        let week = p.opening_hours.as_deref().and_then(|raw| {
            self.weeks
                .entry(raw.to_string())
                .or_insert_with(|| hours::weekly_open_multirange(Some(raw)))
                .as_deref()
        });
        import_staging::stage_row(&mut self.rows, self.staged, p, week);
        self.staged += 1;
    }

    fn full(&self) -> bool {
        self.rows.rows() >= CHUNK
    }

    fn take(&mut self) -> String {
        self.rows.take()
    }
}

/// Writes parsed places in one transaction: either all of them land or none.
pub async fn store(
    pool: &PgPool,
    parsed: &Parsed,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<Report> {
    let mut tx = pool.begin().await?;
    import_staging::create_staging(&mut tx).await?;
    progress.set_length(parsed.places.len() as u64);
    let mut copy = CopyIn::start(&mut tx, Table::ImportStaging).await?;
    let mut stager = Stager::new();
    for place in &parsed.places {
        stager.add(place);
        if stager.full() {
            copy.send(stager.take()).await?;
            progress.set_position(stager.staged);
        }
    }
    copy.send(stager.take()).await?;
    copy.finish().await?;
    let report = merge(&mut tx, &parsed.skipped, &parsed.unmapped, stager.repeats).await?;
    tx.commit().await?;
    progress.finish_and_clear();
    Ok(report)
}

/// Streams an Overpass JSON file into the database in one transaction: one thread parses
/// while the database copies, and only a few chunks are held at a time. A bad element or
/// broken JSON anywhere writes nothing. `progress` counts bytes read.
pub async fn store_file(
    pool: &PgPool,
    path: &std::path::Path,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<Report> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    progress.set_length(file.metadata().map(|m| m.len()).unwrap_or(0));
    let reader = progress.wrap_read(file);
    let (chunks, mut received) = tokio::sync::mpsc::channel::<String>(4);
    let parser = tokio::task::spawn_blocking(move || {
        let mut stager = Stager::new();
        let send = |chunk| {
            chunks
                .blocking_send(chunk)
                .map_err(|_| anyhow!("the database stopped taking rows"))
        };
        let passed = read(reader, |p| {
            stager.add(&p);
            if stager.full() {
                send(stager.take())?;
            }
            Ok(())
        })?;
        send(stager.take())?;
        Ok::<_, anyhow::Error>((passed, stager.repeats))
    });

    let mut tx = pool.begin().await?;
    import_staging::create_staging(&mut tx).await?;
    let mut copy = CopyIn::start(&mut tx, Table::ImportStaging).await?;
    let mut failed = None;
    while let Some(chunk) = received.recv().await {
        if let Err(e) = copy.send(chunk).await {
            failed = Some(e);
            break;
        }
    }
    drop(received);
    let parsed = parser.await.context("the parser stopped")?;
    let (passed, repeats) = match (parsed, failed) {
        (Ok(read), None) => read,
        // The database's error first: the parser then only saw the channel close.
        (_, Some(e)) => return Err(e.into()),
        (Err(e), None) => {
            copy.abort(&format!("{e:#}")).await.ok();
            return Err(e);
        }
    };
    copy.finish().await?;
    progress.set_message("merging into places");
    let report = merge(&mut tx, &passed.skipped, &passed.unmapped, repeats).await?;
    tx.commit().await?;
    progress.finish_and_clear();
    Ok(report)
}

/// Merges the staged places into `places` and reports what changed.
async fn merge(
    conn: &mut sqlx::PgConnection,
    skipped: &BTreeMap<String, u64>,
    unmapped: &[String],
    repeats: bool,
) -> anyhow::Result<Report> {
    // Into an empty table (a first import), indexes built once afterwards are several times
    // faster than maintained row by row; the transaction still covers all of it.
    bulk::roomy_transaction(&mut *conn).await?;
    let first = db_places::count(&mut *conn).await? == 0;
    let indexes = if first {
        bulk::drop_indexes(&mut *conn, "places", &[]).await?
    } else {
        Vec::new()
    };
    let merged = if first && !repeats {
        let inserted = import_staging::insert_staging(&mut *conn).await?;
        import_staging::Merged {
            inserted,
            updated: 0,
            staged: inserted,
        }
    } else {
        import_staging::merge_staging(&mut *conn, repeats).await?
    };
    bulk::create_indexes(&mut *conn, &indexes).await?;
    Ok(Report {
        inserted: merged.inserted,
        updated: merged.updated,
        unchanged: merged.staged - merged.inserted - merged.updated,
        skipped: skipped.clone(),
        lost_tag: import_staging::existing_sources(&mut *conn, unmapped).await?,
    })
}

/// The Overpass QL query for every mapped tag inside a box, with `out center`.
pub fn overpass_query(bbox: BBox) -> String {
    let b = format!(
        "{},{},{},{}",
        bbox.min_lat, bbox.min_lon, bbox.max_lat, bbox.max_lon
    );
    let mut q = String::from("[out:json][timeout:120];(");
    for c in categories::CATEGORIES {
        for (k, v) in c.osm {
            if *k == "social_facility" {
                q.push_str(&format!(
                    "nwr[\"amenity\"=\"social_facility\"][\"{k}\"=\"{v}\"]({b});"
                ));
            } else {
                q.push_str(&format!("nwr[\"{k}\"=\"{v}\"]({b});"));
            }
        }
    }
    q.push_str(");out center tags;");
    q
}

/// Fetches Overpass JSON for a box from `base_url`.
pub async fn fetch(base_url: &str, user_agent: &str, bbox: BBox) -> anyhow::Result<String> {
    let client = reqwest::Client::builder().user_agent(user_agent).build()?;
    let resp = client
        .post(base_url)
        .form(&[("data", overpass_query(bbox))])
        .send()
        .await
        .with_context(|| format!("cannot reach Overpass at {base_url}"))?;
    let status = resp.status();
    if !status.is_success() {
        bail!("Overpass at {base_url} answered {status}");
    }
    Ok(resp.text().await?)
}
