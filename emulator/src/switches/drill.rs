//! The switches of restore drills (EC2 instances): what public evidence leaves open about
//! launching, booting, listing and forgetting instances.

use serde::{Deserialize, Serialize};

use super::{choice, SwitchInfo};

switch_enum!(
    /// Whether RunInstances meets a capacity refusal first.
    LaunchCapacity { RefusedOnce = "refusedOnce", Available = "available" }
);
switch_enum!(
    /// What a running instance's status checks show before `ok`.
    InstanceStatusWhileBooting { InsufficientData = "insufficientData", Initializing = "initializing" }
);
switch_enum!(
    /// What DescribeInstances by id answers for a terminated instance.
    TerminatedInstanceLookup { Lingers = "lingers", NotFound = "notFound" }
);
switch_enum!(
    /// Whether a new instance is visible at once.
    NewInstanceVisibility { Delayed = "delayed", Immediate = "immediate" }
);

/// How long a new instance stays invisible under `newInstanceVisibility: delayed`.
pub const NEW_INSTANCE_INVISIBLE_SECONDS: f64 = 5.0;

pub const LAUNCH_CAPACITY: SwitchInfo = choice(
    "launchCapacity",
    LaunchCapacity::VALUES,
    "EC2 API reference, Error codes: InsufficientInstanceCapacity is a server error (HTTP 500) \"There is not enough capacity to fulfill your request. This error can be temporary: wait a few minutes and try again; or launch in another Availability Zone or with another instance type\" (also mozilla bug 846118: \"HTTP 500 response which may be something like InsufficientInstanceCapacity\"). `refusedOnce`: the first RunInstances per (region, zone, instance type) of the world is refused, later ones launch.",
);
pub const INSTANCE_STATUS_WHILE_BOOTING: SwitchInfo = choice(
    "instanceStatusWhileBooting",
    InstanceStatusWhileBooting::VALUES,
    "botocore EC2 model: SummaryStatus is ok | impaired | insufficient-data | not-applicable | initializing, StatusType passed | failed | insufficient-data | initializing; EC2 user guide, Status checks: checks are initializing while the instance starts, and insufficient-data when the checks have not produced data yet. Which one a booting instance shows first is not documented. `insufficientData`: insufficient-data for the first half of durations.statusCheckSeconds, initializing for the second, then ok.",
);
pub const TERMINATED_INSTANCE_LOOKUP: SwitchInfo = choice(
    "terminatedInstanceLookup",
    TerminatedInstanceLookup::VALUES,
    "EC2 API reference, TerminateInstances: \"Terminated instances remain visible after termination (for approximately one hour)\" (artilleryio/chaos-lambda#23: \"The AWS api can return terminated instances for up to an hour\"); \"approximately\" leaves open how soon a lookup by id stops finding it. `lingers`: by id it is terminated for durations.terminatedVisibleSeconds; `notFound`: InvalidInstanceID.NotFound by id as soon as it is terminated (listings still show it until then).",
);
pub const NEW_INSTANCE_VISIBILITY: SwitchInfo = choice(
    "newInstanceVisibility",
    NewInstanceVisibility::VALUES,
    "EC2 API reference, Eventual consistency: \"If you try to describe or modify a resource immediately after its creation, its ID might not have propagated throughout the system, and you will get an error responding that the resource does not exist\" (ansible-collections/amazon.aws#1321). `delayed`: for 5 simulated seconds after RunInstances the instance is InvalidInstanceID.NotFound by id (DescribeInstances, DescribeInstanceStatus, TerminateInstances, CreateTags) and missing from tag-filtered listings.",
);
