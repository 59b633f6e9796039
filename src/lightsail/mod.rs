//! Lightsail, as the engine sees it: a trait of observations and writes in domain words
//! ([`Lightsail`]), the adapter over `aws-sdk-lightsail` that implements it ([`SdkLightsail`], the
//! only code that calls the SDK), and an in-memory fake for unit tests.
//!
//! [`OPERATIONS`] lists every Lightsail operation the adapter may call. The SAM template's IAM
//! policy is checked against it (`tests/security.rs`, `deploy/static_checks.py`), and the adapter's
//! clients refuse any other operation at run time, so the list cannot fall behind the code.

mod calls;
mod client;
mod convert;
pub(crate) mod error;
#[cfg(test)]
pub(crate) mod fake;
mod probe;

use std::future::Future;

use crate::error::ApiError;
use crate::model::{
    AutoSnapshot, Date, ExportRecord, ManualSnapshot, Resource, ResourceType, Timestamp,
};

pub use client::{client_config, SdkLightsail, READ_ATTEMPTS, WRITE_ATTEMPTS};

/// Every Lightsail operation the adapter calls: the function's IAM policy grants exactly these.
pub const OPERATIONS: &[&str] = &[
    "GetInstance",
    "GetInstances",
    "GetDisk",
    "GetDisks",
    "GetAutoSnapshots",
    "GetInstanceSnapshot",
    "GetInstanceSnapshots",
    "GetDiskSnapshot",
    "GetDiskSnapshots",
    "GetExportSnapshotRecords",
    "CopySnapshot",
    "ExportSnapshot",
    "TagResource",
    "DeleteInstanceSnapshot",
    "DeleteDiskSnapshot",
];

/// What the engine asks of Lightsail. Reads come back as plain domain values, failures as an
/// [`ApiError`] classified by what to do about it; writes are never re-sent unless throttled.
pub trait Lightsail: Sync {
    /// The function's region: copies, exports and export records live here.
    fn region(&self) -> String;

    /// Where the resources and their automatic snapshots live.
    fn source_region(&self) -> &str;

    /// Epoch seconds on Lightsail's clock (the emulator's simulated one locally).
    fn now(&self) -> Timestamp;

    /// The instance of that name in the source region, if any.
    fn get_instance(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<Resource>, ApiError>> + Send;

    /// The disk of that name in the source region, if any.
    fn get_disk(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<Resource>, ApiError>> + Send;

    /// Every instance and disk of the source region.
    fn list_resources(&self) -> impl Future<Output = Result<Vec<Resource>, ApiError>> + Send;

    /// The automatic snapshots of an instance or disk of the source region.
    fn get_auto_snapshots(
        &self,
        resource: &str,
    ) -> impl Future<Output = Result<Vec<AutoSnapshot>, ApiError>> + Send;

    /// The manual snapshot of that name in the function's region (state `Missing` if none).
    fn get_snapshot(
        &self,
        name: &str,
        resource_type: ResourceType,
    ) -> impl Future<Output = Result<ManualSnapshot, ApiError>> + Send;

    /// Every manual instance and disk snapshot of the function's region.
    fn list_snapshots(&self) -> impl Future<Output = Result<Vec<ManualSnapshot>, ApiError>> + Send;

    /// Every export record of the function's region, in no particular order.
    fn list_export_records(
        &self,
    ) -> impl Future<Output = Result<Vec<ExportRecord>, ApiError>> + Send;

    /// CopySnapshot of `resource`'s automatic snapshot of `date` into the function's region,
    /// named `target`.
    fn copy_snapshot(
        &self,
        resource: &str,
        date: Date,
        target: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// ExportSnapshot of a ready manual snapshot.
    fn export_snapshot(&self, snapshot: &str) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// TagResource on a snapshot of the function's region.
    fn tag_resource(
        &self,
        name: &str,
        tags: &[(String, String)],
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// DeleteInstanceSnapshot / DeleteDiskSnapshot.
    fn delete_snapshot(
        &self,
        name: &str,
        resource_type: ResourceType,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}
