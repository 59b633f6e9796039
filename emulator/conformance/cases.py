"""The conformance cases: every operation the function uses, driven with the real AWS CLI.

Run by run.sh: cases.py --aws PATH --endpoint PROXY_URL --admin EMULATOR_URL --log FILE
Prints one line per case (see harness.py for what a case checks) and `N passed, M failed`.
The names, dates and counts below are those of scenario.yaml.
"""

import argparse
import json
import sys

import cases_ec2
import cases_ec2_archive
import cases_ec2_drill
import cases_query
import moto_check
import moto_archive
import moto_drill
import validate
from harness import EAST, WEST, CaseFailed, Conformance, equals, expect, has, lacks, names, operation_of_type, run_check, tag_map

PAGE_SIZE = 25  # scenario pageSize
LISTED_RECORDS = 62  # scenario: 60 unrelated + 2 listed export records
COPY_SECONDS, EXPORT_SECONDS = 600, 1800  # scenario durations
FAKE_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDCONFORMANCE/20261122/us-east-1/lightsail/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64
)
TARGET_PREFIX = "Lightsail_20161128."
# Errors whose code real Lightsail does not document precisely: either is accepted.
REFUSED = ("InvalidInputException", "OperationFailureException")


# --- the cases ---------------------------------------------------------------------------------


def reads(c):
    c.case("(us-east-1)", "GetInstances", check=lambda d: (
        has(names(d["instances"]), "web-1", "blog-1", "app-1", "panel-1"), lacks(names(d["instances"]), "west-1")))
    c.case("(us-west-2)", "GetInstances", region=WEST, check=lambda d: (
        has(names(d["instances"]), "west-1"), lacks(names(d["instances"]), "web-1")))
    c.case("(CLI pagination)", "GetInstances", paginate=True, check=lambda d: has(names(d["instances"]), "web-1"))

    def web_1(d):
        instance = d["instance"]
        equals("blueprintId", instance.get("blueprintId"), "ubuntu_22_04")
        equals("resourceType", instance.get("resourceType"), "Instance")
        equals("location.regionName", instance.get("location", {}).get("regionName"), EAST)
        has(tag_map(instance.get("tags")), "export", "team")
        equals("tag export", tag_map(instance.get("tags"))["export"], "nightly")

    c.case("web-1", "GetInstance", "--instance-name", "web-1", check=web_1)
    c.case("blog-1 (ghost)", "GetInstance", "--instance-name", "blog-1",
           check=lambda d: expect(d["instance"]["blueprintId"].startswith("ghost_"), "blueprintId not ghost_*"))
    c.case("west-1 from us-east-1 (other region)", "GetInstance", "--instance-name", "west-1", error="NotFoundException")
    c.case("unknown", "GetInstance", "--instance-name", "no-such-vm", error="NotFoundException")

    c.case("", "GetDisks", check=lambda d: has(names(d["disks"]), "data-disk"))

    def data_disk(d):
        disk = d["disk"]
        equals("sizeInGb", disk.get("sizeInGb"), 64)
        equals("attachedTo", disk.get("attachedTo"), "web-1")
        equals("resourceType", disk.get("resourceType"), "Disk")

    c.case("data-disk", "GetDisk", "--disk-name", "data-disk", check=data_disk)
    c.case("unknown", "GetDisk", "--disk-name", "no-such-disk", error="NotFoundException")

    def web_1_autos(d):
        equals("resourceType", d.get("resourceType"), "Instance")
        statuses = {a["date"]: a["status"] for a in d["autoSnapshots"]}
        equals("autoSnapshots", statuses, {"2026-11-19": "Success", "2026-11-20": "Failed",
                                           "2026-11-21": "Success"})

    c.case("web-1", "GetAutoSnapshots", "--resource-name", "web-1", check=web_1_autos)
    c.case("busy-1 (one being taken)", "GetAutoSnapshots", "--resource-name", "busy-1", check=lambda d: equals(
        "autoSnapshots", [(a["date"], a["status"]) for a in d["autoSnapshots"]],
        [("2026-11-22", "InProgress"), ("2026-11-21", "Success")]))
    c.case("data-disk", "GetAutoSnapshots", "--resource-name", "data-disk",
           check=lambda d: equals("resourceType", d.get("resourceType"), "Disk"))
    c.case("unknown", "GetAutoSnapshots", "--resource-name", "no-such-vm", error="NotFoundException")

    c.case("", "GetInstanceSnapshots", check=lambda d: (
        has(names(d["instanceSnapshots"]), "web-1-manual", "blog-1-manual"),
        lacks(names(d["instanceSnapshots"]), "data-disk-manual")))
    c.case("web-1-manual", "GetInstanceSnapshot", "--instance-snapshot-name", "web-1-manual", check=lambda d: (
        equals("state", d["instanceSnapshot"]["state"], "available"),
        equals("fromInstanceName", d["instanceSnapshot"].get("fromInstanceName"), "web-1")))
    c.case("unknown", "GetInstanceSnapshot", "--instance-snapshot-name", "no-such-snap", error="NotFoundException")
    c.case("", "GetDiskSnapshots", check=lambda d: (
        has(names(d["diskSnapshots"]), "data-disk-manual"), lacks(names(d["diskSnapshots"]), "web-1-manual")))
    c.case("data-disk-manual", "GetDiskSnapshot", "--disk-snapshot-name", "data-disk-manual", check=lambda d: (
        equals("state", d["diskSnapshot"]["state"], "completed"),
        equals("fromDiskName", d["diskSnapshot"].get("fromDiskName"), "data-disk")))
    c.case("unknown", "GetDiskSnapshot", "--disk-snapshot-name", "no-such-snap", error="NotFoundException")


def copies(c):
    """CopySnapshot in every form and every refusal; returns the first copy's operation id."""
    by_date = c.case("automatic by restoreDate", "CopySnapshot", "--source-resource-name", "web-1",
                     "--restore-date", "2026-11-21", "--target-snapshot-name", "web-1-export-2026-11-21",
                     "--source-region", EAST, check=lambda d: operation_of_type(d, "CopySnapshot"))
    c.case("copy is pending", "GetInstanceSnapshot", "--instance-snapshot-name", "web-1-export-2026-11-21", check=lambda d: (
        equals("state", d["instanceSnapshot"]["state"], "pending"),
        equals("fromInstanceName", d["instanceSnapshot"].get("fromInstanceName"), "web-1"),
        equals("isFromAutoSnapshot", d["instanceSnapshot"].get("isFromAutoSnapshot"), True)))
    c.case("automatic by useLatestRestorableAutoSnapshot", "CopySnapshot", "--source-resource-name", "data-disk",
           "--use-latest-restorable-auto-snapshot", "--target-snapshot-name", "data-disk-export-latest",
           "--source-region", EAST, check=lambda d: operation_of_type(d, "CopySnapshot"))
    c.case("disk copy is pending", "GetDiskSnapshot", "--disk-snapshot-name", "data-disk-export-latest", check=lambda d: (
        equals("state", d["diskSnapshot"]["state"], "pending"),
        equals("fromDiskName", d["diskSnapshot"].get("fromDiskName"), "data-disk"),
        equals("isFromAutoSnapshot", d["diskSnapshot"].get("isFromAutoSnapshot"), True)))
    c.case("manual by sourceSnapshotName", "CopySnapshot", "--source-snapshot-name", "web-1-manual",
           "--target-snapshot-name", "web-1-manual-copy", "--source-region", EAST,
           check=lambda d: operation_of_type(d, "CopySnapshot"))
    c.case("cross-region (us-west-2 -> us-east-1)", "CopySnapshot", "--source-resource-name", "west-1",
           "--use-latest-restorable-auto-snapshot", "--target-snapshot-name", "west-1-copy",
           "--source-region", WEST, check=lambda d: operation_of_type(d, "CopySnapshot"))
    c.case("cross-region copy lands in the target region", "GetInstanceSnapshot",
           "--instance-snapshot-name", "west-1-copy",
           check=lambda d: equals("fromInstanceName", d["instanceSnapshot"].get("fromInstanceName"), "west-1"))

    def refused(label, *args, error="InvalidInputException"):
        c.case(label, "CopySnapshot", *args, error=error)

    refused("refused: restoreDate and useLatest both given", "--source-resource-name", "web-1",
            "--restore-date", "2026-11-21", "--use-latest-restorable-auto-snapshot",
            "--target-snapshot-name", "web-1-both", "--source-region", EAST)
    refused("refused: neither restoreDate nor useLatest", "--source-resource-name", "web-1",
            "--target-snapshot-name", "web-1-neither", "--source-region", EAST)
    refused("refused: name with a dot", "--source-resource-name", "web-1", "--restore-date", "2026-11-21",
            "--target-snapshot-name", "web-1.export", "--source-region", EAST)
    refused("refused: name in use (the same copy sent twice)", "--source-resource-name", "web-1",
            "--restore-date", "2026-11-21", "--target-snapshot-name", "web-1-export-2026-11-21",
            "--source-region", EAST)
    refused("refused: unknown source resource", "--source-resource-name", "no-such-vm",
            "--use-latest-restorable-auto-snapshot", "--target-snapshot-name", "x-copy", "--source-region", EAST,
            error="NotFoundException")
    refused("refused: unknown source snapshot", "--source-snapshot-name", "no-such-snap",
            "--target-snapshot-name", "y-copy", "--source-region", EAST, error="NotFoundException")
    refused("refused: restoreDate of a Failed auto snapshot", "--source-resource-name", "web-1",
            "--restore-date", "2026-11-20", "--target-snapshot-name", "web-1-failed", "--source-region", EAST)
    refused("refused: restoreDate of an InProgress auto snapshot", "--source-resource-name", "busy-1",
            "--restore-date", "2026-11-22", "--target-snapshot-name", "busy-1-inprogress", "--source-region", EAST,
            error=REFUSED)
    refused("refused: an older auto snapshot while a newer one is being taken", "--source-resource-name", "busy-1",
            "--restore-date", "2026-11-21", "--target-snapshot-name", "busy-1-older", "--source-region", EAST,
            error=REFUSED)
    refused("refused: name of an instance (one name space per region)", "--source-resource-name", "web-1",
            "--restore-date", "2026-11-21", "--target-snapshot-name", "app-1", "--source-region", EAST)
    refused("refused: restoreDate with no auto snapshot", "--source-resource-name", "web-1",
            "--restore-date", "2026-01-01", "--target-snapshot-name", "web-1-none", "--source-region", EAST,
            error=("InvalidInputException", "NotFoundException"))
    refused("refused: sourceRegion mismatch (west-1 is in us-west-2)", "--source-resource-name", "west-1",
            "--use-latest-restorable-auto-snapshot", "--target-snapshot-name", "west-1-wrong",
            "--source-region", EAST, error="NotFoundException")
    return (by_date or {}).get("operations", [{}])[0].get("id")


def operations(c, copy_id):
    if copy_id:
        c.case("of the first copy", "GetOperation", "--operation-id", copy_id, check=lambda d: (
            equals("operation.id", d["operation"]["id"], copy_id),
            equals("operationType", d["operation"].get("operationType"), "CopySnapshot")))
        c.case("", "GetOperations", check=lambda d: has({o["id"] for o in d["operations"]}, copy_id))
    else:
        c.report("GetOperation of the first copy", ["the first CopySnapshot returned no operation id"])
    c.case("unknown", "GetOperation", "--operation-id", "00000000-0000-0000-0000-000000000000",
           error="NotFoundException")


def all_record_pages(c, label):
    """Page GetExportSnapshotRecords by hand (--no-paginate + pageToken); returns every record."""
    records, token, pages = [], None, 0
    while True:
        args = ["--cli-input-json", json.dumps({"pageToken": token})] if token else []
        page_number = pages + 1

        def check_page(d):
            expect(len(d["exportSnapshotRecords"]) <= PAGE_SIZE, f"page {page_number} has more than {PAGE_SIZE} records")

        data = c.case(f"{label} page {page_number}", "GetExportSnapshotRecords", *args, check=check_page)
        if data is None:
            raise CaseFailed(f"page {page_number} failed")
        records += data["exportSnapshotRecords"]
        token, pages = data.get("nextPageToken"), pages + 1
        if not token:
            return records, pages
        expect(pages < 50, "more than 50 pages: nextPageToken never ends")


def record_of(records, snapshot_name):
    matching = [r for r in records if r.get("sourceInfo", {}).get("name") == snapshot_name]
    expect(len(matching) == 1, f"{len(matching)} export records of {snapshot_name}, expected 1")
    return matching[0]


def paged_records(c, label, expected_total):
    """Every record by hand-paging, checked for completeness; None when paging itself failed."""
    try:
        records, pages = all_record_pages(c, label)
        problems = []
        all_names = [r["name"] for r in records]
        if len(all_names) != len(set(all_names)):
            problems.append("a record appears on two pages")
        if len(records) != expected_total:
            problems.append(f"{len(records)} records in all, expected {expected_total}")
        want_pages = -(-expected_total // PAGE_SIZE)
        if pages != want_pages:
            problems.append(f"{pages} pages, expected {want_pages} of at most {PAGE_SIZE}")
        c.report(f"GetExportSnapshotRecords {label}: all pages", problems)
        return records
    except CaseFailed as e:
        c.report(f"GetExportSnapshotRecords {label}: all pages", [str(e)])
        return None


def exports(c):
    c.case("refused: snapshot still pending", "ExportSnapshot", "--source-snapshot-name", "web-1-export-2026-11-21",
           error=REFUSED)
    c.advance(COPY_SECONDS + 60)
    c.case("copy became available", "GetInstanceSnapshot", "--instance-snapshot-name", "web-1-export-2026-11-21",
           check=lambda d: equals("state", d["instanceSnapshot"]["state"], "available"))
    c.case("disk copy became completed", "GetDiskSnapshot", "--disk-snapshot-name", "data-disk-export-latest",
           check=lambda d: equals("state", d["diskSnapshot"]["state"], "completed"))
    c.case("instance snapshot", "ExportSnapshot", "--source-snapshot-name", "web-1-export-2026-11-21",
           check=lambda d: operation_of_type(d, "ExportSnapshot"))
    c.case("disk snapshot", "ExportSnapshot", "--source-snapshot-name", "data-disk-export-latest",
           check=lambda d: operation_of_type(d, "ExportSnapshot"))
    for name, blueprint in (("blog-1-manual", "Ghost"), ("app-1-manual", "Django"), ("panel-1-manual", "cPanel")):
        c.case(f"refused: {blueprint} blueprint", "ExportSnapshot", "--source-snapshot-name", name, error=REFUSED)
    c.case("unknown snapshot", "ExportSnapshot", "--source-snapshot-name", "no-such-snap", error="NotFoundException")

    expected_total = LISTED_RECORDS + 2
    records = paged_records(c, "by hand", expected_total)
    if records is not None:
        def started(_):
            for snapshot in ("web-1-export-2026-11-21", "data-disk-export-latest"):
                equals(f"state of {snapshot}'s export", record_of(records, snapshot).get("state"), "Started")
        run_check(c, "GetExportSnapshotRecords the new exports are Started", started)

    def cli_paged(d):
        equals("records via CLI pagination", len(d["exportSnapshotRecords"]), expected_total)
        lacks(d, "nextPageToken")

    c.case("(CLI pagination)", "GetExportSnapshotRecords", paginate=True, check=cli_paged)
    c.case("refused: a pageToken it never issued", "GetExportSnapshotRecords",
           "--cli-input-json", json.dumps({"pageToken": "not-a-token"}), error="InvalidInputException")

    c.advance(EXPORT_SECONDS + 60)
    records = paged_records(c, "after the exports finished", expected_total)
    if records is not None:
        run_check(c, "GetExportSnapshotRecords instance export Succeeded to an AMI",
                  lambda _: finished(record_of(records, "web-1-export-2026-11-21"), "InstanceSnapshot", "web-1",
                                     "ami-", "Aws::EC2::Image"))
        run_check(c, "GetExportSnapshotRecords disk export Succeeded to an EBS snapshot",
                  lambda _: finished(record_of(records, "data-disk-export-latest"), "DiskSnapshot", "data-disk",
                                     "snap-", "Aws::EC2::Snapshot"))


def finished(record, source_type, resource, id_prefix, service):
    equals("state", record.get("state"), "Succeeded")
    expect(record["name"].startswith("ExportSnapshotRecord-"), f"record name {record['name']!r}")
    equals("sourceInfo.resourceType", record["sourceInfo"].get("resourceType"), source_type)
    equals("sourceInfo.fromResourceName", record["sourceInfo"].get("fromResourceName"), resource)
    destination = record.get("destinationInfo") or {}
    expect(str(destination.get("id", "")).startswith(id_prefix), f"destinationInfo.id {destination.get('id')!r}")
    equals("destinationInfo.service", destination.get("service"), service)

def tags(c):
    owner = json.dumps([{"key": "owner", "value": "ops"}])
    c.case("add owner=ops to web-1", "TagResource", "--resource-name", "web-1", "--tags", owner,
           check=lambda d: operation_of_type(d, "TagResource"))
    c.case("shows the new tag", "GetInstance", "--instance-name", "web-1",
           check=lambda d: equals("tag owner", tag_map(d["instance"].get("tags")).get("owner"), "ops"))
    c.case("remove owner from web-1", "UntagResource", "--resource-name", "web-1", "--tag-keys", "owner",
           check=lambda d: operation_of_type(d, "UntagResource"))
    c.case("tag is gone", "GetInstance", "--instance-name", "web-1",
           check=lambda d: lacks(tag_map(d["instance"].get("tags")), "owner"))
    c.case("a snapshot", "TagResource", "--resource-name", "web-1-export-2026-11-21", "--tags", owner,
           check=lambda d: operation_of_type(d, "TagResource"))
    c.case("unknown resource", "TagResource", "--resource-name", "no-such-vm", "--tags", owner,
           error="NotFoundException")
    c.case("unknown resource", "UntagResource", "--resource-name", "no-such-vm", "--tag-keys", "owner",
           error="NotFoundException")


def deletes(c):
    c.case("manual copy", "DeleteInstanceSnapshot", "--instance-snapshot-name", "web-1-manual-copy",
           check=lambda d: operation_of_type(d, "DeleteInstanceSnapshot"))
    c.case("deleted one is gone", "GetInstanceSnapshot", "--instance-snapshot-name", "web-1-manual-copy",
           error="NotFoundException")
    c.case("exported copy", "DeleteInstanceSnapshot", "--instance-snapshot-name", "web-1-export-2026-11-21",
           check=lambda d: operation_of_type(d, "DeleteInstanceSnapshot"))
    c.case("disk copy", "DeleteDiskSnapshot", "--disk-snapshot-name", "data-disk-export-latest",
           check=lambda d: operation_of_type(d, "DeleteDiskSnapshot"))
    c.case("deleted one is gone", "GetDiskSnapshot", "--disk-snapshot-name", "data-disk-export-latest",
           error="NotFoundException")
    c.case("unknown", "DeleteInstanceSnapshot", "--instance-snapshot-name", "no-such-snap", error="NotFoundException")
    c.case("a disk snapshot's name", "DeleteInstanceSnapshot", "--instance-snapshot-name", "data-disk-manual",
           error="NotFoundException")
    c.case("unknown", "DeleteDiskSnapshot", "--disk-snapshot-name", "no-such-snap", error="NotFoundException")
    # The default exportRecordsOnSnapshotDelete: a deleted snapshot's export records go with it.
    def gone(d):
        left = [r for r in d["exportSnapshotRecords"] if r.get("sourceInfo", {}).get("name") == "web-1-export-2026-11-21"]
        equals("export records of the deleted snapshot", left, [])

    c.case("records of a deleted snapshot are removed", "GetExportSnapshotRecords", paginate=True, check=gone)


def injected_faults(c):
    """The faults the function's retry logic is tested with must look like the real ones on the wire."""
    c.set_faults({"throttleRate": 1.0, "operations": ["GetInstances"]})
    c.case("throttled (injected)", "GetInstances", error="ThrottlingException")
    c.set_faults({"serverErrorRate": 1.0, "operations": ["GetDisks"]})
    c.case("server error (injected)", "GetDisks", error="ServiceException")
    c.set_faults({})
    c.case("after faults are cleared", "GetDisks", check=lambda d: has(names(d["disks"]), "data-disk"))


def protocol_errors(c):
    signed = {"Content-Type": "application/x-amz-json-1.1", "Authorization": FAKE_AUTH, "X-Amz-Date": "20261122T060000Z"}
    c.raw("protocol: no Authorization header", b"{}",
          {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET_PREFIX + "GetInstances"},
          (400, 403), "MissingAuthenticationTokenException")
    c.raw("protocol: malformed JSON", b'{"instanceName": ',
          dict(signed, **{"X-Amz-Target": TARGET_PREFIX + "GetInstance"}), 400, "SerializationException")
    c.raw("protocol: unknown operation", b"{}",
          dict(signed, **{"X-Amz-Target": TARGET_PREFIX + "GetUnicorns"}), 400, "UnknownOperationException")
    c.raw("protocol: missing X-Amz-Target", b"{}", signed, 400, "UnknownOperationException")


def coverage(c):
    """Every operation of the issue got at least one 2xx response that was validated (in either pass)."""
    wanted = {"GetInstances", "GetInstance", "GetDisks", "GetDisk", "GetAutoSnapshots", "CopySnapshot",
              "GetInstanceSnapshot", "GetInstanceSnapshots", "GetDiskSnapshot", "GetDiskSnapshots",
              "DeleteInstanceSnapshot", "DeleteDiskSnapshot", "ExportSnapshot", "GetExportSnapshotRecords",
              "GetOperation", "GetOperations", "TagResource", "UntagResource"}
    seen = set()
    with open(c.log, encoding="utf-8") as f:
        for line in f:
            exchange = json.loads(line)
            if exchange["status"] and 200 <= exchange["status"] < 300:
                seen.add(validate.operation_of(exchange["target"]))
    missing = sorted(wanted - seen)
    c.report(f"coverage: a validated 2xx response of each of {len(wanted)} operations",
             [f"no successful {', '.join(missing)}"] if missing else [])


def every_case(c):
    reads(c)
    copy_id = copies(c)
    operations(c, copy_id)
    exports(c)
    tags(c)
    deletes(c)
    injected_faults(c)
    protocol_errors(c)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--aws", required=True, help="the AWS CLI executable")
    parser.add_argument("--endpoint", required=True, help="the recording proxy's URL")
    parser.add_argument("--admin", required=True, help="the emulator's own URL (admin API)")
    parser.add_argument("--log", required=True, help="the proxy's recording")
    parser.add_argument("--moto", required=True, help="a moto_server's URL (EC2 cross-check)")
    args = parser.parse_args()
    c = Conformance(args.aws, args.endpoint.rstrip("/"), args.admin.rstrip("/"), args.log)
    try:
        # Every case twice: under the default envelope, then under the old one, each from the
        # world as loaded.
        for envelope in validate.ENVELOPES:
            c.start_pass(envelope)
            every_case(c)
        c.envelope = "both"
        coverage(c)
        cases_ec2.every_case(c)
        cases_ec2_drill.every_case(c)
        cases_ec2_archive.every_case(c)
        cases_query.every_case(c, args.moto)
        c.envelope = "moto"
        moto_check.run(c, args.moto)
        moto_drill.run(c, args.moto)
        moto_archive.run(c, args.moto)
    except Exception as e:  # a bug here must still end in the summary line and a failure
        c.report("conformance driver", [f"crashed: {type(e).__name__}: {e}"])
    print(f"{c.passed} passed, {c.failed} failed", flush=True)
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
