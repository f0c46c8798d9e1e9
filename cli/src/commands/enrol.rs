//! `nightround enrol`: trades a one-time enrolment code for this device's
//! credentials, then makes the vault for the worker the server names. The
//! code is single use, so everything that can fail locally is checked first.
//! The server, code and certificate come either as `--server/--code/--cert`
//! or as the text of the dashboard's enrolment QR code (`--link`), read by
//! the core exactly as the apps' scanners hand it over.

use super::Ctx;
use crate::error::CliError;
use crate::output::{emit, Enrolled};
use crate::pin::{read_pin, PinUse};
use clap::Args;
use nightround_core::domain::validation::check_pin;
use nightround_core::sync::{self, parse_enrolment_link, EnrolmentLink};
use nightround_core::vault::forms::check_server_url;
use nightround_core::CoreError;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest certificate file read; a PEM certificate is a few KiB.
const MAX_CERT_BYTES: u64 = 64 * 1024;

/// Where the server is and the code a supervisor gave.
#[derive(Debug, Args)]
pub struct EnrolArgs {
    /// The sync server, e.g. https://sync.example.org:8443 (plain http only
    /// on loopback).
    #[arg(long, value_name = "URL", required_unless_present = "link")]
    pub server: Option<String>,
    /// The server's certificate (PEM): the only one this device will trust.
    #[arg(long, value_name = "FILE.pem")]
    pub cert: Option<PathBuf>,
    /// The one-time enrolment code from a supervisor.
    #[arg(long, required_unless_present = "link")]
    pub code: Option<String>,
    /// The text of the enrolment QR code on the dashboard's devices page
    /// (`nightround:enrol?server=…&code=…&cert_sha256=…`): the server, the
    /// code and the certificate's fingerprint in one, instead of the three
    /// options above.
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["server", "code", "cert"])]
    pub link: Option<String>,
    /// A name for this device on the server's device list.
    #[arg(long, default_value = "nightround command line")]
    pub name: String,
}

fn read_cert(path: &Path) -> Result<String, CliError> {
    let bad = |reason: String| CliError::Certificate {
        path: path.to_path_buf(),
        reason,
    };
    let mut pem = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CERT_BYTES).read_to_string(&mut pem))
        .map_err(|e| bad(format!("cannot read it ({})", e.kind())))?;
    if !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err(bad("it is not a PEM certificate".into()));
    }
    Ok(pem)
}

/// Where to enrol, from the options or the scanned link.
enum Target {
    Options {
        server: String,
        code: String,
        cert: Option<String>,
    },
    Link(EnrolmentLink),
}

impl Target {
    fn of(args: &EnrolArgs) -> Result<Self, CliError> {
        if let Some(text) = &args.link {
            return Ok(Target::Link(
                parse_enrolment_link(text).map_err(CoreError::from)?,
            ));
        }
        let (Some(server), Some(code)) = (&args.server, &args.code) else {
            // clap requires both without --link; kept typed all the same.
            return Err(CoreError::from(
                nightround_core::domain::ValidationError::NotAnEnrolmentCode,
            )
            .into());
        };
        check_server_url(server).map_err(CoreError::from)?;
        Ok(Target::Options {
            server: server.clone(),
            code: code.clone(),
            cert: args.cert.as_deref().map(read_cert).transpose()?,
        })
    }
}

/// Enrols, creates the vault and keeps the enrolment in it.
pub fn run(args: &EnrolArgs, ctx: &Ctx) -> Result<(), CliError> {
    ctx.device.ensure_no_vault()?;
    let target = Target::of(args)?;
    // What a vault erased for wrong PINs left behind goes to the server
    // before a new vault is made here (a later erasure would overwrite it).
    // Enrolling needs the network anyway, so a failure stops here.
    super::sync::deliver_left_behind(ctx)?;
    let pin = read_pin(PinUse::New)?;
    check_pin(&pin).map_err(CoreError::from)?;
    let name = args.name.trim();
    let (enrolment, identity) = match &target {
        Target::Options { server, code, cert } => sync::enrol(server, cert.as_deref(), code, name)?,
        Target::Link(link) => sync::enrol_with_link(link, name)?,
    };
    let saved = ctx.device.create(&pin, identity.clone()).and_then(|vault| {
        vault.set_enrolment(enrolment.clone())?;
        Ok(vault)
    });
    let vault = saved.map_err(|e| CliError::EnrolledButNotSaved(Box::new(e)))?;
    emit(
        ctx.format,
        &Enrolled {
            identity,
            device_id: enrolment.device_id,
            server_url: enrolment.server_url,
            lease_days: enrolment.lease_days,
            vault: vault.path().display().to_string(),
        },
    )
}
