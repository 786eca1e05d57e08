//! The `antes` command: serve, migrate, seed and import. Thin: it reads settings, connects, and
//! calls the library. Failures print one `error:` line and exit non-zero.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use sqlx::PgPool;

use antes::config::{self, AppConfig};
use antes::domain::geo::BBox;
use antes::error_code::ErrorCode;
use antes::{db, import, seed};

#[derive(Parser)]
#[command(
    name = "antes",
    version,
    about = "Antes de Salir: neighbourhood care on a map"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply database migrations.
    Migrate,
    /// Load the Santa Fe demo data from fixtures/ (idempotent).
    Seed,
    /// Import places from outside sources.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Web Push keys (VAPID, RFC 8292).
    #[command(subcommand)]
    Vapid(VapidCommand),
    /// Fill an empty, migrated database with deterministic national-scale data for
    /// benchmarks (places, volunteers, help requests and the benchmark's query samples), or
    /// with --overpass, write the same places as an Overpass JSON file instead.
    BenchData {
        #[arg(long, default_value_t = 1_000_000)]
        places: u64,
        #[arg(long, default_value_t = 200_000)]
        volunteers: u64,
        #[arg(long, default_value_t = 100_000)]
        requests: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Points the benchmark searches around.
        #[arg(long, default_value_t = 2_000)]
        points: u64,
        /// Volunteers whose task lists, and requests whose matches, the benchmark asks for.
        #[arg(long, default_value_t = 1_000)]
        samples: i64,
        /// Write the places to this Overpass JSON file and touch no database.
        #[arg(long)]
        overpass: Option<PathBuf>,
    },
    /// Expire stale help requests, purge old ones and forget old audit accounts, once.
    Maintain {
        /// Also rewrite the help request and audit tables (VACUUM FULL), so that erased bytes
        /// do not linger in the free space of their pages. Locks those tables while it runs:
        /// use it in a quiet hour.
        #[arg(long)]
        rewrite: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a verified account (for example the first coordinator). The password is read
    /// from standard input unless --password is given.
    Add {
        #[arg(long)]
        email: String,
        /// volunteer, organizer or coordinator.
        #[arg(long)]
        role: String,
        /// The name others see; defaults to the part of the email before `@`.
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        password: Option<String>,
    },
}

#[derive(Subcommand)]
enum VapidCommand {
    /// Print a new VAPID key pair, to put in `[default.notify]` (no database needed).
    Generate,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// OpenStreetMap data as Overpass API JSON, from FILE or fetched for --bbox.
    Osm {
        /// An Overpass JSON file (`out center` or `out body; >; out skel qt;`).
        file: Option<PathBuf>,
        /// minLon,minLat,maxLon,maxLat to fetch from the configured Overpass endpoint.
        #[arg(long, allow_hyphen_values = true, conflicts_with = "file")]
        bbox: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let figment = config::figment();
    let config = match AppConfig::from_figment(&figment) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Bulk commands run long statements on purpose; only `serve` reports slow ones.
    let serving = matches!(cli.command, None | Some(Command::Serve));
    init_logging(&config, serving);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), figment, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, as text or (with `log_format = "json"`) one JSON object a line;
/// `RUST_LOG` picks what is logged.
fn init_logging(config: &AppConfig, serving: bool) {
    let default = if serving {
        "info,sqlx=warn"
    } else {
        "info,sqlx=error"
    };
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.json_logs() {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
}

async fn run(
    command: Command,
    figment: rocket::figment::Figment,
    config: AppConfig,
) -> anyhow::Result<()> {
    if let Command::BenchData {
        overpass: Some(path),
        places,
        seed,
        ..
    } = &command
    {
        return bench_overpass(path, *places, *seed);
    }
    if let Command::Vapid(VapidCommand::Generate) = &command {
        let keys = antes::notify::web_push::VapidKeys::generate();
        println!(
            "# Web Push keys. Keep the private key secret; the public one is given to browsers."
        );
        println!("# In Rocket.toml, under [default.notify]:");
        println!("vapid_private_key = \"{}\"", keys.private_base64url());
        println!("vapid_subject = \"mailto:coordinacion@example.org\"");
        println!(
            "# Public key (the server derives it; shown for reference): {}",
            keys.public_base64url()
        );
        return Ok(());
    }
    let pool = connect(&config).await?;
    match command {
        Command::Serve => serve(figment, config, pool).await,
        // Answered above, without a database.
        Command::Vapid(VapidCommand::Generate) => Ok(()),
        Command::Migrate => {
            db::migrate(&pool).await.context("migration failed")?;
            let weekly = antes::backfill::open_weeks(&pool).await?;
            let placed = antes::backfill::volunteer_placements(&pool).await?;
            println!("migrations applied");
            if weekly > 0 {
                println!("weekly opening minutes computed for {weekly} places");
            }
            if placed > 0 {
                println!("{placed} volunteer profiles placed for matching");
            }
            Ok(())
        }
        Command::Seed => {
            let (report, demo) = seed::run(&pool).await?;
            println!(
                "seeded: {} places inserted, {} updated ({demo} of them demo places)",
                report.inserted, report.updated
            );
            Ok(())
        }
        Command::Import(ImportCommand::Osm { file, bbox }) => {
            import_osm(&pool, &config, file, bbox).await
        }
        Command::User(UserCommand::Add {
            email,
            role,
            name,
            password,
        }) => add_user(&pool, &email, &role, name, password).await,
        Command::BenchData {
            places,
            volunteers,
            requests,
            seed,
            points,
            samples,
            overpass: _,
        } => {
            let opts = antes::bench_data::Options {
                places,
                volunteers,
                requests,
                seed,
                points,
                samples,
            };
            let bar = progress_bar("{bar:40} {pos}/{len} rows {per_sec} {msg}");
            let report = antes::bench_data::load(&pool, &opts, &bar).await?;
            print!("{report}");
            Ok(())
        }
        Command::Maintain { rewrite } => {
            let report = antes::maintenance::run(&pool, &config).await?;
            print!("{report}");
            if rewrite {
                antes::maintenance::rewrite(&pool).await?;
                println!("rewritten: help_requests, request_events, account_events");
            }
            Ok(())
        }
    }
}

async fn connect(config: &AppConfig) -> anyhow::Result<PgPool> {
    db::connect(&config.database_url).await.with_context(|| {
        format!(
            "cannot connect to the database at {} (set DATABASE_URL)",
            redact(&config.database_url)
        )
    })
}

/// Hides a password in a connection URL.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn serve(
    figment: rocket::figment::Figment,
    config: AppConfig,
    pool: PgPool,
) -> anyhow::Result<()> {
    if !std::path::Path::new(&config.web_dir).is_dir() {
        bail!(
            "web_dir `{}` is not a directory (set ROCKET_WEB_DIR)",
            config.web_dir
        );
    }
    antes::rocket(figment, config, pool)
        .launch()
        .await
        .map_err(|e| anyhow::anyhow!("server failed: {e}"))?;
    Ok(())
}

/// `bench-data --overpass FILE`: the same places as a file, with no database.
fn bench_overpass(path: &std::path::Path, places: u64, seed: u64) -> anyhow::Result<()> {
    let bar = progress_bar("{bar:40} {pos}/{len} elements {per_sec}");
    let t = std::time::Instant::now();
    let n = antes::bench_data::write_overpass(path, places, seed, &bar)?;
    println!(
        "wrote {n} elements to {} in {:.1} s",
        path.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A progress bar on a terminal; hidden otherwise, as indicatif does.
fn progress_bar(template: &str) -> indicatif::ProgressBar {
    indicatif::ProgressBar::new(0)
        .with_style(indicatif::ProgressStyle::with_template(template).expect("static template"))
}

async fn import_osm(
    pool: &PgPool,
    config: &AppConfig,
    file: Option<PathBuf>,
    bbox: Option<String>,
) -> anyhow::Result<()> {
    let report = match (file, bbox) {
        (Some(path), None) => {
            let bar = progress_bar("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {msg}");
            import::store_file(pool, &path, &bar).await?
        }
        (None, Some(bbox)) => {
            let bbox: BBox = bbox.parse()?;
            eprintln!("fetching from {} ...", config.overpass_url);
            let json = import::fetch(&config.overpass_url, &config.user_agent, bbox).await?;
            let parsed = import::parse(&json)?;
            import::store(pool, &parsed, &progress_bar("{bar:40} {pos}/{len} places")).await?
        }
        _ => bail!("give a FILE or --bbox minLon,minLat,maxLon,maxLat"),
    };
    print!("{report}");
    Ok(())
}

async fn add_user(
    pool: &PgPool,
    email: &str,
    role: &str,
    name: Option<String>,
    password: Option<String>,
) -> anyhow::Result<()> {
    use antes::domain::accounts;
    let email = accounts::email(email)?;
    let role: accounts::Role = role.parse()?;
    let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
    let name = accounts::text("--name", &name, 80)?;
    let password = match password {
        Some(p) => p,
        None => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    antes::domain::passwords::check_new(&password, &[&email, &name])?;
    let hash = antes::secrets::hash_password(&password)?;
    let id = db::accounts::insert(
        pool,
        &db::accounts::NewAccount {
            email: &email,
            password_hash: &hash,
            display_name: &name,
            phone: None,
            role: role.as_str(),
            verified: true,
        },
    )
    .await
    .map_err(|e| {
        if antes::error::constraint_code(&e).is_some_and(|(c, _)| c == ErrorCode::EmailTaken) {
            anyhow::anyhow!("an account with email {email} already exists")
        } else {
            anyhow::Error::new(e).context("cannot create the account")
        }
    })?;
    println!(
        "created verified {} account {id} for {email}",
        role.as_str()
    );
    Ok(())
}
